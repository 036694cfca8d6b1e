"""IATI results ⇄ the results framework: lent to the portfolio's IATI reader and writer
(`corridor.portfolio.iati.extensions`, registered from `ResultsConfig.ready`).

Import (`read_results`, for each activity once its project is written, as the importing person)
- Each ``result/indicator`` becomes an indicator of the project: its title and description
  narratives in English and Chinese (`corridor.portfolio.iati.reader.languages`: with no
  English narrative, the first in another language fills the English field, else the
  Chinese; narratives in other languages stay in the kept original), the unit from
  ``@measure`` (1 units, 2 per cent, 3 nominal, 4 ordinal, 5 qualitative), the direction from
  ``@ascending`` (absent or true: higher is better), the baseline from the first baseline
  with a value (its ``@iso-date``, else 1 January of its ``@year``).
- Each ``period`` gives a target and an actual for its period-start to period-end: the
  period's ``target`` (``actual``) with a value and without location or dimension, else its
  only one with a value (the breakdowns IATI allows beyond that stay in the kept original).
  An actual's evidence is its document link (else the indicator's) when that is a web
  address, else the activity's page on d-portal, IATI's portal, by its identifier.
- Re-import creates nothing twice: an indicator is known by its project and its key, the
  result's number and the indicator's first reference (``vocabulary:code``) or number
  (``2/ref:1:3429``, ``1/#2``), or by ``corridor:indicator`` on indicators Corridor wrote.
  Changed fields are updated; a period's target or actual read from IATI is revised when the
  file gives another value than Corridor holds for the period, and left alone when Corridor's
  total already equals it (so our own export reads back unchanged). Rows recorded in
  Corridor are never touched.

Export (`results_writer`)
- Corridor's own activities get a ``result`` (type 9, other) per indicator of the project,
  marked ``corridor:indicator``, with its baseline and, per period, the total target and
  actual (`status.total_of`, as the pages count them) and the actual's evidence address.
- Imported activities keep their results as read, with Corridor's changes applied to the
  indicators read from them: title and description (English and Chinese narratives),
  direction, baseline, and per period the target and actual when Corridor's total differs
  from what the import read (the value is set, or a target, an actual or a period is added).
  Indicators added in Corridor are added as results of their own.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Prefetch
from lxml import etree

from corridor.portfolio.iati.mapping import NOT_XML, XML_LANG, corridor_name
from corridor.portfolio.iati.reader import languages
from corridor.portfolio.iati.writer import set_narratives
from corridor.results import services, status
from corridor.results.models import Actual, Indicator, Target

MEASURE_UNITS = {  # IATI IndicatorMeasure → the indicator's unit (English, Chinese)
    "1": ("units", "单位"),
    "2": ("%", "%"),
    "3": ("nominal", "名义值"),
    "4": ("ordinal", "序数"),
    "5": ("qualitative", "定性"),
}
UNIT_MEASURES = {"%": "2", "per cent": "2", "percent": "2"}
RESULT_TYPE_OTHER = "9"
EVIDENCE_CATEGORY = "A08"  # DocumentCategory: results, outcomes and outputs
ACTIVITY_PAGE = "https://d-portal.org/ctrack.html#view=act&aid={identifier}"
TITLE_LIMIT = Indicator._meta.get_field("title_en").max_length
DESCRIPTION_LIMIT = 5000
NOTE_LIMIT = Actual._meta.get_field("note").max_length


@dataclass
class ReadPeriod:
    element: etree._Element
    start: date
    end: date
    target: Decimal | None
    actual: Decimal | None
    target_element: etree._Element | None
    actual_element: etree._Element | None
    evidence: str = ""
    note: str = ""


@dataclass
class ReadIndicator:
    """One ``result/indicator`` as the import reads it."""

    key: str
    element: etree._Element
    corridor_id: int | None
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str
    unit_en: str
    unit_zh: str
    direction: str
    baseline_value: Decimal
    baseline_on: date | None
    periods: list[ReadPeriod] = field(default_factory=list)

    def period(self, start: date, end: date) -> ReadPeriod | None:
        return next((p for p in self.periods if (p.start, p.end) == (start, end)), None)


def _words(text: str) -> str:
    return " ".join(text.split())


def _number(raw: str | None) -> Decimal | None:
    try:
        number = Decimal((raw or "").strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number.quantize(Decimal("0.01")) if number.is_finite() else None


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def _iso_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


def _web_address(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url if len(url) <= 500 else ""


def _chosen(elements: list) -> etree._Element | None:
    """The period's total: the valued element without breakdown, else the only valued one."""
    valued = [e for e in elements if _number(e.get("value")) is not None]
    whole = [e for e in valued if e.find("location") is None and e.find("dimension") is None]
    if whole:
        return whole[0]
    return valued[0] if len(valued) == 1 else None


