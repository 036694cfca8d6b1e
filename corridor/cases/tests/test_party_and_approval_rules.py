"""Who brings in the facilitator and the regulator contact, who takes the facilitator out,
and who approves a case: tried as every role (STYLE.md habit 9), through the service, the
API and the pages. A refusal changes nothing.

The hole these close: an applicant added another organisation as "facilitator" and that
organisation approved the case; the applicant could also remove the initiative's
facilitator."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from corridor.cases import permissions, services
from corridor.cases.models import Case, CaseParty
from corridor.cases.tests.test_api import bearer, post_json
from corridor.cases.tests.test_permissions import member_of, rows, van_case
from corridor.testing.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

CASES = "/api/cases/cases"
WHO = [
    "anonymous",
    "no organisation",
    "another organisation",
    "applicant",
    "partner",
    "regulator",
    "facilitator",
    "administrator",
]
STAFF = {"facilitator", "administrator"}
OUTSIDE = {"no organisation", "another organisation"}  # the case is hidden from them: 404
STAFF_ONLY = (
    "Only the initiative's administrators and facilitators can add or remove a facilitator "
    "or a regulator contact; ask the case's facilitator."
)
FACILITATOR_STAYS = (
    "The facilitator cannot be removed while the case is open: nobody would verify and "
    "approve it. Add another facilitator first, or remove this one once the case is "
    "approved or withdrawn."
)


@pytest.fixture
def van(facilitator, owner, enterprise):
    return van_case(facilitator, owner, enterprise)


@pytest.fixture
def people(van, outsider, admin_user):
    return {
        "anonymous": AnonymousUser(),
        "no organisation": UserFactory(username="loner", name_en="Lone Person", name_zh=""),
        "another organisation": outsider,
        "applicant": van.applicant,
        "partner": van.partner,
        "regulator": van.regulator,
        "facilitator": van.facilitator,
        "administrator": admin_user,
    }


def api_post(client, url, body, who, people):
    if who == "anonymous":
        return client.post(url, body, content_type="application/json")
    return post_json(client, url, body, people[who])


def page_post(client, url, data, who, people):
    if who != "anonymous":
        client.force_login(people[who])
    return client.post(url, data)


def expected_api_status(who: str, success: int) -> int:
    if who == "anonymous":
        return 401
    if who in OUTSIDE:
        return 404
    return success if who in STAFF else 403


def assert_page_refused(response, who: str) -> None:
    if who == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif who in OUTSIDE:
        assert response.status_code == 404
    else:
        assert response.status_code == 403


def facilitator_party(case: Case) -> CaseParty:
    return case.parties.get(role=CaseParty.Role.FACILITATOR)


def under_verification(case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(status=Case.Status.UNDER_VERIFICATION)
    return Case.objects.get(pk=case.pk)


# --- adding a facilitator or a regulator contact -------------------------------------------


@pytest.mark.parametrize("role", ["facilitator", "regulator"])
@pytest.mark.parametrize("who", WHO)
def test_only_staff_add_a_facilitator_or_regulator_through_the_service(van, people, who, role):
    newcomer = OrganisationFactory(name_en="Friendly Consultants")
    before = rows()

    if who in STAFF:
        party = services.case_add_party(
            actor=people[who], case=van.case, organisation=newcomer, role=role
        )
        assert (party.organisation, party.role) == (newcomer, role)
        return
    with pytest.raises(PermissionDenied) as refused:
        services.case_add_party(actor=people[who], case=van.case, organisation=newcomer, role=role)
    if who == "applicant":
        assert str(refused.value) == STAFF_ONLY
    assert rows() == before


@pytest.mark.parametrize("role", ["facilitator", "regulator"])
@pytest.mark.parametrize("who", WHO)
def test_only_staff_add_a_facilitator_or_regulator_through_the_api(client, van, people, who, role):
    newcomer = OrganisationFactory(name_en="Friendly Consultants")
    if who != "anonymous":
        bearer(people[who])
    before = rows()

    response = api_post(
        client,
        f"{CASES}/{van.case.pk}/parties",
        {"organisation_id": newcomer.pk, "role": role},
        who,
        people,
    )

    assert response.status_code == expected_api_status(who, 201)
    if who in STAFF:
        assert van.case.parties.get(organisation=newcomer).role == role
    else:
        assert rows() == before
    if who == "applicant":
        assert response.json()["detail"] == STAFF_ONLY


@pytest.mark.parametrize("role", ["facilitator", "regulator"])
@pytest.mark.parametrize("who", WHO)
def test_only_staff_add_a_facilitator_or_regulator_through_the_page(client, van, people, who, role):
    newcomer = OrganisationFactory(name_en="Friendly Consultants")
    before = rows()

    response = page_post(
        client,
        reverse("cases:party_add", args=[van.case.pk]),
        {"party-organisation": newcomer.pk, "party-role": role, "party-contact": ""},
        who,
        people,
    )

    if who in STAFF:
        assert response.status_code == 302
        assert van.case.parties.get(organisation=newcomer).role == role
        return
    assert_page_refused(response, who)
    assert rows() == before
    if who == "applicant":
        assert STAFF_ONLY.replace("'", "&#x27;") in response.content.decode()


def test_the_applicant_still_adds_and_removes_a_partner_and_an_observer(van):
    for role in ("partner", "observer"):
        organisation = OrganisationFactory(name_en=f"New {role}")
        party = services.case_add_party(
            actor=van.applicant, case=van.case, organisation=organisation, role=role
        )
        services.case_remove_party(actor=van.applicant, party=party)
    assert sorted(van.case.parties.values_list("role", flat=True)) == sorted(
        ["applicant", "facilitator", "partner", "certification_body", "regulator", "observer"]
    )


def test_the_applicant_cannot_remove_the_regulator_contact(van):
    before = rows()
    with pytest.raises(PermissionDenied) as refused:
        services.case_remove_party(
            actor=van.applicant, party=van.case.parties.get(role=CaseParty.Role.REGULATOR)
        )
    assert str(refused.value) == STAFF_ONLY
    assert rows() == before


# --- removing the facilitator --------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_nobody_removes_the_facilitator_of_an_open_case_through_the_service(van, people, who):
    party = facilitator_party(van.case)
    before = rows()

    expected = ValidationError if who in STAFF else PermissionDenied
    with pytest.raises(expected) as refused:
        services.case_remove_party(actor=people[who], party=party)

    if who in STAFF:
        assert refused.value.message_dict == {"party": [FACILITATOR_STAYS]}
    elif who == "applicant":
        assert str(refused.value) == STAFF_ONLY
    assert rows() == before


@pytest.mark.parametrize("who", WHO)
def test_nobody_removes_the_facilitator_of_an_open_case_through_the_page(client, van, people, who):
    party = facilitator_party(van.case)
    before = rows()

    response = page_post(
        client, reverse("cases:party_remove", args=[van.case.pk, party.pk]), {}, who, people
    )

    assert rows() == before
    if who in STAFF:
        assert response.status_code == 302
        assert [str(m) for m in get_messages(response.wsgi_request)] == [FACILITATOR_STAYS]
    else:
        assert_page_refused(response, who)


def test_staff_remove_the_facilitator_once_another_takes_over_or_the_case_is_closed(
    van, admin_user, administration
):
    other = OrganisationFactory(name_en="Second Facilitation Office")
    second = services.case_add_party(
        actor=admin_user, case=van.case, organisation=other, role="facilitator"
    )

    services.case_remove_party(
        actor=admin_user, party=van.case.parties.get(organisation=administration)
    )
    assert list(van.case.parties.filter(role="facilitator")) == [second]

    Case.objects.filter(pk=van.case.pk).update(status=Case.Status.WITHDRAWN)
    services.case_remove_party(actor=admin_user, party=second)
    assert not van.case.parties.filter(role="facilitator").exists()


# --- approving -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_only_the_initiatives_facilitator_approves_through_the_service(van, people, who):
    case = under_verification(van.case)
    before = rows()

    if who in STAFF:
        moved = services.case_transition(
            actor=people[who], case=case, to_status="approved", reason="Verified", version=1
        )
        assert Case.objects.get(pk=case.pk).status == "approved" == moved.status
        return
    with pytest.raises(PermissionDenied):
        services.case_transition(
            actor=people[who], case=case, to_status="approved", reason="Verified", version=1
        )
    assert rows() == before


@pytest.mark.parametrize("who", WHO)
def test_only_the_initiatives_facilitator_approves_through_the_api(client, van, people, who):
    case = under_verification(van.case)
    if who != "anonymous":
        bearer(people[who])
    before = rows()

    response = api_post(
        client,
        f"{CASES}/{case.pk}/transitions",
        {"to_status": "approved", "reason": "Verified", "version": 1},
        who,
        people,
    )

    assert response.status_code == expected_api_status(who, 200)
    if who in STAFF:
        assert response.json()["status"] == "approved"
    else:
        assert rows() == before


@pytest.mark.parametrize("who", WHO)
def test_only_the_initiatives_facilitator_approves_through_the_page(client, van, people, who):
    case = under_verification(van.case)
    before = rows()

    response = page_post(
        client,
        reverse("cases:case_transition", args=[case.pk]),
        {"to_status": "approved", "t-reason": "Verified", "t-version": 1},
        who,
        people,
    )

    if who in STAFF:
        assert response.status_code == 302
        assert Case.objects.get(pk=case.pk).status == "approved"
        return
    assert_page_refused(response, who)
    assert rows() == before


def test_the_probe_an_applicant_hands_approval_to_a_friend_is_refused(client, van):
    """The probe's steps, through the API: each is refused and the case stays as it was."""
    friend = OrganisationFactory(name_en="Friendly Approvals Ltd")
    friend_member = member_of(friend, "friend")
    case = under_verification(van.case)
    bearer(van.applicant), bearer(friend_member)  # a token writes an audit entry
    before = rows()

    handed = post_json(
        client,
        f"{CASES}/{case.pk}/parties",
        {"organisation_id": friend.pk, "role": "facilitator", "contact_id": friend_member.pk},
        van.applicant,
    )
    approved = post_json(
        client,
        f"{CASES}/{case.pk}/transitions",
        {"to_status": "approved", "reason": "Approved by my friend", "version": 1},
        friend_member,
    )

    assert (handed.status_code, approved.status_code) == (403, 404)
    assert rows() == before
    assert Case.objects.get(pk=case.pk).status == "under_verification"


