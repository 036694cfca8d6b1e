"""The IATI reader: IATI 2.01, 2.02 and 2.03 activity files into projects, through the
portfolio's services.

Import (`import_activities`)
- Versions 2.01, 2.02 and 2.03 are read the same way: for the elements read here 2.02
  and 2.03 only add optional attributes and elements to 2.01 (document-date, budget
  status, humanitarian flags, description inside document-link), and all use the same
  numeric codes and narratives. Version 1 files (letter codes, no narratives) are refused.
- A narrative without ``xml:lang`` is in the activity's language (its ``xml:lang``, else
  English). English narratives give the English fields and Chinese ones the ``*_zh``
  fields; when there is no English narrative, the first narrative in another language
  (Dutch, say) fills the English field, so that no project is left without a title.
- The project's external id is the IATI identifier. An identifier that is our own prefix
  plus an existing project's external id (our own export) updates that project.
- Organisations are found by their exact English (else Chinese) name, or created: kind
  from the IATI type, country from the ISO 3166 code that starts their IATI ref (``NL-KVK-…``
  gives NL), else the country given to the import (`--country`), else left empty (unknown);
  the IATI ref is kept on the organisation, and later imports match on it first.
- Value: the sum of the commitment transactions (type 2), else of the budgets (the
  revised ones when there are any, else the original ones). Amounts without a currency
  are in the activity's default currency. When all are in one currency the value is kept
  in it; when currencies are mixed, each amount is converted to US dollars with the rate
  on its value date and the value is stored in USD. A negative sum is refused.
- Signing date: the actual start date, else the planned start date when it has passed.
- Kind: IATI has no such notion; imported projects get ``kind`` (default "financing",
  since IATI reports flows of funds: commitments, disbursements and budgets).
- Everything is written in one transaction: when any activity is invalid, nothing is.
- Higher apps read their part of each activity through `extensions` (the results framework:
  ``<result>`` → indicators), as the importing person, inside the same transaction.
- Each activity another publisher reported (its reporting-org ref is not our
  ``IATI_REPORTING_ORG_REF``) is kept as it was read (`IatiActivitySource`, with the file's
  ``xml:lang`` written onto it when it has none), so that the export loses nothing of it;
  an activity that is not valid IATI 2.03 as it stands is not kept, with a warning, and
  is exported from the project alone.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.accounts.services import organisation_create
from corridor.core.actors import SYSTEM, is_system
from corridor.core.models import Sector
from corridor.core.money import to_usd
from corridor.core.vocabularies import is_country, is_currency
from corridor.portfolio import services
from corridor.portfolio.iati import extensions
from corridor.portfolio.iati.mapping import (
    BUDGET_REVISED,
    DAC_CATEGORY_TO_SECTOR,
    DAC_TO_SECTOR,
    DATE_ACTUAL_START,
    DATE_PLANNED_START,
    DEFAULT_IMPORT_KIND,
    DEFAULT_SECTOR,
    IATI_TO_ORGANISATION_KIND,
    IATI_TO_ROLE,
    IATI_TO_STATUS,
    RELATED_CHILD,
    RELATED_PARENT,
    SECTOR_VOCABULARY_DAC,
    SECTOR_VOCABULARY_DAC_CATEGORY,
    SECTOR_VOCABULARY_OWN,
    SECTOR_VOCABULARY_OWN_OTHER,
    SUPPORTED_VERSIONS,
    TRANSACTION_COMMITMENT,
    XML_LANG,
    activity_schema,
    corridor_name,
    reporting_org_ref,
)
from corridor.portfolio.models import IatiActivitySource, Project, ProjectLink, ProjectParty


@dataclass
class ActivityProblem:
    identifier: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        return _("Activity “%(identifier)s” (line %(line)s), %(field)s: %(message)s") % {
            "identifier": self.identifier or "?",
            "line": self.line or "?",
            "field": self.field,
            "message": self.message,
        }


class IatiImportError(Exception):
    """The file was refused; nothing was written. `line` is set for malformed XML."""

    def __init__(self, message: str, *, line: int | None = None, problems=None):
        self.message = message
        self.line = line
        self.problems: list[ActivityProblem] = list(problems or [])
        super().__init__(message)

    def __str__(self) -> str:
        return "\n".join([self.message, *(str(p) for p in self.problems)])


@dataclass
class ImportReport:
    version: str = ""
    activities_created: int = 0
    activities_updated: int = 0
    organisations_created: int = 0
    organisations_found: int = 0
    transactions: int = 0
    links_created: int = 0
    links_updated: int = 0
    indicators_created: int = 0  # of the results framework, by `corridor.results.iati`
    indicators_updated: int = 0
    warnings: list[str] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)

    @property
    def activities(self) -> int:
        return self.activities_created + self.activities_updated

    @property
    def organisations(self) -> int:
        return self.organisations_created + self.organisations_found

    def summary(self) -> str:
        return _(
            "%(activities)d activities (%(created)d created, %(updated)d updated), "
            "%(organisations)d organisations (%(organisations_created)d created), "
            "%(transactions)d transactions"
        ) % {
            "activities": self.activities,
            "created": self.activities_created,
            "updated": self.activities_updated,
            "organisations": self.organisations,
            "organisations_created": self.organisations_created,
            "transactions": self.transactions,
        }


@dataclass
class _Party:
    name_en: str
    name_zh: str
    ref: str
    type: str
    role: str


@dataclass
class _Link:
    url: str
    title_en: str
    title_zh: str
    kind: str
    published_on: date | None


@dataclass
class _Activity:
    identifier: str
    line: int | None
    data: services.ProjectInput
    parties: list[_Party] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    parent_identifier: str = ""
    child_identifiers: list[str] = field(default_factory=list)
    transactions: int = 0
    title_shortened: bool = False
    element: etree._Element | None = None
    problems: list[ActivityProblem] = field(default_factory=list)

    def problem(self, field_name: str, message: str, line: int | None = None) -> None:
        self.problems.append(
            ActivityProblem(self.identifier, line or self.line, field_name, message)
        )


def _parser() -> etree.XMLParser:
    """A parser that expands no entity, reads nothing from the network and refuses
    documents too large for libxml2's default limits."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
    )


