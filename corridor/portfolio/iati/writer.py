"""The IATI writer: projects as IATI 2.03 activity XML (see the package's docstring for
the mappings).

Imported activities (a project with an `IatiActivitySource`, kept by the reader for every
activity another publisher reported) are written from the element as it was read, so that
every transaction, budget, planned disbursement, activity date, sector (with its
vocabulary and percentage), recipient country and region, location, document link, result,
contact, policy marker, tag, ``default-*`` attribute and element, other identifier,
related activity and narrative (in its own language) goes out as it came in, and the
reporting organisation stays the publisher's. Corridor's own changes are applied to the
elements Corridor manages; a field counts as changed when it no longer equals what the
import read from the element, so an activity nobody changed comes out as it went in:
- `title`, the general `description` (type 1, else the first) and the first
  `location/name`: the English and Chinese narratives are replaced, added or removed;
  narratives in other languages stay.
- `activity-status`: the code of the project's status.
- `activity-date` type 2 (actual start) is the signing date: set or added; removed when
  the date was cleared and another activity date remains.
- `participating-org`: elements whose organisation and role are no longer among the
  project's parties are removed (while one remains); new parties are added.
- `document-link`: links added in Corridor are added (links removed in Corridor stay).
- `result`: what higher apps write through `extensions` (the results framework: an
  indicator's changes and its targets and actuals recorded in Corridor; see
  `corridor.results.iati`); Corridor's own activities get their results the same way.
- `last-updated-datetime` becomes the project's when anything was changed.
Not applied (the original stays): the value and currency (transactions and budgets are the
publisher's figures), the sector (the publisher's codes), the parent and sub-projects
(`related-activity`) and the project kind. New elements go where the schema's sequence wants
them (read from the vendored schema). Only Corridor's own projects are written as follows.

Export of Corridor's own projects (`export_activities`)
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
- Every export is validated against the IATI 2.03 schema vendored in ``schema/``
  (CC BY 4.0, see its NOTICE.md); a failure is a bug in this package, not in the data.
"""

import mimetypes
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from lxml import etree

from corridor.accounts.models import Organisation
from corridor.portfolio.iati import extensions
from corridor.portfolio.iati.mapping import (
    CORRIDOR_NS,
    DATE_ACTUAL_START,
    DATE_PLANNED_START,
    IATI_TO_ROLE,
    IATI_TO_STATUS,
    IATI_VERSION,
    LINK_KIND_TO_CATEGORY,
    NOT_XML,
    ORGANISATION_KIND_TO_IATI,
    RELATED_CHILD,
    RELATED_PARENT,
    ROLE_TO_IATI,
    SECTOR_TO_DAC,
    SECTOR_VOCABULARY_DAC,
    SECTOR_VOCABULARY_OWN,
    STATUS_TO_IATI,
    TRANSACTION_COMMITMENT,
    XML_LANG,
    activity_order,
    activity_schema,
    corridor_name,
    iati_identifier,
    reporting_org_ref,
)
from corridor.portfolio.iati.reader import languages, signing_date
from corridor.portfolio.models import Project, ProjectLink, ProjectParty


class IatiExportError(Exception):
    """The export does not validate against the IATI schema: a bug in this module."""


