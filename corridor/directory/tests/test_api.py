"""The directory's JSON API, driven the way a client would: members-only profiles never reach
anonymous visitors or people without a membership (404, like a missing id), writes go
through the services (403 for other enterprises, 400 naming the field, nothing changed),
connection requests move pending -> accepted / declined / withdrawn once, and
recommendations come from the real encoder in the caller's language."""

import json

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from corridor.accounts.services import api_token_create
from corridor.core.actors import SYSTEM
from corridor.directory import embeddings, services
from corridor.directory.models import Connection, Feedback, Profile
from corridor.testing.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILES = "/api/directory/profiles"
CONNECTIONS = "/api/directory/connections"
NOT_YOURS = "Only the enterprise's own members and the initiative's facilitators can do this."


def bearer(user) -> dict[str, str]:
    """A token for `user`, made once (making one writes an audit entry); none: anonymous."""
    if user is None:
        return {}
    if not hasattr(user, "test_bearer"):
        _token, raw = api_token_create(actor=user, label="test client")
        user.test_bearer = {"Authorization": f"Bearer {raw}"}
    return user.test_bearer


def get(client, url, user=None, params=None, **extra):
    return client.get(url, params or {}, headers=bearer(user), **extra)


def post_json(client, url, body, user):
    return client.post(url, json.dumps(body), content_type="application/json", headers=bearer(user))


def put_json(client, url, body, user):
    """PUT a profile with the version of it that the caller reads (unless the body has one)."""
    if "version" not in body:
        profile = Profile.objects.filter(pk=int(url.rstrip("/").rsplit("/", 1)[1])).first()
        body = {**body, "version": profile.version if profile else 1}
    return client.put(url, json.dumps(body), content_type="application/json", headers=bearer(user))


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def profile_of(organisation, **fields) -> Profile:
    fields.setdefault("description_en", f"{organisation.name_en} at work.")
    return services.profile_save(actor=SYSTEM, organisation=organisation, **fields)


def row(profile: Profile) -> dict:
    """Everything stored about a profile and its organisation, to compare before and after a
    refused request."""
    profile = Profile.objects.select_related("organisation").get(pk=profile.pk)
    return {
        **model_to_dict(profile),
        "updated_at": profile.updated_at,
        "organisation": model_to_dict(profile.organisation),
    }


def profile_body(**changes) -> dict:
    """A whole profile, as PUT replaces it."""
    body = {
        "description_en": "Light commercial vehicles, electric since 2019.",
        "description_zh": "轻型商用车，自2019年起生产电动车型。",
        "size": "large",
        "offers": "- Electric delivery vans\n- Charging equipment",
        "needs": "Cold-chain logistics in Singapore",
        "target_markets": ["sg", "MY"],
        "languages": ["zh", "en"],
        "visibility": "public",
        "sectors": ["manufacturing"],
    }
    body.update(changes)
    return body


def new_profile_body(organisation, **changes) -> dict:
    return profile_body(organisation_id=organisation.pk, **changes)


@pytest.fixture
def loner(db):
    """Someone with an account but no membership of any organisation."""
    return UserFactory(username="loner", name_en="Lou Loner")


@pytest.fixture
def own(enterprise):
    return profile_of(
        enterprise,
        offers="Electric delivery vans",
        needs="Cold-chain logistics in Singapore",
        target_markets=["SG"],
        sectors=["manufacturing"],
    )


@pytest.fixture
def theirs(other_enterprise):
    return profile_of(
        other_enterprise,
        offers="Refrigerated warehousing and cold-chain trucking in Singapore",
        needs="Electric vans for city deliveries",
        sectors=["transport-logistics"],
    )


@pytest.fixture
def members_only(db):
    quiet = OrganisationFactory(
        name_en="Quiet Tooling", name_zh="静工具", country="CN", city="Suzhou"
    )
    return profile_of(
        quiet,
        description_en="Precision tooling, shown to members of the initiative only.",
        offers="Precision tooling",
        visibility="members",
    )