def _first_link(element) -> str:
    for link in element.findall("document-link") if element is not None else []:
        url = _web_address(link.get("url"))
        if url:
            return url
    return ""


def read_indicators(activity, language: str) -> list[ReadIndicator]:
    """Every ``result/indicator`` of the activity, as the import maps it."""
    identifier = _words(activity.findtext("iati-identifier") or "")
    activity_page = ACTIVITY_PAGE.format(identifier=quote(identifier, safe=""))
    read = []
    for result_number, result in enumerate(activity.findall("result"), start=1):
        seen_refs: set[str] = set()
        for number, element in enumerate(result.findall("indicator"), start=1):
            reference = element.find("reference")
            ref = (
                f"ref:{reference.get('vocabulary')}:{reference.get('code')}"
                if reference is not None
                else ""
            )
            key = f"{result_number}/{ref if ref and ref not in seen_refs else f'#{number}'}"
            seen_refs.add(ref)
            title_en, title_zh = (_words(t) for t in languages(element.find("title"), language))
            if not title_en and not title_zh:
                title_en, title_zh = (_words(t) for t in languages(result.find("title"), language))
            description_en, description_zh = languages(element.find("description"), language)
            unit_en, unit_zh = MEASURE_UNITS.get(element.get("measure") or "", MEASURE_UNITS["1"])
            ascending = (element.get("ascending") or "1").strip().lower() not in ("0", "false")
            baselines = [
                b for b in element.findall("baseline") if _number(b.get("value")) is not None
            ]
            baseline = baselines[0] if baselines else None
            baseline_on = None
            if baseline is not None:
                baseline_on = _iso_date(baseline.get("iso-date"))
                year = (baseline.get("year") or "").strip()
                if baseline_on is None and year.isdigit() and 1 <= int(year) <= 9999:
                    baseline_on = date(int(year), 1, 1)
            corridor_id = element.get(corridor_name("indicator"))
            indicator = ReadIndicator(
                key=key,
                element=element,
                corridor_id=int(corridor_id) if (corridor_id or "").isdigit() else None,
                title_en=(title_en or title_zh)[:TITLE_LIMIT],
                title_zh=title_zh[:TITLE_LIMIT],
                description_en=description_en[:DESCRIPTION_LIMIT],
                description_zh=description_zh[:DESCRIPTION_LIMIT],
                unit_en=unit_en,
                unit_zh=unit_zh,
                direction=Indicator.Direction.INCREASE
                if ascending
                else Indicator.Direction.DECREASE,
                baseline_value=_number(baseline.get("value")) if baseline is not None else 0,
                baseline_on=baseline_on,
            )
            for period in element.findall("period"):
                start = _iso_date(period.find("period-start").get("iso-date"))
                end = _iso_date(period.find("period-end").get("iso-date"))
                if start is None or end is None or end < start:
                    continue
                target = _chosen(period.findall("target"))
                actual = _chosen(period.findall("actual"))
                comment = actual.find("comment") if actual is not None else None
                note_en, note_zh = languages(comment, language)
                indicator.periods.append(
                    ReadPeriod(
                        element=period,
                        start=start,
                        end=end,
                        target=_number(target.get("value")) if target is not None else None,
                        actual=_number(actual.get("value")) if actual is not None else None,
                        target_element=target,
                        actual_element=actual,
                        evidence=_first_link(actual) or _first_link(element) or activity_page,
                        note=_words(note_en or note_zh)[:NOTE_LIMIT],
                    )
                )
            read.append(indicator)
    return read


def _totals(rows) -> dict[tuple[date, date], Decimal]:
    """Each period's total, as the pages count it (`status.total_of`)."""
    by_period = defaultdict(list)
    for row in rows:
        by_period[(row.period_start, row.period_end)].append((row.side, row.sector_id, row.value))
    totals = {period: status.total_of(values) for period, values in by_period.items()}
    return {period: total for period, total in totals.items() if total is not None}


# --- import ----------------------------------------------------------------------------------


