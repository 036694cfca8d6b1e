"""How our projects map to IATI's codelists and back: one dict per mapping, so that each
can be printed and reviewed, and the identifiers both directions share."""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from lxml import etree

from corridor.accounts.models import Organisation
from corridor.portfolio.models import Project, ProjectLink, ProjectParty

IATI_VERSION = "2.03"
SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CORRIDOR_NS = "urn:x-corridor:iati:1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "iati-activities-schema.xsd"
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


def corridor_name(name: str) -> str:
    """The qualified name of one of our own attributes (``corridor:`` namespace)."""
    return f"{{{CORRIDOR_NS}}}{name}"


def reporting_org_ref() -> str:
    return getattr(settings, "IATI_REPORTING_ORG_REF", "") or DEFAULT_REPORTING_ORG_REF


def iati_identifier(external_id: str) -> str:
    """The IATI identifier of the project with this external id."""
    if IATI_IDENTIFIER.match(external_id):
        return external_id
    return f"{reporting_org_ref()}-{external_id}"


@cache
def activity_schema() -> etree.XMLSchema:
    """The IATI 2.03 activity schema (vendored; loaded once per process)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@cache
def activity_order() -> dict[str, int]:
    """The rank of each child of ``iati-activity`` in the schema's sequence, read from the
    vendored schema itself (title before description, …, transaction before result)."""
    namespaces = {"xsd": "http://www.w3.org/2001/XMLSchema"}
    schema = etree.parse(str(SCHEMA_PATH))
    (activity,) = schema.xpath("//xsd:element[@name='iati-activity']", namespaces=namespaces)
    children = activity.xpath("xsd:complexType/xsd:sequence/xsd:element", namespaces=namespaces)
    return {(child.get("ref") or child.get("name")): rank for rank, child in enumerate(children)}
