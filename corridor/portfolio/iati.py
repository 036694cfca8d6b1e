"""IATI activity XML: export projects as IATI 2.03, import IATI 2.01, 2.02 and 2.03 files.

IATI (the International Aid Transparency Initiative) publishes activities as XML
(https://iatistandard.org/en/iati-standard/203/activity-standard/). This module maps our
cooperation projects to IATI activities and back. The choices below are Corridor's own;
each mapping is a dict so that it can be printed and reviewed.

Export (`export_activities`)
- `iati-identifier`: the project's external id when it already looks like an IATI
  identifier (an organisation identifier such as ``NL-1`` or ``XM-DAC-7`` followed by
  ``-`` and the activity's own id), else ``<IATI_REPORTING_ORG_REF>-<external id>``.
- `reporting-org`: ``settings.IATI_REPORTING_ORG_REF`` (default ``XI-CORRIDOR``, a
  placeholder: set it to the administration's registered organisation identifier before
  publishing to the IATI Registry), named after the initiative's administration
  organisation, type from its kind.
- Titles, descriptions, organisation names and document titles are narratives in English
  (``xml:lang="en"``) and Chinese (``xml:lang="zh"``); empty ones are left out.
- Roles, organisation types, statuses, sectors and document categories: see the dicts below.
- `activity-date` type 2 (actual start) is the signing date.
- `recipient-country`: CN when the location names Chongqing, SG when it names Singapore,
  else the one country all parties share; left out otherwise.
- `sector`: the DAC 5-digit code (vocabulary 1) where a sensible one exists, and always
  our own code (vocabulary 99, the reporting organisation's own), each at 100 %.
- The value is one commitment `transaction` (type 2) in the project's currency, dated
  (and value-dated) on the signing date, or on the date the project was recorded.
- `document-link` per document or link; `related-activity` type 1 for the framework
  agreement and type 2 for each sub-project, when that project is in the export or
  published (an export never names a project its reader may not see).
- IATI requires a description, a participating organisation and an activity date. When
  a project has none, the export writes a stand-in (the title; the organisation that
  recorded the project as accountable; the date it was recorded as planned start) and
  marks it ``corridor:placeholder="1"``; our import ignores marked elements.
- Our own details IATI has no code for (the project kind, a party's exact role, a link's
  kind) travel as attributes in the ``corridor:`` namespace, which the schema allows; other
  tools ignore them and a round trip through our import loses nothing.
- Every export is validated against the IATI 2.03 schema vendored in ``iati_schema/``
  (CC BY 4.0, see its NOTICE.md); a failure is a bug in this module, not in the data.

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
"""

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
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
from corridor.portfolio.models import Project, ProjectLink, ProjectParty

IATI_VERSION = "2.03"
SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CORRIDOR_NS = "urn:x-corridor:iati:1"
SCHEMA_PATH = Path(__file__).resolve().parent / "iati_schema" / "iati-activities-schema.xsd"
DEFAULT_REPORTING_ORG_REF = "XI-CORRIDOR"
DEFAULT_IMPORT_KIND = Project.Kind.FINANCING

# An organisation identifier (two capital letters, a registration agency, maybe more parts)
# followed by the activity's own id, e.g. NL-1-PPR-24706 or XM-DAC-7-PPR-28250.
IATI_IDENTIFIER = re.compile(r"^[A-Z]{2}-[A-Za-z0-9]+-\S+$")
# Control characters XML 1.0 cannot carry (they may have come in through a CSV import).
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# --- mappings ----------------------------------------------------------------------------
# OrganisationRole codelist: 1 Funding, 2 Accountable, 3 Extending, 4 Implementing.
ROLE_TO_IATI = {
    ProjectParty.Role.INVESTOR: "1",
    ProjectParty.Role.INITIATOR: "2",
    ProjectParty.Role.FACILITATOR: "3",
    ProjectParty.Role.IMPLEMENTER: "4",
    ProjectParty.Role.COUNTERPART: "4",
}
IATI_TO_ROLE = {
    "1": ProjectParty.Role.INVESTOR,
    "2": ProjectParty.Role.INITIATOR,
    "3": ProjectParty.Role.FACILITATOR,
    "4": ProjectParty.Role.IMPLEMENTER,
}

