from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from corridor.accounts import services
from corridor.accounts.models import ApiToken, Notification
from corridor.core.views import page_of

NOTIFICATIONS_PAGE_SIZE = 30


@login_required
def profile(request):
    return render(
        request,
        "accounts/profile.html",
        {"memberships": request.user.memberships.select_related("organisation")},
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Pages and e-mails come in this language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", gettext_lazy("No preference: the language this browser asks for")),
            *settings.LANGUAGES,
        ]


@login_required
def language(request):
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["language"]
        services.user_language_set(actor=request.user, language=chosen)
        response = redirect("accounts:language")
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen, max_age=settings.LANGUAGE_COOKIE_AGE
            )
        messages.success(request, _("Your language preference was saved."))
        return response
    return render(request, "accounts/language.html", {"form": form})


@require_POST
def set_language(request):
    """The header's language switcher: Django's set_language (cookie, back to `next`), and for
    a logged-in person the choice is also stored as their language."""
    response = django_set_language(request)
    chosen = request.POST.get("language", "")
    if request.user.is_authenticated and chosen in {code for code, _name in settings.LANGUAGES}:
        services.user_language_set(actor=request.user, language=chosen)
    return response


@login_required
def api_tokens(request):
    new_token = None
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                services.api_token_revoke(actor=request.user, token_id=int(request.POST["revoke"]))
                messages.success(request, _("The token was revoked."))
                return redirect("accounts:api_tokens")
            _token, new_token = services.api_token_create(
                actor=request.user, label=request.POST.get("label", "")
            )
        except (ValidationError, PermissionDenied, ValueError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
            "new_token": new_token,
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view, plus: a new password set through the e-mailed link also lifts a log-in
    lockout, so a person locked out (perhaps by someone guessing) can get back in at once."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.login_lockout_clear(user=form.user)
        return response


@login_required
def notification_list(request):
    """The person's notifications, newest first, unread ones marked."""
    notifications = Notification.objects.visible_to(request.user)
    page = page_of(request, notifications, NOTIFICATIONS_PAGE_SIZE)
    context = {"page_obj": page, "notifications": page.object_list}
    return render(request, "accounts/notifications.html", context)


@require_POST
@login_required
def notifications_read(request):
    """Mark one notification read (`notification`: its id; then follow its link when
    `open` is given), or all of them (`all`)."""
    if "all" in request.POST:
        count = services.notifications_mark_all_read(actor=request.user)
        if count:
            messages.success(request, _("Every notification is marked as read."))
        return redirect("accounts:notifications")
    try:
        notification = services.notification_mark_read(
            actor=request.user,
            notification_id=int(request.POST.get("notification", "")),
        )
    except ValueError as exc:
        raise PermissionDenied from exc
    target = notification.url
    if (
        "open" in request.POST
        and target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(target)
    return redirect("accounts:notifications")
