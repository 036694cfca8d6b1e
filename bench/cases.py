"""Benchmark of the facilitation-case pages: "my work" and the case page.

Loads N synthetic cases (10,000 by default) into a throwaway database with bulk_create —
each with 3 or 4 parties, 8 milestones, 3 issues (with comments), a document and 50 timeline
events spread over two years — then times the pages through Django's test client as a
logged-in party user (a member of an applicant enterprise) and as a facilitator assigned to a
tenth of the cases: 3 warm-up requests, then 30 measured ones; prints the median and the 95th
percentile in milliseconds and the queries per request. Beside them, in the same process, a
naive baseline builds the same content in Python by walking every case the user sees (its
issues, milestones and all its events).

Runs on SQLite (a throwaway file under var/bench/) and, when PostgreSQL answers at
127.0.0.1:5432, on a throwaway PostgreSQL database it creates and drops. Each database runs
in its own child process, because Django's settings are set once per process.

    python bench/cases.py                 # 10,000 cases, SQLite and PostgreSQL
    python bench/cases.py --cases 1000    # smaller
    python bench/cases.py --database sqlite
"""

import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta

import harness  # bench/harness.py: one child process per database, percentile

WARM_UPS, REQUESTS = 3, 30
TARGET_MS = 200
EVENTS_PER_CASE = 50
MILESTONES_PER_CASE = 8
ISSUES_PER_CASE = 3
ORGANISATIONS = 200
FACILITATORS = 10


def run(database: str, n_cases: int) -> None:
    """In a child process, with Django set up on a fresh `database` (see bench/harness.py)."""
    started = time.perf_counter()
    sizes = load_cases(n_cases)
    load_seconds = time.perf_counter() - started
    print()
    print(
        f"== {database}: {n_cases:,} synthetic cases, "
        + ", ".join(f"{number:,} {name}" for name, number in sizes.items())
        + f"; loaded in {load_seconds:.1f} s"
    )
    measure_all()


