"""`manage.py backup` and `manage.py restore`: every row and every uploaded file comes back."""

import hashlib
import io
import json
import tarfile

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from corridor.accounts.models import Membership
from corridor.core.audit import audit_record
from corridor.core.models import Sector
from corridor.testing.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _link_tables() -> set[str]:
    """The tables Django makes for many-to-many fields: their rows are (id, from, to)."""
    return {
        field.remote_field.through._meta.db_table
        for model in apps.get_models()
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    }


def every_row():
    """{table: [rows in primary-key order]} for every table of the project. A many-to-many
    link is compared by the pair it links: its own id is a counter that `loaddata` does not
    carry over (the links are written again from their records), and nothing refers to it."""
    rows = {}
    links = _link_tables()
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            found = [tuple(row) for row in cursor.fetchall()]
            rows[table] = sorted(row[1:] for row in found) if table in links else found
    return rows


def every_file(root):
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def some_data(owner, outsider, media):
    organisation = owner.memberships.get().organisation
    organisation.sectors.set(Sector.objects.all()[:3])  # a many-to-many table
    ProjectFactory()
    audit_record(actor=owner, action="update", target=organisation, summary="Olivia was here")
    (media / "cases" / "2026" / "12").mkdir(parents=True)
    (media / "cases" / "2026" / "12" / "contract.pdf").write_bytes(bytes(range(256)) * 40)
    (media / "图片 photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 1000)


def empty_everything(media):
    call_command("flush", interactive=False, verbosity=0)  # leaves what migrate's signals write
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_a_backup_restored_into_an_empty_database_gives_back_every_row_and_file(
    owner, outsider, media, tmp_path
):
    some_data(owner, outsider, media)
    rows_before, files_before = every_row(), every_file(media)
    assert rows_before["accounts_organisation_sectors"]
    assert len(files_before) == 2

    archive = tmp_path / "corridor.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    empty_everything(media)
    assert Membership.objects.count() == 0
    assert every_file(media) == {}

    call_command("restore", str(archive), stdout=io.StringIO())

    assert every_row() == rows_before
    assert every_file(media) == files_before
    # new rows get fresh ids after the restored ones (PostgreSQL sequences were moved on)
    assert ProjectFactory().pk > max(row[0] for row in rows_before["portfolio_project"])


def test_the_manifest_lists_each_files_checksum_and_each_tables_rows(owner, media, tmp_path):
    (media / "report.txt").write_text("hello")
    archive = tmp_path / "corridor.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = sorted(tar.getnames())
    assert names == ["database.jsonl", "manifest.json", "media/report.txt"]
    assert manifest["files"]["media/report.txt"] == hashlib.sha256(b"hello").hexdigest()
    assert manifest["tables"]["accounts_user"] == 1
    assert manifest["tables"]["accounts_membership"] == 1


def test_restore_refuses_a_database_that_holds_data_unless_forced(owner, media, tmp_path):
    archive = tmp_path / "corridor.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    owner.name_en = "Changed after the backup"
    owner.save()

    with pytest.raises(CommandError, match=r"The database is not empty \(.*accounts_user: 1"):
        call_command("restore", str(archive), stdout=io.StringIO())
    owner.refresh_from_db()
    assert owner.name_en == "Changed after the backup"

    call_command("restore", str(archive), force=True, verbosity=0)
    owner.refresh_from_db()
    assert owner.name_en == "Olivia Owner"


def test_restore_refuses_an_archive_whose_file_does_not_match_its_checksum(owner, media, tmp_path):
    (media / "report.txt").write_text("the real report")
    archive = tmp_path / "corridor.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "media/report.txt":
                data = b"a forged report"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    empty_everything(media)

    with pytest.raises(CommandError, match=r"media/report.txt is damaged: its SHA-256 is"):
        call_command("restore", str(tampered), verbosity=0)
    assert Membership.objects.count() == 0
    assert every_file(media) == {}


def test_backup_does_not_overwrite_an_existing_file(db, media, tmp_path):
    archive = tmp_path / "corridor.tar.gz"
    archive.write_text("yesterday's backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.read_text() == "yesterday's backup"