def parse_activity_file(source: str | Path | bytes | IO[bytes]) -> etree._Element:
    """The root of an IATI activity file, or IatiImportError naming what is wrong."""
    try:
        if isinstance(source, bytes):
            root = etree.fromstring(source, _parser())
        else:
            root = etree.parse(
                str(source) if isinstance(source, Path) else source, _parser()
            ).getroot()
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        reason = re.sub(r", line \d+, column \d+$", "", exc.msg or "")
        raise IatiImportError(
            _(
                "The file is not well-formed XML at line %(line)s, column %(column)s: "
                "%(reason)s. Correct the file and import it again; nothing was written."
            )
            % {"reason": reason, "line": line, "column": column},
            line=line,
        ) from exc
    except OSError as exc:
        raise IatiImportError(_("The file cannot be read: %(reason)s.") % {"reason": exc}) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # The parser expands no entity, so an entity's text would silently go missing (and
        # entities are how XML files attack the programs that read them): refuse the file.
        raise IatiImportError(
            _(
                "The file declares a document type or entities (<!DOCTYPE …>), which IATI "
                "activity files do not have and Corridor does not accept. Remove the "
                "declaration, write the text in place of each entity and import the file "
                "again; nothing was written."
            )
        )
    if root.tag != "iati-activities":
        raise IatiImportError(
            _(
                "This is not an IATI activity file: its root element is “%(root)s”, not "
                "“iati-activities”. Choose an IATI activity file (version 2.01 to 2.03)."
            )
            % {"root": etree.QName(root).localname if isinstance(root.tag, str) else root.tag}
        )
    version = (root.get("version") or "").strip()
    if version not in SUPPORTED_VERSIONS:
        raise IatiImportError(
            _(
                "IATI version “%(version)s” is not supported; Corridor reads versions "
                "%(supported)s. Convert the file to version 2.03 and import it again."
            )
            % {"version": version or "?", "supported": ", ".join(SUPPORTED_VERSIONS)}
        )
    return root


def _text(element) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def languages(element, default_language: str) -> tuple[str, str]:
    """(English, Chinese) text of an element's narratives; see the module docstring."""
    if element is None:
        return "", ""
    english = chinese = other = ""
    for narrative in element.findall("narrative"):
        text = (narrative.text or "").strip()
        if not text:
            continue
        language = (narrative.get(XML_LANG) or default_language).lower()
        if language.startswith("zh"):
            chinese = chinese or text
        elif language.startswith("en"):
            english = english or text
        else:
            other = other or text
    return english or other, chinese