def _with_related(projects):
    if not isinstance(projects, QuerySet):
        return list(projects)
    return projects.select_related("sector", "owner", "parent", "iati_source").prefetch_related(
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
    writers = [extension.writer(projects) for extension in extensions.registered()]
    for project in projects:
        source = getattr(project, "iati_source", None)
        if source is not None:
            activity = _as_imported(project, source.xml)
        else:
            activity = _activity(project, reporting, exported)
        for write in writers:  # e.g. results from the indicators (see extensions)
            for element in write(activity, project=project, imported=source is not None):
                _insert(activity, element)
        root.append(activity)
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
    element.set(corridor_name("placeholder"), "1")
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


def _participating_org(party: ProjectParty) -> etree._Element:
    org = party.organisation
    element = etree.Element(
        "participating-org",
        role=ROLE_TO_IATI[party.role],
        type=ORGANISATION_KIND_TO_IATI.get(org.kind, "90"),
    )
    if org.iati_ref:
        element.set("ref", org.iati_ref)
    element.set(corridor_name("role"), party.role)
    return _narratives(element, org.name_en, org.name_zh)


def _document_link(link: ProjectLink) -> etree._Element:
    document = etree.Element("document-link", url=link.url, format=_document_format(link.url))
    document.set(corridor_name("kind"), link.kind)
    _narratives(_add(document, "title"), link.title_en, link.title_zh)
    _add(document, "category", code=LINK_KIND_TO_CATEGORY.get(link.kind, "A12"))
    if link.title_en and not link.title_zh:
        _add(document, "language", code="en")
    elif link.title_zh and not link.title_en:
        _add(document, "language", code="zh")
    if link.published_on:
        _add(document, "document-date", iso_date=link.published_on.isoformat())
    return document


def _activity(project: Project, reporting: _ReportingOrg, exported: set[int]) -> etree._Element:
    activity = etree.Element("iati-activity")
    activity.set(XML_LANG, "en")
    if project.currency:
        activity.set("default-currency", project.currency)
    if project.updated_at:
        activity.set("last-updated-datetime", project.updated_at.replace(microsecond=0).isoformat())
    activity.set(corridor_name("kind"), project.kind)

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
        activity.append(_participating_org(party))
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
        activity.append(_document_link(link))

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


# --- imported activities: the original with Corridor's changes ------------------------------


def _as_imported(project: Project, xml: str) -> etree._Element:
    """The activity as it was imported, with what was changed in Corridor since then.

    Corridor's changes are detected by reading the original as the import does: a field
    whose value still equals what the import read from the original leaves it untouched."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    activity = etree.fromstring(xml.encode(), parser)
    language = activity.get(XML_LANG) or "en"
    title_limit = Project._meta.get_field("title_en").max_length
    changed = set_narratives(
        _find_or_insert(activity, "title"),
        project.title_en,
        project.title_zh,
        language,
        limit=title_limit,
    )
    descriptions = activity.findall("description")
    general = [d for d in descriptions if d.get("type") in (None, "1")] or descriptions
    description = general[0] if general else None
    if description is None and (project.description_en or project.description_zh):
        description = _insert(activity, etree.Element("description", type="1"))
    if description is not None:
        changed |= set_narratives(
            description, project.description_en, project.description_zh, language
        )
    status = activity.find("activity-status")
    if IATI_TO_STATUS.get(status.get("code") or "", Project.Status.SIGNED) != project.status:
        status.set("code", STATUS_TO_IATI[project.status])
        changed = True
    changed |= _set_signing_date(activity, project)
    changed |= _set_location(activity, project, language)
    changed |= _set_parties(activity, list(project.parties.all()), language)
    urls = {(d.get("url") or "").strip() for d in activity.findall("document-link")}
    for link in project.links.all():
        if link.url not in urls:
            _insert(activity, _document_link(link))
            changed = True
    if changed and project.updated_at:
        activity.set("last-updated-datetime", project.updated_at.replace(microsecond=0).isoformat())
    return activity


def _insert(activity, element) -> etree._Element:
    """Put `element` among the activity's children where the schema's sequence wants it."""
    order = activity_order()
    rank = order[element.tag]
    for position, child in enumerate(activity):
        if isinstance(child.tag, str) and order.get(child.tag, -1) > rank:
            activity.insert(position, element)
            return element
    activity.append(element)
    return element


def _find_or_insert(activity, tag: str) -> etree._Element:
    element = activity.find(tag)
    return element if element is not None else _insert(activity, etree.Element(tag))


def _in_language(narrative, language: str, default_language: str) -> bool:
    return (narrative.get(XML_LANG) or default_language).lower().startswith(language)


def set_narratives(
    element, english: str, chinese: str, default_language: str, *, limit: int | None = None
) -> bool:
    """Write Corridor's English and Chinese text into `element`'s narratives where it
    differs from what the import read; narratives in other languages stay as they are. A
    text cleared in Corridor removes its narratives, unless none would remain (the schema
    wants one)."""
    read = languages(element, default_language)
    changes = [
        (language, text)
        for language, text, was in (("en", english, read[0]), ("zh", chinese, read[1]))
        if text not in (was, was[:limit])  # unchanged (the import may have shortened it)
    ]
    for language, text in sorted(changes, key=lambda change: not change[1]):  # cleared last
        same = [
            n
            for n in element.findall("narrative")
            if (n.text or "").strip() and _in_language(n, language, default_language)
        ]
        if same and text:
            same[0].text = NOT_XML.sub("", text)
        elif text:
            narrative = etree.Element("narrative")
            narrative.text = NOT_XML.sub("", text)
            narrative.set(XML_LANG, language)
            narratives = element.findall("narrative")
            if narratives:
                narratives[-1].addnext(narrative)
            else:
                element.insert(0, narrative)
        elif len(element.findall("narrative")) > len(same):
            for narrative in same:
                element.remove(narrative)
    return bool(changes)


def _set_signing_date(activity, project: Project) -> bool:
    """The signing date is the actual start (type 2); a date removed in Corridor removes
    the actual start when another activity date remains (the schema wants one)."""
    if signing_date(activity) == project.signed_on:
        return False
    dates = activity.findall("activity-date")
    actual = [d for d in dates if d.get("type") == DATE_ACTUAL_START]
    if project.signed_on is None:
        if actual and len(dates) > len(actual):
            for element in actual:
                activity.remove(element)
            return True
        return False
    if actual:
        actual[0].set("iso-date", project.signed_on.isoformat())
    else:
        _insert(
            activity,
            etree.Element(
                "activity-date",
                {"type": DATE_ACTUAL_START, "iso-date": project.signed_on.isoformat()},
            ),
        )
    return True


def _set_location(activity, project: Project, language: str) -> bool:
    """The project's location is the name of the activity's first location."""
    name = activity.find("location/name")
    if name is None:
        if not (project.location_en or project.location_zh):
            return False
        location = _insert(activity, etree.Element("location"))
        name = _add(location, "name")
    limit = Project._meta.get_field("location_en").max_length
    return set_narratives(name, project.location_en, project.location_zh, language, limit=limit)


def _organisation_of(element, parties: list[ProjectParty], default_language: str):
    """The party's organisation `element` names, matched as the import matches it."""
    ref = (element.get("ref") or "").strip()
    name_en, name_zh = languages(element, default_language)
    name_en = name_en or (ref if not name_zh else "")
    limit = Organisation._meta.get_field("name_en").max_length
    for party in parties:
        org = party.organisation
        if (ref and org.iati_ref == ref) or (name_en and org.name_en == name_en[:limit]):
            return org
        if not name_en and name_zh and org.name_zh == name_zh[:limit]:
            return org
    return None


def _set_parties(activity, parties: list[ProjectParty], default_language: str) -> bool:
    """Participating organisations: those no longer among the project's parties are removed
    (while one remains), the project's new parties are added; the others stay as read."""
    wanted = {(party.organisation_id, party.role): party for party in parties}
    present: set[tuple[int, str]] = set()
    changed = False
    elements = activity.findall("participating-org")
    for element in elements:
        role = element.get(corridor_name("role"))
        if role not in ProjectParty.Role.values:
            role = IATI_TO_ROLE.get(element.get("role") or "")
        if role is None or element.get(corridor_name("placeholder")) == "1":
            continue  # the import did not read it either
        org = _organisation_of(element, parties, default_language)
        key = (org.pk if org is not None else None, role)
        if key in wanted:
            present.add(key)
        elif len(activity.findall("participating-org")) > 1:
            activity.remove(element)
            changed = True
    for key, party in wanted.items():
        if key not in present:
            _insert(activity, _participating_org(party))
            changed = True
    return changed