def test_an_organisation_merely_in_the_facilitator_role_cannot_approve(client, van, admin_user):
    """Even added by the staff, another organisation in the facilitator role is not the
    initiative's facilitator: it helps along the case but does not approve it."""
    helper_org = OrganisationFactory(name_en="Contracted Facilitation Ltd")
    helper = member_of(helper_org, "helper")
    services.case_add_party(
        actor=admin_user, case=van.case, organisation=helper_org, role="facilitator", contact=helper
    )
    case = under_verification(van.case)
    bearer(helper)  # a token writes an audit entry
    before = rows()

    assert permissions.transitions_for(helper, case) == ["rejected", "withdrawn"]
    assert "approved" in permissions.transitions_for(van.facilitator, case)
    with pytest.raises(PermissionDenied):
        services.case_transition(
            actor=helper, case=case, to_status="approved", reason="Looks fine", version=1
        )
    response = post_json(
        client,
        f"{CASES}/{case.pk}/transitions",
        {"to_status": "approved", "reason": "Looks fine", "version": 1},
        helper,
    )
    assert response.status_code == 403
    assert rows() == before


# --- the page mirrors the rules ------------------------------------------------------------


def _role_options(html: str) -> list[str]:
    start = html.index('name="party-role"')
    end = html.index("</select>", start)
    return [part.split('"')[0] for part in html[start:end].split('<option value="')[1:]]