def _is_placeholder(element) -> bool:
    return element.get(corridor_name("placeholder")) == "1"


def _iso_date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


def _sector_code(activity, codes: set[str]) -> str:
    dac_sector = ""
    for sector in activity.findall("sector"):
        vocabulary = sector.get("vocabulary") or SECTOR_VOCABULARY_DAC
        code = (sector.get("code") or "").strip()
        if vocabulary in (SECTOR_VOCABULARY_OWN, SECTOR_VOCABULARY_OWN_OTHER) and code in codes:
            return code
        if dac_sector:
            continue
        if vocabulary == SECTOR_VOCABULARY_DAC:
            dac_sector = DAC_TO_SECTOR.get(code) or DAC_CATEGORY_TO_SECTOR.get(code[:3], "")
        elif vocabulary == SECTOR_VOCABULARY_DAC_CATEGORY:
            dac_sector = DAC_CATEGORY_TO_SECTOR.get(code[:3], "")
    return dac_sector or DEFAULT_SECTOR


def _amount(
    record: _Activity, value_element, default_currency: str
) -> tuple[Decimal, str, date] | None:
    if value_element is None:
        return None
    try:
        amount = Decimal((value_element.text or "").strip())
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        record.problem(
            _("value"),
            _("“%(value)s” is not a number.") % {"value": (value_element.text or "").strip()},
            value_element.sourceline,
        )
        return None
    currency = (value_element.get("currency") or default_currency).strip().upper()
    if not is_currency(currency):
        record.problem(
            _("currency"),
            _(
                "The amount %(amount)s has no valid currency; give it a currency attribute or "
                "give the activity a default-currency."
            )
            % {"amount": amount},
            value_element.sourceline,
        )
        return None
    on = _iso_date(value_element.get("value-date"))
    return amount, currency, on or timezone.localdate()


def _value(record: _Activity, activity, default_currency: str) -> tuple[Decimal | None, str]:
    """The project's value and currency: see the module docstring."""
    transactions = activity.findall("transaction")
    record.transactions = len(transactions)
    chosen = [
        transaction.find("value")
        for transaction in transactions
        if transaction.find("transaction-type") is not None
        and transaction.find("transaction-type").get("code") == TRANSACTION_COMMITMENT
    ]
    if not chosen:
        budgets = activity.findall("budget")
        revised = [b for b in budgets if b.get("type") == BUDGET_REVISED]
        chosen = [b.find("value") for b in (revised or budgets)]
    amounts = [_amount(record, element, default_currency) for element in chosen]
    amounts = [a for a in amounts if a is not None]
    if not amounts:
        return None, ""
    currencies = {currency for _sum, currency, _on in amounts}
    if len(currencies) == 1:
        total, currency = sum(a for a, _c, _d in amounts), currencies.pop()
    else:
        total, currency = Decimal("0"), "USD"
        for amount, amount_currency, on in amounts:
            conversion = to_usd(amount, amount_currency, on)
            if conversion is None:
                record.problem(
                    _("value"),
                    _(
                        "The amounts are in several currencies and there is no exchange rate "
                        "for %(currency)s on or before %(date)s; add the rate and import again."
                    )
                    % {"currency": amount_currency, "date": on.isoformat()},
                )
                return None, ""
            total += conversion.amount_usd
    if total < 0:
        record.problem(
            _("value"),
            _(
                "The commitments (or budgets) add up to %(total)s %(currency)s, a negative "
                "value; correct the activity's transactions."
            )
            % {"total": total, "currency": currency},
        )
        return None, ""
    return total, currency


def signing_date(activity) -> date | None:
    dates = {
        element.get("type"): _iso_date(element.get("iso-date"))
        for element in activity.findall("activity-date")
        if not _is_placeholder(element)
    }
    if dates.get(DATE_ACTUAL_START):
        return dates[DATE_ACTUAL_START]
    planned = dates.get(DATE_PLANNED_START)
    if planned and planned <= timezone.localdate():
        return planned
    return None


