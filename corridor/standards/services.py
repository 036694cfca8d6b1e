"""Every write to readiness assessments: validate, check permission, one transaction, audit.

The engine (`corridor.standards.engine.assess`) answers the question over the knowledge base
`kb.current()`; these functions check who may ask, turn the engine's input errors into field
errors in the user's language, and store the answer language-neutral (codes and values), so
that it reads in English or Chinese later.
"""

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from corridor.accounts.models import Organisation
from corridor.core.actors import person_of
from corridor.core.audit import audit_record
from corridor.core.permissions import require
from corridor.core.vocabularies import is_country
from corridor.standards import engine, hs, kb, reasons
from corridor.standards.models import ReadinessAssessment, Requirement, Watch
from corridor.standards.permissions import (
    can_assess_for,
    can_delete_assessment,
    can_follow,
    can_stop_following,
)

PRODUCT_NAME_MAX = ReadinessAssessment._meta.get_field("product_name").max_length


# --- input ---------------------------------------------------------------------------------


def normalise_hs_code(raw: str) -> str:
    """“8704.60”, “8704 60” and “870460” are the same code."""
    return "".join(ch for ch in (raw or "") if ch not in " .\t")


def _check_product_name(product_name: str) -> dict[str, str]:
    if "\x00" in product_name:
        return {
            "product_name": _(
                "The product name contains a null character; remove it and try again."
            )
        }
    if len(product_name) > PRODUCT_NAME_MAX:
        return {
            "product_name": _(
                "The product name is too long; shorten it to %(limit)d characters or fewer."
            )
            % {"limit": PRODUCT_NAME_MAX}
        }
    return {}


def _check_known(*, hs_code: str, origin: str) -> None:
    """What the engine cannot know: that the origin is a country, and (once the HS
    nomenclature is loaded with hs_import) that the HS code is in its edition."""
    if not is_country(origin):
        raise engine.AssessmentError("origin", "invalid_country", {"value": origin})
    well_formed = hs_code.isascii() and hs_code.isdigit() and len(hs_code) in (2, 4, 6)
    if well_formed and not hs.code_is_known(hs_code):
        raise engine.AssessmentError(
            "hs_code", "unknown_hs_code", {"value": hs_code, "edition": hs.DEFAULT_EDITION}
        )


def _field_errors(exc: engine.AssessmentError) -> ValidationError:
    """The engine's error on the field it names; an attribute's error on
    `attributes.<name>`, so that a form can put it beside that attribute."""
    field = exc.field
    if field == "attributes" and isinstance(exc.params.get("name"), str):
        field = f"attributes.{exc.params['name']}"
    elif field == "kb":
        field = "__all__"
    return ValidationError({field: reasons.error_text(exc)})


def _clean_attributes(attributes: dict) -> dict:
    """Drop what was not stated (empty or missing values); the engine reads the rest."""
    return {
        name: value
        for name, value in (attributes or {}).items()
        if value is not None and not (isinstance(value, str) and not value.strip())
    }


# --- the stored result ---------------------------------------------------------------------


def result_json(assessment: engine.Assessment, knowledge_base: engine.KnowledgeBase) -> dict:
    """The engine's answer as stored JSON: ids, codes and values, titles in both languages,
    and the facts each requirement rests on (source, date checked, confidence)."""
    rows = []
    for status in assessment.requirements:
        known = knowledge_base.requirements.get(status.id)
        rows.append(
            {
                "id": status.id,
                "mast": status.mast,
                "title_en": status.title_en,
                "title_zh": status.title_zh,
                "status": status.status,
                "reason_code": status.reason_code,
                "reason_params": dict(status.reason_params),
                "source_url": status.source_url,
                "source_quote": known.source_quote if known else "",
                "checked_on": known.checked_on if known else "",
                "confidence": known.confidence if known else "",
                "authority": known.authority if known else "",
                "kind": known.kind if known else "",
                "per_consignment": status.per_consignment,
            }
        )
    # Every roadmap step is one of the requirements (an unmet one): it takes its titles.
    titles = {row["id"]: {"title_en": row["title_en"], "title_zh": row["title_zh"]} for row in rows}
    roadmap = [
        {
            **asdict(step),
            "after": list(step.after),
            "duration_days": list(step.duration_days),
            "earliest_start": list(step.earliest_start),
            **titles.get(step.id, {"title_en": step.id, "title_zh": ""}),
        }
        for step in assessment.roadmap
    ]
    return {
        "requirements": rows,
        "roadmap": roadmap,
        "critical_path": list(assessment.critical_path),
        "duration_days": list(assessment.duration_days),
        "coverage": assessment.coverage,
    }


def requirement_hashes(requirement_ids: list[str]) -> dict[str, str]:
    """{id: content hash} from the Requirement table (filled by kb_load); "" for a
    requirement not (yet) loaded into the database, so that the next kb_load marks the
    assessment stale."""
    loaded = dict(
        Requirement.objects.filter(key__in=requirement_ids).values_list("key", "content_hash")
    )
    return {rid: loaded.get(rid, "") for rid in requirement_ids}


# --- writes --------------------------------------------------------------------------------