# OrganisationType codelist: 10 Government, 15 Other Public Sector, 21-24 NGOs,
# 30 Public Private Partnership, 40 Multilateral, 60 Foundation, 70-73 Private Sector,
# 80 Academic, Training and Research, 90 Other. A chamber of commerce or business
# association is neither an NGO in IATI's sense nor a company, hence 90.
ORGANISATION_KIND_TO_IATI = {
    Organisation.Kind.AGENCY: "10",
    Organisation.Kind.REGULATOR: "10",
    Organisation.Kind.ENTERPRISE: "70",
    Organisation.Kind.CHAMBER: "90",
    Organisation.Kind.PARTNER: "90",
}
IATI_TO_ORGANISATION_KIND = {
    "10": Organisation.Kind.AGENCY,
    "11": Organisation.Kind.AGENCY,  # Local Government
    "15": Organisation.Kind.AGENCY,  # Other Public Sector
    "70": Organisation.Kind.ENTERPRISE,
    "71": Organisation.Kind.ENTERPRISE,
    "72": Organisation.Kind.ENTERPRISE,
    "73": Organisation.Kind.ENTERPRISE,
}  # every other type (NGOs, multilaterals, foundations, academia, other) -> partner

# ActivityStatus codelist: 1 Pipeline/identification, 2 Implementation, 3 Finalisation,
# 4 Closed, 5 Cancelled, 6 Suspended. A signed project whose work has not started is in
# the pipeline; a completed one is closed.
STATUS_TO_IATI = {
    Project.Status.SIGNED: "1",
    Project.Status.IN_PROGRESS: "2",
    Project.Status.COMPLETED: "4",
    Project.Status.TERMINATED: "5",
    Project.Status.SUSPENDED: "6",
}
IATI_TO_STATUS = {
    "1": Project.Status.SIGNED,
    "2": Project.Status.IN_PROGRESS,
    "3": Project.Status.COMPLETED,
    "4": Project.Status.COMPLETED,
    "5": Project.Status.TERMINATED,
    "6": Project.Status.SUSPENDED,
}

# Our sectors -> DAC 5-digit purpose codes (Sector vocabulary 1), checked against the
# OECD DAC CRS purpose codes: 24030 Formal sector financial intermediaries, 21050 Air
# transport, 21010 Transport policy and administrative management, 22040 Information and
# communication technology (ICT), 31120 Agricultural development, 32110 Industrial policy
# and administrative management, 12110 Health policy and administrative management,
# 11110 Education policy and administrative management, 33210 Tourism policy and
# administrative management, 41010 Environmental policy and administrative management,
# 99810 Sectors not specified. The digital economy has no DAC code of its own; ICT is the
# nearest.
SECTOR_TO_DAC = {
    "financial-services": "24030",
    "aviation": "21050",
    "transport-logistics": "21010",
    "ict": "22040",
    "agriculture-food": "31120",
    "manufacturing": "32110",
    "health": "12110",
    "education": "11110",
    "tourism": "33210",
    "digital-economy": "22040",
    "green-development": "41010",
    "other": "99810",
}
# Import: an exact DAC code first, then its 3-digit category (DAC vocabulary 2).
DAC_TO_SECTOR = {"21050": "aviation", "22040": "ict", "24030": "financial-services"}
DAC_CATEGORY_TO_SECTOR = {
    "111": "education",
    "112": "education",
    "113": "education",
    "114": "education",
    "121": "health",
    "122": "health",
    "123": "health",
    "130": "health",
    "210": "transport-logistics",
    "220": "ict",
    "240": "financial-services",
    "311": "agriculture-food",
    "313": "agriculture-food",
    "321": "manufacturing",
    "332": "tourism",
    "410": "green-development",
}
DEFAULT_SECTOR = "other"

