"""The case pages, walked by each role: what each person sees, which forms they get, what is
refused (403, nothing changed) and what is hidden (404); a stale milestone edit loses
nothing; the case page and the my-work page keep a fixed number of queries."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from corridor.cases import gantt, services
from corridor.cases.documents.services import document_upload
from corridor.cases.models import Case, CaseEvent, CaseIssue, Milestone
from corridor.cases.tests.test_permissions import rows, van_case
from corridor.cases.timeline import record_event
from corridor.standards import services as standards_services
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PORK = {
    "product_name": "Canned luncheon pork",
    "hs_code": "160249",
    "origin": "CN",
    "destination": "SG",
    "attributes": {"meat_species": "pork", "processing_form": "canned"},
    "held": [],
}
WRITERS = ["applicant", "facilitator", "partner", "certifier"]
READERS = ["regulator", "observer"]


@pytest.fixture
def van(facilitator, owner, enterprise):
    van = van_case(facilitator, owner, enterprise)
    services.milestone_save(
        actor=facilitator,
        case=van.case,
        milestone=None,
        version=None,
        title_en="Type approval",
        title_zh="型式认可",
        planned_start=datetime.date(2024, 3, 1),
        planned_end=datetime.date(2024, 9, 30),
        dates_approximate=True,
    )
    services.issue_raise(
        actor=owner,
        case=van.case,
        title="Which test lab?",
        assigned_to=facilitator,
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    return van


def person(van, who: str):
    return getattr(van, who)


def page_of(client, user, case):
    client.force_login(user)
    return client.get(reverse("cases:case_detail", args=[case.pk]))


def form_actions(html: str) -> list[str]:
    """The actions of the case's own forms on the page (not the header's language and
    log-out forms)."""
    return [
        a for a in re.findall(r'<form method="post"[^>]*action="([^"]+)"', html) if "/cases/" in a
    ]


# --- each role walks the case page ---------------------------------------------------------


@pytest.mark.parametrize("who", WRITERS)
def test_the_working_parties_see_the_case_and_its_forms(client, van, who):
    response = page_of(client, person(van, who), van.case)

    html = response.content.decode()
    assert response.status_code == 200
    assert van.case.reference in html
    assert "EQ2 electric van to Singapore" in html
    assert "Type approval" in html and "Which test lab?" in html
    assert 'id="read-only-note"' not in html
    pk = van.case.pk
    actions = form_actions(html)
    assert f"/cases/{pk}/milestones/" in actions
    assert f"/cases/{pk}/issues/" in actions
    assert f"/cases/documents/case/{pk}/upload/" in actions
    # Only the applicant and the facilitator move a draft along and manage the parties.
    can_steer = who in ("applicant", "facilitator")
    assert (f"/cases/{pk}/transition/" in actions) is can_steer
    assert (f"/cases/{pk}/parties/" in actions) is can_steer


def test_a_writer_opens_one_milestone_or_issue_for_editing_at_a_time(client, van):
    milestone = Milestone.objects.get(case=van.case)
    issue = CaseIssue.objects.get(case=van.case)
    url = reverse("cases:case_detail", args=[van.case.pk])
    client.force_login(van.partner)

    plain = client.get(url).content.decode()
    editing_milestone = client.get(url, {"edit": f"milestone-{milestone.pk}"}).content.decode()
    editing_issue = client.get(url, {"edit": f"issue-{issue.pk}"}).content.decode()

    edit_milestone = f"/cases/{van.case.pk}/milestones/{milestone.pk}/"
    edit_issue = f"/cases/issues/{issue.pk}/"
    # the page lists the rows with a link to edit each, and no per-row form
    assert f'href="?edit=milestone-{milestone.pk}#milestone-{milestone.pk}"' in plain
    assert f'href="?edit=issue-{issue.pk}#issue-{issue.pk}"' in plain
    assert edit_milestone not in form_actions(plain)
    assert edit_issue not in form_actions(plain)
    # the link opens that row's form, filled with what is saved
    assert edit_milestone in form_actions(editing_milestone)
    assert f'name="m{milestone.pk}-version" value="{milestone.version}"' in editing_milestone
    assert edit_issue not in form_actions(editing_milestone)
    assert {edit_issue, edit_issue + "comments/", edit_issue + "resolve/"} <= set(
        form_actions(editing_issue)
    )


@pytest.mark.parametrize("who", READERS)
def test_a_reader_asking_to_edit_still_gets_no_form(client, van, who):
    milestone = Milestone.objects.get(case=van.case)
    client.force_login(person(van, who))

    html = client.get(
        reverse("cases:case_detail", args=[van.case.pk]), {"edit": f"milestone-{milestone.pk}"}
    ).content.decode()

    assert form_actions(html) == []
    assert 'href="?edit=' not in html


@pytest.mark.parametrize("who", READERS)
def test_regulator_contacts_and_observers_read_the_case_without_any_form(client, van, who):
    response = page_of(client, person(van, who), van.case)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Type approval" in html and "Which test lab?" in html
    assert 'id="read-only-note"' in html
    assert form_actions(html) == []
    assert 'name="csrfmiddlewaretoken"' in html  # only the header's forms carry one
    assert html.count('name="csrfmiddlewaretoken"') == 2  # language switch and log out


def test_the_role_each_person_acts_in_is_shown(client, van):
    expected = {
        "applicant": "applicant",
        "facilitator": "facilitator",
        "partner": "local partner",
        "certifier": "certification body",
        "regulator": "regulator contact",
        "observer": "observer",
    }
    for who, label in expected.items():
        html = page_of(client, person(van, who), van.case).content.decode()
        assert re.search(r'<dd id="your-role">([^<]*)</dd>', html).group(1) == label


def test_an_outsider_gets_404_for_the_case_page_and_sees_no_case_in_the_list(client, van, outsider):
    assert page_of(client, outsider, van.case).status_code == 404
    response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    assert van.case.reference not in response.content.decode()
    assert response.context["page_obj"].paginator.count == 0


def test_an_anonymous_visitor_is_sent_to_log_in(client, van):
    response = client.get(reverse("cases:case_detail", args=[van.case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_observer_sees_neither_an_unshared_document_nor_its_event(client, van):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document_upload(
        actor=van.facilitator,
        case=van.case,
        title="Crash test report",
        document_type="test_report",
        uploaded_file=SimpleUploadedFile("crash.txt", b"all good\n", content_type="text/plain"),
        shared_with=["regulator"],
    )

    observer_html = page_of(client, van.observer, van.case).content.decode()
    regulator_html = page_of(client, van.regulator, van.case).content.decode()

    assert "Crash test report" not in observer_html
    assert "Crash test report" in regulator_html


# --- the list and my work ------------------------------------------------------------------


def test_the_case_list_shows_my_cases_and_filters_them(client, van, facilitator, enterprise):
    other = services.case_open(
        actor=facilitator,
        applicant=enterprise,
        title_en="Vans to Thailand",
        target_market="TH",
        kind="enterprise",
    )
    client.force_login(van.applicant)

    everything = client.get(reverse("cases:case_list"))
    in_thailand = client.get(reverse("cases:case_list"), {"market": "th"})
    as_partner = client.get(reverse("cases:case_list"), {"role": "partner"})

    assert [c.reference for c in everything.context["cases"]] == [
        other.reference,
        van.case.reference,
    ]
    assert [c.reference for c in in_thailand.context["cases"]] == [other.reference]
    assert list(as_partner.context["cases"]) == []
    client.force_login(van.partner)
    assert [
        c.reference
        for c in client.get(reverse("cases:case_list"), {"role": "partner"}).context["cases"]
    ] == [van.case.reference]


def test_my_work_lists_my_overdue_issue_my_late_milestone_and_the_cases_awaiting_me(
    client, van, facilitator, owner
):
    applicant_party = van.case.parties.get(role="applicant")
    milestone = Milestone.objects.get(case=van.case)
    services.milestone_save(
        actor=facilitator,
        case=van.case,
        milestone=milestone,
        version=milestone.version,
        title_en="Type approval",
        planned_start=datetime.date(2024, 3, 1),
        planned_end=datetime.date(2024, 9, 30),
        owner=applicant_party,
    )

    client.force_login(facilitator)
    facilitator_page = client.get(reverse("cases:my_work"))
    client.force_login(owner)
    owner_page = client.get(reverse("cases:my_work"))

    assert [i.title for i in facilitator_page.context["issues"]] == ["Which test lab?"]
    assert "overdue" in facilitator_page.content.decode()
    assert facilitator_page.context["milestones"] == []
    assert facilitator_page.context["awaiting"] == []  # a draft waits for the applicant
    assert owner_page.context["issues"] == []
    assert [m.title_en for m in owner_page.context["milestones"]] == ["Type approval"]
    assert owner_page.context["milestones"][0].is_late is True
    assert [c.reference for c in owner_page.context["awaiting"]] == [van.case.reference]


# --- writes through the pages --------------------------------------------------------------


def test_the_applicant_moves_the_case_with_a_reason_and_not_without(client, van):
    client.force_login(van.applicant)
    url = reverse("cases:case_transition", args=[van.case.pk])

    without = client.post(url, {"to_status": "active", "t-reason": "  ", "t-version": 1})
    van.case.refresh_from_db()
    assert without.status_code == 400
    assert van.case.status == "draft"
    assert "Give the reason for this change of status." in without.content.decode() or (
        "This field is required." in without.content.decode()
    )

    done = client.post(
        url, {"to_status": "active", "t-reason": "Documents gathered", "t-version": 1}
    )
    van.case.refresh_from_db()
    assert done.status_code == 302
    assert van.case.status == "active"
    assert van.case.transitions.get().reason == "Documents gathered"


@pytest.mark.parametrize("who", READERS)
def test_a_post_by_a_reader_is_refused_with_403_and_changes_nothing(client, van, who):
    client.force_login(person(van, who))
    issue = CaseIssue.objects.get(case=van.case)
    milestone = Milestone.objects.get(case=van.case)
    party = van.case.parties.get(role="partner")
    before = rows()
    pk = van.case.pk
    attempts = [
        (
            reverse("cases:case_transition", args=[pk]),
            {"to_status": "active", "t-reason": "Go", "t-version": 1},
        ),
        (reverse("cases:milestone_add", args=[pk]), {"new-milestone-title_en": "Sneaky"}),
        (
            reverse("cases:milestone_edit", args=[pk, milestone.pk]),
            {f"m{milestone.pk}-title_en": "Renamed", f"m{milestone.pk}-version": milestone.version},
        ),
        (reverse("cases:issue_raise", args=[pk]), {"new-issue-title": "Sneaky question"}),
        (reverse("cases:issue_comment", args=[issue.pk]), {f"c{issue.pk}-body": "Sneaky"}),
        (
            reverse("cases:issue_resolve", args=[issue.pk]),
            {f"r{issue.pk}-resolution": "Done", f"r{issue.pk}-version": issue.version},
        ),
        (
            reverse("cases:issue_update", args=[issue.pk]),
            {f"i{issue.pk}-title": "Renamed", f"i{issue.pk}-version": issue.version},
        ),
        (
            reverse("cases:party_add", args=[pk]),
            {
                "party-organisation": OrganisationFactory(name_en="Intruder Ltd").pk,
                "party-role": "observer",
            },
        ),
        (reverse("cases:party_remove", args=[pk, party.pk]), {}),
    ]
    before = rows()
    for url, data in attempts:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "Not allowed" in response.content.decode()
    assert rows() == before


def test_another_cases_urls_and_ids_answer_404(client, van, facilitator, other_enterprise):
    elsewhere = services.case_open(
        actor=facilitator, applicant=other_enterprise, title_en="Elsewhere", target_market="SG"
    )
    milestone = services.milestone_save(
        actor=facilitator, case=elsewhere, milestone=None, version=None, title_en="Hidden step"
    )
    issue = services.issue_raise(actor=facilitator, case=elsewhere, title="Hidden issue")
    client.force_login(van.applicant)
    before = rows()

    assert client.get(reverse("cases:case_detail", args=[elsewhere.pk])).status_code == 404
    for url, data in [
        (reverse("cases:case_transition", args=[elsewhere.pk]), {"to_status": "active"}),
        (reverse("cases:issue_raise", args=[elsewhere.pk]), {"new-issue-title": "x"}),
        (reverse("cases:issue_comment", args=[issue.pk]), {f"c{issue.pk}-body": "x"}),
        (
            reverse("cases:issue_resolve", args=[issue.pk]),
            {f"r{issue.pk}-resolution": "x", f"r{issue.pk}-version": 1},
        ),
        # a milestone of another case, through the URL of my own case
        (
            reverse("cases:milestone_edit", args=[van.case.pk, milestone.pk]),
            {f"m{milestone.pk}-title_en": "x", f"m{milestone.pk}-version": 1},
        ),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert rows() == before


def test_a_stale_milestone_edit_is_refused_with_the_message_and_nothing_is_lost(
    client, van, facilitator
):
    milestone = Milestone.objects.get(case=van.case)
    loaded_version = milestone.version
    # Someone else saves first.
    services.milestone_save(
        actor=facilitator,
        case=van.case,
        milestone=milestone,
        version=loaded_version,
        title_en="Type approval (EU WVTA)",
        planned_start=datetime.date(2024, 3, 1),
        planned_end=datetime.date(2024, 10, 31),
    )
    client.force_login(van.applicant)
    prefix = f"m{milestone.pk}"

    response = client.post(
        reverse("cases:milestone_edit", args=[van.case.pk, milestone.pk]),
        {
            f"{prefix}-version": loaded_version,
            f"{prefix}-title_en": "Type approval, my wording",
            f"{prefix}-planned_start": "2024-03-01",
            f"{prefix}-planned_end": "2025-01-15",
        },
    )

    html = response.content.decode()
    milestone.refresh_from_db()
    assert response.status_code == 400
    assert (
        "Someone else changed this milestone since you opened it; reload the page to see "
        "their change, then make yours again."
    ) in html
    # my typed values are still in the form, the saved ones are shown beside them
    assert 'value="Type approval, my wording"' in html
    assert 'value="2025-01-15"' in html
    assert f'id="milestone-{milestone.pk}-current"' in html
    assert "Type approval (EU WVTA)" in html
    assert (milestone.title_en, milestone.planned_end, milestone.version) == (
        "Type approval (EU WVTA)",
        datetime.date(2024, 10, 31),
        loaded_version + 1,
    )


def test_a_milestone_edit_with_the_current_version_is_saved(client, van):
    milestone = Milestone.objects.get(case=van.case)
    client.force_login(van.partner)
    prefix = f"m{milestone.pk}"

    response = client.post(
        reverse("cases:milestone_edit", args=[van.case.pk, milestone.pk]),
        {
            f"{prefix}-version": milestone.version,
            f"{prefix}-title_en": "Type approval",
            f"{prefix}-planned_start": "2024-03-01",
            f"{prefix}-planned_end": "2024-09-30",
            f"{prefix}-actual_start": "2024-03-04",
            f"{prefix}-actual_end": "2025-08-29",
            f"{prefix}-dates_approximate": "on",
        },
    )

    milestone.refresh_from_db()
    assert response.status_code == 302
    assert (milestone.actual_end, milestone.version) == (datetime.date(2025, 8, 29), 2)
    page = client.get(reverse("cases:case_detail", args=[van.case.pk]))
    assert "333 days late" in page.content.decode()


def test_an_issue_is_raised_commented_and_resolved_through_the_page(client, van, facilitator):
    client.force_login(van.partner)
    client.post(
        reverse("cases:issue_raise", args=[van.case.pk]),
        {"new-issue-title": "EMC test booking", "new-issue-assigned_to": facilitator.pk},
    )
    issue = CaseIssue.objects.get(title="EMC test booking")
    client.post(reverse("cases:issue_comment", args=[issue.pk]), {f"c{issue.pk}-body": "Lab found"})
    stale = client.post(
        reverse("cases:issue_resolve", args=[issue.pk]),
        {f"r{issue.pk}-version": issue.version + 5, f"r{issue.pk}-resolution": "Booked"},
    )
    done = client.post(
        reverse("cases:issue_resolve", args=[issue.pk]),
        {f"r{issue.pk}-version": issue.version, f"r{issue.pk}-resolution": "Booked"},
    )

    issue.refresh_from_db()
    assert stale.status_code == 400
    assert "Someone else changed this issue since you opened it" in stale.content.decode()
    assert done.status_code == 302
    assert (issue.assigned_to, issue.status, issue.resolution) == (
        facilitator,
        "resolved",
        "Booked",
    )
    assert list(issue.comments.values_list("body", flat=True)) == ["Lab found"]
    html = client.get(reverse("cases:case_detail", args=[van.case.pk])).content.decode()
    assert "Partner" in html and "resolved the issue “EMC test booking”: Booked" in html


def test_opening_a_case_from_a_readiness_assessment_through_the_page(
    client, facilitator, owner, enterprise
):
    assessment = standards_services.assessment_create(actor=owner, organisation=enterprise, **PORK)
    client.force_login(owner)

    response = client.post(
        reverse("cases:case_open"),
        {"assessment": assessment.pk, "kind": "enterprise", "start_on": "2024-09-01"},
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.title_en, case.target_market, case.applicant, case.hs_code) == (
        "Canned luncheon pork to SG",
        "SG",
        enterprise,
        "160249",
    )
    assert list(case.milestones.order_by("position").values_list("requirement_key", flat=True))[
        :2
    ] == ["sg-sfa-region-accreditation", "sg-sfa-establishment-approval"]
    html = client.get(response["Location"]).content.decode()
    assert '<figure class="gantt" id="gantt">' in html
    assert html.count('<rect class="planned') == case.milestones.count()


def test_a_member_cannot_open_a_case_for_another_organisation(client, owner, other_enterprise):
    client.force_login(owner)
    response = client.post(
        reverse("cases:case_open"),
        {"applicant": other_enterprise.pk, "title_en": "Not mine", "target_market": "SG"},
    )
    assert response.status_code == 200  # the choice is not offered: a field error
    assert Case.objects.count() == 0


# --- query counts --------------------------------------------------------------------------


def _with_events(case, actor, count: int) -> None:
    for n in range(count):
        record_event(case=case, actor=actor, kind="issue_commented", params={"title": f"Q{n}"})


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# session, user, memberships, case, parties, milestones, dependencies, issues, comments,
# documents, versions, events, related cases, document panel (parties, documents, versions);
# writers also get the people (assignees) and the organisations (parties to add).
@pytest.mark.parametrize(
    "who, expected", [("facilitator", 18), ("regulator", 16)]
)  # incl. the unread count
def test_the_case_page_makes_the_same_number_of_queries_with_8_or_69_events(
    client, van, who, expected
):
    user = person(van, who)
    client.force_login(user)
    url = reverse("cases:case_detail", args=[van.case.pk])
    assert CaseEvent.objects.filter(case=van.case).count() == 8
    few = _queries(client, url)
    _with_events(van.case, van.facilitator, 60)
    services.issue_raise(actor=van.applicant, case=van.case, title="Another question")
    many = _queries(client, url)
    assert (few, many) == (expected, expected)


def test_the_my_work_page_makes_the_same_number_of_queries_with_more_work(client, van):
    client.force_login(van.facilitator)
    url = reverse("cases:my_work")
    few = _queries(client, url)
    for n in range(10):
        services.issue_raise(
            actor=van.applicant, case=van.case, title=f"Question {n}", assigned_to=van.facilitator
        )
    _with_events(van.case, van.facilitator, 60)
    many = _queries(client, url)
    assert (few, many) == (7, 7)  # incl. the header's unread-notification count


# --- the timeline's geometry ---------------------------------------------------------------


def test_the_gantt_places_bars_links_ticks_and_today():
    rows = [
        gantt.GanttRow(
            key=1,
            label="区域认可",
            planned_start=datetime.date(2024, 1, 1),
            planned_end=datetime.date(2024, 3, 1),
            actual_start=datetime.date(2024, 1, 1),
            actual_end=datetime.date(2024, 4, 1),
            late=True,
        ),
        gantt.GanttRow(
            key=2,
            label="Establishment approval of the plants in Chongqing",
            planned_start=datetime.date(2024, 3, 1),
            planned_end=datetime.date(2024, 5, 1),
            depends_on=[1],
            approximate=True,
        ),
        gantt.GanttRow(key=3, label="No dates yet"),
    ]

    drawn = gantt.timeline(rows, today=datetime.date(2024, 4, 15), width=960)

    first, second, third = drawn.rows
    assert first.planned.x == gantt.LABEL_WIDTH  # the chart starts on 1 January
    assert first.actual.width > first.planned.width  # it ran a month longer than planned
    assert second.planned.x == round(first.planned.x + first.planned.width, 1)
    assert second.short_label == "Establishment approval of the plants…"
    assert first.short_label == "区域认可"
    assert (third.planned, third.actual) == (None, None)
    assert len(drawn.links) == 1
    link = drawn.links[0]
    assert (link.x1, link.x2) == (first.planned.x + first.planned.width, second.planned.x)
    assert [t.label for t in drawn.ticks] == ["2024", "02", "03", "04", "05"]
    assert first.planned.x < drawn.today_x < second.planned.x + second.planned.width
    assert drawn.height == gantt.TOP + 3 * gantt.ROW_HEIGHT + gantt.BOTTOM


def test_gantt_labels_are_cut_by_drawn_width_so_chinese_ones_fit_too():
    row = gantt.GanttRow(
        key=1,
        label="最大满载质量超过3500公斤的车辆须装后部防护装置和侧防护装置",
        planned_start=datetime.date(2025, 1, 1),
        planned_end=datetime.date(2025, 2, 1),
    )
    drawn = gantt.timeline([row], today=datetime.date(2025, 1, 10))
    assert drawn.rows[0].short_label == "最大满载质量超过3500公斤的车辆须装后…"


def test_month_labels_never_touch_and_a_year_starts_with_its_number():
    row = gantt.GanttRow(
        key=1,
        label="EU type approval",
        planned_start=datetime.date(2024, 3, 1),
        planned_end=datetime.date(2025, 9, 30),
    )
    drawn = gantt.timeline([row], today=datetime.date(2026, 11, 28))
    labels = [t.label for t in drawn.ticks]
    assert labels[:3] == ["2024-03", "07", "10"]
    assert "2025" in labels and "2026" in labels  # unfinished: the chart runs to today
    gaps = [b.x - a.x for a, b in itertools.pairwise(drawn.ticks)]
    assert min(gaps) >= 8 + 7 * 2


def test_a_finished_journey_is_drawn_over_its_own_dates_without_today():
    row = gantt.GanttRow(
        key=1,
        label="EU type approval",
        planned_start=datetime.date(2024, 3, 1),
        planned_end=datetime.date(2025, 9, 30),
        actual_start=datetime.date(2024, 3, 1),
        actual_end=datetime.date(2025, 8, 29),
    )
    drawn = gantt.timeline([row], today=datetime.date(2026, 11, 28))
    assert drawn.today_x is None
    assert drawn.ticks[-1].label == "10"  # October 2025, the last month drawn


def test_the_gantt_has_nothing_to_draw_without_dates():
    assert (
        gantt.timeline([gantt.GanttRow(key=1, label="x")], today=datetime.date(2025, 1, 1)) is None
    )
