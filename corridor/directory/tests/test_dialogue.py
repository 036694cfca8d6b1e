"""The dialogue after a request to connect: the other side is told (in-app and by e-mail, in
each person's language); once accepted, both sides see each other's contact persons and write
to each other on the connection's page. Nobody else sees either, on the page or in the API."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from corridor.accounts.models import Membership, Notification
from corridor.core.actors import SYSTEM
from corridor.directory import services
from corridor.directory.models import Connection, ConnectionMessage
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def profile_for(organisation, actor=SYSTEM, **fields):
    return services.profile_save(
        actor=actor,
        organisation=organisation,
        description_en=fields.pop("description_en", "What we do."),
        **fields,
    )


@pytest.fixture
def vans(enterprise, owner):
    """Qingling Motors' profile; its members are owner and colleague, owner its contact."""
    return profile_for(enterprise, contacts=[owner])


@pytest.fixture
def finance(other_enterprise, outsider):
    """Motorway Group's profile (no contact person named; its member: outsider)."""
    return profile_for(other_enterprise)


@pytest.fixture
def third(db):
    """A member of a third enterprise with a profile of its own."""
    organisation = OrganisationFactory(name_en="Lion City Trade", country="SG")
    profile_for(organisation)
    user = UserFactory(username="third", name_en="Theo Third", name_zh="第三")
    MembershipFactory(user=user, organisation=organisation)
    return user


def member_of(kind: str, username: str):
    organisation = OrganisationFactory(name_en=f"A {kind}", kind=kind, country="SG")
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def partner(db):
    return member_of("partner", "partner")


@pytest.fixture
def regulator(db):
    return member_of("regulator", "regulator")


@pytest.fixture
def pending(finance, vans, outsider):
    """Motorway Group asked Qingling Motors to connect."""
    return services.connection_request(
        actor=outsider, from_profile=finance, to_profile=vans, message="Let us talk about vans."
    )


@pytest.fixture
def accepted(pending, owner):
    """Qingling Motors accepted (the notifications so far are cleared)."""
    connection = services.connection_answer(
        actor=owner, connection=pending, accept=True, answer="Gladly."
    )
    Notification.objects.all().delete()
    return connection


def page(client, user, connection, **headers):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("directory:connection_detail", args=[connection.pk]), **headers)


def told(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("pk")
        .values_list("subject_en", flat=True)
    )


# --- the other side is told -----------------------------------------------------------------


def test_asking_to_connect_tells_the_asked_profiles_contact_person_only(
    pending, owner, colleague, outsider
):
    assert told(owner) == ["Motorway Group asks to connect with Qingling Motors"]
    assert told(colleague) == []  # the profile names a contact person: only they are told
    assert told(outsider) == []  # never the person who asked
    notification = Notification.objects.get(recipient=owner)
    # written in Chinese too, with the Chinese names (the sentence once translated)
    assert "摩托威集团" in notification.subject_zh and "庆铃汽车" in notification.subject_zh
    assert "Let us talk about vans." in notification.body_en
    assert notification.url == reverse("directory:connection_detail", args=[pending.pk])


def test_without_a_contact_person_every_member_is_told(vans, finance, owner, outsider):
    services.connection_request(actor=owner, from_profile=vans, to_profile=finance)

    assert told(outsider) == ["Qingling Motors asks to connect with Motorway Group"]
    assert told(owner) == []


def test_the_answer_tells_the_person_who_asked_and_the_asking_side(
    pending, owner, outsider, colleague
):
    Notification.objects.all().delete()

    services.connection_answer(actor=colleague, connection=pending, accept=False, answer="No.")

    assert told(outsider) == ["Qingling Motors declined the request of Motorway Group to connect"]
    assert told(colleague) == []
    assert Notification.objects.get(recipient=outsider).body_en == "No."


def test_an_acceptance_says_what_can_be_done_now(pending, owner, outsider):
    Notification.objects.all().delete()
    services.connection_answer(actor=owner, connection=pending, accept=True)

    [notification] = Notification.objects.filter(recipient=outsider)
    assert notification.subject_en == (
        "Qingling Motors accepted the request of Motorway Group to connect"
    )
    assert notification.body_en.startswith("You can now see each other's contact persons")


