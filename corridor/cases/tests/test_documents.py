"""Case documents: every rule tried through the service, the pages and direct URLs.

Each refused upload is checked for its message AND for leaving nothing behind: no row in the
database and no file in storage (a temporary MEDIA_ROOT per test).
"""

import hashlib
import io
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from corridor.cases.documents import services as documents
from corridor.cases.models import Case, CaseDocument, CaseEvent, CaseParty, DocumentVersion
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

R = CaseParty.Role

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TEXT = "Brake test: passed\n制动测试：合格\n".encode()
CSV = b"requirement,status\nEU type approval,done\n"


def office_file(folder: str, content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        main = "document.xml" if folder == "word/" else "workbook.xml"
        archive.writestr(folder + main, "<x/>")
    return buffer.getvalue()


DOCX = office_file("word/")
XLSX = office_file("xl/")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- people and cases ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(folder: str = "") -> list[str]:
    """Every file in default storage, walked through the storage API."""
    folders, files = default_storage.listdir(folder)
    found = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        found += stored_files(f"{folder}/{sub}" if folder else sub)
    return sorted(found)


def member_of(organisation, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def people(administration, facilitator, owner, outsider, enterprise, other_enterprise):
    partner_org = OrganisationFactory(name_en="Lion City Distributors", kind="partner")
    certifier_org = OrganisationFactory(name_en="TÜV Test House", kind="partner")
    regulator_org = OrganisationFactory(name_en="Land Transport Authority", kind="regulator")
    observer_org = OrganisationFactory(name_en="Chamber of Commerce", kind="chamber")
    case = Case.objects.create(
        reference="CASE-2026-0001",
        title_en="EU certification of electric vans",
        applicant=enterprise,
        target_market="SG",
        status=Case.Status.ACTIVE,
    )
    people = {
        "case": case,
        "facilitator": facilitator,
        "applicant": owner,
        "partner": member_of(partner_org, "partner"),
        "certifier": member_of(certifier_org, "certifier"),
        "regulator": UserFactory(username="regulator"),
        "observer": member_of(observer_org, "observer"),
        "outsider": outsider,
    }
    CaseParty.objects.create(case=case, organisation=enterprise, role=R.APPLICANT)
    CaseParty.objects.create(
        case=case, organisation=administration, role=R.FACILITATOR, contact=facilitator
    )
    CaseParty.objects.create(case=case, organisation=partner_org, role=R.PARTNER)
    CaseParty.objects.create(case=case, organisation=certifier_org, role=R.CERTIFICATION_BODY)
    CaseParty.objects.create(
        case=case, organisation=regulator_org, role=R.REGULATOR, contact=people["regulator"]
    )
    CaseParty.objects.create(case=case, organisation=observer_org, role=R.OBSERVER)
    other_case = Case.objects.create(
        reference="CASE-2026-0002",
        title_en="Halal certification of snacks",
        applicant=other_enterprise,
        target_market="SG",
        status=Case.Status.ACTIVE,
    )
    CaseParty.objects.create(case=other_case, organisation=other_enterprise, role=R.APPLICANT)
    people["other_case"] = other_case
    return people


def add_document(people, who="applicant", *, name="brake-test.pdf", content=PDF, shared_with=()):
    return documents.document_upload(
        actor=people[who],
        case=people["case"],
        title="Brake test report",
        document_type="test_report",
        uploaded_file=upload(name, content),
        shared_with=list(shared_with),
    )


def nothing_stored() -> bool:
    return (
        CaseDocument.objects.count() == 0
        and DocumentVersion.objects.count() == 0
        and CaseEvent.objects.count() == 0
        and stored_files() == []
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def page_upload(client, people, who, name, content, **extra):
    client.force_login(people[who])
    data = {"title": "Brake test report", "document_type": "test_report", **extra}
    data["file"] = upload(name, content)
    return client.post(reverse("case_documents:upload", args=[people["case"].pk]), data)


ALLOWED = (
    "Upload a PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), plain text (.txt) or CSV (.csv) file."
)


# --- refused files: message, and nothing stored --------------------------------------------


def test_a_file_one_byte_over_the_default_limit_is_refused_and_nothing_is_stored(client, people):
    assert documents.max_upload_bytes() == 20 * 1024 * 1024
    content = PDF + b"\n" * (20 * 1024 * 1024 + 1 - len(PDF))

    response = page_upload(client, people, "applicant", "brake-test.pdf", content)

    assert response.status_code == 302
    assert messages_of(response) == [
        "The file “brake-test.pdf” is too large (20,971,521 bytes): a document can be at most "
        "20.0\xa0MB (20,971,520 bytes). Upload a smaller file, or split it into parts."
    ]
    assert nothing_stored()


def test_a_file_exactly_at_the_limit_is_accepted_and_one_byte_more_is_not(settings, people):
    settings.CASE_DOCUMENT_MAX_BYTES = 1024
    at_limit = PDF + b"\n" * (1024 - len(PDF))

    version = add_document(people, content=at_limit)
    assert version.size == 1024

    with pytest.raises(ValidationError) as refused:
        add_document(people, name="bigger.pdf", content=at_limit + b"\n")
    assert refused.value.message_dict == {
        "file": [
            "The file “bigger.pdf” is too large (1,025 bytes): a document can be at most "
            "1.0\xa0KB (1,024 bytes). Upload a smaller file, or split it into parts."
        ]
    }
    assert DocumentVersion.objects.count() == 1
    assert stored_files() == [version.file.name]


def test_a_pdf_whose_bytes_are_a_png_is_refused_and_nothing_is_stored(client, people):
    response = page_upload(client, people, "applicant", "certificate.pdf", PNG)

    assert messages_of(response) == [
        "The content of the file “certificate.pdf” is not what its extension “.pdf” says. "
        "Upload a real PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), plain text (.txt) or CSV "
        "(.csv) file, with the extension that matches its content."
    ]
    assert nothing_stored()


def test_an_exe_is_refused_naming_the_allowed_types_and_nothing_is_stored(client, people):
    response = page_upload(client, people, "applicant", "setup.exe", b"MZ\x90\x00" + b"\x00" * 60)

    assert messages_of(response) == [
        f"The file “setup.exe” is not a type Corridor accepts. {ALLOWED}"
    ]
    assert nothing_stored()


def test_an_empty_file_is_refused_and_nothing_is_stored(people):
    with pytest.raises(ValidationError) as refused:
        add_document(people, name="empty.pdf", content=b"")

    assert refused.value.message_dict == {
        "file": [
            "The file “empty.pdf” is empty. Choose the file again and check that it has content."
        ]
    }
    assert nothing_stored()


def test_an_upload_without_a_file_asks_for_one(client, people):
    client.force_login(people["applicant"])
    response = client.post(
        reverse("case_documents:upload", args=[people["case"].pk]),
        {"title": "Brake test report", "document_type": "test_report"},
    )

    assert messages_of(response) == ["Choose a file to upload."]
    assert nothing_stored()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.docx", XLSX),  # a spreadsheet renamed as a Word document
        ("figures.xlsx", DOCX),
        ("report.docx", office_file("word/", content_types=False)),
        ("report.docx", b"PK\x03\x04 not really a zip archive"),
        ("photo.jpg", PNG),
        ("photo.png", JPEG),
        ("notes.txt", b"plain words\x00with a NUL"),
        ("notes.csv", "caf\u00e9".encode("latin-1")),  # not UTF-8
        ("notes.txt", PDF[:5] + b"\xff\xfe"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(people, name, content):
    with pytest.raises(ValidationError) as refused:
        add_document(people, name=name, content=content)

    assert list(refused.value.message_dict) == ["file"]
    assert refused.value.message_dict["file"][0].startswith(f"The content of the file “{name}”")
    assert nothing_stored()


def test_a_failed_transaction_leaves_no_file_in_storage(people, monkeypatch):
    def broken_timeline(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(documents, "record_event", broken_timeline)

    with pytest.raises(RuntimeError):
        add_document(people)

    assert nothing_stored()


# --- accepted files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        (
            "report.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "figures.xlsx",
            XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("notes.txt", TEXT, "text/plain"),
        ("plan.csv", CSV, "text/csv"),
    ],
)
def test_each_allowed_type_is_stored_with_the_type_read_from_its_content(
    people, name, content, content_type
):
    version = add_document(people, name=name, content=content)

    assert (version.original_name, version.content_type, version.size) == (
        name,
        content_type,
        len(content),
    )
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    with default_storage.open(version.file.name, "rb") as stored:
        assert stored.read() == content


def test_a_text_file_with_a_character_split_across_chunks_is_accepted(people):
    # 65,535 ASCII bytes, then "合" (3 bytes in UTF-8) straddling the 64 KiB chunk boundary.
    content = b"a" * (64 * 1024 - 1) + "合格\n".encode()

    version = add_document(people, name="log.txt", content=content)

    assert version.sha256 == hashlib.sha256(content).hexdigest()


def test_an_upload_records_version_hash_event_and_file_under_a_random_name(client, people):
    response = page_upload(client, people, "applicant", "brake-test.pdf", PDF)

    assert response.status_code == 302
    assert response["Location"].endswith("#documents")
    assert messages_of(response) == ["The document “Brake test report” was uploaded."]
    document = CaseDocument.objects.get()
    version = document.versions.get()
    assert (document.case, document.title, document.document_type, document.shared_with) == (
        people["case"],
        "Brake test report",
        "test_report",
        [],
    )
    assert (version.number, version.original_name, version.uploaded_by) == (
        1,
        "brake-test.pdf",
        people["applicant"],
    )
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored_files() == [version.file.name]
    assert version.file.name.startswith("cases/")
    assert "brake-test" not in version.file.name
    event = CaseEvent.objects.get()
    assert (event.kind, event.params, event.document, event.actor) == (
        "document_uploaded",
        {"title": "Brake test report", "version": 1, "file": "brake-test.pdf"},
        document,
        people["applicant"],
    )


def test_version_2_keeps_version_1_downloadable(client, people):
    first = add_document(people)
    client.force_login(people["partner"])  # a partner may add versions of documents it sees
    documents.document_share(
        actor=people["applicant"], document=first.document, shared_with=["partner"]
    )
    second_bytes = PDF.replace(b"1.7", b"2.0")

    response = client.post(
        reverse("case_documents:version_upload", args=[first.document.pk]),
        {"file": upload("brake-test-v2.pdf", second_bytes)},
    )

    assert messages_of(response) == ["Version 2 of “Brake test report” was uploaded."]
    second = DocumentVersion.objects.get(number=2)
    assert second.document == first.document
    assert [v.number for v in first.document.versions.all()] == [2, 1]
    old = client.get(reverse("case_documents:download", args=[first.pk]))
    new = client.get(reverse("case_documents:download", args=[second.pk]))
    assert b"".join(old.streaming_content) == PDF
    assert b"".join(new.streaming_content) == second_bytes
    assert sorted(stored_files()) == sorted([first.file.name, second.file.name])
    event = CaseEvent.objects.filter(kind="document_uploaded").first()
    assert event.params == {"title": "Brake test report", "version": 2, "file": "brake-test-v2.pdf"}


def test_a_download_is_an_attachment_under_the_original_name_with_the_exact_bytes(client, people):
    version = add_document(people, name="制动测试 report.pdf")
    client.force_login(people["facilitator"])

    response = client.get(reverse("case_documents:download", args=[version.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%88%B6%E5%8A%A8%E6%B5%8B%E8%AF%95%20report.pdf"
    )
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == version.sha256


# --- who may upload -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["regulator", "observer"])
def test_a_regulator_contact_or_observer_cannot_upload(client, people, who):
    response = page_upload(client, people, who, "brake-test.pdf", PDF)

    assert response.status_code == 403
    assert (
        "Only the applicant, the facilitators, the local partner and the certification body "
        "can upload documents to this case; regulator contacts and observers can only read it."
    ) in response.content.decode()
    assert nothing_stored()


def test_an_outsider_cannot_upload_and_learns_nothing_about_the_case(client, people):
    response = page_upload(client, people, "outsider", "brake-test.pdf", PDF)

    assert response.status_code == 404
    assert nothing_stored()


def test_anonymous_upload_is_sent_to_log_in(client, people):
    response = client.post(
        reverse("case_documents:upload", args=[people["case"].pk]),
        {"title": "x", "document_type": "other", "file": upload("x.pdf", PDF)},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert nothing_stored()


def test_a_partner_upload_is_shared_with_its_own_role_so_it_keeps_seeing_it(client, people):
    version = add_document(people, "partner")

    assert version.document.shared_with == ["partner"]
    client.force_login(people["partner"])
    assert client.get(reverse("case_documents:download", args=[version.pk])).status_code == 200


def test_a_partner_cannot_share_its_upload_with_other_roles(people):
    with pytest.raises(PermissionDenied) as refused:
        add_document(people, "partner", shared_with=["observer"])

    assert str(refused.value) == (
        "Only the applicant and the facilitators decide who else sees a document. "
        "Upload it without choosing, then ask them to share it."
    )
    assert nothing_stored()


def test_title_type_and_roles_are_checked(people):
    with pytest.raises(ValidationError) as refused:
        documents.document_upload(
            actor=people["applicant"],
            case=people["case"],
            title="  ",
            document_type="selfie",
            uploaded_file=upload("a.pdf", PDF),
            shared_with=[],
        )
    assert refused.value.message_dict == {
        "title": ["Give the document a title."],
        "document_type": [
            "“selfie” is not a document type; choose one of: application or form, test "
            "report, certificate, audit or inspection report, technical file, "
            "correspondence, other."
        ],
    }
    with pytest.raises(ValidationError) as refused:
        add_document(people, shared_with=["applicant"])
    assert refused.value.message_dict == {
        "shared_with": [
            "“applicant” is not a party role a document can be shared with; choose among: "
            "local partner, certification body, regulator contact, observer."
        ]
    }
    assert nothing_stored()


def test_get_on_the_upload_url_is_not_allowed(client, people):
    client.force_login(people["applicant"])

    response = client.get(reverse("case_documents:upload", args=[people["case"].pk]))

    assert response.status_code == 405


# --- who may download ---------------------------------------------------------------------


def download_status(client, user, version) -> int:
    client.force_login(user)
    return client.get(reverse("case_documents:download", args=[version.pk])).status_code


def test_only_applicant_facilitators_and_admins_see_an_unshared_document(
    client, people, admin_user
):
    version = add_document(people)

    statuses = {
        who: download_status(client, people[who], version)
        for who in ["applicant", "facilitator", "partner", "certifier", "regulator", "observer"]
    }
    statuses["admin"] = download_status(client, admin_user, version)

    assert statuses == {
        "applicant": 200,
        "facilitator": 200,
        "partner": 404,
        "certifier": 404,
        "regulator": 404,
        "observer": 404,
        "admin": 200,
    }


def test_a_document_of_another_case_answers_404(client, people):
    other = documents.document_upload(
        actor=people["outsider"],
        case=people["other_case"],
        title="Halal certificate",
        document_type="certificate",
        uploaded_file=upload("halal.pdf", PDF),
        shared_with=[],
    )

    assert download_status(client, people["applicant"], other) == 404
    assert download_status(client, people["facilitator"], other) == 404
    assert download_status(client, people["outsider"], other) == 200


def test_an_outsider_and_a_stranger_to_the_file_get_404_not_403(client, people):
    version = add_document(people)

    assert download_status(client, people["outsider"], version) == 404
    client.logout()
    response = client.get(reverse("case_documents:download", args=[version.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_version_of_a_document_not_visible_cannot_be_added(client, people):
    version = add_document(people)
    client.force_login(people["partner"])

    response = client.post(
        reverse("case_documents:version_upload", args=[version.document.pk]),
        {"file": upload("replacement.pdf", PDF)},
    )

    assert response.status_code == 404
    assert DocumentVersion.objects.count() == 1
    assert stored_files() == [version.file.name]


# --- sharing ------------------------------------------------------------------------------


def test_an_observer_sees_a_document_once_it_is_shared_with_observers(client, people):
    version = add_document(people)
    assert download_status(client, people["observer"], version) == 404

    client.force_login(people["applicant"])
    response = client.post(
        reverse("case_documents:share", args=[version.document.pk]),
        {"shared_with": ["observer", "regulator"]},
    )

    assert messages_of(response) == ["Who sees “Brake test report” was saved."]
    version.document.refresh_from_db()
    assert version.document.shared_with == ["regulator", "observer"]
    assert download_status(client, people["observer"], version) == 200
    assert download_status(client, people["regulator"], version) == 200
    assert download_status(client, people["partner"], version) == 404
    event = CaseEvent.objects.filter(kind="document_shared").get()
    assert event.params == {"title": "Brake test report", "roles": ["regulator", "observer"]}
    assert event.document == version.document


@pytest.mark.parametrize("who", ["partner", "certifier", "regulator", "observer"])
def test_only_applicant_and_facilitators_change_sharing(client, people, who):
    version = add_document(
        people, shared_with=["partner", "certification_body", "regulator", "observer"]
    )
    client.force_login(people[who])

    response = client.post(
        reverse("case_documents:share", args=[version.document.pk]), {"shared_with": []}
    )

    assert response.status_code == 403
    assert (
        "Only the applicant and the facilitators of the case decide who sees a document."
        in response.content.decode()
    )
    version.document.refresh_from_db()
    assert version.document.shared_with == [
        "partner",
        "certification_body",
        "regulator",
        "observer",
    ]
    assert not CaseEvent.objects.filter(kind="document_shared").exists()


def test_a_facilitator_can_unshare_and_the_observer_loses_access(client, people):
    version = add_document(people, "facilitator", shared_with=["observer"])
    assert download_status(client, people["observer"], version) == 200

    documents.document_share(actor=people["facilitator"], document=version.document, shared_with=[])

    assert download_status(client, people["observer"], version) == 404


def test_sharing_a_document_not_visible_answers_404(client, people):
    version = add_document(people)
    client.force_login(people["outsider"])

    response = client.post(
        reverse("case_documents:share", args=[version.document.pk]),
        {"shared_with": ["observer"]},
    )

    assert response.status_code == 404
    version.document.refresh_from_db()
    assert version.document.shared_with == []


# --- the partial on the case page ---------------------------------------------------------


def render_panel(user, case) -> str:
    request = RequestFactory().get("/")
    request.user = user
    panel = documents.document_panel(user, case)
    return render_to_string("cases/_documents.html", {"document_panel": panel}, request=request)


def test_the_partial_lists_only_visible_documents_with_hash_and_forms_for_the_allowed(people):
    secret = add_document(people, name="secret.pdf")
    shared = documents.document_upload(
        actor=people["applicant"],
        case=people["case"],
        title="Type approval certificate",
        document_type="certificate",
        uploaded_file=upload("approval.pdf", PDF + b"approved"),
        shared_with=["observer"],
    )

    for_observer = render_panel(people["observer"], people["case"])
    for_applicant = render_panel(people["applicant"], people["case"])

    assert "Type approval certificate" in for_observer
    assert "Brake test report" not in for_observer
    assert reverse("case_documents:download", args=[secret.pk]) not in for_observer
    assert "Upload a document" not in for_observer
    assert "Save sharing" not in for_observer
    assert f'<code title="{shared.sha256}">{shared.sha256[:12]}…</code>' in for_observer
    assert reverse("case_documents:download", args=[shared.pk]) in for_observer
    assert "Brake test report" in for_applicant
    assert "Upload a document" in for_applicant
    assert "Save sharing" in for_applicant
    assert "Also shared with: observer" in for_applicant
    assert "at most 20.0\xa0MB." in for_applicant


def test_the_partial_offers_upload_but_not_sharing_to_a_partner(people):
    html = render_panel(people["partner"], people["case"])

    assert "Upload a document" in html
    assert "Save sharing" not in html
    assert 'name="shared_with"' not in html


def test_the_case_page_shows_the_refusal_and_then_the_uploaded_document(client, people):
    refused = page_upload(client, people, "applicant", "setup.exe", b"MZ")
    page = client.get(refused["Location"])
    assert (
        f"The file “setup.exe” is not a type Corridor accepts. {ALLOWED}" in page.content.decode()
    )

    uploaded = page_upload(client, people, "applicant", "brake-test.pdf", PDF)
    page = client.get(uploaded["Location"]).content.decode()

    version = DocumentVersion.objects.get()
    assert "The document “Brake test report” was uploaded." in page
    assert reverse("case_documents:download", args=[version.pk]) in page
    assert f'title="{version.sha256}"' in page


def test_the_case_page_of_an_observer_does_not_mention_an_unshared_document(client, people):
    version = add_document(people, name="secret-plan.pdf")
    client.force_login(people["observer"])

    response = client.get(reverse("cases:case_detail", args=[people["case"].pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "EU certification of electric vans" in page
    assert "Brake test report" not in page
    assert "secret-plan.pdf" not in page
    assert reverse("case_documents:download", args=[version.pk]) not in page


# --- a new version is shared only as far as its uploader may share -------------------------


def _regulator_sees(client, people, version) -> dict:
    """What the regulator contact sees of `version`: download, case page, API."""
    client.force_login(people["regulator"])
    download = client.get(reverse("case_documents:download", args=[version.pk]))
    page = client.get(reverse("cases:case_detail", args=[people["case"].pk])).content.decode()
    listed = client.get(f"/api/cases/cases/{people['case'].pk}/documents").json()
    return {
        "download": download.status_code,
        "on the page": reverse("case_documents:download", args=[version.pk]) in page,
        "file name on the page": version.original_name in page,
        "in the API": [v["number"] for d in listed for v in d["versions"]],
    }


def test_a_partners_new_version_is_not_shared_with_the_regulator_until_the_applicant_shares_it(
    client, people
):
    first = add_document(people, shared_with=["partner", "regulator"])
    client.force_login(people["partner"])

    response = client.post(
        reverse("case_documents:version_upload", args=[first.document.pk]),
        {"file": upload("brake-test-secret-draft.pdf", PDF.replace(b"1.7", b"2.0"))},
    )

    second = DocumentVersion.objects.get(document=first.document, number=2)
    assert messages_of(response) == ["Version 2 of “Brake test report” was uploaded."]
    assert second.shared_with == ["partner"]
    assert CaseDocument.objects.get(pk=first.document.pk).shared_with == ["partner", "regulator"]
    # The regulator contact still sees version 1, and nothing of version 2, not even its name.
    assert _regulator_sees(client, people, second) == {
        "download": 404,
        "on the page": False,
        "file name on the page": False,
        "in the API": [1],
    }
    client.force_login(people["regulator"])
    assert client.get(reverse("case_documents:download", args=[first.pk])).status_code == 200
    # The applicant, the facilitator and the partner see it.
    for who in ("applicant", "facilitator", "partner"):
        client.force_login(people[who])
        assert client.get(reverse("case_documents:download", args=[second.pk])).status_code == 200

    # The applicant is told, and saving the same sharing shares the new version too.
    client.force_login(people["applicant"])
    page = client.get(reverse("cases:case_detail", args=[people["case"].pk])).content.decode()
    assert "Not yet shared like the document: save the sharing to share it." in page
    documents.document_share(
        actor=people["applicant"], document=first.document, shared_with=["partner", "regulator"]
    )
    assert _regulator_sees(client, people, second) == {
        "download": 200,
        "on the page": True,
        "file name on the page": True,
        "in the API": [2, 1],
    }


def test_a_certification_bodys_new_version_is_seen_only_by_its_own_role_among_the_others(
    people,
):
    first = add_document(people, shared_with=["certification_body", "observer", "regulator"])

    second = documents.document_upload(
        actor=people["certifier"],
        case=people["case"],
        title="",
        document_type="",
        uploaded_file=upload("v2.pdf", PDF),
        shared_with=["observer", "regulator"],  # ignored for a new version
        document=first.document,
    )

    assert second.shared_with == ["certification_body"]
    seen = {
        who: documents.visible_documents(people[who], people["case"])
        for who in ("observer", "regulator", "certifier", "applicant")
    }
    assert {
        who: [v.number for d in docs for v in d.visible_versions] for who, docs in seen.items()
    } == {
        "observer": [1],
        "regulator": [1],
        "certifier": [2, 1],
        "applicant": [2, 1],
    }


@pytest.mark.parametrize("who", ["applicant", "facilitator"])
def test_a_new_version_by_the_applicant_or_a_facilitator_keeps_the_documents_sharing(people, who):
    first = add_document(people, shared_with=["regulator"])

    second = documents.document_upload(
        actor=people[who],
        case=people["case"],
        title="",
        document_type="",
        uploaded_file=upload("v2.pdf", PDF),
        shared_with=[],
        document=first.document,
    )

    assert second.shared_with == ["regulator"]
    assert [
        v.number
        for v in documents.visible_documents(people["regulator"], people["case"])[
            0
        ].visible_versions
    ] == [2, 1]
