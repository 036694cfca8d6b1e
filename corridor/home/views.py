"""The home page of a logged-in person: a section for each part they play (a person may hold
several). Every read comes from the apps' own queries."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.cases import queries as case_queries
from corridor.directory import queries as directory_queries
from corridor.events import queries as event_queries
from corridor.standards import queries as standards_queries

K = Organisation.Kind


@login_required
def home(request):
    user = request.user
    kinds = roles.organisation_kinds(user)
    staff = roles.is_facilitator(user)
    enterprise = bool(kinds & {K.ENTERPRISE, K.PARTNER})
    regulator = K.REGULATOR in kinds
    organised = event_queries.events_organised(user)
    organiser = staff or bool(organised) or bool(kinds & {K.CHAMBER, K.AGENCY})
    # Someone with no part in the work (an observer, a new account) gets what they can read.
    reader = not (staff or enterprise or regulator)
    cases = case_queries.cases_overview(user) if staff or enterprise else None
    context = {
        "staff": staff,
        "enterprise": enterprise,
        "regulator": regulator,
        "organiser": organiser,
        "reader": reader,
        "cases": cases,
        "events_organised": organised,
    }
    if enterprise:
        context["enterprises"] = directory_queries.enterprises_of(user)
        context["assessments"] = standards_queries.assessments_of_own_organisations(user)
        context["participations"] = event_queries.participations_of(user)
    if regulator or reader:
        context["followed"], context["followed_count"] = case_queries.cases_followed(user)
    if reader:
        context["events"] = list(
            event_queries.events_visible(user).order_by("-created_at")[: case_queries.HOME_LIMIT]
        )
    context["memberships"] = roles.memberships(user)
    return render(request, "home/home.html", context)