# --- who sees what -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "loner"])
def test_a_members_only_profile_never_reaches_people_without_a_membership(
    client, request, own, members_only, who
):
    person = None if who == "anonymous" else request.getfixturevalue("loner")

    listed = get(client, PROFILES, person)
    searched = get(client, PROFILES, person, {"q": "tooling"})
    by_city = get(client, PROFILES, person, {"city": "Suzhou"})
    by_id = get(client, f"{PROFILES}/{members_only.pk}", person)

    assert ids(listed) == [own.pk]
    assert listed.json()["count"] == 1
    assert ids(searched) == [] and ids(by_city) == []
    assert by_id.status_code == 404
    assert by_id.json()["detail"] == f"No enterprise profile has the id “{members_only.pk}”."
    recommendations = get(client, f"{PROFILES}/{members_only.pk}/recommendations", person)
    assert recommendations.status_code == (401 if person is None else 404)


def test_a_member_of_any_organisation_sees_members_only_profiles(
    client, outsider, own, members_only
):
    assert ids(get(client, PROFILES, outsider)) == [own.pk, members_only.pk]
    assert ids(get(client, PROFILES, outsider, {"q": "tooling"})) == [members_only.pk]
    detail = get(client, f"{PROFILES}/{members_only.pk}", outsider)
    assert detail.status_code == 200
    assert (detail.json()["name_en"], detail.json()["visibility"]) == ("Quiet Tooling", "members")


def test_the_detail_gives_the_profile_and_whether_the_caller_may_change_it(
    client, owner, outsider, enterprise
):
    profile = profile_of(
        enterprise,
        description_zh="轻型商用车。",
        size="large",
        offers="Electric delivery vans\nCharging equipment",
        target_markets=["SG"],
        languages=["en", "zh"],
        sectors=["manufacturing", "transport-logistics"],
        contacts=[owner],
    )

    mine = get(client, f"{PROFILES}/{profile.pk}", owner).json()
    anonymous = get(client, f"{PROFILES}/{profile.pk}").json()

    assert mine == {
        "id": profile.pk,
        "name_en": "Qingling Motors",
        "name_zh": "庆铃汽车",
        "country": "CN",
        "city": "Chongqing",
        "organisation_id": enterprise.pk,
        "sectors": [
            {
                "code": "transport-logistics",
                "name_en": "Transport and logistics",
                "name_zh": "交通物流",
            },
            {"code": "manufacturing", "name_en": "Manufacturing", "name_zh": "制造业"},
        ],
        "description_en": "Qingling Motors at work.",
        "description_zh": "轻型商用车。",
        "size": "large",
        "offers": "Electric delivery vans\nCharging equipment",
        "needs": "",
        "target_markets": ["SG"],
        "languages": ["en", "zh"],
        "visibility": "public",
        "is_verified": False,
        "verified_at": None,
        "is_synthetic": False,
        "updated_at": mine["updated_at"],
        "version": 1,
        "contacts": [{"id": owner.pk, "display_name": "Olivia Owner"}],
        "can_edit": True,
    }
    assert get(client, f"{PROFILES}/{profile.pk}", outsider).json()["can_edit"] is False
    assert anonymous["can_edit"] is False and anonymous["offers"] == mine["offers"]


def test_the_list_filters_by_sector_country_city_and_verification(
    client, admin_user, own, theirs, members_only
):
    services.profile_verify(actor=admin_user, profile=theirs)

    def found(**params) -> list[int]:
        return ids(get(client, PROFILES, admin_user, params))

    assert found(sector="transport-logistics") == [theirs.pk]
    assert found(country="cn") == [own.pk, members_only.pk]
    assert found(city="singapore") == [theirs.pk]
    assert found(verified="true") == [theirs.pk]
    assert found(q="cold-chain singapore") == [theirs.pk, own.pk]  # by name
    assert found(q="冷链") == [theirs.pk, own.pk]  # "cold-chain" is its English name
    unknown = get(client, PROFILES, admin_user, {"sector": "space-mining"})
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["sector"]
    assert get(client, PROFILES, admin_user, {"country": "China"}).status_code == 422


# --- creating and changing profiles ----------------------------------------------------------


