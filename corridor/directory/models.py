"""Enterprise profiles (one per organisation), their offers and needs with stored embeddings,
feedback on recommendations, and expressions of interest between enterprises."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core.models import (
    Created,
    Stamped,
    belongs_to,
    optional_link,
    owner_person_field,
    person_field,
    synthetic_field,
    version_field,
)


class ProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Public profiles for everyone; members-only profiles for initiative members (people
        who belong to an organisation of the initiative); a profile's own organisation always
        sees it."""
        if roles.is_initiative_member(user):
            return self
        return self.filter(visibility=Profile.Visibility.PUBLIC)


class Profile(Stamped):
    """What an enterprise tells the other side about itself. Names, country, city and
    sectors are the organisation's own fields; offers and needs are one statement per line."""

    class Size(models.TextChoices):
        MICRO = "micro", _("micro (fewer than 10 staff)")
        SMALL = "small", _("small (10–49 staff)")
        MEDIUM = "medium", _("medium (50–249 staff)")
        LARGE = "large", _("large (250 staff or more)")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        MEMBERS = "members", _("initiative members only")

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    offers = models.TextField(
        _("what it offers"), blank=True, help_text=_("One offer per line, in either language.")
    )
    needs = models.TextField(
        _("what it needs"), blank=True, help_text=_("One need per line, in either language.")
    )
    target_markets = models.JSONField(
        _("target markets"), default=list, blank=True, help_text=_("ISO 3166 country codes.")
    )
    languages = models.JSONField(
        _("working languages"), default=list, blank=True, help_text=_('"en" and/or "zh".')
    )
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact persons"),
        blank=True,
        related_name="directory_contact_for",
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = person_field(_("verified by"), blank=True)
    is_synthetic = synthetic_field()
    # What pages search: names, city, descriptions, offers and needs, lower-cased (services
    # keep it up to date), so that search needs no join on either database.
    search_document = models.TextField(editable=False, blank=True)
    # Embeddings: written only by the embedding task, never by a read. `embedded_hash` is the
    # hash of the texts they were computed from; a profile whose texts changed since is stale.
    offer_vector = models.BinaryField(null=True, editable=False)
    need_vector = models.BinaryField(null=True, editable=False)
    embedded_hash = models.CharField(max_length=64, blank=True, editable=False)
    embedded_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    version = version_field(
        _("Raised on every save through the profile form or API (optimistic locking).")
    )

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name_en", "id"]
        verbose_name = _("enterprise profile")
        verbose_name_plural = _("enterprise profiles")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def offer_lines(self) -> list[str]:
        return statements_of(self.offers)

    def need_lines(self) -> list[str]:
        return statements_of(self.needs)


def statements_of(text: str) -> list[str]:
    """The non-empty lines of an offers or needs text, stripped of list bullets."""
    lines = (line.strip().lstrip("-•*·").strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


class Statement(models.Model):
    """One offer or need line of a profile with its embedding (512 float32, L2-normalised),
    written by the embedding task; recommendations quote the lines that matched."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("offer")
        NEED = "need", _("need")

    profile = belongs_to(Profile, _("profile"), "statements")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("text"), max_length=500)
    vector = models.BinaryField()

    class Meta:
        ordering = ["profile", "kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "kind", "position"], name="statement_unique_position"
            )
        ]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return self.text


class Feedback(models.Model):
    """A person's verdict on one recommended counterpart for one profile; it changes that
    person's ranking only."""

    class Verdict(models.TextChoices):
        INTERESTED = "interested", _("interested")
        NOT_RELEVANT = "not_relevant", _("not relevant")

    user = owner_person_field(_("user"), related_name="directory_feedback")
    profile = belongs_to(Profile, _("for profile"), "+")
    candidate = belongs_to(Profile, _("recommended profile"), "+")
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    at = models.DateTimeField(_("at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "profile", "candidate"], name="feedback_unique_per_candidate"
            )
        ]
        verbose_name = _("recommendation feedback")
        verbose_name_plural = _("recommendation feedback")


class Connection(Created):
    """An expression of interest: one enterprise asks to connect with another, which accepts
    or declines. An accepted connection can be taken further (a cooperation project)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN = (Status.PENDING, Status.ACCEPTED)

    from_profile = belongs_to(Profile, _("from"), "connections_sent")
    to_profile = belongs_to(Profile, _("to"), "connections_received")
    requested_by = person_field(_("requested by"))
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = person_field(_("answered by"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_profile", "to_profile"],
                condition=Q(status__in=["pending", "accepted"]),
                name="connection_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(from_profile=models.F("to_profile")), name="connection_not_to_self"
            ),
        ]
        verbose_name = _("connection request")
        verbose_name_plural = _("connection requests")


class ConnectionMessage(models.Model):
    """A short message between the two enterprises of an accepted connection, kept with it.
    Only people acting for either side read and write them (services and queries check)."""

    MAX_LENGTH = 2000

    connection = belongs_to(Connection, _("connection"), "messages")
    author = person_field(_("author"))
    author_organisation = optional_link(
        Organisation,
        _("written for"),
        on_delete=models.SET_NULL,
        help_text=_("The side the author wrote for; empty for the initiative's staff."),
    )
    text = models.TextField(_("message"), max_length=MAX_LENGTH)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("connection message")
        verbose_name_plural = _("connection messages")

    def __str__(self) -> str:
        return self.text[:60]