def _removable(html: str, case: Case) -> list[str]:
    return sorted(
        party.role
        for party in case.parties.all()
        if reverse("cases:party_remove", args=[case.pk, party.pk]) in html
    )


def test_the_page_offers_the_applicant_only_the_parties_it_may_add_and_remove(client, van):
    client.force_login(van.applicant)
    html = client.get(reverse("cases:case_detail", args=[van.case.pk])).content.decode()

    assert _role_options(html) == ["partner", "certification_body", "observer"]
    assert _removable(html, van.case) == ["certification_body", "observer", "partner"]


def test_the_page_offers_the_facilitator_every_role_and_removal(client, van):
    client.force_login(van.facilitator)
    html = client.get(reverse("cases:case_detail", args=[van.case.pk])).content.decode()

    assert _role_options(html) == [
        "facilitator",
        "partner",
        "certification_body",
        "regulator",
        "observer",
    ]
    assert _removable(html, van.case) == [
        "certification_body",
        "facilitator",
        "observer",
        "partner",
        "regulator",
    ]


def test_a_failed_party_form_is_shown_again_with_only_the_roles_the_applicant_may_add(client, van):
    client.force_login(van.applicant)
    contact_elsewhere = UserFactory(username="stranger")
    newcomer = OrganisationFactory(name_en="Late Partner")

    response = client.post(
        reverse("cases:party_add", args=[van.case.pk]),
        {
            "party-organisation": newcomer.pk,
            "party-role": "partner",
            "party-contact": contact_elsewhere.username,
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a member of Late Partner; choose one of its members as contact." in html
    assert _role_options(html) == ["partner", "certification_body", "observer"]
