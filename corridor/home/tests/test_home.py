"""The home page, the header's links and the actions offered to each role.

People: the initiative's administrator and facilitator, a member of an enterprise (Qingling),
a member of its Singapore partner (Motorway, a partner organisation), a regulator's contact
(Land Transport Authority), an observer (a member of a chamber, the observer party of the
case), a person with no organisation ("loner") and an anonymous visitor."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from corridor.accounts.models import Membership, Organisation, User
from corridor.cases import services as cases
from corridor.cases.models import CaseParty
from corridor.events import services as events
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
K = Organisation.Kind


def _person(username, organisation=None, role=Membership.Role.MEMBER):
    user = UserFactory(username=username, name_en=username.title(), name_zh="")
    if organisation is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def people():
    administration = OrganisationFactory(
        name_en="CCI Administration Bureau", kind=K.AGENCY, is_administration=True
    )
    qingling = OrganisationFactory(name_en="Qingling Motors", country="CN")
    motorway = OrganisationFactory(name_en="Motorway Group", kind=K.PARTNER)
    authority = OrganisationFactory(name_en="Land Transport Authority", kind=K.REGULATOR)
    chamber = OrganisationFactory(name_en="Singapore Chamber", kind=K.CHAMBER)
    p = {
        "admin": _person("admin", administration, Membership.Role.ADMINISTRATOR),
        "facilitator": _person("facilitator", administration, Membership.Role.FACILITATOR),
        "member": _person("member", qingling),
        "partner": _person("partner", motorway),
        "regulator": _person("regulator", authority),
        "observer": _person("observer", chamber),
        "loner": _person("loner"),
        "anon": None,
    }
    p["orgs"] = {
        "qingling": qingling,
        "motorway": motorway,
        "authority": authority,
        "chamber": chamber,
        "administration": administration,
    }
    return p


@pytest.fixture
def case(people):
    """Qingling's case: the facilitator is its contact, LTA the regulator, the chamber the
    observer; a milestone ten days late and an open issue assigned to the facilitator."""
    fac, orgs = people["facilitator"], people["orgs"]
    case = cases.case_open(
        actor=fac,
        applicant=orgs["qingling"],
        title_en="Electric vans to Singapore",
        target_market="SG",
    )
    # opened by the facilitator: its administration is the facilitator party, with it as contact
    facilitator_party = case.parties.get(role=CaseParty.Role.FACILITATOR)
    assert facilitator_party.contact == fac
    cases.case_add_party(
        actor=fac,
        case=case,
        organisation=orgs["authority"],
        role=CaseParty.Role.REGULATOR,
        contact=people["regulator"],
    )
    cases.case_add_party(
        actor=fac,
        case=case,
        organisation=orgs["chamber"],
        role=CaseParty.Role.OBSERVER,
        contact=people["observer"],
    )
    today = timezone.localdate()
    cases.milestone_save(
        actor=fac,
        case=case,
        milestone=None,
        version=None,
        title_en="Type approval",
        planned_start=today - datetime.timedelta(days=40),
        planned_end=today - datetime.timedelta(days=10),
        owner=facilitator_party,
    )
    cases.issue_raise(
        actor=fac,
        case=case,
        title="Which test lab?",
        assigned_to=fac,
        due_on=today - datetime.timedelta(days=2),
    )
    return case


def page_as(client, user, name="home:home"):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name))


def header_of(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


# --- who is offered what -----------------------------------------------------------------
# role: (Import and "Record a project", "Open a case", "New event")
OFFERED = {
    "admin": (True, True, True),
    "facilitator": (True, True, True),
    "member": (True, True, True),
    "partner": (True, True, True),
    "regulator": (False, False, False),  # regulators' contacts are read-only
    "observer": (False, False, True),  # a chamber organises events, records no project
    "loner": (False, False, False),
}


@pytest.mark.parametrize("role", list(OFFERED))
def test_each_role_is_offered_only_what_its_services_allow(client, people, role):
    imports, open_case, new_event = OFFERED[role]
    home = page_as(client, people[role]).content.decode()
    header = header_of(home)
    assert (reverse("portfolio:import") in header) is imports
    assert (reverse("portfolio:import") in home) is imports
    assert (reverse("portfolio:project_create") in home) is imports
    assert (reverse("cases:case_open") in home) is open_case
    assert (reverse("events:event_create") in home) is new_event
    # the list pages offer the same
    case_list = client.get(reverse("cases:case_list")).content.decode()
    assert (reverse("cases:case_open") in case_list) is open_case
    event_list = client.get(reverse("events:event_list")).content.decode()
    assert (reverse("events:event_create") in event_list) is new_event
    project_list = client.get(reverse("portfolio:project_list")).content.decode()
    assert (reverse("portfolio:project_create") in project_list) is imports


@pytest.mark.parametrize("role", list(OFFERED))
def test_a_form_not_offered_is_refused_when_asked_for_directly(client, people, role):
    imports, open_case, new_event = OFFERED[role]
    client.force_login(people[role])
    for name, offered in (
        ("portfolio:import", imports),
        ("portfolio:project_create", imports),
        ("cases:case_open", open_case),
        ("events:event_create", new_event),
    ):
        response = client.get(reverse(name))
        assert response.status_code == (200 if offered else 403), name
        assert ('<form method="post"' in response.content.decode().split("<main", 1)[1]) is offered


def test_an_anonymous_visitor_is_offered_no_action_and_sent_to_log_in(client, people):
    dashboard = client.get(reverse("portfolio:dashboard")).content.decode()
    for name in ("portfolio:import", "cases:case_open", "events:event_create"):
        assert reverse(name) not in dashboard
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert (
        reverse("events:event_create")
        not in client.get(reverse("events:event_list")).content.decode()
    )
    assert client.get(reverse("home:home"))["Location"].startswith(reverse("accounts:login"))


def test_a_regulator_cannot_open_a_case_for_its_authority(people):
    """The page no longer offers it, and the service refuses it too."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        cases.case_open(
            actor=people["regulator"],
            applicant=people["orgs"]["authority"],
            title_en="A case",
            target_market="CN",
        )