def _read_activity(activity, *, kind: str, sector_codes: set[str], file_language: str) -> _Activity:
    identifier = _text(activity.find("iati-identifier"))
    language = activity.get(XML_LANG) or file_language
    data = services.ProjectInput()
    record = _Activity(identifier=identifier, line=activity.sourceline, data=data, element=activity)
    if not identifier:
        record.problem(_("identifier"), _("The activity has no iati-identifier; give it one."))

    title_en, title_zh = languages(activity.find("title"), language)
    data.title_en, data.title_zh = title_en[:300], title_zh[:300]
    record.title_shortened = len(title_en) > 300 or len(title_zh) > 300
    descriptions = [d for d in activity.findall("description") if not _is_placeholder(d)]
    general = [d for d in descriptions if d.get("type") in (None, "1")] or descriptions
    if general:
        data.description_en, data.description_zh = languages(general[0], language)

    data.kind = activity.get(corridor_name("kind")) or kind
    if data.kind not in Project.Kind.values:
        data.kind = kind
    status = activity.find("activity-status")
    code = status.get("code") if status is not None else ""
    data.status = IATI_TO_STATUS.get(code, Project.Status.SIGNED)
    data.sector = _sector_code(activity, sector_codes)
    data.signed_on = signing_date(activity)
    location = activity.find("location/name")
    if location is not None:
        location_en, location_zh = languages(location, language)
        data.location_en, data.location_zh = location_en[:200], location_zh[:200]
    data.value, data.currency = _value(record, activity, activity.get("default-currency") or "")

    for org in activity.findall("participating-org"):
        if _is_placeholder(org):
            continue
        role = org.get(corridor_name("role"))
        if role not in ProjectParty.Role.values:
            role = IATI_TO_ROLE.get(org.get("role") or "")
        name_en, name_zh = languages(org, language)
        ref = (org.get("ref") or "").strip()
        if role is None or not (name_en or name_zh or ref):
            continue
        name_en = name_en or (ref if not name_zh else "")
        max_length = Organisation._meta.get_field("name_en").max_length
        record.parties.append(
            _Party(name_en[:max_length], name_zh[:max_length], ref, org.get("type") or "", role)
        )

    for related in activity.findall("related-activity"):
        ref = (related.get("ref") or "").strip()
        if related.get("type") == RELATED_PARENT and ref and not record.parent_identifier:
            record.parent_identifier = ref
        elif related.get("type") == RELATED_CHILD and ref:
            record.child_identifiers.append(ref)

    for document in activity.findall("document-link"):
        title_en, title_zh = languages(document.find("title"), language)
        url = (document.get("url") or "").strip()
        kind_attr = document.get(corridor_name("kind"))
        categories = {c.get("code") for c in document.findall("category")}
        if kind_attr in ProjectLink.Kind.values:
            link_kind = kind_attr
        elif categories and categories <= {"A12"}:
            link_kind = ProjectLink.Kind.OTHER
        else:
            link_kind = ProjectLink.Kind.DOCUMENT
        date_element = document.find("document-date")
        record.links.append(
            _Link(
                url=url,
                title_en=(title_en or (url if not title_zh else ""))[:300],
                title_zh=title_zh[:300],
                kind=link_kind,
                published_on=_iso_date(date_element.get("iso-date"))
                if date_element is not None
                else None,
            )
        )
    return record


def _organisation_country(ref: str, default_country: str) -> str:
    prefix = ref.split("-", 1)[0].upper() if ref else ""
    return prefix if len(prefix) == 2 and is_country(prefix) else default_country


def _order_parents_first(records: list[_Activity]) -> list[_Activity]:
    by_identifier = {r.identifier: r for r in records}
    ordered: list[_Activity] = []
    state: dict[str, str] = {}

    def visit(record: _Activity) -> None:
        if state.get(record.identifier) == "done":
            return
        if state.get(record.identifier) == "visiting":
            record.problem(
                _("related activity"),
                _(
                    "The activity is inside itself through its parent activities; correct its "
                    "related-activity elements."
                ),
            )
            return
        state[record.identifier] = "visiting"
        parent = by_identifier.get(record.parent_identifier)
        if parent is not None:
            visit(parent)
        state[record.identifier] = "done"
        ordered.append(record)

    for record in records:
        visit(record)
    return ordered


