"""Request bodies over MAX_REQUEST_BYTES are refused from their declared length, unread."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


class UnreadableBody(io.RawIOBase):
    """A body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_huge_declared_body_is_refused_with_413_before_being_read(client, db, settings):
    settings.MAX_REQUEST_BYTES = 25 * 1024 * 1024
    response = client.generic(
        "POST",
        reverse("accounts:login"),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(4 * 1024**3),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert response.content.decode() == (
        "The request is too large (4.0\xa0GB); this site accepts at most 25.0\xa0MB. "
        "Send a smaller file."
    )


def test_an_upload_over_the_limit_is_refused_and_one_under_it_is_not(client, owner, settings):
    settings.MAX_REQUEST_BYTES = 4000
    client.force_login(owner)
    url = reverse("portfolio:import")
    big = SimpleUploadedFile("projects.csv", b"title_en\n" + b"x" * 5000 + b"\n")
    assert client.post(url, {"file": big}).status_code == 413

    small = SimpleUploadedFile(
        "projects.csv", b"external_id,title_en,kind,sector\nS-1,A project,commercial,ict\n"
    )
    assert client.post(url, {"file": small}).status_code in (200, 302)  # the import page answers