def read_results(activity, *, project, actor, language: str, report) -> None:
    """The activity's indicators into the project's (see the module docstring)."""
    read = read_indicators(activity, language)
    if not read:
        return
    indicators = list(
        Indicator.objects.filter(project=project).prefetch_related("targets", "actuals")
    )
    by_id = {indicator.pk: indicator for indicator in indicators}
    by_key = {indicator.iati_key: indicator for indicator in indicators if indicator.iati_key}
    for item in read:
        indicator = by_id.get(item.corridor_id) or by_key.get(item.key)
        fields = {
            "title_en": item.title_en,
            "title_zh": item.title_zh,
            "description_en": item.description_en,
            "description_zh": item.description_zh,
            "direction": item.direction,
            "baseline_value": item.baseline_value,
            "baseline_on": item.baseline_on,
        }
        if indicator is None:
            indicator = services.indicator_create(
                actor=actor,
                project=project,
                unit_en=item.unit_en,
                unit_zh=item.unit_zh,
                iati_key=item.key,
                **fields,
            )
            targets, actuals = [], []
            report.indicators_created += 1
        else:
            changed = {k: v for k, v in fields.items() if getattr(indicator, k) != v}
            targets, actuals = list(indicator.targets.all()), list(indicator.actuals.all())
            if changed:
                indicator = services.indicator_update(
                    actor=actor, indicator=indicator, version=indicator.version, **changed
                )
            report.indicators_updated += 1
        _read_periods(item, indicator, targets, actuals, actor=actor)


def _imported(rows, span):
    """The row of the period `span` that an earlier import read (None if there is none)."""
    return next((r for r in rows if r.from_iati and (r.period_start, r.period_end) == span), None)


def _read_periods(item: ReadIndicator, indicator, targets, actuals, *, actor) -> None:
    target_totals, actual_totals = _totals(targets), _totals(actuals)
    for period in item.periods:
        span = (period.start, period.end)
        new_row = {
            "actor": actor,
            "indicator": indicator,
            "period_start": period.start,
            "period_end": period.end,
            "from_iati": True,
        }
        if period.target is not None and target_totals.get(span) != period.target:
            imported = _imported(targets, span)
            if imported is not None:
                services.imported_value_revise(actor=actor, row=imported, value=period.target)
            else:
                services.target_add(**new_row, value=period.target)
        if period.actual is not None and actual_totals.get(span) != period.actual:
            imported = _imported(actuals, span)
            if imported is not None:
                services.imported_value_revise(
                    actor=actor, row=imported, value=period.actual, source_url=period.evidence
                )
            else:
                services.actual_record(
                    **new_row, value=period.actual, source_url=period.evidence, note=period.note
                )


# --- export ----------------------------------------------------------------------------------


def results_writer(projects):
    """The `write` of one export: the projects' indicators, targets and actuals in three
    queries, whatever the number of projects."""
    ids = [project.pk for project in projects]
    by_project = defaultdict(list)
    indicators = (
        Indicator.objects.filter(project_id__in=ids)
        .order_by("id")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("id")),
            Prefetch("actuals", queryset=Actual.objects.order_by("id")),
        )
    )
    for indicator in indicators:
        by_project[indicator.project_id].append(indicator)

    def write(activity, *, project, imported: bool) -> list:
        own = by_project.get(project.pk, [])
        if not own:
            return []
        if not imported:
            return [_result(indicator) for indicator in own]
        return _apply_changes(activity, own)

    return write


def _add(parent, tag: str, **attrib) -> etree._Element:
    return etree.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrib.items()})


def _narratives(parent, english: str, chinese: str) -> etree._Element:
    for language, text in (("en", english), ("zh", chinese)):
        if text:
            narrative = _add(parent, "narrative")
            narrative.text = NOT_XML.sub("", text)
            narrative.set(XML_LANG, language)
    return parent


def _evidence(parent, url: str) -> None:
    if url:
        link = _add(parent, "document-link", url=url, format="text/html")
        _narratives(_add(link, "title"), "Evidence", "证据")
        _add(link, "category", code=EVIDENCE_CATEGORY)


def _baseline(indicator) -> etree._Element | None:
    if indicator.baseline_on is None and not indicator.baseline_value:
        return None
    year = (indicator.baseline_on or indicator.created_at.date()).year
    element = etree.Element("baseline", year=str(year), value=_plain(indicator.baseline_value))
    if indicator.baseline_on:
        element.set("iso-date", indicator.baseline_on.isoformat())
    return element


def _period(start: date, end: date, target, actual, evidence: str) -> etree._Element:
    period = etree.Element("period")
    _add(period, "period-start", iso_date=start.isoformat())
    _add(period, "period-end", iso_date=end.isoformat())
    if target is not None:
        _add(period, "target", value=_plain(target))
    if actual is not None:
        _evidence(_add(period, "actual", value=_plain(actual)), evidence)
    return period


def _latest_evidence(actuals, span) -> str:
    rows = [a for a in actuals if (a.period_start, a.period_end) == span and a.source_url]
    return rows[-1].source_url if rows else ""