def assessment_create(
    *,
    actor,
    organisation: Organisation,
    product_name: str,
    hs_code: str,
    origin: str,
    destination: str,
    attributes: dict,
    held: list[str],
) -> ReadinessAssessment:
    """Assess a product for a market and keep the answer for `organisation`.

    Raises PermissionDenied when `actor` may not assess for the organisation, and
    ValidationError {field: sentence} on bad input; nothing is saved then."""
    require(
        can_assess_for(actor, organisation),
        _("You can only make assessments for your own organisation."),
    )
    product_name = (product_name or "").strip()
    hs_code = normalise_hs_code(hs_code)
    origin = (origin or "").strip().upper()
    destination = (destination or "").strip().upper()
    attributes = _clean_attributes(attributes)
    held = sorted({h.strip() for h in held or [] if h and h.strip()})
    errors = _check_product_name(product_name)
    if errors:
        raise ValidationError(errors)

    knowledge_base = kb.current()
    product = engine.Product(
        hs_code=hs_code,
        origin=origin,
        destination=destination,
        attributes=attributes,
        held=frozenset(held),
    )
    try:
        answer = engine.assess(knowledge_base, product)
        _check_known(hs_code=hs_code, origin=origin)
    except engine.AssessmentError as exc:
        raise _field_errors(exc) from exc

    result = result_json(answer, knowledge_base)
    with transaction.atomic():
        assessment = ReadinessAssessment.objects.create(
            organisation=organisation,
            created_by=person_of(actor),
            product_name=product_name,
            hs_code=hs_code,
            origin=origin,
            destination=destination,
            attributes=attributes,
            held=held,
            result=result,
            requirement_hashes=requirement_hashes([row["id"] for row in result["requirements"]]),
        )
        audit_record(
            actor=actor,
            action="create",
            target=assessment,
            summary=_("Readiness assessment of %(hs)s from %(origin)s to %(destination)s")
            % {"hs": hs_code, "origin": origin, "destination": destination},
        )
    return assessment


def assessment_delete(*, actor, assessment: ReadinessAssessment) -> None:
    require(
        can_delete_assessment(actor, assessment),
        _("Only your organisation or an administrator can delete this assessment."),
    )
    _delete_with_audit(actor, assessment, str(assessment))


# --- watch lists ---------------------------------------------------------------------------


def watch_markets() -> list[str]:
    """The markets one may follow: those the knowledge base has requirements for."""
    knowledge_base = kb.current()
    return sorted(
        knowledge_base.markets or {r.market for r in knowledge_base.requirements.values()}
    )


def watch_add(*, actor, hs_prefix: str, market: str) -> Watch:
    """Follow a product (an HS chapter, heading or subheading) in a market.

    Raises PermissionDenied for an anonymous visitor, ValidationError {field: sentence} on a
    malformed or unknown HS code, a market the knowledge base does not have, or a product the
    person already follows there."""
    require(can_follow(actor), _("Log in to follow products."))
    hs_prefix = normalise_hs_code(hs_prefix)
    market = (market or "").strip().upper()
    errors = {}
    if not (hs_prefix.isascii() and hs_prefix.isdigit() and len(hs_prefix) in (2, 4, 6)):
        errors["hs_prefix"] = _(
            "Enter an HS chapter, heading or subheading: 2, 4 or 6 digits, such as 02, 0203 "
            "or 020329."
        )
    elif not hs.code_is_known(hs_prefix):
        errors["hs_prefix"] = _(
            "The HS code %(value)s is not in %(edition)s; check it in the HS browser."
        ) % {"value": hs_prefix, "edition": hs.DEFAULT_EDITION}
    markets = watch_markets()
    if market not in markets:
        errors["market"] = _("Choose a market the knowledge base covers: %(markets)s.") % {
            "markets": ", ".join(markets)
        }
    if not errors and Watch.objects.filter(user=actor, hs_prefix=hs_prefix, market=market).exists():
        errors["hs_prefix"] = _("You already follow %(hs)s in %(market)s.") % {
            "hs": hs_prefix,
            "market": market,
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        watch = Watch.objects.create(user=actor, hs_prefix=hs_prefix, market=market)
        audit_record(
            actor=actor,
            action="create",
            target=watch,
            summary=gettext_noop("Followed HS %(hs)s in %(market)s"),
            summary_params={"hs": hs_prefix, "market": market},
        )
    return watch


def watch_remove(*, actor, watch: Watch) -> None:
    """Stop following a product; only the person who follows it may."""
    require(
        can_stop_following(actor, watch),
        _("You can only stop following products you follow yourself."),
    )
    _delete_with_audit(
        actor,
        watch,
        gettext_noop("Stopped following HS %(hs)s in %(market)s"),
        {"hs": watch.hs_prefix, "market": watch.market},
    )


def _delete_with_audit(actor, target, summary: str, summary_params: dict | None = None) -> None:
    """Delete a row in one transaction with its audit entry (`summary_params`: the summary
    is a message marked with gettext_noop, translated when read)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="delete",
            target=target,
            summary=summary,
            summary_params=summary_params,
        )
        target.delete()