def test_a_member_creates_the_profile_of_its_organisation_once(client, owner, enterprise):
    body = new_profile_body(enterprise, city="Chongqing Liangjiang", contacts=[owner.pk])

    created = post_json(client, PROFILES, body, owner)
    again = post_json(client, PROFILES, body, owner)

    profile = Profile.objects.get()
    assert created.status_code == 201
    data = created.json()
    assert data["id"] == profile.pk and profile.organisation == enterprise
    assert data["offers"] == "Electric delivery vans\nCharging equipment"
    assert data["target_markets"] == ["MY", "SG"]
    assert data["languages"] == ["en", "zh"]
    assert data["city"] == "Chongqing Liangjiang"
    assert [s["code"] for s in data["sectors"]] == ["manufacturing"]
    assert data["contacts"] == [{"id": owner.pk, "display_name": "Olivia Owner"}]
    assert again.status_code == 409
    assert again.json()["errors"] == {
        "organisation_id": [
            "This organisation already has a profile: change it with PUT "
            f"/api/directory/profiles/{profile.pk}."
        ]
    }
    assert Profile.objects.count() == 1


BAD_FIELDS = [
    ({"description_en": "", "description_zh": ""}, ["description_en"]),
    ({"offers": "\n".join(f"Offer {n}" for n in range(13))}, ["offers"]),
    ({"needs": "x" * 501}, ["needs"]),
    ({"target_markets": ["XX"]}, ["target_markets"]),
    ({"languages": ["fr"]}, ["languages"]),
    ({"size": "huge", "visibility": "secret"}, ["size", "visibility"]),
    ({"sectors": ["space-mining"]}, ["sectors"]),
    ({"name_en": " "}, ["name_en"]),
    ({"contacts": [99999]}, ["contacts"]),
]


@pytest.mark.parametrize(("changes", "fields"), BAD_FIELDS)
def test_a_bad_new_profile_is_a_400_naming_the_field_and_nothing_is_written(
    client, owner, enterprise, changes, fields
):
    response = post_json(client, PROFILES, new_profile_body(enterprise, **changes), owner)

    assert response.status_code == 400
    assert response.json()["detail"] == "The request has errors."
    assert sorted(response.json()["errors"]) == fields
    assert Profile.objects.count() == 0
    assert enterprise.sectors.count() == 0


@pytest.mark.parametrize(("changes", "fields"), BAD_FIELDS)
def test_a_bad_change_is_a_400_naming_the_field_and_nothing_changes(
    client, owner, own, changes, fields
):
    before = row(own)

    response = put_json(client, f"{PROFILES}/{own.pk}", profile_body(**changes), owner)

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == fields
    assert row(own) == before


def test_a_contact_must_belong_to_the_organisation(client, owner, outsider, own):
    before = row(own)

    response = put_json(client, f"{PROFILES}/{own.pk}", profile_body(contacts=[outsider.pk]), owner)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "contacts": ["Contact persons: Oscar Outsider do not belong to this organisation."]
    }
    assert row(own) == before


def test_malformed_bodies_are_refused_with_json(client, owner, enterprise):
    unknown_organisation = post_json(client, PROFILES, profile_body(organisation_id=99999), owner)
    extra_field = post_json(client, PROFILES, new_profile_body(enterprise, verified=True), owner)
    wrong_type = post_json(client, PROFILES, new_profile_body(enterprise, offers=["a", "b"]), owner)
    not_json = client.post(PROFILES, "{", content_type="application/json", headers=bearer(owner))

    assert unknown_organisation.status_code == 400
    assert list(unknown_organisation.json()["errors"]) == ["organisation_id"]
    assert extra_field.status_code == 422 and "verified" in extra_field.json()["errors"]
    assert wrong_type.status_code == 422 and "offers" in wrong_type.json()["errors"]
    assert not_json.status_code == 400
    assert Profile.objects.count() == 0


def test_a_member_replaces_its_profile_and_the_organisation_keeps_what_is_left_out(
    client, owner, own
):
    response = put_json(
        client,
        f"{PROFILES}/{own.pk}",
        {
            "description_zh": "电动物流车。",
            "offers": "Electric vans\nBattery swaps",
            "languages": ["zh"],
        },
        owner,
    )

    own.refresh_from_db()
    assert response.status_code == 200
    assert (own.description_en, own.description_zh) == ("", "电动物流车。")
    assert own.offers == "Electric vans\nBattery swaps"
    assert (own.needs, own.target_markets, own.languages) == ("", [], ["zh"])
    assert response.json()["city"] == "Chongqing"
    assert [s["code"] for s in response.json()["sectors"]] == ["manufacturing"]