def _result(indicator) -> etree._Element:
    """A result of its own for an indicator set in Corridor."""
    result = etree.Element("result", type=RESULT_TYPE_OTHER)
    _narratives(_add(result, "title"), indicator.title_en, indicator.title_zh)
    element = _add(
        result,
        "indicator",
        measure=UNIT_MEASURES.get(indicator.unit_en.strip().lower(), "1"),
        ascending="1" if indicator.direction == Indicator.Direction.INCREASE else "0",
    )
    element.set(corridor_name("indicator"), str(indicator.pk))
    _narratives(_add(element, "title"), indicator.title_en, indicator.title_zh)
    if indicator.description_en or indicator.description_zh:
        _narratives(
            _add(element, "description"), indicator.description_en, indicator.description_zh
        )
    baseline = _baseline(indicator)
    if baseline is not None:
        element.append(baseline)
    actuals = list(indicator.actuals.all())
    targets, totals = _totals(indicator.targets.all()), _totals(actuals)
    for span in sorted(set(targets) | set(totals), key=lambda s: (s[1], s[0])):
        element.append(
            _period(*span, targets.get(span), totals.get(span), _latest_evidence(actuals, span))
        )
    return result


def _apply_changes(activity, indicators) -> list:
    """Corridor's changes to the imported activity's indicators; new results for the
    indicators set in Corridor."""
    language = activity.get(XML_LANG) or "en"
    by_id = {indicator.pk: indicator for indicator in indicators}
    by_key = {indicator.iati_key: indicator for indicator in indicators if indicator.iati_key}
    written = set()
    for item in read_indicators(activity, language):
        indicator = by_id.get(item.corridor_id) or by_key.get(item.key)
        if indicator is None:
            continue
        written.add(indicator.pk)
        _apply_indicator(item, indicator, language)
    return [_result(i) for i in indicators if i.pk not in written and not i.iati_key]


def _apply_indicator(item: ReadIndicator, indicator, language: str) -> None:
    element = item.element
    if (item.title_en, item.title_zh) != (indicator.title_en, indicator.title_zh):
        set_narratives(element.find("title"), indicator.title_en, indicator.title_zh, language)
    if (item.description_en, item.description_zh) != (
        indicator.description_en,
        indicator.description_zh,
    ):
        description = element.find("description")
        if description is None:
            description = etree.Element("description")
            element.find("title").addnext(description)
        set_narratives(description, indicator.description_en, indicator.description_zh, language)
    if item.direction != indicator.direction:
        element.set(
            "ascending", "1" if indicator.direction == Indicator.Direction.INCREASE else "0"
        )
    if (item.baseline_value, item.baseline_on) != (indicator.baseline_value, indicator.baseline_on):
        _apply_baseline(element, indicator)
    actuals = list(indicator.actuals.all())
    targets, totals = _totals(indicator.targets.all()), _totals(actuals)
    for span in sorted(set(targets) | set(totals), key=lambda s: (s[1], s[0])):
        target, actual = targets.get(span), totals.get(span)
        period = item.period(*span)
        if period is None:
            new = _period(*span, target, actual, _latest_evidence(actuals, span))
            later = element.findall("period") or element.findall("baseline")
            (later[-1].addnext(new) if later else element.append(new))
            continue
        period_node = period.element
        if target is not None and target != period.target:
            if period.target_element is not None:
                period.target_element.set("value", _plain(target))
            else:
                new = etree.Element("target", value=_plain(target))
                anchor = period_node.findall("target") or [period_node.find("period-end")]
                anchor[-1].addnext(new)
        if actual is not None and actual != period.actual:
            if period.actual_element is not None:
                period.actual_element.set("value", _plain(actual))
            else:
                new = etree.Element("actual", value=_plain(actual))
                _evidence(new, _latest_evidence(actuals, span))
                anchor = (
                    period_node.findall("actual")
                    or period_node.findall("target")
                    or [period_node.find("period-end")]
                )
                anchor[-1].addnext(new)


def _apply_baseline(element, indicator) -> None:
    baselines = [b for b in element.findall("baseline") if _number(b.get("value")) is not None]
    new = _baseline(indicator)
    if baselines:
        if new is None:
            baselines[0].set("value", "0")
            return
        for name in ("year", "value", "iso-date"):
            if new.get(name) is not None:
                baselines[0].set(name, new.get(name))
        return
    if new is None:
        return
    anchor = (
        element.findall("baseline")
        or element.findall("reference")
        or element.findall("document-link")
        or element.findall("description")
        or element.findall("title")
    )
    anchor[-1].addnext(new)
