"""The directory's writes and who may make them: each permission rule has a test that tries
to break it and checks that nothing changed; bad input names the field and writes nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.core.actors import SYSTEM
from corridor.core.models import AuditEntry
from corridor.directory import embeddings, services
from corridor.directory.models import Connection, Feedback, Profile, Statement
from corridor.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

VANS = {
    "description_zh": "重庆的电动商用车制造商。",
    "offers": "电动轻型厢式货车\n- 车队维修培训",
    "needs": "新加坡的经销商\n新元贸易融资",
    "target_markets": ["sg", "MY"],
    "languages": ["zh", "en"],
}
FINANCE = {
    "description_en": "Trade finance for companies trading between Singapore and China.",
    "offers": "Cross-border trade finance in SGD and RMB",
    "needs": "Chinese manufacturers that export to South-east Asia",
    "target_markets": ["CN"],
    "languages": ["en"],
}


@pytest.fixture
def vans(owner, enterprise):
    return services.profile_save(actor=owner, organisation=enterprise, **VANS)


@pytest.fixture
def finance(outsider, other_enterprise):
    return services.profile_save(actor=outsider, organisation=other_enterprise, **FINANCE)


def rows():
    return (
        list(Profile.objects.order_by("pk").values()),
        list(Connection.objects.order_by("pk").values()),
        list(Feedback.objects.order_by("pk").values()),
    )


# --- profiles -------------------------------------------------------------------------------


def test_a_member_writes_the_profile_normalised_and_searchable(vans, enterprise):
    assert vans.organisation == enterprise
    assert vans.offers == "电动轻型厢式货车\n车队维修培训"  # bullets and blank lines dropped
    assert vans.target_markets == ["MY", "SG"]
    assert vans.languages == ["en", "zh"]
    assert "庆铃汽车" in vans.search_document and "qingling motors" in vans.search_document
    assert AuditEntry.objects.filter(target_id=str(vans.pk), action="create").count() == 1


def test_a_colleague_and_a_facilitator_may_edit_but_a_member_of_another_enterprise_may_not(
    vans, enterprise, colleague, facilitator, outsider
):
    services.profile_save(actor=colleague, organisation=enterprise, **{**VANS, "size": "large"})
    services.profile_save(actor=facilitator, organisation=enterprise, **{**VANS, "size": "medium"})
    before = rows()

    with pytest.raises(PermissionDenied):
        services.profile_save(actor=outsider, organisation=enterprise, **{**VANS, "size": "micro"})
    with pytest.raises(PermissionDenied):
        services.profile_save(
            actor=AnonymousUser(), organisation=enterprise, **{**VANS, "size": "micro"}
        )

    assert rows() == before
    assert Profile.objects.get(pk=vans.pk).size == "medium"


def test_no_actor_is_no_one_and_only_the_system_may_act_for_everyone(vans, enterprise, finance):
    before = rows()

    with pytest.raises(PermissionDenied):
        services.profile_save(actor=None, organisation=enterprise, **{**VANS, "size": "micro"})
    with pytest.raises(PermissionDenied):
        services.profile_verify(actor=None, profile=vans)
    with pytest.raises(PermissionDenied):
        services.connection_request(actor=None, from_profile=vans, to_profile=finance)

    assert rows() == before
    services.profile_verify(actor=SYSTEM, profile=vans)
    vans.refresh_from_db()
    assert vans.verified_at is not None and vans.verified_by is None


@pytest.mark.parametrize(
    "change, field",
    [
        ({"target_markets": ["SG", "XX"]}, "target_markets"),
        ({"languages": ["fr"]}, "languages"),
        ({"size": "huge"}, "size"),
        ({"visibility": "secret"}, "visibility"),
        ({"offers": "\n".join(f"offer {i}" for i in range(13))}, "offers"),
        ({"needs": "x" * 501}, "needs"),
        ({"description_zh": "", "description_en": " "}, "description_en"),
        ({"sectors": ["ict", "not-a-sector"]}, "sectors"),
        ({"name_en": "  "}, "name_en"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(owner, enterprise, change, field):
    before = rows()

    with pytest.raises(ValidationError) as refused:
        services.profile_save(actor=owner, organisation=enterprise, **{**VANS, **change})

    assert field in refused.value.message_dict
    assert rows() == before


def test_contact_persons_must_belong_to_the_organisation(owner, colleague, outsider, enterprise):
    profile = services.profile_save(
        actor=owner, organisation=enterprise, contacts=[owner, colleague], **VANS
    )
    with pytest.raises(ValidationError) as refused:
        services.profile_save(
            actor=owner, organisation=enterprise, contacts=[owner, outsider], **VANS
        )

    assert "Oscar Outsider" in refused.value.message_dict["contacts"][0]
    assert set(profile.contacts.all()) == {owner, colleague}


def test_only_administrators_verify(vans, admin_user, facilitator, owner):
    for person in (facilitator, owner):
        with pytest.raises(PermissionDenied):
            services.profile_verify(actor=person, profile=vans)
    assert Profile.objects.get(pk=vans.pk).verified_at is None

    services.profile_verify(actor=admin_user, profile=vans)

    vans.refresh_from_db()
    assert vans.is_verified and vans.verified_by == admin_user


# --- who sees what --------------------------------------------------------------------------


def test_members_only_profiles_are_hidden_from_anonymous_and_membership_less_users(
    vans, finance, outsider, owner
):
    services.profile_save(
        actor=owner, organisation=vans.organisation, **{**VANS, "visibility": "members"}
    )
    loner = UserFactory(username="loner")

    def visible(user):
        return set(Profile.objects.visible_to(user).values_list("pk", flat=True))

    assert visible(AnonymousUser()) == {finance.pk}
    assert visible(loner) == {finance.pk}
    assert visible(outsider) == {finance.pk, vans.pk}


# --- embeddings -----------------------------------------------------------------------------


def test_embedding_stores_one_vector_per_line_and_is_skipped_when_nothing_changed(vans):
    assert embeddings.profile_embeddings_store(profile_id=vans.pk) is True
    assert embeddings.profile_embeddings_store(profile_id=vans.pk) is False

    vans.refresh_from_db()
    lines = list(Statement.objects.filter(profile=vans).values_list("kind", "text"))
    assert lines == [
        ("need", "新加坡的经销商"),
        ("need", "新元贸易融资"),
        ("offer", "电动轻型厢式货车"),
        ("offer", "车队维修培训"),
    ]
    assert all(len(bytes(s.vector)) == 512 * 4 for s in Statement.objects.filter(profile=vans))
    assert vans.embedded_hash == embeddings.texts_hash(vans)


def test_changing_the_offers_makes_the_embeddings_stale_and_queues_them(
    vans, owner, django_capture_on_commit_callbacks
):
    embeddings.profile_embeddings_store(profile_id=vans.pk)
    with django_capture_on_commit_callbacks() as unchanged:
        services.profile_save(actor=owner, organisation=vans.organisation, **VANS)
    with django_capture_on_commit_callbacks() as changed:
        services.profile_save(
            actor=owner, organisation=vans.organisation, **{**VANS, "offers": "电动皮卡"}
        )

    assert unchanged == []
    assert len(changed) == 1
    vans.refresh_from_db()
    assert vans.embedded_hash != embeddings.texts_hash(vans)


# --- feedback and connections ---------------------------------------------------------------


def test_feedback_is_given_only_by_those_who_act_for_the_profile(vans, finance, owner, outsider):
    services.feedback_record(actor=owner, profile=vans, candidate=finance, verdict="interested")
    before = rows()

    with pytest.raises(PermissionDenied):
        services.feedback_record(
            actor=outsider, profile=vans, candidate=finance, verdict="not_relevant"
        )
    with pytest.raises(ValidationError):
        services.feedback_record(actor=owner, profile=vans, candidate=finance, verdict="meh")

    assert rows() == before
    services.feedback_record(actor=owner, profile=vans, candidate=finance, verdict="")
    assert not Feedback.objects.exists()


def test_a_connection_is_asked_answered_once_and_only_by_the_right_side(
    vans, finance, owner, colleague, outsider
):
    with pytest.raises(PermissionDenied):  # outsider asks on behalf of another enterprise
        services.connection_request(actor=outsider, from_profile=vans, to_profile=finance)
    asked = services.connection_request(
        actor=owner, from_profile=vans, to_profile=finance, message="Shall we meet?"
    )
    with pytest.raises(ValidationError):  # asked twice
        services.connection_request(actor=colleague, from_profile=vans, to_profile=finance)
    with pytest.raises(ValidationError) as reverse:  # the other way while one is open
        services.connection_request(actor=outsider, from_profile=finance, to_profile=vans)
    assert "answer its request" in reverse.value.message_dict["to_profile"][0]
    with pytest.raises(ValidationError):
        services.connection_request(actor=owner, from_profile=vans, to_profile=vans)
    with pytest.raises(PermissionDenied):  # the asking side cannot accept its own request
        services.connection_answer(actor=owner, connection=asked, accept=True)
    with pytest.raises(PermissionDenied):  # nor can the asked side withdraw it
        services.connection_withdraw(actor=outsider, connection=asked)

    services.connection_answer(actor=outsider, connection=asked, accept=True, answer="Yes")

    asked.refresh_from_db()
    assert (asked.status, asked.answer, asked.answered_by) == ("accepted", "Yes", outsider)
    with pytest.raises(ValidationError):
        services.connection_answer(actor=outsider, connection=asked, accept=False)
    with pytest.raises(ValidationError):
        services.connection_withdraw(actor=owner, connection=asked)


def test_a_declined_request_can_be_asked_again(vans, finance, owner, outsider):
    first = services.connection_request(actor=owner, from_profile=vans, to_profile=finance)
    services.connection_answer(actor=outsider, connection=first, accept=False)

    again = services.connection_request(actor=owner, from_profile=vans, to_profile=finance)

    assert again.pk != first.pk and again.status == "pending"


def test_nobody_connects_to_a_profile_they_cannot_see(vans, finance, owner, outsider):
    services.profile_save(
        actor=outsider, organisation=finance.organisation, **{**FINANCE, "visibility": "members"}
    )
    loner = UserFactory(username="loner")

    with pytest.raises(PermissionDenied):
        services.connection_request(actor=loner, from_profile=vans, to_profile=finance)
    assert not Connection.objects.exists()