def test_a_member_of_another_enterprise_changes_and_creates_nothing(
    client, outsider, enterprise, own
):
    before = row(own)
    newcomer = OrganisationFactory(name_en="Newcomer")

    changed = put_json(client, f"{PROFILES}/{own.pk}", profile_body(), outsider)
    over_existing = post_json(client, PROFILES, new_profile_body(enterprise), outsider)
    for_newcomer = post_json(client, PROFILES, new_profile_body(newcomer), outsider)

    for response in (changed, over_existing, for_newcomer):
        assert response.status_code == 403
        assert response.json()["detail"] == NOT_YOURS
    assert row(own) == before
    assert not Profile.objects.filter(organisation=newcomer).exists()


def test_people_without_credentials_cannot_write(client, enterprise, own):
    before = row(own)
    assert (
        client.post(
            PROFILES, json.dumps(new_profile_body(enterprise)), content_type="application/json"
        ).status_code
        == 401
    )
    assert (
        client.put(
            f"{PROFILES}/{own.pk}", json.dumps(profile_body()), content_type="application/json"
        ).status_code
        == 401
    )
    assert row(own) == before


def test_a_loner_gets_404_for_changing_a_members_only_profile(client, loner, members_only):
    before = row(members_only)
    response = put_json(client, f"{PROFILES}/{members_only.pk}", profile_body(), loner)
    assert response.status_code == 404
    assert row(members_only) == before


# --- verification --------------------------------------------------------------------------


def test_only_administrators_verify_a_profile(client, admin_user, facilitator, owner, own, theirs):
    before = row(own)
    for person in (owner, facilitator):
        refused = post_json(client, f"{PROFILES}/{own.pk}/verify", {"verified": True}, person)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Only the initiative's administrators verify profiles."
    assert row(own) == before

    verified = post_json(client, f"{PROFILES}/{own.pk}/verify", {"verified": True}, admin_user)

    assert verified.status_code == 200 and verified.json()["is_verified"] is True
    assert ids(get(client, PROFILES, None, {"verified": "true"})) == [own.pk]
    withdrawn = post_json(client, f"{PROFILES}/{own.pk}/verify", {"verified": False}, admin_user)
    assert withdrawn.json()["is_verified"] is False
    assert withdrawn.json()["verified_at"] is None


# --- connections ---------------------------------------------------------------------------


def ask(client, person, from_profile, to_profile, message="Shall we talk about the cold chain?"):
    return post_json(
        client,
        CONNECTIONS,
        {"from_profile": from_profile.pk, "to_profile": to_profile.pk, "message": message},
        person,
    )


def test_a_request_is_listed_on_both_sides_and_answered_once(
    client, owner, colleague, outsider, own, theirs
):
    asked = ask(client, owner, own, theirs)

    data = asked.json()
    assert asked.status_code == 201
    assert (data["status"], data["message"]) == ("pending", "Shall we talk about the cold chain?")
    assert (data["from_profile"]["name_en"], data["to_profile"]["name_en"]) == (
        "Qingling Motors",
        "Motorway Group",
    )
    assert data["requested_by"] == {"id": owner.pk, "display_name": "Olivia Owner"}
    colleagues = get(client, CONNECTIONS, colleague).json()
    theirs_listed = get(client, CONNECTIONS, outsider).json()
    assert ([c["id"] for c in colleagues["sent"]], colleagues["received"]) == ([data["id"]], [])
    assert (theirs_listed["sent"], [c["id"] for c in theirs_listed["received"]]) == (
        [],
        [data["id"]],
    )

    answer_url = f"{CONNECTIONS}/{data['id']}/answer"
    accepted = post_json(
        client, answer_url, {"accept": True, "answer": "Yes, next week."}, outsider
    )
    again = post_json(client, answer_url, {"accept": False}, outsider)
    withdrawn = post_json(client, f"{CONNECTIONS}/{data['id']}/withdraw", {}, owner)

    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["answer"]) == ("accepted", "Yes, next week.")
    for late in (again, withdrawn):
        assert late.status_code == 409
        assert late.json()["detail"] == (
            "This request was already answered or withdrawn: it is “accepted”."
        )
    assert Connection.objects.get().status == Connection.Status.ACCEPTED


