"""Optimistic locking of participants and meeting requests: two saves made from the same
version — the second is refused (409 in the API, a message and the saved values on the page)
and nothing of it is written. The scheduler's writes raise a meeting's version, so a person
editing it from the version before the run is told."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from corridor.accounts.services import api_token_create
from corridor.core.actors import SYSTEM
from corridor.events import planning, services
from corridor.events.models import MeetingOutcome, MeetingRequest, Participant, ScheduleRun
from corridor.events.tests.test_services import event, motorway, qingling  # noqa: F401

pytestmark = pytest.mark.django_db

STALE_PARTICIPANT_PAGE = "Someone else changed this participant&#x27;s availability since you"
STALE_REQUEST_PAGE = "Someone else changed this meeting request since you opened it"


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, label="test client")
    return {"Authorization": f"Bearer {raw}"}


def patch(client, url, body, user):
    return client.patch(
        url, json.dumps(body), content_type="application/json", headers=bearer(user)
    )


def participant_url(participant) -> str:
    return f"/api/events/{participant.event_id}/participants/{participant.pk}"


def request_url(meeting) -> str:
    return f"/api/events/{meeting.event_id}/requests/{meeting.pk}"


@pytest.fixture
def asked(event, qingling, motorway):  # noqa: F811
    return services.request_create(
        actor=SYSTEM, event=event, requester=qingling, requested=motorway, message="Vans?"
    )


# --- participants ---------------------------------------------------------------------------


def test_service_refuses_the_second_save_of_the_same_participant_version(
    qingling,  # noqa: F811
    owner,
    colleague,
):
    services.participant_update(actor=owner, participant=qingling, languages=["en"], version=1)
    loaded = Participant.objects.get(pk=qingling.pk)
    assert loaded.version == 2

    with pytest.raises(ValidationError) as refused:
        services.participant_update(
            actor=colleague,
            participant=Participant.objects.get(pk=qingling.pk),
            blocked_slots=[0],
            version=1,
        )

    assert "version" in refused.value.message_dict
    loaded.refresh_from_db()
    assert (loaded.languages, loaded.blocked_slots, loaded.version) == (["en"], [], 2)


def test_api_answers_409_to_the_second_patch_of_the_same_participant_version(
    client,
    qingling,  # noqa: F811
    owner,
    colleague,
):
    url = participant_url(qingling)
    loaded = client.get(f"/api/events/{qingling.event_id}/participants", headers=bearer(owner))
    version = next(p for p in loaded.json() if p["id"] == qingling.pk)["version"]

    first = patch(client, url, {"languages": ["zh"], "version": version}, owner)
    assert first.status_code == 200, first.content
    assert first.json()["version"] == version + 1
    second = patch(client, url, {"unavailable_slots": [2], "version": version}, colleague)

    assert second.status_code == 409
    body = second.json()
    assert body["detail"] == (
        "Someone else changed this participant since you read it, so nothing was saved; it is "
        f"now at version {version + 1}. Read it again and send your change with that version."
    )
    assert body["errors"] == {"version": [body["detail"]]}
    assert body["current"]["languages"] == ["zh"]
    assert body["current"]["version"] == version + 1
    qingling.refresh_from_db()
    assert (qingling.languages, qingling.blocked_slots) == (["zh"], [])


def test_api_participant_patch_without_a_version_is_refused(client, qingling, owner):  # noqa: F811
    response = patch(client, participant_url(qingling), {"languages": ["zh"]}, owner)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["version"]
    qingling.refresh_from_db()
    assert (qingling.languages, qingling.version) == ([], 1)


def test_page_refuses_the_second_availability_save_and_shows_the_saved_values(
    client,
    qingling,  # noqa: F811
    owner,
    colleague,
):
    url = reverse("events:participant_edit", args=[qingling.event_id, qingling.pk])
    client.force_login(owner)
    assert 'name="version" value="1"' in client.get(url).content.decode()
    saved = client.post(url, {"version": "1", "languages": ["zh"]})
    assert saved.status_code == 302

    client.force_login(colleague)
    response = client.post(url, {"version": "1", "languages": ["en"], "blocked_slots": ["2"]})

    assert response.status_code == 400
    html = response.content.decode()
    assert STALE_PARTICIPANT_PAGE in html
    assert 'id="saved-values"' in html
    assert ("Working languages", "Chinese") in response.context["saved_values"]
    form = response.context["form"]
    assert form["version"].value() == "2"  # saving again, knowingly, replaces theirs
    assert (form["languages"].value(), form["blocked_slots"].value()) == (["en"], ["2"])
    qingling.refresh_from_db()
    assert (qingling.languages, qingling.blocked_slots, qingling.version) == (["zh"], [], 2)

    again = client.post(url, {"version": "2", "languages": ["en"], "blocked_slots": ["2"]})
    assert again.status_code == 302
    qingling.refresh_from_db()
    assert (qingling.languages, qingling.blocked_slots, qingling.version) == (["en"], [2], 3)


def test_page_availability_without_a_version_is_refused(client, qingling, owner):  # noqa: F811
    url = reverse("events:participant_edit", args=[qingling.event_id, qingling.pk])
    client.force_login(owner)

    response = client.post(url, {"languages": ["zh"]})

    assert response.status_code == 400
    assert "The version of the record you opened is missing" in response.content.decode()
    qingling.refresh_from_db()
    assert qingling.languages == []


# --- meeting requests -----------------------------------------------------------------------


def test_service_refuses_the_second_save_of_the_same_request_version(asked, owner, colleague):
    services.request_update(actor=owner, request=asked, priority="must", version=1)

    with pytest.raises(ValidationError) as refused:
        services.request_update(
            actor=colleague,
            request=MeetingRequest.objects.get(pk=asked.pk),
            message="Trucks?",
            version=1,
        )

    assert "version" in refused.value.message_dict
    asked.refresh_from_db()
    assert (asked.priority, asked.message, asked.version) == ("must", "Vans?", 2)


def test_api_answers_409_to_the_second_patch_of_the_same_request_version(
    client, asked, owner, colleague
):
    listed = client.get(f"/api/events/{asked.event_id}/requests", headers=bearer(owner)).json()
    version = next(r for r in listed if r["id"] == asked.pk)["version"]

    first = patch(client, request_url(asked), {"priority": "must", "version": version}, owner)
    assert first.status_code == 200, first.content
    assert first.json()["version"] == version + 1
    second = patch(
        client, request_url(asked), {"message": "Trucks?", "version": version}, colleague
    )

    assert second.status_code == 409
    body = second.json()
    assert body["detail"].startswith("Someone else changed this meeting request since you read")
    assert f"now at version {version + 1}" in body["detail"]
    assert body["errors"] == {"version": [body["detail"]]}
    assert (body["current"]["priority"], body["current"]["message"]) == ("must", "Vans?")
    asked.refresh_from_db()
    assert (asked.priority, asked.message, asked.version) == ("must", "Vans?", 2)


def test_api_request_patch_without_a_version_is_refused(client, asked, owner):
    response = patch(client, request_url(asked), {"priority": "must"}, owner)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["version"]
    asked.refresh_from_db()
    assert (asked.priority, asked.version) == ("would_like", 1)


def test_api_a_cancelled_request_answers_409_with_the_current_request(client, asked, owner):
    services.request_cancel(actor=SYSTEM, request=asked)

    response = patch(client, request_url(asked), {"priority": "must", "version": 2}, owner)

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "This request was declined or cancelled and cannot be changed."
    assert body["current"]["status"] == "cancelled"


def test_page_refuses_the_second_priority_change_and_shows_the_saved_one(
    client, asked, owner, colleague
):
    url = reverse("events:request_update", args=[asked.event_id, asked.pk])
    field = f"priority-{asked.pk}"
    client.force_login(owner)
    page = client.get(reverse("events:event_detail", args=[asked.event_id])).content.decode()
    assert f'name="{field}-version" value="1"' in page
    assert client.post(url, {f"{field}-priority": "must", f"{field}-version": "1"}).status_code == (
        302
    )

    client.force_login(colleague)
    response = client.post(url, {f"{field}-priority": "would_like", f"{field}-version": "1"})

    assert response.status_code == 400
    html = response.content.decode()
    assert STALE_REQUEST_PAGE in html
    assert f'id="saved-values-{asked.pk}"' in html
    assert "Priority: must meet" in html
    form = next(r for r in response.context["requests"] if r.pk == asked.pk).priority_form
    assert (form["priority"].value(), form["version"].value()) == ("would_like", "2")
    asked.refresh_from_db()
    assert (asked.priority, asked.version) == ("must", 2)


# --- system writes raise the version --------------------------------------------------------


def test_a_scheduler_run_raises_the_version_of_the_meetings_it_places(
    settings,
    event,  # noqa: F811
    qingling,  # noqa: F811
    motorway,  # noqa: F811
    owner,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    meeting = services.meeting_add(
        actor=SYSTEM, event=event, requester=qingling, requested=motorway
    )
    loaded = meeting.version
    run = services.schedule_start(actor=SYSTEM, event=event, time_limit=5)

    planning.run(run.pk)

    run.refresh_from_db()
    meeting.refresh_from_db()
    assert run.status == ScheduleRun.Status.DONE
    assert meeting.slot is not None
    assert meeting.version == loaded + 1
    # the person who loaded the meeting before the run is told
    with pytest.raises(ValidationError) as refused:
        services.request_update(actor=owner, request=meeting, priority="would_like", version=loaded)
    assert "version" in refused.value.message_dict

    # a run that moves nothing leaves the version as it is
    second = services.schedule_start(actor=SYSTEM, event=event, time_limit=5)
    planning.run(second.pk)
    meeting.refresh_from_db()
    assert meeting.version == loaded + 1


def test_answering_cancelling_and_locking_raise_the_version(
    asked,
    facilitator,
    outsider,
):
    services.request_answer(actor=outsider, request=asked, accept=True)
    asked.refresh_from_db()
    assert asked.version == 2
    services.meeting_lock(actor=facilitator, request=asked, slot=1)
    asked.refresh_from_db()
    assert (asked.slot, asked.locked, asked.version) == (1, True, 3)
    services.request_cancel(actor=SYSTEM, request=asked)
    asked.refresh_from_db()
    assert asked.version == 4


def test_service_refuses_a_lock_made_from_a_version_someone_else_locked_over(
    asked, facilitator, outsider
):
    services.request_answer(actor=outsider, request=asked, accept=True)
    asked.refresh_from_db()
    loaded = asked.version
    services.meeting_lock(actor=facilitator, request=asked, slot=1, version=loaded)

    stale = MeetingRequest.objects.get(pk=asked.pk)
    with pytest.raises(ValidationError) as refused:
        services.meeting_lock(actor=facilitator, request=stale, slot=None, version=loaded)

    assert "version" in refused.value.message_dict
    asked.refresh_from_db()
    assert (asked.slot, asked.locked, asked.version) == (1, True, loaded + 1)


def test_api_answers_409_with_the_current_request_to_a_stale_lock(
    client, asked, facilitator, outsider
):
    services.request_answer(actor=outsider, request=asked, accept=True)
    version = MeetingRequest.objects.get(pk=asked.pk).version
    headers = bearer(facilitator)

    def lock(slot, version):
        return client.post(
            f"{request_url(asked)}/lock",
            json.dumps({"slot": slot, "version": version}),
            content_type="application/json",
            headers=headers,
        )

    assert lock(2, version).status_code == 200
    second = lock(None, version)  # unlocking from what was read before the lock

    assert second.status_code == 409
    body = second.json()
    assert f"now at version {version + 1}" in body["detail"]
    assert (body["current"]["locked"], body["current"]["slot"]["index"]) == (True, 2)
    asked.refresh_from_db()
    assert (asked.slot, asked.locked, asked.version) == (1, True, version + 1)
    without = client.post(
        f"{request_url(asked)}/lock",
        json.dumps({"slot": None}),
        content_type="application/json",
        headers=headers,
    )
    assert without.status_code == 422 and list(without.json()["errors"]) == ["version"]


def test_page_refuses_a_stale_lock_and_shows_the_saved_slot(client, asked, facilitator, outsider):
    services.request_answer(actor=outsider, request=asked, accept=True)
    url = reverse("events:meeting_lock", args=[asked.event_id, asked.pk])
    field = f"lock-{asked.pk}"
    client.force_login(facilitator)
    page = client.get(reverse("events:event_detail", args=[asked.event_id])).content.decode()
    assert f'name="{field}-version" value="2"' in page
    assert client.post(url, {f"{field}-slot": "1", f"{field}-version": "2"}).status_code == 302

    response = client.post(url, {f"{field}-slot": "", f"{field}-version": "2"})

    assert response.status_code == 400
    html = response.content.decode()
    assert STALE_REQUEST_PAGE in html
    assert f'id="saved-lock-{asked.pk}"' in html
    form = next(r for r in response.context["requests"] if r.pk == asked.pk).lock_form
    assert form["version"].value() == "3"
    asked.refresh_from_db()
    assert (asked.slot, asked.locked, asked.version) == (1, True, 3)
    missing = client.post(url, {f"{field}-slot": ""})
    assert missing.status_code == 400
    asked.refresh_from_db()
    assert asked.locked is True


# --- meeting outcomes -----------------------------------------------------------------------


@pytest.fixture
def held(event, qingling, motorway):  # noqa: F811
    """A meeting placed in slot 1 (so that its outcome may be recorded)."""
    meeting = services.meeting_add(
        actor=SYSTEM, event=event, requester=qingling, requested=motorway
    )
    return services.meeting_lock(actor=SYSTEM, request=meeting, slot=0)


def test_service_refuses_a_second_outcome_recorded_from_the_same_version(
    held,
    qingling,  # noqa: F811
    owner,
    colleague,
):
    services.outcome_record(
        actor=owner, meeting=held, participant=qingling, outcome="follow_up", version=0
    )

    with pytest.raises(ValidationError) as refused:
        services.outcome_record(
            actor=colleague, meeting=held, participant=qingling, outcome="nothing", version=0
        )

    assert "version" in refused.value.message_dict
    recorded = MeetingOutcome.objects.get()
    assert (recorded.outcome, recorded.recorded_by, recorded.version) == ("follow_up", owner, 1)
    services.outcome_record(
        actor=colleague, meeting=held, participant=qingling, outcome="nothing", version=1
    )
    recorded.refresh_from_db()
    assert (recorded.outcome, recorded.recorded_by, recorded.version) == ("nothing", colleague, 2)


def test_api_answers_409_to_an_outcome_recorded_over_one_it_did_not_read(
    client,
    held,
    qingling,  # noqa: F811
    owner,
    colleague,
):
    url = f"/api/events/{held.event_id}/outcomes"
    body = {"meeting": held.pk, "participant": qingling.pk}
    first = client.post(
        url,
        json.dumps({**body, "outcome": "agreement"}),
        content_type="application/json",
        headers=bearer(owner),
    )
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 1

    second = client.post(
        url,
        json.dumps({**body, "outcome": "nothing"}),  # no version: it knows of no outcome
        content_type="application/json",
        headers=bearer(colleague),
    )

    assert second.status_code == 409
    answer = second.json()
    assert answer["detail"].startswith("An outcome of this meeting was already recorded")
    assert (answer["current"]["outcome"], answer["current"]["version"]) == ("agreement", 1)
    assert MeetingOutcome.objects.get().outcome == "agreement"


def test_page_refuses_an_outcome_recorded_over_someone_elses_and_shows_theirs(
    client,
    held,
    qingling,  # noqa: F811
    owner,
    colleague,
):
    url = reverse("events:outcome_record", args=[held.event_id, qingling.pk, held.pk])
    prefix = f"outcome-{held.pk}"
    client.force_login(owner)
    first = client.post(url, {f"{prefix}-outcome": "agreement", f"{prefix}-version": "0"})
    assert first.status_code == 302

    client.force_login(colleague)
    response = client.post(url, {f"{prefix}-outcome": "nothing", f"{prefix}-version": "0"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else recorded the outcome of this meeting since you opened the page" in html
    assert f'id="saved-values-{held.pk}"' in html
    form = next(m for m in response.context["meetings"] if m.pk == held.pk).outcome_form
    assert ("Outcome", "agreement reached") in form.saved_now
    assert (form["outcome"].value(), form["version"].value()) == ("nothing", "1")
    assert MeetingOutcome.objects.get().outcome == "agreement"