# DocumentCategory codelist: A09 Memorandum of understanding, A12 Activity web page.
# Our "document" is typically the signed agreement; news, statements and other links are
# web pages about the activity.
LINK_KIND_TO_CATEGORY = {
    ProjectLink.Kind.DOCUMENT: "A09",
    ProjectLink.Kind.NEWS: "A12",
    ProjectLink.Kind.OFFICIAL: "A12",
    ProjectLink.Kind.OTHER: "A12",
}

TRANSACTION_COMMITMENT = "2"
BUDGET_REVISED = "2"
DATE_PLANNED_START = "1"
DATE_ACTUAL_START = "2"
RELATED_PARENT = "1"
RELATED_CHILD = "2"
SECTOR_VOCABULARY_DAC = "1"
SECTOR_VOCABULARY_DAC_CATEGORY = "2"
SECTOR_VOCABULARY_OWN = "99"
SECTOR_VOCABULARY_OWN_OTHER = "98"


def _corridor(name: str) -> str:
    return f"{{{CORRIDOR_NS}}}{name}"


def reporting_org_ref() -> str:
    return getattr(settings, "IATI_REPORTING_ORG_REF", "") or DEFAULT_REPORTING_ORG_REF


def iati_identifier(external_id: str) -> str:
    """The IATI identifier of the project with this external id."""
    if IATI_IDENTIFIER.match(external_id):
        return external_id
    return f"{reporting_org_ref()}-{external_id}"


# --- export --------------------------------------------------------------------------------


class IatiExportError(Exception):
    """The export does not validate against the IATI schema: a bug in this module."""