def test_a_regulator_cannot_organise_an_event_but_a_chamber_member_can(people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        events.event_create(
            actor=people["regulator"], organiser=people["orgs"]["authority"], title_en="Forum"
        )
    event = events.event_create(
        actor=people["observer"], organiser=people["orgs"]["chamber"], title_en="Delegation"
    )
    assert event.organiser == people["orgs"]["chamber"]


# --- the home page, by role ------------------------------------------------------------------


def test_the_facilitator_sees_its_cases_late_milestones_and_open_issues(client, people, case):
    page = page_as(client, people["facilitator"]).content.decode()
    assert "My cases" in page and "Electric vans to Singapore" in page
    late = page[page.index('id="late-milestones"') :]
    assert "Type approval" in late and "10 days late" in late
    issues = page[page.index('id="open-issues"') :]
    assert "Which test lab?" in issues and "1 overdue" in issues
    assert "My enterprise" not in page and "Cases shared with you" not in page


def test_an_enterprise_member_sees_its_enterprise_cases_assessments_and_meetings(
    client, people, case
):
    page = page_as(client, people["member"]).content.decode()
    assert "My enterprise: Qingling Motors" in page
    assert "Create its profile" in page  # it has no directory profile yet
    its_cases = page[page.index('id="enterprise-cases"') :]
    assert "Electric vans to Singapore" in its_cases
    assert "No readiness assessment yet." in page
    assert "Your organisation takes part in no event yet." in page
    assert "Late milestones" not in page and "Cases shared with you" not in page


def test_a_regulator_sees_the_cases_shared_with_it_and_nothing_to_do(client, people, case):
    page = page_as(client, people["regulator"]).content.decode()
    shared = page[page.index('id="shared-cases"') :]
    assert "Electric vans to Singapore" in shared
    assert "My cases" not in page and "My enterprise" not in page
    assert 'class="actions home-actions"' not in page


def test_an_observer_sees_what_it_can_read(client, people, case):
    page = page_as(client, people["observer"]).content.decode()
    readable = page[page.index('id="can-read"') :]
    assert "Cases you follow" in readable and "Electric vans to Singapore" in readable
    assert "Cases shared with you" not in page and "My cases" not in page


def test_a_person_without_organisation_is_told_what_to_do(client, people):
    page = page_as(client, people["loner"]).content.decode()
    assert "You are not a member of any organisation yet" in page
    assert 'id="can-read"' in page


def test_another_enterprise_does_not_see_the_case(client, people, case):
    outsider = _person("outsider", OrganisationFactory(name_en="Lion City Trade"))
    page = page_as(client, outsider).content.decode()
    assert "Electric vans to Singapore" not in page
    assert "No open case. Open one when you need help to enter a market." in page


def test_the_home_page_reads_in_a_fixed_number_of_queries(
    client, people, case, django_assert_max_num_queries
):
    client.force_login(people["admin"])
    client.get(reverse("home:home"))
    with django_assert_max_num_queries(25):
        client.get(reverse("home:home"))


# --- the header ----------------------------------------------------------------------------


def test_the_skip_link_is_the_first_thing_to_focus_and_targets_main(client, people):
    for user in (None, people["member"]):
        html = page_as(client, user, "portfolio:dashboard").content.decode()
        body = html[html.index("<body>") :]
        first = re.search(r"<(a|button|input|select|textarea|summary)\b[^>]*>", body).group(0)
        assert 'class="skip-link"' in first and 'href="#content"' in first
        assert '<main class="page" id="content"' in html


def test_the_account_menu_links_profile_language_password_tokens_and_log_out(client, people):
    header = header_of(page_as(client, people["regulator"], "portfolio:dashboard").content.decode())
    assert '<details class="account-menu">' in header
    for name in (
        "accounts:profile",
        "accounts:language",
        "accounts:password_change",
        "accounts:api_tokens",
        "accounts:logout",
    ):
        assert reverse(name) in header
    assert 'class="brand" href="/home/"' in header

    client.logout()
    anonymous = header_of(client.get(reverse("portfolio:dashboard")).content.decode())
    assert "account-menu" not in anonymous and reverse("accounts:profile") not in anonymous
    assert 'class="brand" href="/"' in anonymous


def test_the_menu_script_is_a_file_of_this_site_so_the_policy_needs_no_nonce(client, people):
    response = page_as(client, people["member"], "portfolio:dashboard")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert '<script src="/static/core/menu.js" defer></script>' in response.content.decode()
    assert "<script>" not in response.content.decode()
    assert "nonce-" not in response["Content-Security-Policy"]


def test_logging_in_goes_home_unless_next_says_otherwise(client, people):
    login = reverse("accounts:login")
    response = client.post(login, {"username": "member", "password": PASSWORD})
    assert response["Location"] == reverse("home:home")
    client.logout()
    response = client.post(
        login, {"username": "member", "password": PASSWORD, "next": reverse("cases:case_list")}
    )
    assert response["Location"] == reverse("cases:case_list")


# --- language ------------------------------------------------------------------------------


def test_a_stored_language_applies_from_log_in_on(client, people):
    member = people["member"]
    User.objects.filter(pk=member.pk).update(language="zh-hans")
    response = client.post(reverse("accounts:login"), {"username": "member", "password": PASSWORD})
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="zh-hans">' in page
    # it wins over a cookie left by someone else on this browser
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="zh-hans">' in client.get(reverse("portfolio:dashboard")).content.decode()


def test_the_header_switch_stores_the_choice_of_a_logged_in_person(client, people):
    member = people["member"]
    client.force_login(member)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    member.refresh_from_db()
    assert member.language == "zh-hans"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    member.refresh_from_db()
    assert member.language == "en"
    assert '<html lang="en">' in client.get(reverse("home:home")).content.decode()


def test_the_language_page_stores_or_clears_the_preference(client, people):
    member = people["member"]
    client.force_login(member)
    assert client.post(reverse("accounts:language"), {"language": "zh-hans"}).status_code == 302
    member.refresh_from_db()
    assert member.language == "zh-hans"
    assert '<html lang="zh-hans">' in client.get(reverse("home:home")).content.decode()
    client.post(reverse("accounts:language"), {"language": ""})
    member.refresh_from_db()
    assert member.language == ""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="en">' in client.get(reverse("home:home")).content.decode()


def test_a_language_corridor_does_not_speak_is_refused(client, people):
    member = people["member"]
    client.force_login(member)
    response = client.post(reverse("accounts:language"), {"language": "fr"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    member.refresh_from_db()
    assert member.language == ""


# --- password ------------------------------------------------------------------------------


def test_the_password_page_changes_the_password_only_with_the_current_one(client, people):
    member = people["member"]
    client.force_login(member)
    url = reverse("accounts:password_change")
    assert 'name="old_password"' in client.get(url).content.decode()
    new = "a much longer passphrase 2026"
    refused = client.post(
        url, {"old_password": "wrong", "new_password1": new, "new_password2": new}
    )
    assert refused.status_code == 200
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("accounts:profile")
    member.refresh_from_db()
    assert member.check_password(new)
    assert client.get(reverse("home:home")).status_code == 200  # still logged in


def test_the_log_in_link_returns_to_the_page_but_leads_home_from_the_dashboard(client, people):
    login = reverse("accounts:login")
    dashboard = header_of(client.get(reverse("portfolio:dashboard")).content.decode())
    assert f'href="{login}"' in dashboard
    projects = header_of(client.get(reverse("portfolio:project_list")).content.decode())
    assert f'href="{login}?next=/projects/"' in projects