def import_activities(
    source: str | Path | bytes | IO[bytes],
    *,
    actor=SYSTEM,
    owner: Organisation,
    kind: str = DEFAULT_IMPORT_KIND,
    default_country: str = "",
) -> ImportReport:
    """Create or update a project per IATI activity, in one transaction.

    `owner` is the organisation new projects are recorded for; `actor` (SYSTEM for scripts)
    must be allowed to record for it, and only administrators and facilitators may cause
    new organisations to be created. Raises IatiImportError (nothing written) when the file
    is malformed, is not an IATI activity file, or any activity is invalid.
    """
    if not is_system(actor) and not services.can_record_for(actor, owner):
        raise PermissionDenied(_("You can only record projects for your own organisation."))
    if kind not in Project.Kind.values:
        raise IatiImportError(
            _("“%(value)s” is not a project kind; use one of: %(choices)s.")
            % {"value": kind, "choices": ", ".join(Project.Kind.values)}
        )
    default_country = (default_country or "").upper()
    if default_country and not is_country(default_country):
        raise IatiImportError(
            _("“%(value)s” is not an ISO 3166 country code.") % {"value": default_country}
        )
    root = parse_activity_file(source)
    report = ImportReport(version=root.get("version"))
    sectors = {s.code: s for s in Sector.objects.all()}
    file_language = root.get(XML_LANG) or "en"
    records = [
        _read_activity(a, kind=kind, sector_codes=set(sectors), file_language=file_language)
        for a in root.findall("iati-activity")
    ]
    if not records:
        raise IatiImportError(_("The file has no activity; there is nothing to import."))
    report.transactions = sum(r.transactions for r in records)

    existing = _ExistingProjects(
        [r.identifier for r in records] + [r.parent_identifier for r in records]
    )
    by_identifier = _identify(records, existing, report)
    _link_parents(records, by_identifier, existing, report)
    records = _order_parents_first(records)
    problems = _check(records, sectors=sectors, actor=actor, existing=existing, report=report)

    organisations = _find_organisations(records)
    missing = sorted({key for key, org in organisations.items() if org is None})
    if missing and not is_system(actor) and not roles.is_facilitator(actor):
        problems.append(
            ActivityProblem(
                "",
                None,
                _("participating organisations"),
                _(
                    "These organisations are not in Corridor and only the initiative's "
                    "administrators and facilitators can add them: %(names)s. Ask one of them "
                    "to import the file."
                )
                % {"names": "; ".join(name_en or name_zh for name_en, name_zh in missing)},
            )
        )
    if problems:
        raise IatiImportError(
            ngettext(
                "The file was not imported because %(count)d problem was found; nothing was "
                "written.",
                "The file was not imported because %(count)d problems were found; nothing was "
                "written.",
                len(problems),
            )
            % {"count": len(problems)},
            problems=problems,
        )

    with transaction.atomic():
        for key in missing:
            organisations[key] = _create_organisation(_first_party(records, key), default_country)
        report.organisations_created = len(missing)
        report.organisations_found = len(organisations) - len(missing)
        for record in records:
            _write_activity(
                record, organisations, actor=actor, owner=owner, report=report, existing=existing
            )
    return report


class _ExistingProjects:
    """The projects an import updates. An IATI identifier names the project with that
    external id or, in our own exports, our reporting-org prefix plus its external id."""

    def __init__(self, identifiers: list[str]):
        self.prefix = f"{reporting_org_ref()}-"
        wanted = {
            c for identifier in identifiers if identifier for c in self._candidates(identifier)
        }
        self.by_external_id = {
            p.external_id: p for p in Project.objects.filter(external_id__in=wanted)
        }

    def _candidates(self, identifier: str) -> list[str]:
        if identifier.startswith(self.prefix) and len(identifier) > len(self.prefix):
            return [identifier, identifier[len(self.prefix) :]]
        return [identifier]

    def get(self, identifier: str) -> Project | None:
        for candidate in self._candidates(identifier):
            if candidate in self.by_external_id:
                return self.by_external_id[candidate]
        return None