def test_a_request_is_declined_or_withdrawn(client, owner, outsider, own, theirs):
    first = ask(client, owner, own, theirs).json()
    declined = post_json(client, f"{CONNECTIONS}/{first['id']}/answer", {"accept": False}, outsider)
    second = ask(client, owner, own, theirs).json()
    withdrawn = post_json(client, f"{CONNECTIONS}/{second['id']}/withdraw", {}, owner)

    assert declined.json()["status"] == "declined"
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert list(Connection.objects.order_by("pk").values_list("status", flat=True)) == [
        "declined",
        "withdrawn",
    ]


def test_requests_are_refused_to_people_who_do_not_act_for_the_enterprise(
    client, owner, outsider, loner, own, theirs, members_only
):
    for_someone_else = ask(client, outsider, own, theirs)
    to_itself = ask(client, owner, own, own)
    to_nowhere = post_json(
        client, CONNECTIONS, {"from_profile": own.pk, "to_profile": 99999}, owner
    )
    from_hidden = ask(client, loner, members_only, own)

    assert for_someone_else.status_code == 403
    assert for_someone_else.json()["detail"] == NOT_YOURS
    assert to_itself.status_code == 400
    assert to_itself.json()["errors"] == {
        "to_profile": ["An enterprise cannot ask to connect with itself."]
    }
    assert to_nowhere.status_code == 400
    assert to_nowhere.json()["errors"] == {
        "to_profile": ["That enterprise is not in the directory."]
    }
    assert from_hidden.status_code == 400 and list(from_hidden.json()["errors"]) == ["from_profile"]
    assert Connection.objects.count() == 0


def test_only_the_asked_side_answers_and_only_the_asking_side_withdraws(
    client, owner, outsider, loner, own, theirs
):
    pk = ask(client, owner, own, theirs).json()["id"]
    answer_url, withdraw_url = f"{CONNECTIONS}/{pk}/answer", f"{CONNECTIONS}/{pk}/withdraw"

    own_answer = post_json(client, answer_url, {"accept": True}, owner)
    their_withdrawal = post_json(client, withdraw_url, {}, outsider)
    strangers = [
        post_json(client, answer_url, {"accept": True}, loner),
        post_json(client, withdraw_url, {}, loner),
    ]
    twice = ask(client, owner, own, theirs)
    back = ask(client, outsider, theirs, own)

    assert (own_answer.status_code, their_withdrawal.status_code) == (403, 403)
    assert [r.status_code for r in strangers] == [404, 404]
    assert get(client, CONNECTIONS, loner).json() == {"received": [], "sent": []}
    assert twice.status_code == 400 and list(twice.json()["errors"]) == ["to_profile"]
    assert back.json()["errors"]["to_profile"] == [
        "This enterprise has already asked to connect with yours: answer its request instead."
    ]
    connection = Connection.objects.get()
    assert (connection.status, connection.answered_by) == (Connection.Status.PENDING, None)


# --- feedback and recommendations ------------------------------------------------------------


def test_feedback_is_recorded_and_taken_back_by_those_who_act_for_the_profile(
    client, owner, outsider, own, theirs
):
    url = f"{PROFILES}/{own.pk}/feedback"

    marked = post_json(client, url, {"candidate": theirs.pk, "verdict": "interested"}, owner)
    refused = post_json(client, url, {"candidate": theirs.pk, "verdict": "not_relevant"}, outsider)
    unknown = post_json(client, url, {"candidate": theirs.pk, "verdict": "maybe"}, owner)

    assert marked.json() == {"candidate": theirs.pk, "verdict": "interested"}
    assert refused.status_code == 403
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["verdict"]
    assert list(Feedback.objects.values_list("user", "candidate", "verdict")) == [
        (owner.pk, theirs.pk, "interested")
    ]

    cleared = post_json(client, url, {"candidate": theirs.pk, "verdict": ""}, owner)

    assert cleared.json() == {"candidate": theirs.pk, "verdict": ""}
    assert Feedback.objects.count() == 0


