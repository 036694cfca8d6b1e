"""Case documents: upload (with versions) and sharing, and the checks a file must pass.

A file is accepted only when its size is within `settings.CASE_DOCUMENT_MAX_BYTES` and both
its extension and its content are one of the allowed types (PDF, PNG, JPEG, Word .docx,
Excel .xlsx, plain text or CSV). The content is read, never the type the browser claims.
A refused file leaves nothing behind: no row and no file in storage.

Files go through Django's storage API (`default_storage`) under a random name; the name the
person gave is kept in `DocumentVersion.original_name` and used for downloads.
"""

import codecs
import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.cases import permissions
from corridor.cases.models import Case, CaseDocument, CaseParty, DocumentVersion
from corridor.cases.services import require_open
from corridor.cases.timeline import record_event
from corridor.core.audit import audit_record


class DocumentType(models.TextChoices):
    """What a document is for. Stored in `CaseDocument.document_type`."""

    APPLICATION = "application", gettext_lazy("application or form")
    TEST_REPORT = "test_report", gettext_lazy("test report")
    CERTIFICATE = "certificate", gettext_lazy("certificate")
    AUDIT_REPORT = "audit_report", gettext_lazy("audit or inspection report")
    TECHNICAL_FILE = "technical_file", gettext_lazy("technical file")
    CORRESPONDENCE = "correspondence", gettext_lazy("correspondence")
    OTHER = "other", gettext_lazy("other")


# The applicant and the facilitators see every document; these roles only when shared with.
SHAREABLE_ROLES = [
    CaseParty.Role.PARTNER,
    CaseParty.Role.CERTIFICATION_BODY,
    CaseParty.Role.REGULATOR,
    CaseParty.Role.OBSERVER,
]
# The roles that see every document decide who else sees it (administrators act as
# facilitators).
SHARING_ROLES = permissions.DOCUMENT_KEEPERS

# Allowed extension → the kind of content it must hold.
KIND_BY_EXTENSION = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".txt": "text",
    ".csv": "csv",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text": "text/plain",
    "csv": "text/csv",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"
HEAD_BYTES = 8
MAX_NAME_LENGTH = 255


def max_upload_bytes() -> int:
    return settings.CASE_DOCUMENT_MAX_BYTES


# --- checking a file -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    """What Corridor learned about an accepted file while reading it once."""

    name: str
    extension: str
    content_type: str
    size: int
    sha256: str

    def storage_name(self, file_field) -> str:
        """A random name under the file field's folder (`upload_to`); the person's name for
        the file is kept in the database only."""
        return file_field.generate_filename(None, f"{uuid.uuid4().hex}{self.extension}")


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _forbidden_type(name: str) -> ValidationError:
    return _file_error(
        _(
            "The file “%(name)s” is not a type Corridor accepts. Upload a PDF, PNG, JPEG, "
            "Word (.docx), Excel (.xlsx), plain text (.txt) or CSV (.csv) file."
        )
        % {"name": name}
    )


def _content_mismatch(name: str, extension: str) -> ValidationError:
    return _file_error(
        _(
            "The content of the file “%(name)s” is not what its extension “%(extension)s” "
            "says. Upload a real PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), plain text "
            "(.txt) or CSV (.csv) file, with the extension that matches its content."
        )
        % {"name": name, "extension": extension}
    )


def _too_large(name: str, size: int, limit: int) -> ValidationError:
    return _file_error(
        _(
            "The file “%(name)s” is too large (%(size)s bytes): a document can be at most "
            "%(limit)s (%(limit_bytes)s bytes). Upload a smaller file, or split it into parts."
        )
        % {
            "name": name,
            "size": formats.number_format(size, force_grouping=True),
            "limit": filesizeformat(limit),
            "limit_bytes": formats.number_format(limit, force_grouping=True),
        }
    )