@cache
def activity_schema() -> etree.XMLSchema:
    """The IATI 2.03 activity schema (vendored; loaded once per process)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _with_related(projects):
    if not isinstance(projects, QuerySet):
        return list(projects)
    return projects.select_related("sector", "owner", "parent").prefetch_related(
        Prefetch(
            "parties", queryset=ProjectParty.objects.select_related("organisation").order_by("id")
        ),
        Prefetch("links", queryset=ProjectLink.objects.order_by("id")),
        Prefetch(
            "children",
            queryset=Project.objects.only(
                "id", "external_id", "parent_id", "is_published"
            ).order_by("id"),
        ),
    )


def export_activities(projects) -> bytes:
    """An IATI 2.03 activity file with one activity per project, in schema order.

    `projects` is a queryset (related rows are prefetched, so the number of queries does
    not grow with the projects) or a list of projects. With no project the document has no
    activity, which the schema does not allow: check the count first when that matters.
    """
    root = etree.Element(
        "iati-activities",
        nsmap={"corridor": CORRIDOR_NS},
        attrib={
            "version": IATI_VERSION,
            "generated-datetime": timezone.now().replace(microsecond=0).isoformat(),
        },
    )
    reporting = _reporting_org()
    projects = _with_related(projects)
    exported = {project.pk for project in projects}
    for project in projects:
        root.append(_activity(project, reporting, exported))
    if len(root):
        schema = activity_schema()
        if not schema.validate(root):
            raise IatiExportError(str(schema.error_log.last_error))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass(frozen=True)
class _ReportingOrg:
    ref: str
    type: str
    name_en: str
    name_zh: str


def _reporting_org() -> _ReportingOrg:
    administration = Organisation.objects.filter(is_administration=True).order_by("id").first()
    if administration is None:
        return _ReportingOrg(reporting_org_ref(), "10", "Corridor", "")
    return _ReportingOrg(
        ref=reporting_org_ref(),
        type=ORGANISATION_KIND_TO_IATI.get(administration.kind, "90"),
        name_en=administration.name_en,
        name_zh=administration.name_zh,
    )


def _add(parent, tag: str, text: str | None = None, **attrib) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrib.items()})
    if text is not None:
        element.text = NOT_XML.sub("", text)
    return element


def _narratives(parent, english: str, chinese: str) -> etree._Element:
    if english:
        _add(parent, "narrative", english).set(XML_LANG, "en")
    if chinese:
        _add(parent, "narrative", chinese).set(XML_LANG, "zh")
    return parent


def _placeholder(element) -> etree._Element:
    element.set(_corridor("placeholder"), "1")
    return element


def _recorded_on(project: Project) -> date:
    return timezone.localdate(project.created_at) if project.created_at else timezone.localdate()


def _recipient_country(project: Project) -> str:
    location = f"{project.location_en} {project.location_zh}".lower()
    if "chongqing" in location or "重庆" in location:
        return "CN"
    if "singapore" in location or "新加坡" in location:
        return "SG"
    countries = {party.organisation.country for party in project.parties.all()}
    return countries.pop() if len(countries) == 1 else ""


def _document_format(url: str) -> str:
    guessed, _encoding = mimetypes.guess_type(url.split("?")[0])
    return guessed or "text/html"


def _activity(project: Project, reporting: _ReportingOrg, exported: set[int]) -> etree._Element:
    activity = etree.Element("iati-activity")
    activity.set(XML_LANG, "en")
    if project.currency:
        activity.set("default-currency", project.currency)
    if project.updated_at:
        activity.set("last-updated-datetime", project.updated_at.replace(microsecond=0).isoformat())
    activity.set(_corridor("kind"), project.kind)

    _add(activity, "iati-identifier", iati_identifier(project.external_id))
    _narratives(
        _add(activity, "reporting-org", ref=reporting.ref, type=reporting.type),
        reporting.name_en,
        reporting.name_zh,
    )
    _narratives(_add(activity, "title"), project.title_en, project.title_zh)
    if project.description_en or project.description_zh:
        _narratives(
            _add(activity, "description", type="1"), project.description_en, project.description_zh
        )
    else:
        _placeholder(
            _narratives(_add(activity, "description", type="1"), project.title_en, project.title_zh)
        )

    parties = list(project.parties.all())
    for party in parties:
        org = party.organisation
        element = _add(
            activity,
            "participating-org",
            role=ROLE_TO_IATI[party.role],
            type=ORGANISATION_KIND_TO_IATI.get(org.kind, "90"),
        )
        if org.iati_ref:
            element.set("ref", org.iati_ref)
        element.set(_corridor("role"), party.role)
        _narratives(element, org.name_en, org.name_zh)
    if not parties:
        owner = project.owner
        _placeholder(
            _narratives(
                _add(
                    activity,
                    "participating-org",
                    role="2",
                    type=ORGANISATION_KIND_TO_IATI.get(owner.kind, "90"),
                ),
                owner.name_en,
                owner.name_zh,
            )
        )

    _add(activity, "activity-status", code=STATUS_TO_IATI[project.status])
    if project.signed_on:
        _add(
            activity,
            "activity-date",
            type=DATE_ACTUAL_START,
            iso_date=project.signed_on.isoformat(),
        )
    else:
        _placeholder(
            _add(
                activity,
                "activity-date",
                type=DATE_PLANNED_START,
                iso_date=_recorded_on(project).isoformat(),
            )
        )

    country = _recipient_country(project)
    if country:
        _add(activity, "recipient-country", code=country, percentage="100")
    if project.location_en or project.location_zh:
        location = _add(activity, "location")
        _narratives(_add(location, "name"), project.location_en, project.location_zh)

    dac = SECTOR_TO_DAC.get(project.sector.code)
    if dac:
        _add(activity, "sector", vocabulary=SECTOR_VOCABULARY_DAC, code=dac, percentage="100")
    _narratives(
        _add(
            activity,
            "sector",
            vocabulary=SECTOR_VOCABULARY_OWN,
            code=project.sector.code,
            percentage="100",
        ),
        project.sector.name_en,
        project.sector.name_zh,
    )

    if project.value is not None and project.currency:
        on = (project.signed_on or _recorded_on(project)).isoformat()
        commitment = _add(activity, "transaction")
        _add(commitment, "transaction-type", code=TRANSACTION_COMMITMENT)
        _add(commitment, "transaction-date", iso_date=on)
        _add(commitment, "value", f"{project.value:f}", currency=project.currency, value_date=on)

    for link in project.links.all():
        document = _add(activity, "document-link", url=link.url, format=_document_format(link.url))
        document.set(_corridor("kind"), link.kind)
        _narratives(_add(document, "title"), link.title_en, link.title_zh)
        _add(document, "category", code=LINK_KIND_TO_CATEGORY.get(link.kind, "A12"))
        if link.title_en and not link.title_zh:
            _add(document, "language", code="en")
        elif link.title_zh and not link.title_en:
            _add(document, "language", code="zh")
        if link.published_on:
            _add(document, "document-date", iso_date=link.published_on.isoformat())

    # Only related projects the reader may see: in this export, or published.
    parent = project.parent
    if parent is not None and (parent.pk in exported or parent.is_published):
        _add(
            activity,
            "related-activity",
            ref=iati_identifier(parent.external_id),
            type=RELATED_PARENT,
        )
    for child in project.children.all():
        if child.pk not in exported and not child.is_published:
            continue
        _add(
            activity, "related-activity", ref=iati_identifier(child.external_id), type=RELATED_CHILD
        )
    return activity


# --- import --------------------------------------------------------------------------------


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


def _languages(element, default_language: str) -> tuple[str, str]:
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
    return element.get(_corridor("placeholder")) == "1"


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


def _signing_date(activity) -> date | None:
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
    record = _Activity(identifier=identifier, line=activity.sourceline, data=data)
    if not identifier:
        record.problem(_("identifier"), _("The activity has no iati-identifier; give it one."))

    title_en, title_zh = _languages(activity.find("title"), language)
    data.title_en, data.title_zh = title_en[:300], title_zh[:300]
    record.title_shortened = len(title_en) > 300 or len(title_zh) > 300
    descriptions = [d for d in activity.findall("description") if not _is_placeholder(d)]
    general = [d for d in descriptions if d.get("type") in (None, "1")] or descriptions
    if general:
        data.description_en, data.description_zh = _languages(general[0], language)

    data.kind = activity.get(_corridor("kind")) or kind
    if data.kind not in Project.Kind.values:
        data.kind = kind
    status = activity.find("activity-status")
    code = status.get("code") if status is not None else ""
    data.status = IATI_TO_STATUS.get(code, Project.Status.SIGNED)
    data.sector = _sector_code(activity, sector_codes)
    data.signed_on = _signing_date(activity)
    location = activity.find("location/name")
    if location is not None:
        location_en, location_zh = _languages(location, language)
        data.location_en, data.location_zh = location_en[:200], location_zh[:200]
    data.value, data.currency = _value(record, activity, activity.get("default-currency") or "")

    for org in activity.findall("participating-org"):
        if _is_placeholder(org):
            continue
        role = org.get(_corridor("role"))
        if role not in ProjectParty.Role.values:
            role = IATI_TO_ROLE.get(org.get("role") or "")
        name_en, name_zh = _languages(org, language)
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
        title_en, title_zh = _languages(document.find("title"), language)
        url = (document.get("url") or "").strip()
        kind_attr = document.get(_corridor("kind"))
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
    if actor is not None and not services.can_record_for(actor, owner):
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
        if project and actor is not None and not services.can_change_project(actor, project):
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
            actor=None,
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
                actor=actor,
                project=project,
                url=link.url,
                title_en=link.title_en,
                title_zh=link.title_zh,
                kind=link.kind,
                published_on=link.published_on,
                audit_action="import",
            )
            if created:
                report.links_created += 1
            else:
                report.links_updated += 1
    except ValidationError as exc:
        raise _refused(record.identifier, record.line, exc) from exc
    report.projects.append(project)
