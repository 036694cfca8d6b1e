"""Every write to the results framework: check permission, validate, one transaction, audit
entry. Pages, the API and the demo call these; none writes the models directly. Who may do
what is in `corridor.results.permissions`; the demo acts as `SYSTEM`, and `actor=None` is
refused like a stranger.

An actual from a feed (`actual_record_from_feed`) is measured from Corridor's own records
(`queries.feed_value`) with a link to the page that shows them as its evidence, so nobody
types the figure again.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from corridor.cases.documents.services import check_file
from corridor.core.actors import person_of
from corridor.core.audit import audit_record, diff, snapshot
from corridor.core.models import AuditEntry, Sector
from corridor.core.validators import long_text_problem, name_text_problem
from corridor.results import permissions, queries
from corridor.results.models import Actual, Indicator, Side, Target

LARGEST = Decimal("1e17")  # a value the columns hold (20 digits, 2 of them decimals)
INDICATOR_FIELDS = [
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "unit_en",
    "unit_zh",
    "direction",
    "baseline_value",
    "baseline_on",
    "by_side",
    "by_sector",
    "feed",
    "source_url",
]


def _decimal(value, field: str, label: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = _("%(field)s: give a number, such as 120 or 10800000.") % {"field": label}
        return None
    if not number.is_finite() or abs(number) >= LARGEST:
        errors[field] = _("%(field)s: give a number below 100,000,000,000,000,000.") % {
            "field": label
        }
        return None
    return number.quantize(Decimal("0.01"))


def _plain_number(number: Decimal) -> str:
    """A value for the history: 10800000, 2.5 (no trailing zeros, no exponent)."""
    return f"{number.normalize():f}"


def _url(value: str, field: str, label: str, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        errors[field] = _("%(field)s: give a web address starting with http:// or https://.") % {
            "field": label
        }
        return ""
    if len(value) > 500:
        errors[field] = _("%(field)s: at most 500 characters.") % {"field": label}
    return value


def _text(value: str, field: str, label: str, errors: dict, *, limit: int, long=False) -> str:
    value = (value or "").strip()
    problem = (long_text_problem if long else name_text_problem)(value, label)
    if problem:
        errors[field] = problem
    elif limit and len(value) > limit:
        errors[field] = _("%(field)s: at most %(limit)s characters.") % {
            "field": label,
            "limit": limit,
        }
    return value


def _scope_of(project, case, event) -> str:
    return "project" if project else "case" if case else "event" if event else "initiative"


def _check_indicator(data: dict, scope: str) -> tuple[dict, dict]:
    errors: dict = {}
    clean = {
        "title_en": _text(
            data.get("title_en"), "title_en", _("Title (English)"), errors, limit=300
        ),
        "title_zh": _text(
            data.get("title_zh"), "title_zh", _("Title (Chinese)"), errors, limit=300
        ),
        "description_en": _text(
            data.get("description_en"),
            "description_en",
            _("Description (English)"),
            errors,
            limit=5000,
            long=True,
        ),
        "description_zh": _text(
            data.get("description_zh"),
            "description_zh",
            _("Description (Chinese)"),
            errors,
            limit=5000,
            long=True,
        ),
        "unit_en": _text(data.get("unit_en"), "unit_en", _("Unit (English)"), errors, limit=60),
        "unit_zh": _text(data.get("unit_zh"), "unit_zh", _("Unit (Chinese)"), errors, limit=60),
        "direction": data.get("direction") or Indicator.Direction.INCREASE,
        "baseline_value": _decimal(
            data.get("baseline_value") or 0, "baseline_value", _("Baseline"), errors
        ),
        "baseline_on": data.get("baseline_on"),
        "by_side": bool(data.get("by_side")),
        "by_sector": bool(data.get("by_sector")),
        "feed": data.get("feed") or Indicator.Feed.MANUAL,
        "source_url": _url(data.get("source_url"), "source_url", _("Source"), errors),
    }
    if not clean["title_en"] and "title_en" not in errors:
        errors["title_en"] = _("Title (English): give the indicator a title.")
    if not clean["unit_en"] and "unit_en" not in errors:
        errors["unit_en"] = _(
            "Unit (English): say what is counted or measured, such as “projects” or “US$”."
        )
    if clean["direction"] not in Indicator.Direction.values:
        errors["direction"] = _("Direction: choose “higher is better” or “lower is better”.")
    if clean["feed"] not in Indicator.Feed.values:
        errors["feed"] = _("Actuals from: choose one of the listed sources.")
    elif scope not in queries.FEED_SCOPES[clean["feed"]]:
        errors["feed"] = _(
            "Actuals from: “%(feed)s” measures another kind of record; choose “recorded by hand” "
            "or a measure of this indicator's own project, case or event."
        ) % {"feed": Indicator.Feed(clean["feed"]).label}
    if clean["baseline_on"] is not None and not isinstance(clean["baseline_on"], date):
        errors["baseline_on"] = _("Baseline date: give a date.")
    return errors, clean


def indicator_create(
    *,
    actor,
    project=None,
    case=None,
    event=None,
    is_synthetic: bool = False,
    iati_key: str = "",
    **data,
) -> Indicator:
    """An indicator of the initiative as a whole (no project, case or event), or of one
    project, case or event. `data`: the fields of `INDICATOR_FIELDS`. `iati_key`: where a
    project's indicator was read from in its IATI activity (`corridor.results.iati`)."""
    scope = {"project": project, "case": case, "event": event}
    if sum(record is not None for record in scope.values()) > 1:
        raise ValidationError(
            {
                "scope": _(
                    "Scope: an indicator measures one project, one case or one event, or the "
                    "initiative as a whole; choose one."
                )
            }
        )
    permissions.require_define_for(actor, **scope)
    unknown = set(data) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    errors, clean = _check_indicator(data, _scope_of(**scope))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        indicator = Indicator.objects.create(
            **scope,
            is_synthetic=is_synthetic,
            iati_key=iati_key if project is not None else "",
            created_by=person_of(actor),
            **clean,
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            target=indicator,
            summary=indicator.title_en,
        )
    return indicator


