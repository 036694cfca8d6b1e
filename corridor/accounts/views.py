from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from corridor.accounts import services


@login_required
def profile(request):
    new_token = None
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                services.api_token_revoke(actor=request.user, token_id=int(request.POST["revoke"]))
                messages.success(request, _("The token was revoked."))
                return redirect("accounts:profile")
            _token, new_token = services.api_token_create(
                actor=request.user, label=request.POST.get("label", "")
            )
        except (ValidationError, PermissionDenied, ValueError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": request.user.memberships.select_related("organisation"),
            "tokens": request.user.api_tokens.order_by("-created_at"),
            "new_token": new_token,
        },
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view, plus: a new password set through the e-mailed link also lifts a log-in
    lockout, so a person locked out (perhaps by someone guessing) can get back in at once."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.login_lockout_clear(user=form.user)
        return response