def load_cases(n_cases: int) -> dict[str, int]:
    """Organisations with two members each, facilitators, and N cases with their parties,
    milestones (with dependencies), issues, comments, a document and 50 events each.
    The bench party user's organisation is the applicant in 1% of the cases and the partner
    in another 1%; each facilitator is the contact in a tenth of the cases."""
    from django.db import connection, transaction
    from django.utils import timezone

    from corridor.accounts.models import Membership, Organisation, User
    from corridor.cases.models import (
        Case,
        CaseDocument,
        CaseEvent,
        CaseIssue,
        CaseParty,
        DocumentVersion,
        IssueComment,
        Milestone,
    )

    rng = random.Random(2015)
    today = timezone.localdate()
    first_day = today - timedelta(days=730)
    tz = timezone.get_fixed_timezone(8 * 60)
    statuses = [
        "draft",
        "active",
        "active",
        "submitted",
        "under_verification",
        "approved",
        "rejected",
        "withdrawn",
    ]

    def moment(day: date) -> datetime:
        return datetime(
            day.year, day.month, day.day, rng.randrange(8, 19), rng.randrange(60), tzinfo=tz
        )

    with transaction.atomic():
        administration = Organisation.objects.create(
            name_en="Bench administration", kind="agency", country="CN", is_administration=True
        )
        regulator_org = Organisation.objects.create(
            name_en="Bench regulator", kind="regulator", country="SG"
        )
        Organisation.objects.bulk_create(
            Organisation(
                name_en=f"Synthetic enterprise {i}",
                name_zh=f"合成企业{i}",
                kind="enterprise",
                country="CN" if i % 2 else "SG",
                is_synthetic=True,
            )
            for i in range(ORGANISATIONS)
        )
        organisation_ids = list(
            Organisation.objects.filter(is_synthetic=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        password = "bench-password"
        users = [
            User(username=f"member-{i}-{j}", name_en=f"Member {i}-{j}")
            for i in range(ORGANISATIONS)
            for j in range(2)
        ]
        users += [User(username=f"facilitator-{k}") for k in range(FACILITATORS)]
        users += [User(username="regulator")]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        by_name = dict(User.objects.values_list("username", "pk"))
        Membership.objects.bulk_create(
            [
                Membership(user_id=by_name[f"member-{i}-{j}"], organisation_id=pk, role="member")
                for i, pk in enumerate(organisation_ids)
                for j in range(2)
            ]
            + [
                Membership(
                    user_id=by_name[f"facilitator-{k}"],
                    organisation=administration,
                    role="facilitator",
                )
                for k in range(FACILITATORS)
            ]
            + [Membership(user_id=by_name["regulator"], organisation=regulator_org, role="member")]
        )
        for username in ("member-0-0", "facilitator-0"):
            user = User.objects.get(username=username)
            user.set_password(password)
            user.save()
        bench_org = organisation_ids[0]

        # cases
        cases = []
        for i in range(n_cases):
            opened = first_day + timedelta(days=rng.randrange(365))
            applicant = bench_org if i % 100 == 0 else rng.choice(organisation_ids[1:])
            cases.append(
                Case(
                    reference=f"CASE-BENCH-{i:06d}",
                    title_en=f"Synthetic case {i}",
                    title_zh=f"合成案件{i}",
                    applicant_id=applicant,
                    product_name=f"Synthetic product {i}",
                    hs_code=rng.choice(["870460", "160249", "020329", "870421"]),
                    target_market=rng.choice(["SG", "CN"]),
                    status=rng.choice(statuses),
                    status_changed_at=moment(opened + timedelta(days=rng.randrange(300))),
                    is_synthetic=True,
                )
            )
        Case.objects.bulk_create(cases, batch_size=2000)
        cases = list(Case.objects.order_by("pk").only("pk", "applicant_id"))

        parties = []
        for i, case in enumerate(cases):
            parties.append(
                CaseParty(case_id=case.pk, organisation_id=case.applicant_id, role="applicant")
            )
            parties.append(
                CaseParty(
                    case_id=case.pk,
                    organisation=administration,
                    role="facilitator",
                    contact_id=by_name[f"facilitator-{i % FACILITATORS}"],
                )
            )
            partner = bench_org if i % 100 == 50 else rng.choice(organisation_ids[1:])
            if partner != case.applicant_id:
                parties.append(
                    CaseParty(
                        case_id=case.pk,
                        organisation_id=partner,
                        role="partner",
                        contact_id=by_name[f"member-{organisation_ids.index(partner)}-1"],
                    )
                )
            if i % 3 == 0:
                parties.append(
                    CaseParty(
                        case_id=case.pk,
                        organisation=regulator_org,
                        role="regulator",
                        contact_id=by_name["regulator"],
                    )
                )
        CaseParty.objects.bulk_create(parties, batch_size=5000)
        applicant_party = dict(
            CaseParty.objects.filter(role="applicant").values_list("case_id", "pk")
        )
        members = {
            case.pk: [
                by_name[f"member-{organisation_ids.index(case.applicant_id)}-{j}"] for j in range(2)
            ]
            for case in cases
        }

        milestones = []
        for case in cases:
            start = first_day + timedelta(days=rng.randrange(365))
            for position in range(1, MILESTONES_PER_CASE + 1):
                end = start + timedelta(days=rng.randrange(14, 90))
                done = end < today and rng.random() < 0.7
                milestones.append(
                    Milestone(
                        case_id=case.pk,
                        title_en=f"Synthetic milestone {position}",
                        title_zh=f"合成里程碑{position}",
                        requirement_key=f"bench-req-{position}",
                        owner_id=applicant_party[case.pk],
                        planned_start=start,
                        planned_end=end,
                        actual_start=start if done else None,
                        actual_end=end + timedelta(days=rng.randrange(-10, 30)) if done else None,
                        position=position,
                    )
                )
                start = end
        Milestone.objects.bulk_create(milestones, batch_size=5000)
        Through = Milestone.depends_on.through
        ids = list(Milestone.objects.order_by("case_id", "position").values_list("pk", "position"))
        Through.objects.bulk_create(
            (
                Through(from_milestone_id=pk, to_milestone_id=ids[n - 1][0])
                for n, (pk, position) in enumerate(ids)
                if position > 1
            ),
            batch_size=5000,
        )

        issues = []
        for case in cases:
            for k in range(ISSUES_PER_CASE):
                open_ = rng.random() < 0.4
                issues.append(
                    CaseIssue(
                        case_id=case.pk,
                        title=f"Synthetic issue {k}",
                        description="Synthetic issue for the benchmark.",
                        raised_by_id=members[case.pk][0],
                        assigned_to_id=rng.choice(members[case.pk]),
                        due_on=today + timedelta(days=rng.randrange(-60, 60)),
                        status="open" if open_ else "resolved",
                        resolved_at=None if open_ else timezone.now(),
                        resolution="" if open_ else "Synthetic resolution.",
                    )
                )
        CaseIssue.objects.bulk_create(issues, batch_size=5000)
        IssueComment.objects.bulk_create(
            (
                IssueComment(issue_id=pk, author_id=author, body="Synthetic comment.")
                for pk, author in CaseIssue.objects.values_list("pk", "raised_by_id")
            ),
            batch_size=5000,
        )

        CaseDocument.objects.bulk_create(
            (
                CaseDocument(
                    case_id=case.pk,
                    title="Synthetic test report",
                    document_type="test_report",
                    shared_with=["partner"] if case.pk % 2 else [],
                    created_by_id=members[case.pk][0],
                )
                for case in cases
            ),
            batch_size=5000,
        )
        document_of = dict(CaseDocument.objects.values_list("case_id", "pk"))
        DocumentVersion.objects.bulk_create(
            (
                DocumentVersion(
                    document_id=pk,
                    number=1,
                    file=f"cases/bench/{pk}.pdf",
                    original_name="report.pdf",
                    content_type="application/pdf",
                    size=123_456,
                    sha256="0" * 64,
                    uploaded_by_id=members[case_id][0],
                )
                for case_id, pk in document_of.items()
            ),
            batch_size=5000,
        )

        kinds = [
            ("milestone_added", lambda: {"title": "Synthetic milestone", "title_zh": ""}),
            (
                "milestone_completed",
                lambda: {"title": "Synthetic milestone", "title_zh": "", "on": "2025-01-01"},
            ),
            ("issue_raised", lambda: {"title": "Synthetic issue"}),
            ("issue_commented", lambda: {"title": "Synthetic issue"}),
            (
                "issue_resolved",
                lambda: {"title": "Synthetic issue", "resolution": "Synthetic resolution."},
            ),
            (
                "case_transitioned",
                lambda: {"from": "draft", "to": "active", "reason": "Synthetic reason."},
            ),
        ]
        batch = []
        for case in cases:
            actor = members[case.pk][0]
            for n in range(EVENTS_PER_CASE):
                at = moment(first_day + timedelta(days=rng.randrange(730)))
                if n == 0:
                    kind, params, document = (
                        "case_opened",
                        {"reference": "CASE-BENCH", "title": "Synthetic case"},
                        None,
                    )
                elif n % 10 == 5:
                    kind, document = "document_uploaded", document_of[case.pk]
                    params = {"title": "Synthetic test report", "version": 1, "file": "report.pdf"}
                else:
                    kind, make = kinds[rng.randrange(len(kinds))]
                    params, document = make(), None
                batch.append(
                    CaseEvent(
                        case_id=case.pk,
                        at=at,
                        actor_id=actor,
                        kind=kind,
                        params=params,
                        document_id=document,
                    )
                )
            if len(batch) >= 10_000:
                CaseEvent.objects.bulk_create(batch)
                batch = []
        CaseEvent.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        # what a production database has after autovacuum: planner statistics
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "parties": CaseParty.objects.count(),
        "milestones": Milestone.objects.count(),
        "issues": CaseIssue.objects.count(),
        "events": CaseEvent.objects.count(),
    }


# --- measuring -----------------------------------------------------------------------------


def time_call(call) -> tuple[float, float, set[int]]:
    """Median and p95 ms and the query counts of `call`, after the warm-ups."""
    for _ in range(WARM_UPS):
        call()
    durations, query_counts = [], set()
    for _ in range(REQUESTS):
        with QueryCounter() as queries:
            started = time.perf_counter()
            call()
            durations.append((time.perf_counter() - started) * 1000)
        query_counts.add(queries.count)
    return statistics.median(durations), harness.percentile(durations, 0.95), query_counts


class QueryCounter:
    """Counts the queries run inside the block (without keeping them, so thousands of
    queries in a baseline are counted right)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def page_call(client, url: str):
    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def direct_my_work_call(user):
    """Fallback when the "my work" page has no URL: the query plus its template."""
    from django.template.loader import render_to_string

    from corridor.cases import queries

    def call():
        work = queries.my_work(user)
        try:
            render_to_string("cases/my_work.html", {**work, "user": user})
        except Exception:  # noqa: BLE001 — the template may need the view's context
            pass
        return work

    return call


def naive_my_work(user) -> dict:
    """The baseline: every case the user sees, walked in Python — its issues, its
    milestones and all its events (the newest 100 across cases kept as a timeline)."""
    from corridor.cases import permissions
    from corridor.cases.models import Case

    today = date.today()
    organisations = permissions.party_organisation_ids(user)
    issues, milestones, awaiting, events = [], [], [], []
    for case in Case.objects.visible_to(user):
        parties = list(case.parties.all())
        for issue in case.issues.all():
            if issue.assigned_to_id == user.pk and issue.status == "open":
                issues.append(issue)
        for milestone in case.milestones.all():
            owner = next((p for p in parties if p.pk == milestone.owner_id), None)
            if (
                milestone.actual_end is None
                and owner is not None
                and (owner.contact_id == user.pk or owner.organisation_id in organisations)
            ):
                milestones.append(milestone)
        if case.status in ("draft", "active", "rejected"):
            awaiting.append(case)
        events.extend(case.events.all())
    events.sort(key=lambda e: e.at, reverse=True)
    return {
        "issues": sorted(issues, key=lambda i: (i.due_on or today, i.pk)),
        "overdue": [i for i in issues if i.due_on and i.due_on < today],
        "milestones": sorted(milestones, key=lambda m: (m.planned_end or today, m.pk)),
        "awaiting": awaiting,
        "events": events[:100],
    }


def naive_case_page(user, case) -> dict:
    """The baseline: the case's rows one relation at a time, every event checked in Python."""
    from corridor.cases import permissions

    role = permissions.party_role(user, case)
    parties = [(p, p.organisation, p.contact) for p in case.parties.all()]
    milestones = [(m, list(m.depends_on.all()), m.owner) for m in case.milestones.all()]
    issues = [(i, i.comments.count(), i.assigned_to) for i in case.issues.all()]
    documents = [
        (d, d.versions.first())
        for d in case.documents.all()
        if permissions.can_see_document_as(role, d)
    ]
    visible = {d.pk for d, _ in documents}
    events = sorted(
        (e for e in case.events.all() if e.document_id is None or e.document_id in visible),
        key=lambda e: (e.at, e.pk),
        reverse=True,
    )[:100]
    for event in events:
        event.actor  # noqa: B018 — the name shown beside the event
    return {
        "parties": parties,
        "milestones": milestones,
        "issues": issues,
        "documents": documents,
        "events": events,
    }


def time_function(function, repeat: int = 3) -> tuple[float, int]:
    durations, count = [], 0
    for _ in range(repeat):
        with QueryCounter() as queries:
            started = time.perf_counter()
            function()
            durations.append((time.perf_counter() - started) * 1000)
        count = queries.count
    return statistics.median(durations), count


def measure_all() -> None:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from corridor.accounts.models import User
    from corridor.cases.models import Case

    party_user = User.objects.get(username="member-0-0")
    facilitator = User.objects.get(username="facilitator-0")
    case = Case.objects.filter(applicant__name_en="Synthetic enterprise 0").order_by("pk").first()
    rows = []
    for label, user in (("party user", party_user), ("facilitator", facilitator)):
        client = Client()
        client.force_login(user)
        try:
            url = reverse("cases:my_work")
            rows.append((f'"my work", {label}', page_call(client, url)))
        except NoReverseMatch:
            rows.append(
                (f'"my work", {label} (query + template, no URL)', direct_my_work_call(user))
            )
        url = reverse("cases:case_detail", args=[case.pk])
        rows.append((f"case page, {label}", page_call(client, url)))
    # a regulator contact reads the case page without any form: the cost of the forms
    reader = Client()
    reader.force_login(User.objects.get(username="regulator"))
    url = reverse("cases:case_detail", args=[case.pk])
    rows.append(("case page, regulator (read-only, no forms)", page_call(reader, url)))

    visible = {u: Case.objects.visible_to(u).count() for u in (party_user, facilitator)}
    print(
        f"   {WARM_UPS} warm-ups, then {REQUESTS} measured; the party user takes part in "
        f"{visible[party_user]:,} cases, the facilitator in {visible[facilitator]:,}; "
        f"case page = {case.reference} ({case.events.count()} events)"
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"   machine: {os.cpu_count()} CPUs, load average {load} (other work skews the times)")
    print(f"   {'page':<40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  target (p95)")
    for label, call in rows:
        median, p95, query_counts = time_call(call)
        verdict = "met" if p95 < TARGET_MS else "MISSED"
        queries = "/".join(str(q) for q in sorted(query_counts))
        print(
            f"   {label:<40} {median:>10.1f} {p95:>8.1f} {queries:>8}  < {TARGET_MS} ms: {verdict}"
        )
    print("   baseline in the same process (median of 3 runs; queries):")
    for label, function in (
        ('"my work" walked in Python, party user', lambda: naive_my_work(party_user)),
        ('"my work" walked in Python, facilitator', lambda: naive_my_work(facilitator)),
        ("case page walked in Python, party user", lambda: naive_case_page(party_user, case)),
    ):
        median, count = time_function(function)
        print(f"   {label:<40} {median:>10.1f} ms {count:>8} queries")


if __name__ == "__main__":
    sys.exit(
        harness.main(
            __file__,
            __doc__,
            name="cases",
            count_option="--cases",
            count_default=10_000,
            count_help="how many cases",
            run=run,
        )
    )