def _identify(
    records: list[_Activity], existing: _ExistingProjects, report: ImportReport
) -> dict[str, _Activity]:
    """Give each activity its project's external id; refuse identifiers used twice."""
    by_identifier: dict[str, _Activity] = {}
    for record in records:
        if record.identifier and record.identifier in by_identifier:
            record.problem(
                _("identifier"),
                _(
                    "The identifier is used by another activity of the file (line %(line)s); "
                    "give each activity its own identifier."
                )
                % {"line": by_identifier[record.identifier].line},
            )
        by_identifier.setdefault(record.identifier, record)
        project = existing.get(record.identifier)
        record.data.external_id = project.external_id if project else record.identifier
        if record.title_shortened:
            report.warnings.append(
                _("Activity “%(identifier)s”: the title was shortened to 300 characters.")
                % {"identifier": record.identifier}
            )
    return by_identifier


def _link_parents(
    records: list[_Activity],
    by_identifier: dict[str, _Activity],
    existing: _ExistingProjects,
    report: ImportReport,
) -> None:
    """Set each activity's framework agreement: named by the child (related-activity type 1)
    or by the parent (type 2), in the file or already in Corridor."""
    for record in records:
        for child_identifier in record.child_identifiers:
            child = by_identifier.get(child_identifier)
            if child is not None and not child.parent_identifier:
                child.parent_identifier = record.identifier
    for record in records:
        if not record.parent_identifier:
            continue
        parent_record = by_identifier.get(record.parent_identifier)
        parent_project = existing.get(record.parent_identifier)
        if parent_record is not None:
            record.data.parent_external_id = parent_record.data.external_id
        elif parent_project is not None:
            record.data.parent_external_id = parent_project.external_id
        else:
            report.warnings.append(
                _(
                    "Activity “%(identifier)s”: its parent activity “%(parent)s” is neither in "
                    "the file nor in Corridor, so it was imported without one."
                )
                % {"identifier": record.identifier, "parent": record.parent_identifier}
            )


def _check(
    records: list[_Activity],
    *,
    sectors: dict[str, Sector],
    actor,
    existing: _ExistingProjects,
    report: ImportReport,
) -> list[ActivityProblem]:
    """Every problem of every activity, found before anything is written. Documents whose
    address is unusable are dropped with a warning rather than refusing the file."""
    url_validator = URLValidator()
    url_limit = ProjectLink._meta.get_field("url").max_length
    for record in records:
        errors, _clean = services.validate_project_input(
            record.data, sectors=sectors, self_external_id=record.data.external_id
        )
        for name, message in errors.items():
            record.problem(_field_label(name), message)
        project = existing.get(record.identifier)
        if project and not is_system(actor) and not services.can_change_project(actor, project):
            record.problem(
                _("identifier"),
                _(
                    "The project exists and your organisation did not record it, so you cannot "
                    "change it."
                ),
            )
        usable = []
        for link in record.links:
            try:
                url_validator(link.url)
            except ValidationError:
                report.warnings.append(
                    _(
                        "Activity “%(identifier)s”: the document address “%(url)s” is not a web "
                        "address and was skipped."
                    )
                    % {"identifier": record.identifier, "url": link.url}
                )
                continue
            if len(link.url) > url_limit:
                report.warnings.append(
                    _(
                        "Activity “%(identifier)s”: the document address “%(url)s” is too long "
                        "and was skipped."
                    )
                    % {"identifier": record.identifier, "url": link.url[:80]}
                )
                continue
            usable.append(link)
        record.links = usable
    return [problem for record in records for problem in record.problems]


def _refused(identifier: str, line: int | None, exc: ValidationError) -> IatiImportError:
    """A service refused a write after our own checks passed: roll back and say why."""
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    return IatiImportError(
        _("The file was not imported; nothing was written."),
        problems=[
            ActivityProblem(identifier, line, _field_label(name), " ".join(texts))
            for name, texts in messages.items()
        ],
    )


def _create_organisation(party: _Party, default_country: str) -> Organisation:
    try:
        return organisation_create(
            actor=SYSTEM,
            name_en=party.name_en,
            name_zh=party.name_zh,
            kind=IATI_TO_ORGANISATION_KIND.get(party.type, Organisation.Kind.PARTNER),
            country=_organisation_country(party.ref, default_country),
            iati_ref=party.ref,
        )
    except ValidationError as exc:
        raise _refused(party.name_en or party.name_zh, None, exc) from exc


