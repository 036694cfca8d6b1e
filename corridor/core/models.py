import uuid
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from corridor.core.bilingual import BilingualNameMixin, BilingualTitleMixin, bilingual
from corridor.core.text import one_stop

# --- fields and field groups the apps' models share ------------------------------------------


def person_field(verbose_name, *, related_name: str = "+", blank: bool = False):
    """Who did or is given something: a person, forgotten (None) if their account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


def belongs_to(to, verbose_name, related_name: str | None = None):
    """A link to the record a row belongs to: always set, and the row is deleted with it."""
    return models.ForeignKey(
        to, verbose_name=verbose_name, on_delete=models.CASCADE, related_name=related_name
    )


def owner_person_field(verbose_name, *, related_name: str):
    """The person a record belongs to (their token, notification, feedback): deleted with
    their account."""
    return belongs_to(settings.AUTH_USER_MODEL, verbose_name, related_name)


def optional_link(to, verbose_name, *, on_delete, related_name: str = "+", **options):
    """A link to another record that may be empty (in forms as well as in the database)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        **options,
    )


RAISED_ON_EVERY_SAVE = _("Raised on every save (optimistic locking).")
RAISED_ON_EVERY_CHANGE = _("Raised on every change (optimistic locking).")


def version_field(help_text=RAISED_ON_EVERY_SAVE):
    """The version a change must be made from (optimistic locking): a save made from an older
    one is refused. `help_text` says what raises it."""
    return models.PositiveIntegerField(_("version"), default=1, help_text=help_text)


def synthetic_field():
    """Marks the demo data, so that nobody takes it for a fact."""
    return models.BooleanField(
        _("synthetic"), default=False, help_text=_("Demo record that is not a real fact.")
    )


def in_language(field: str) -> property:
    """`<field>_en` or `<field>_zh`, whichever the active language reads (the other when it is
    empty), as a read-only attribute: `location = in_language("location")`."""
    return property(
        lambda record: bilingual(record, field), doc=f"The {field} in the active language."
    )


class Created(models.Model):
    """A record that keeps when it was created."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


class Stamped(Created):
    """A record that keeps when it was created and last changed."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class BilingualNamed(BilingualNameMixin, models.Model):
    """A record people call by a name, in English (required) and Chinese."""

    name_en = models.CharField(_("name (English)"), max_length=300)
    name_zh = models.CharField(_("name (Chinese)"), max_length=300, blank=True)

    class Meta:
        abstract = True


class BilingualTitled(BilingualTitleMixin, models.Model):
    """A record people name by a title, in English (required) and Chinese."""

    title_en = models.CharField(_("title (English)"), max_length=300)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)

    class Meta:
        abstract = True


class BilingualDescribed(BilingualTitled):
    """A titled record with a description in both languages."""

    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)

    class Meta:
        abstract = True


class BackgroundJob(models.Model):
    """Work a background task does for a person (build a briefing pack, import projects),
    which the page that asked for it follows. A subclass lists in `UNDER_WAY` the statuses in
    which the work is still to do or under way."""

    UNDER_WAY: tuple[str, ...] = ()

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_running(self) -> bool:
        return self.status in self.UNDER_WAY


# --- the shared vocabulary and records ---------------------------------------------------------


class Sector(BilingualNameMixin, models.Model):
    """A sector of the initiative's controlled vocabulary (seeded by a data migration)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    is_priority = models.BooleanField(
        _("priority sector"),
        default=False,
        help_text=_("One of the initiative's four priority sectors."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class FxRate(models.Model):
    """A dated exchange rate: how many US dollars one unit of `currency` bought on `date`."""

    currency = models.CharField(_("currency"), max_length=3)
    date = models.DateField(_("date"))
    usd_per_unit = models.DecimalField(
        _("US dollars per unit"),
        max_digits=18,
        decimal_places=10,
        validators=[MinValueValidator(Decimal("0.0000000001"))],
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"], name="fxrate_unique_currency_date"
            ),
        ]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.usd_per_unit} USD ({self.date:%Y-%m-%d})"


class AuditEntry(models.Model):
    """Who changed what, and when. Written by services, never by views."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        TRANSITION = "transition", _("changed status")
        IMPORT = "import", _("imported")
        PUBLISH = "publish", _("changed publication")

    actor = person_field(_("actor"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE
    )
    target_id = models.CharField(_("record id"), max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_params = models.JSONField(
        _("summary placeholders"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the summary is an untranslated message: the values of its placeholders. "
            "Empty: the summary is plain text (a title, a reason)."
        ),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-at"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type} {self.target_id}"

    def readable_summary(self) -> str:
        """The summary in the reader's language: a message recorded untranslated (with
        `summary_params`) is translated now; plain text (a title, a reason) is shown as is."""
        if self.summary_params is None or not self.summary:
            return self.summary
        text = gettext(self.summary)
        if self.summary_params:
            try:
                text = text % self.summary_params
            except (KeyError, TypeError, ValueError):
                text = self.summary % self.summary_params
        return one_stop(text)

    def readable_changes(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) in the reader's language: labels from the model's
        verbose names, related records by their names, choices by their labels, dates in
        the reader's format, booleans as yes/no, empty as a dash; of a list, what left and
        what came. A model may describe a value
        of its own (a list of parties) with `audit_value(name, value)`."""
        model = self.target_type.model_class()
        rows = []
        for name, (old, new) in self.changes.items():
            field = None
            if model is not None:
                for candidate in (name, name.removesuffix("_id")):
                    try:
                        field = model._meta.get_field(candidate)
                        break
                    except FieldDoesNotExist:
                        continue
            if field is not None and field.auto_created and not field.concrete:
                # a reverse relation (a project's parties): named by the related records
                label, field = str(field.related_model._meta.verbose_name_plural), None
            else:
                label = str(field.verbose_name) if field is not None else name
            describe = getattr(model, "audit_value", None)

            def readable(value, field=field, name=name, describe=describe):
                if describe is not None:
                    described = describe(name, value)
                    if described is not None:
                        return described
                return _readable(field, value)

            if isinstance(old, list) and isinstance(new, list):
                # a list (parties, replications): what left → what came, not both lists whole
                old, new = (
                    [item for item in old if item not in new],
                    [item for item in new if item not in old],
                )
            old_text, new_text = readable(old), readable(new)
            if old_text != new_text:  # "" → None reads "— → —": nothing a reader would see
                rows.append((label, old_text, new_text))
        return rows


def _readable(field, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field is not None and field.is_relation and field.related_model is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            return date_format(datetime.fromisoformat(value), "DATETIME_FORMAT")
        except ValueError:
            return value
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(field, models.DecimalField):
        try:
            return f"{Decimal(str(value)):,}"
        except ArithmeticError:
            return str(value)
    return str(value)


class WorkerHeartbeat(models.Model):
    """A background worker (`manage.py corridor_worker`) that is alive: a thread in it moves
    `last_seen_at` forward every settings.TASKS_HEARTBEAT_SECONDS. A worker whose heartbeat is
    older than settings.TASKS_WORKER_STALE_SECONDS is taken for dead, and the task it was
    running is queued again (corridor/core/tasks.py)."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("background worker")
        verbose_name_plural = _("background workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