def indicator_update(*, actor, indicator: Indicator, version: int, **data) -> Indicator:
    """Change the fields given, from the `version` read: a stale version writes nothing and
    answers with an error on `version`."""
    permissions.require_define(actor, indicator)
    current = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    unknown = set(data) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    errors, clean = _check_indicator({**current, **data}, indicator.scope)
    rows = [Target.objects.filter(indicator=indicator), Actual.objects.filter(indicator=indicator)]
    if not clean["by_side"] and any(r.exclude(side="").exists() for r in rows):
        errors["by_side"] = _(
            "Broken down by side: some targets or actuals are given by side; keep the breakdown."
        )
    if not clean["by_sector"] and any(r.filter(sector__isnull=False).exists() for r in rows):
        errors["by_sector"] = _(
            "Broken down by sector: some targets or actuals are given by sector; keep the "
            "breakdown."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        if locked.version != version:
            raise ValidationError(
                {
                    "version": _(
                        "Someone changed this indicator since you opened it; nothing was "
                        "saved. Reload it and make your change again."
                    )
                }
            )
        before = snapshot(locked, INDICATOR_FIELDS)
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save()
        changes = diff(before, snapshot(locked, INDICATOR_FIELDS))
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            target=locked,
            summary=locked.title_en,
            changes=changes,
        )
    return locked


def _check_row(
    indicator: Indicator, errors: dict, period_start, period_end, value, side, sector
) -> dict:
    """The fields targets and actuals share, checked: `errors` gets what is wrong."""
    if not isinstance(period_start, date):
        errors["period_start"] = _("Period start: give a date.")
    if not isinstance(period_end, date):
        errors["period_end"] = _("Period end: give a date.")
    elif isinstance(period_start, date) and period_end < period_start:
        errors["period_end"] = _("Period end: the period ends before it starts.")
    number = _decimal(value, "value", _("Value"), errors)
    side = side or ""
    if side and side not in Side.values:
        errors["side"] = _("Side: choose China or Singapore, or leave it empty for the total.")
    elif side and not indicator.by_side:
        errors["side"] = _("Side: this indicator is not broken down by side; leave it empty.")
    if isinstance(sector, str):
        code = sector
        sector = Sector.objects.filter(code=code).first() if code else None
        if code and sector is None:
            errors["sector"] = _("Sector: “%(code)s” is not a sector of the vocabulary.") % {
                "code": code
            }
    if sector is not None and not indicator.by_sector:
        errors["sector"] = _("Sector: this indicator is not broken down by sector; leave it empty.")
    return {
        "indicator": indicator,
        "period_start": period_start,
        "period_end": period_end,
        "value": number,
        "side": side,
        "sector": sector,
    }


def _save_row(row: Target | Actual, *, actor, summary: str) -> None:
    """Save a new target or actual and note it in its indicator's history; `summary`: an
    untranslated message with the placeholders value, start and end."""
    row.recorded_by = person_of(actor)
    row.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=row.indicator,
        summary=summary,
        summary_params={
            "value": _plain_number(row.value),
            "start": row.period_start.isoformat(),
            "end": row.period_end.isoformat(),
        },
    )