def _field_label(name: str) -> str:
    try:
        return str(Project._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a key such as "parties" or "parent"
        return name


def _organisation_key(party: _Party) -> tuple[str, str]:
    return (party.name_en, "") if party.name_en else ("", party.name_zh)


def _first_party(records: list[_Activity], key: tuple[str, str]) -> _Party:
    return next(p for r in records for p in r.parties if _organisation_key(p) == key)


def _find_organisations(records: list[_Activity]) -> dict[tuple[str, str], Organisation | None]:
    """Each participating organisation's existing record (by exact name), or None."""
    keys = {_organisation_key(p) for r in records for p in r.parties}
    english = {name for name, _zh in keys if name}
    chinese = {zh for name, zh in keys if not name}
    by_english: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(name_en__in=english).order_by("id"):
        by_english.setdefault(org.name_en, org)
    by_chinese: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(name_zh__in=chinese).order_by("id"):
        by_chinese.setdefault(org.name_zh, org)
    # An organisation's IATI identifier, where the file gives one, beats its name.
    refs = {_first_party(records, key).ref: key for key in keys}
    refs.pop("", None)
    by_ref: dict[tuple[str, str], Organisation] = {}
    for org in Organisation.objects.filter(iati_ref__in=list(refs)).order_by("id"):
        by_ref.setdefault(refs[org.iati_ref], org)
    return {
        key: by_ref.get(key) or (by_english.get(key[0]) if key[0] else by_chinese.get(key[1]))
        for key in keys
    }


def _write_activity(record: _Activity, organisations, *, actor, owner, report, existing) -> None:
    parties, seen = [], set()
    for party in record.parties:
        organisation = organisations[_organisation_key(party)]
        if (organisation.pk, party.role) in seen:
            continue
        seen.add((organisation.pk, party.role))
        parties.append(services.PartyInput(organisation=organisation, role=party.role))
    record.data.parties = parties
    try:
        project = existing.get(record.identifier)
        if project is None:
            project = services.project_create(
                actor=actor, owner=owner, data=record.data, audit_action="import"
            )
            report.activities_created += 1
        else:
            project = services.project_update(
                actor=actor, project=project, data=record.data, audit_action="import"
            )
            report.activities_updated += 1
        for link in record.links:
            _link, created = services.project_link_save(
                actor=actor, project=project, audit_action="import", **asdict(link)
            )
            if created:
                report.links_created += 1
            else:
                report.links_updated += 1
    except ValidationError as exc:
        raise _refused(record.identifier, record.line, exc) from exc
    _keep_source(record, project, report)
    language = record.element.get(XML_LANG) or record.element.getparent().get(XML_LANG) or "en"
    for extension in extensions.registered():  # e.g. results → indicators (see extensions)
        try:
            extension.read(
                record.element, project=project, actor=actor, language=language, report=report
            )
        except ValidationError as exc:
            raise _refused(record.identifier, record.line, exc) from exc
    report.projects.append(project)


def _keep_source(record: _Activity, project: Project, report: ImportReport) -> None:
    """Keep the activity as it was read, so that the export loses nothing of it (see the
    writer). Our own exports (our reporting organisation) are written from the project
    alone; an activity that is not valid IATI 2.03 cannot be written out as it was."""
    reporting = record.element.find("reporting-org")
    reporting_ref = (reporting.get("ref") or "").strip() if reporting is not None else ""
    if reporting_ref == reporting_org_ref():
        IatiActivitySource.objects.filter(project=project).delete()
        return
    element = etree.fromstring(etree.tostring(record.element, with_tail=False))
    if element.get(XML_LANG) is None:  # narratives without a language are in the file's
        element.set(XML_LANG, record.element.getparent().get(XML_LANG) or "en")
    wrapper = etree.Element("iati-activities", version="2.03")
    wrapper.append(element)
    if not activity_schema().validate(wrapper):
        report.warnings.append(
            _(
                "Activity “%(identifier)s” is not valid IATI 2.03 as it stands (%(reason)s), "
                "so an export will give only what Corridor holds of it."
            )
            % {"identifier": record.identifier, "reason": activity_schema().error_log.last_error}
        )
        IatiActivitySource.objects.filter(project=project).delete()
        return
    IatiActivitySource.objects.update_or_create(
        project=project,
        defaults={
            "xml": etree.tostring(element, encoding="unicode"),
            "reporting_org_ref": reporting_ref,
            "imported_at": timezone.now(),
        },
    )