def test_recommendations_come_from_the_real_encoder_for_those_who_act_for_the_profile(
    client, owner, facilitator, outsider, loner, own, theirs
):
    neighbour = profile_of(
        OrganisationFactory(name_en="Chongqing Cold Stores", country="CN", city="Chongqing"),
        offers="Cold-chain logistics and refrigerated storage",
    )
    florist = profile_of(
        OrganisationFactory(name_en="Orchid Florist", country="SG", city="Singapore"),
        offers="Wedding bouquets and table flowers",
        needs="Flower wholesalers",
    )
    url = f"{PROFILES}/{own.pk}/recommendations"

    computing = get(client, url, owner)
    assert computing.status_code == 202
    assert computing.json()["status"] == "computing" and computing.json()["items"] == []

    assert embeddings.profile_embed_all() == 4
    english = get(client, url, owner)
    chinese = get(client, url, owner, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english.status_code == 200 and english.json()["status"] == "ready"
    items = english.json()["items"]
    assert items[0]["id"] == theirs.pk
    assert neighbour.pk not in [i["id"] for i in items]  # across the border only, by default
    first = items[0]
    assert (first["name_en"], first["name_zh"], first["country"], first["city"]) == (
        "Motorway Group",
        "摩托威集团",
        "SG",
        "Singapore",
    )
    assert [i["id"] for i in items] in ([theirs.pk], [theirs.pk, florist.pk])
    assert items[-1]["score"] <= first["score"]
    assert any(  # then the decisive facets that match ("Matches: cold chain.")
        reason.startswith(
            "Their offer “Refrigerated warehousing and cold-chain trucking in Singapore” meets "
            "your need “Cold-chain logistics in Singapore”."
        )
        for reason in first["reasons"]
    )
    assert "They are in Singapore, one of your target markets." in first["reasons"]
    assert any("新加坡" in reason for reason in chinese.json()["items"][0]["reasons"])
    assert chinese.json()["items"][0]["id"] == theirs.pk

    at_home = get(client, url, owner, {"across_border": "false", "limit": 2}).json()["items"]
    assert {i["id"] for i in at_home} == {theirs.pk, neighbour.pk}
    assert get(client, url, facilitator).status_code == 200
    for stranger in (outsider, loner):
        refused = get(client, url, stranger)
        assert refused.status_code == 403 and refused.json()["detail"] == NOT_YOURS
    assert get(client, url).status_code == 401

    post_json(
        client,
        f"{PROFILES}/{own.pk}/feedback",
        {"candidate": theirs.pk, "verdict": "not_relevant"},
        owner,
    )
    assert theirs.pk not in [i["id"] for i in get(client, url, owner).json()["items"]]


# --- query counts --------------------------------------------------------------------------


def _list_queries(client, headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PROFILES, headers=headers)
    assert response.status_code == 200
    return len(captured)


def _more_profiles(n: int) -> None:
    for _ in range(n):
        profile_of(OrganisationFactory(), sectors=["ict", "manufacturing"], offers="Software")


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_list_makes_the_same_number_of_queries_for_3_and_20_profiles(client, request, who):
    headers = {} if who == "anonymous" else bearer(request.getfixturevalue("owner"))
    _more_profiles(3)
    few = _list_queries(client, headers)
    _more_profiles(17)
    many = _list_queries(client, headers)

    assert get(client, PROFILES).json()["count"] == 20
    assert few == many
    # count + page + sectors; a token adds its lookup, its last-used stamp and the memberships.
    assert many == (3 if who == "anonymous" else 6)


def test_the_openapi_schema_lists_the_directory_paths(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path, methods in {
        "/api/directory/profiles": {"get", "post"},
        "/api/directory/profiles/{profile_id}": {"get", "put"},
        "/api/directory/profiles/{profile_id}/verify": {"post"},
        "/api/directory/profiles/{profile_id}/recommendations": {"get"},
        "/api/directory/profiles/{profile_id}/feedback": {"post"},
        "/api/directory/connections": {"get", "post"},
        "/api/directory/connections/{connection_id}/answer": {"post"},
        "/api/directory/connections/{connection_id}/withdraw": {"post"},
    }.items():
        assert set(paths[path]) == methods, path
    assert paths["/api/directory/profiles"]["get"]["tags"] == ["directory"]


def test_ids_too_large_for_the_database_are_answered_not_crashed_on(client, owner, own):
    huge = 99999999999999999999999

    assert get(client, f"{PROFILES}/{huge}").status_code == 404
    assert get(client, f"{PROFILES}/{huge}/recommendations", owner).status_code == 404
    assert post_json(client, f"{CONNECTIONS}/{huge}/withdraw", {}, owner).status_code == 404
    feedback = post_json(
        client, f"{PROFILES}/{own.pk}/feedback", {"candidate": huge, "verdict": ""}, owner
    )
    assert feedback.json()["errors"] == {"candidate": ["That enterprise is not in the directory."]}
