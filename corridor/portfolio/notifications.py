"""E-mails about the portfolio, each in its recipient's language.

Services enqueue `notify_revision_decided` with an id once their write has committed; the
task sends the e-mail. It lives here, below the services, and not in tasks.py, whose import
task calls the services: a service that imported tasks.py would close a circle.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from corridor.core.bilingual import bilingual
from corridor.portfolio.models import ProjectRevision


def send_revision_decided(revision_id: int) -> int:
    """Tell the author of a proposed change whether it was published or rejected. Returns
    the number of e-mails sent (0 or 1)."""
    revision = (
        ProjectRevision.objects.select_related("project", "author", "decided_by")
        .filter(pk=revision_id)
        .first()
    )
    if revision is None or revision.author is None or not revision.author.email:
        return 0
    if revision.status not in (ProjectRevision.Status.PUBLISHED, ProjectRevision.Status.REJECTED):
        return 0
    user = revision.author
    url = settings.SITE_URL.rstrip("/") + reverse(
        "portfolio:project_detail", args=[revision.project_id]
    )
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        title = bilingual(revision.project, "title")
        if revision.status == ProjectRevision.Status.PUBLISHED:
            subject = _("Your change of “%(title)s” is published") % {"title": title}
            lines = [_("Your change of the project “%(title)s” is now public.") % {"title": title}]
        else:
            subject = _("Your change of “%(title)s” was not published") % {"title": title}
            lines = [
                _(
                    "Your change of the project “%(title)s” was rejected; the project keeps its values."
                )
                % {"title": title}
            ]
            if revision.decision_note:
                lines.append(_("Reason: %(reason)s") % {"reason": revision.decision_note})
        body = "\n".join(
            [
                _("Hello %(name)s,") % {"name": user.display_name},
                "",
                *lines,
                "",
                _("Open the project: %(url)s") % {"url": url},
            ]
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return 1


@task()
def notify_revision_decided(revision_id: int) -> int:
    """Tell the author of a proposed change that it was published or rejected."""
    return send_revision_decided(revision_id)