def _original_name(uploaded_file) -> str:
    """The file's own name, without any folder a browser may have sent, at most 255 chars."""
    name = (getattr(uploaded_file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(name)
        name = stem[: MAX_NAME_LENGTH - len(extension)] + extension
    return name


def _is_office_file(uploaded_file, folder: str) -> bool:
    """A .docx or .xlsx file is a ZIP archive with [Content_Types].xml and its main folder.

    Only the archive's directory is read, never its compressed contents."""
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        uploaded_file.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def _content_matches(kind: str, head: bytes, uploaded_file, is_utf8_text: bool) -> bool:
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "png":
        return head.startswith(PNG_SIGNATURE)
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "docx":
        return head.startswith(ZIP_SIGNATURE) and _is_office_file(uploaded_file, "word/")
    if kind == "xlsx":
        return head.startswith(ZIP_SIGNATURE) and _is_office_file(uploaded_file, "xl/")
    return is_utf8_text  # text and csv


def check_file(uploaded_file) -> CheckedFile:
    """Read the file once, in chunks: its size, SHA-256 and content type.

    Raises ValidationError {"file": sentence} when there is no file, it is empty, too
    large, of a type not allowed, or its content does not match its extension."""
    if not uploaded_file:
        raise _file_error(_("Choose a file to upload."))
    name = _original_name(uploaded_file)
    extension = os.path.splitext(name)[1].lower()
    kind = KIND_BY_EXTENSION.get(extension)
    if kind is None:
        raise _forbidden_type(name)
    limit = max_upload_bytes()
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(name, declared, limit)

    digest = hashlib.sha256()
    size = 0
    head = b""
    is_text = kind in ("text", "csv")
    decoder = codecs.getincrementaldecoder("utf-8")() if is_text else None
    is_utf8_text = is_text
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > limit:
            uploaded_file.seek(0)
            raise _too_large(name, size, limit)
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head = (head + chunk)[:HEAD_BYTES]
        if is_utf8_text:
            is_utf8_text = _still_text(decoder, chunk)
    if is_utf8_text:
        is_utf8_text = _still_text(decoder, b"", final=True)
    uploaded_file.seek(0)

    if size == 0:
        raise _file_error(
            _("The file “%(name)s” is empty. Choose the file again and check that it has content.")
            % {"name": name}
        )
    if not _content_matches(kind, head, uploaded_file, is_utf8_text):
        raise _content_mismatch(name, extension)
    return CheckedFile(
        name=name,
        extension=extension,
        content_type=CONTENT_TYPES[kind],
        size=size,
        sha256=digest.hexdigest(),
    )


def _still_text(decoder, chunk: bytes, *, final: bool = False) -> bool:
    """True while the bytes read so far decode as UTF-8 and hold no NUL character."""
    if b"\x00" in chunk:
        return False
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


# --- permissions -------------------------------------------------------------------------


def can_upload(user, case: Case) -> bool:
    """Every party who may write to the case; regulator contacts and observers may not."""
    return permissions.can_write(user, case)


def can_share(user, case: Case) -> bool:
    """The applicant and the facilitators (administrators act as facilitators)."""
    return permissions.party_role(user, case) in SHARING_ROLES


@dataclass
class DocumentRow:
    document: CaseDocument
    versions: list[DocumentVersion]  # those the user may see, newest first
    type_label: str  # translated
    shared_with: list[str]  # role labels, translated
    # Versions not (yet) shared like their document: a partner's new version, until the
    # applicant or a facilitator saves the sharing again. Shown to those who share.
    narrower_versions: set[int] = field(default_factory=set)


@dataclass
class DocumentPanel:
    """What the documents part of the case page shows to one person."""

    case: Case
    rows: list[DocumentRow]
    can_upload: bool
    can_share: bool
    document_types: list[tuple[str, str]]
    shareable_roles: list[tuple[str, str]]
    max_bytes: int
    accept: str  # for <input type="file" accept=...>


def visible_documents(user, case: Case, *, role: str | None = None) -> list[CaseDocument]:
    """The documents of `case` the user may see, each with `visible_versions`: the versions
    the user may see, newest first. A fixed number of queries whatever the number of
    documents. Pass the user's `role` in the case when already known."""
    role = role or permissions.party_role(user, case)
    if role is None:
        return []
    documents = CaseDocument.objects.filter(case=case).prefetch_related(
        models.Prefetch(
            "versions",
            queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
        )
    )
    visible = []
    for document in documents:
        if not permissions.can_see_document_as(role, document):
            continue
        document.visible_versions = [
            v for v in document.versions.all() if permissions.can_see_version_as(role, v)
        ]
        if document.visible_versions or role in permissions.DOCUMENT_KEEPERS:
            visible.append(document)
    return visible


def document_panel(user, case: Case) -> DocumentPanel:
    """The context of the `cases/_documents.html` partial."""
    role = permissions.party_role(user, case)
    labels = dict(CaseParty.Role.choices)
    types = dict(DocumentType.choices)
    rows = [
        DocumentRow(
            document=document,
            versions=document.visible_versions,
            type_label=str(types.get(document.document_type, document.document_type)),
            shared_with=[str(labels[r]) for r in document.shared_with if r in labels],
            narrower_versions={
                v.pk
                for v in document.visible_versions
                if list(v.shared_with or []) != list(document.shared_with)
            }
            if role in SHARING_ROLES
            else set(),
        )
        for document in visible_documents(user, case, role=role)
    ]
    return DocumentPanel(
        case=case,
        rows=rows,
        can_upload=role in permissions.WRITERS and not permissions.is_closed(case),
        can_share=role in SHARING_ROLES,
        document_types=list(DocumentType.choices),
        shareable_roles=[(str(r), str(r.label)) for r in SHAREABLE_ROLES],
        max_bytes=max_upload_bytes(),
        accept=",".join(KIND_BY_EXTENSION),
    )


# --- input ---------------------------------------------------------------------------------


def _clean_shared_with(shared_with) -> list[str]:
    """The roles, each once, in the order of CaseParty.Role; a ValidationError for others."""
    roles = set()
    for role in shared_with or []:
        if role not in SHAREABLE_ROLES:
            raise ValidationError(
                {
                    "shared_with": _(
                        "“%(value)s” is not a party role a document can be shared with; "
                        "choose among: %(choices)s."
                    )
                    % {
                        "value": role,
                        "choices": ", ".join(str(r.label) for r in SHAREABLE_ROLES),
                    }
                }
            )
        roles.add(str(role))
    return [str(r) for r in SHAREABLE_ROLES if r in roles]


def _clean_new_document(title: str, document_type: str) -> tuple[str, str]:
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the document a title.")
    elif len(title) > 300:
        errors["title"] = _(
            "The title is %(length)s characters long; shorten it to 300 characters at most."
        ) % {"length": len(title)}
    if document_type not in DocumentType.values:
        errors["document_type"] = _(
            "“%(value)s” is not a document type; choose one of: %(choices)s."
        ) % {
            "value": document_type,
            "choices": ", ".join(str(label) for label in DocumentType.labels),
        }
    if errors:
        raise ValidationError(errors)
    return title, document_type


# --- services ------------------------------------------------------------------------------


def document_upload(
    *,
    actor,
    case: Case,
    title: str,
    document_type: str,
    uploaded_file,
    shared_with: list[str],
    document: CaseDocument | None = None,
) -> DocumentVersion:
    """Store a new document (version 1), or version n+1 of `document`.

    For a new version the document's title, type and sharing stay as they are (change the
    sharing with `document_share`); `title`, `document_type` and `shared_with` are then
    ignored. A party who does not decide sharing (partner, certification body) may not
    share the documents it uploads with other roles; they are shared with its own role so
    that it keeps seeing them. The same holds for a new version it uploads: the version is
    seen by the applicant, the facilitators and the uploader's own role, not by the other
    roles the document is shared with, until the applicant or a facilitator shares it
    again (`document_share`).

    Permission is checked before the file is read. The file is stored, and its rows
    written, in one transaction; if that fails the stored file is deleted."""
    require_open(case)
    if not can_upload(actor, case):
        raise PermissionDenied(
            _(
                "Only the applicant, the facilitators, the local partner and the certification "
                "body can upload documents to this case; regulator contacts and observers "
                "can only read it."
            )
        )
    if document is not None:
        if document.case_id != case.pk or not permissions.can_see_document(actor, document):
            raise PermissionDenied(
                _("You can add a version only to a document of this case that you can see.")
            )
    else:
        title, document_type = _clean_new_document(title, document_type)
        shared_with = _clean_shared_with(shared_with)
        if not can_share(actor, case):
            own_role = permissions.party_role(actor, case)
            if any(role != own_role for role in shared_with):
                raise PermissionDenied(
                    _(
                        "Only the applicant and the facilitators decide who else sees a "
                        "document. Upload it without choosing, then ask them to share it."
                    )
                )
            shared_with = _clean_shared_with([own_role])

    checked = check_file(uploaded_file)

    stored_name = ""
    try:
        with transaction.atomic():
            if document is None:
                document = CaseDocument.objects.create(
                    case=case,
                    title=title,
                    document_type=document_type,
                    shared_with=shared_with,
                    created_by=actor,
                )
                number = 1
                audit_action = "create"
            else:
                # Lock the document so that two uploads at once get numbers n+1 and n+2.
                document = CaseDocument.objects.select_for_update().get(pk=document.pk)
                latest = document.versions.aggregate(latest=Max("number"))["latest"] or 0
                number = latest + 1
                audit_action = "update"
            version_shared_with = _version_sharing(actor, case, document)
            stored_name = default_storage.save(
                checked.storage_name(DocumentVersion._meta.get_field("file")), uploaded_file
            )
            version = DocumentVersion.objects.create(
                document=document,
                number=number,
                file=stored_name,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                shared_with=version_shared_with,
                uploaded_by=actor,
            )
            record_event(
                case=case,
                actor=actor,
                kind="document_uploaded",
                params={"title": document.title, "version": number, "file": checked.name},
                document=document,
                document_version=version,
            )
            audit_record(
                actor=actor,
                action=audit_action,
                target=document,
                summary=f"{document.title} v{number}: {checked.name}",
                changes={
                    "version": [number - 1 or None, number],
                    "sha256": [None, checked.sha256],
                    "shared_with": [None, version_shared_with],
                },
            )
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return version


def _version_sharing(actor, case: Case, document: CaseDocument) -> list[str]:
    """Who, besides the applicant and facilitators, sees a new version of `document`: its
    sharing, as far as the uploader may grant it. The applicant and facilitators may grant
    any; another party only its own role."""
    if can_share(actor, case):
        return list(document.shared_with)
    own_role = permissions.party_role(actor, case)
    return [role for role in document.shared_with if role == own_role]


def document_share(*, actor, document: CaseDocument, shared_with: list[str]) -> CaseDocument:
    """Set the party roles (besides the applicant and facilitators) who may see `document`,
    all its versions included (also those a partner uploaded, seen until then only by its
    own role)."""
    case = document.case  # a closed case's sharing still changes: who sees, not what it says
    if not can_share(actor, case):
        raise PermissionDenied(
            _("Only the applicant and the facilitators of the case decide who sees a document.")
        )
    roles = _clean_shared_with(shared_with)
    with transaction.atomic():
        document = CaseDocument.objects.select_for_update().get(pk=document.pk)
        before = list(document.shared_with)
        versions_as_before = all(
            list(shared or []) == roles
            for shared in document.versions.values_list("shared_with", flat=True)
        )
        if before == roles and versions_as_before:
            return document
        document.shared_with = roles
        document.save(update_fields=["shared_with"])
        document.versions.update(shared_with=roles)
        record_event(
            case=case,
            actor=actor,
            kind="document_shared",
            params={"title": document.title, "roles": roles},
            document=document,
        )
        audit_record(
            actor=actor,
            action="update",
            target=document,
            summary=document.title,
            changes={"shared_with": [before, roles]},
        )
    return document