def target_add(
    *,
    actor,
    indicator: Indicator,
    period_start: date,
    period_end: date,
    value,
    side: str = "",
    sector: Sector | str | None = None,
    source_url: str = "",
    from_iati: bool = False,
) -> Target:
    """A target: the level the indicator should reach by the end of the period (`from_iati`:
    read from the project's IATI activity, see `corridor.results.iati`)."""
    permissions.require_define(actor, indicator)
    errors: dict = {}
    row = _check_row(indicator, errors, period_start, period_end, value, side, sector)
    source_url = _url(source_url, "source_url", _("Source"), errors)
    same_period = {name: given for name, given in row.items() if name != "value"}
    if not errors and Target.objects.filter(**same_period).exists():
        errors["period_end"] = _(
            "Period: this indicator already has a target for this period (and side and sector)."
        )
    if errors:
        raise ValidationError(errors)
    target = Target(**row, source_url=source_url, from_iati=from_iati)
    with transaction.atomic():
        _save_row(
            target,
            actor=actor,
            summary=gettext_noop("Target of %(value)s set for %(start)s to %(end)s"),
        )
    return target


def actual_record(
    *,
    actor,
    indicator: Indicator,
    period_start: date,
    period_end: date,
    value,
    side: str = "",
    sector: Sector | str | None = None,
    source_url: str = "",
    document=None,
    note: str = "",
    from_feed: bool = False,
    from_iati: bool = False,
) -> Actual:
    """An actual with its evidence: a source address, an uploaded document, or both
    (`from_iati`: read from the project's IATI activity, see `corridor.results.iati`)."""
    permissions.require_record(actor, indicator)
    errors: dict = {}
    row = _check_row(indicator, errors, period_start, period_end, value, side, sector)
    source_url = _url(source_url, "source_url", _("Evidence (address)"), errors)
    note = _text(note, "note", _("Note"), errors, limit=500, long=True)
    checked = None
    if document:
        try:
            checked = check_file(document)
        except ValidationError as exc:
            errors["document"] = exc.message_dict["file"][0]
    if not source_url and not document and "source_url" not in errors:
        errors["source_url"] = _(
            "Evidence: give the address of a source, or upload a document, that shows this value."
        )
    if errors:
        raise ValidationError(errors)
    actual = Actual(
        **row, source_url=source_url, note=note, from_feed=from_feed, from_iati=from_iati
    )
    with transaction.atomic():
        if checked is not None:
            actual.document.save(checked.storage_name(actual.document.field), document, save=False)
            actual.document_name = checked.name
            actual.document_type = checked.content_type
            actual.document_sha256 = checked.sha256
        _save_row(
            actual,
            actor=actor,
            summary=gettext_noop("Actual of %(value)s recorded for %(start)s to %(end)s"),
        )
    return actual


def actual_record_from_feed(
    *, actor, indicator: Indicator, period_start: date, period_end: date
) -> Actual:
    """Measure the indicator from its feed by the end of the period and record the value,
    with the page that shows what was counted as its evidence."""
    permissions.require_record(actor, indicator)
    if indicator.feed == Indicator.Feed.MANUAL:
        raise ValidationError(
            {
                "feed": _(
                    "Actuals from: this indicator's actuals are recorded by hand; type the "
                    "value with its evidence."
                )
            }
        )
    value = queries.feed_value(indicator, period_end)
    return actual_record(
        actor=actor,
        indicator=indicator,
        period_start=period_start,
        period_end=period_end,
        value=value,
        source_url=settings.SITE_URL.rstrip("/") + queries.feed_source_path(indicator),
        from_feed=True,
    )


def imported_value_revise(*, actor, row: Target | Actual, value, source_url: str = "") -> None:
    """A target or actual read from an IATI activity, given the value (and, for an actual, the
    evidence) the publisher now reports: a re-import (`corridor.results.iati`). Rows recorded
    in Corridor are never revised this way."""
    if not row.from_iati:
        raise ValueError("only rows read from IATI are revised by a re-import")
    indicator = row.indicator
    is_target = isinstance(row, Target)
    (permissions.require_define if is_target else permissions.require_record)(actor, indicator)
    errors: dict = {}
    number = _decimal(value, "value", _("Value"), errors)
    label = _("Source") if is_target else _("Evidence (address)")
    source_url = _url(source_url, "source_url", label, errors) or row.source_url
    if not is_target and not source_url and not row.document:
        errors["source_url"] = _(
            "Evidence: give the address of a source, or upload a document, that shows this value."
        )
    if errors:
        raise ValidationError(errors)
    if number == row.value and source_url == row.source_url:
        return
    with transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(
            value=number, source_url=source_url, version=row.version + 1
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            target=indicator,
            summary=(
                gettext_noop("Target for %(start)s to %(end)s revised from %(old)s to %(value)s")
                if is_target
                else gettext_noop(
                    "Actual for %(start)s to %(end)s revised from %(old)s to %(value)s"
                )
            ),
            summary_params={
                "old": _plain_number(row.value),
                "value": _plain_number(number),
                "start": row.period_start.isoformat(),
                "end": row.period_end.isoformat(),
            },
        )
    row.value, row.source_url, row.version = number, source_url, row.version + 1