def test_the_email_reaches_a_chinese_reader_in_chinese(
    finance, vans, outsider, owner, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    owner.language = "zh-hans"
    owner.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.connection_request(actor=outsider, from_profile=finance, to_profile=vans)

    [email] = mail.outbox
    assert email.to == ["owner@example.org"]
    assert email.subject == Notification.objects.get(recipient=owner).subject_zh
    assert "摩托威集团" in email.subject and "Motorway" not in email.subject
    assert email.body.startswith("王主，您好：")


# --- contact persons ------------------------------------------------------------------------


def test_before_acceptance_the_page_shows_no_contact_details(client, pending, outsider):
    response = page(client, outsider, pending)

    assert response.status_code == 200
    html = response.content.decode()
    assert "owner@example.org" not in html and 'id="contacts"' not in html
    assert 'id="messages"' not in html


def test_after_acceptance_both_sides_see_each_others_contact_persons(
    client, accepted, outsider, owner
):
    html = page(client, outsider, accepted).content.decode()

    assert "owner@example.org" in html  # Qingling's contact person
    assert "Olivia Owner" in html and "王主" in html  # both names
    assert "colleague@example.org" not in html  # not a contact person
    assert "outsider@example.org" in html  # Motorway names none: its members
    assert "names no contact person" in html

    html = page(client, owner, accepted).content.decode()
    assert "outsider@example.org" in html


def test_the_initiative_staff_see_the_contacts(client, accepted, facilitator):
    assert "owner@example.org" in page(client, facilitator, accepted).content.decode()


@pytest.mark.parametrize("who", ["third", "partner", "regulator"])
def test_nobody_else_reads_the_contacts_on_the_page_or_in_the_api(client, accepted, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)

    html = client.get(reverse("directory:connection_detail", args=[accepted.pk]))
    api = client.get(f"/api/directory/connections/{accepted.pk}")
    messages = client.get(f"/api/directory/connections/{accepted.pk}/messages")

    assert html.status_code == 404 and "owner@example.org" not in html.content.decode()
    assert api.status_code == 404 and "owner@example.org" not in api.content.decode()
    assert messages.status_code == 404
    profile = client.get(f"/api/directory/profiles/{accepted.to_profile_id}").content.decode()
    assert "owner@example.org" not in profile  # the public profile names, never e-mails


def test_anonymous_visitors_read_no_contacts(client, accepted):
    response = page(client, None, accepted)
    api = client.get(f"/api/directory/connections/{accepted.pk}")

    assert response.status_code == 302 and "login" in response["Location"]
    assert api.status_code == 401


def test_the_api_gives_the_contacts_once_accepted_and_not_before(client, pending, outsider, owner):
    client.force_login(outsider)
    before = client.get(f"/api/directory/connections/{pending.pk}").json()
    services.connection_answer(actor=owner, connection=pending, accept=True)
    after = client.get(f"/api/directory/connections/{pending.pk}").json()

    assert before["sides"] is None
    qingling = after["sides"][1]
    assert qingling["profile"]["name_en"] == "Qingling Motors"
    assert qingling["contacts"] == [
        {"id": owner.pk, "name_en": "Olivia Owner", "name_zh": "王主", "email": "owner@example.org"}
    ]


# --- messages -------------------------------------------------------------------------------


def post(client, user, connection, body):
    client.force_login(user)
    return client.post(reverse("directory:connection_detail", args=[connection.pk]), {"text": body})


def test_a_message_is_kept_with_the_connection_and_tells_the_other_side(
    client, accepted, outsider, owner, colleague
):
    response = post(client, owner, accepted, "Shall we meet on Tuesday?\nAt our office.")

    assert response.status_code == 302
    [message] = ConnectionMessage.objects.filter(connection=accepted)
    assert (
        message.author == owner and message.author_organisation == accepted.to_profile.organisation
    )
    assert told(outsider) == ["New message from Qingling Motors"]
    assert Notification.objects.get(recipient=outsider).body_en == (
        "Olivia Owner wrote:\n\nShall we meet on Tuesday?\nAt our office."
    )
    assert told(owner) == [] and told(colleague) == []  # the writer's own side is not told

    client.force_login(outsider)
    thread = page(client, outsider, accepted).content.decode()
    assert "Shall we meet on Tuesday?" in thread and "Olivia Owner" in thread


def test_no_message_before_acceptance(client, pending, owner):
    response = post(client, owner, pending, "Hello?")

    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "only once the request to connect is accepted" in shown
    assert not ConnectionMessage.objects.exists()
    assert told(pending.requested_by) == []
    with pytest.raises(ValidationError) as refused:
        services.connection_message_post(actor=owner, connection=pending, text="Hello?")
    assert "text" in refused.value.message_dict


def test_a_declined_request_takes_no_message_either(client, pending, owner):
    services.connection_answer(actor=owner, connection=pending, accept=False)
    client.force_login(owner)

    response = client.post(
        f"/api/directory/connections/{pending.pk}/messages",
        {"text": "Why not?"},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert not ConnectionMessage.objects.exists()
    assert client.get(f"/api/directory/connections/{pending.pk}/messages").json() == []


@pytest.mark.parametrize(
    "body, reason",
    [
        ("", "write something"),
        ("x" * 2001, "2,000 characters"),
        ("Hi \u202e there", "bidirectional override"),
        ("Hi \x07 there", "control character"),
    ],
)
def test_a_bad_message_is_refused_beside_its_field(client, accepted, owner, body, reason):
    response = post(client, owner, accepted, body)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="row-text"' in html and reason in html.split('id="row-text"')[1]
    assert not ConnectionMessage.objects.exists()
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("who", ["third", "partner", "regulator"])
def test_nobody_else_writes_a_message(client, accepted, who, request):
    user = request.getfixturevalue(who)

    response = post(client, user, accepted, "Let me in.")
    api = client.post(
        f"/api/directory/connections/{accepted.pk}/messages",
        {"text": "Let me in."},
        content_type="application/json",
    )

    assert response.status_code == 404 and api.status_code == 404
    assert not ConnectionMessage.objects.exists()


def test_the_api_lists_and_takes_messages(client, accepted, outsider, owner):
    client.force_login(outsider)

    created = client.post(
        f"/api/directory/connections/{accepted.pk}/messages",
        {"text": "Our catalogue is attached to our profile."},
        content_type="application/json",
    )
    listed = client.get(f"/api/directory/connections/{accepted.pk}/messages")

    assert created.status_code == 201
    assert created.json()["organisation_id"] == accepted.from_profile.organisation_id
    assert [m["text"] for m in listed.json()] == ["Our catalogue is attached to our profile."]
    assert told(owner) == ["New message from Motorway Group"]


@pytest.mark.parametrize(
    "body, field",
    [("x" * 2001, "text"), ("bad \x1b text", "text"), (None, "text")],
)
def test_the_api_names_the_field_of_a_bad_message(client, accepted, outsider, body, field):
    client.force_login(outsider)

    response = client.post(
        f"/api/directory/connections/{accepted.pk}/messages",
        {} if body is None else {"text": body},
        content_type="application/json",
    )

    assert response.status_code in (400, 422)
    assert field in response.json()["errors"]
    assert not ConnectionMessage.objects.exists()


def test_a_facilitators_message_tells_both_sides(client, accepted, facilitator, owner, outsider):
    services.connection_message_post(actor=facilitator, connection=accepted, text="Welcome!")

    assert told(owner) == ["New message from the initiative"]
    assert told(outsider) == ["New message from the initiative"]
    assert Connection.objects.get(pk=accepted.pk).status == "accepted"


def test_answering_on_the_connections_page_comes_back_to_it_with_the_contacts(
    client, pending, owner
):
    client.force_login(owner)

    response = client.post(
        reverse("directory:connection_answer", args=[pending.pk]),
        {"accept": "1", "answer": "", "back": "connection"},
    )

    assert response["Location"] == reverse("directory:connection_detail", args=[pending.pk])
    assert "outsider@example.org" in client.get(response["Location"]).content.decode()
