"""The access matrix: every page and every API route with a path parameter, tried as every
role on one shared world (corridor/testing/world.py), against the status written in the table
below. A route that is not in the table fails `test_every_route_is_in_the_table`, so a new
page or API path cannot ship without saying who may reach it.

Roles (columns, in this order):
  anon        not logged in
  loner       logged in, member of no organisation
  outsider    member of an organisation with no part in the world's records (Lion City Trade)
  member      member of the enterprise that owns the records (Qingling Motors)
  partner     member of Motorway Group: party of the project, partner party (contact) of
              the case, participant of the event, has a members-only profile
  regulator   contact of the case's regulator party (Land Transport Authority)
  facilitator the initiative's facilitator; contact of the case's facilitator party
  admin       the initiative's administrator

Statuses: a number is the HTTP status; "L" is a redirect to the login page (a page that needs
a logged-in person). A write that succeeds on a page redirects (302) to where its result is
shown; a page that refuses a choice its form does not offer the person (another
organisation as owner, say) shows the form again with the error, as 200 (portfolio,
standards, cases) or 400 (events, directory). 403 refuses a person who may see the record
but not do this; 404 hides a record the person may not see. Every write runs in a savepoint rolled back after the request, so each role meets the
world as it was built.
"""

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from corridor.standards import kb as kb_module
from corridor.standards.tests.test_services import story_knowledge_base
from corridor.testing.world import ROLES, build_world

pytestmark = pytest.mark.django_db

GET, POST, PATCH, PUT, DELETE = "GET", "POST", "PATCH", "PUT", "DELETE"


@dataclass(frozen=True)
class Row:
    kind: str  # "page" (a URL name) or "api" (an OpenAPI path)
    route: str
    method: str
    args: tuple  # (URL keyword, a name in World.ids or a literal); "?key" for the query string
    expect: str  # one status per role, in ROLES order
    data: Any = None  # a payload, or a function of the world's ids giving one
    note: str = ""

    @property
    def id(self) -> str:
        name = f"{self.method} {self.route}"
        return f"{name} {self.note}" if self.note else name


def page(route, method, expect, data=None, note="", **args):
    return Row("page", route, method, tuple(args.items()), expect, data, note)


def api(route, method, expect, data=None, note="", **args):
    return Row("api", route, method, tuple(args.items()), expect, data, note)


def hole(row: Row, reason: str):
    """A row whose status in the table is the right one, and the application's is not yet."""
    return pytest.param(
        row, id=row.id, marks=pytest.mark.xfail(strict=True, reason=f"hole: {reason}")
    )


def pdf_file(name="report.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 a report", content_type="application/pdf")


TODAY = datetime.date(2026, 5, 1).isoformat()


# fmt: off
# The table: one row per route and method; the statuses are for, in order, anon, loner,
# outsider, member, partner, regulator, facilitator, admin (see the top of this module).
# route, method                                                   ano lon out mem par reg fac adm
ROWS = [
    # --- accounts ----------------------------------------------------------------------
    page("accounts:login", GET,                                  "200 200 200 200 200 200 200 200"),
    page("accounts:logout", POST,                                "302 302 302 302 302 302 302 302"),
    page("accounts:profile", GET,                                "  L 200 200 200 200 200 200 200"),
    page("accounts:language", GET,                              "  L 200 200 200 200 200 200 200"),
    page("accounts:language", POST,                             "  L 302 302 302 302 302 302 302", data={"language": "zh-hans"}),
    page("accounts:password_change", GET,                       "  L 200 200 200 200 200 200 200"),
    page("accounts:api_tokens", GET,                            "  L 200 200 200 200 200 200 200"),
    page("accounts:api_tokens", POST,                           "  L 200 200 200 200 200 200 200", data={"label": "laptop"}, note="new token"),
    page("home:home", GET,                                      "  L 200 200 200 200 200 200 200"),
    page("accounts:password_reset", GET,                         "200 200 200 200 200 200 200 200"),
    page("accounts:password_reset_done", GET,                    "200 200 200 200 200 200 200 200"),
    page("accounts:password_reset_confirm", GET,                 "200 200 200 200 200 200 200 200", uidb64="MQ", token="bad-token"),
    page("accounts:password_reset_complete", GET,                "200 200 200 200 200 200 200 200"),
    page("accounts:notifications", GET,                          "  L 200 200 200 200 200 200 200"),
    page("accounts:notifications_read", POST,                    "  L 302 302 302 302 302 302 302", data={"all": "1"}),
    page("accounts:notifications_read", POST,                   "  L 403 403 302 403 403 403 403", data=lambda i: {
        "notification": i["notification"]}, note="someone else's"),

    # --- portfolio ---------------------------------------------------------------------
    page("portfolio:dashboard", GET,                             "200 200 200 200 200 200 200 200"),
    page("portfolio:project_list", GET,                          "200 200 200 200 200 200 200 200"),
    page("portfolio:project_export_csv", GET,                    "200 200 200 200 200 200 200 200"),
    page("portfolio:project_export_xlsx", GET,                   "200 200 200 200 200 200 200 200"),
    page("portfolio:project_export_iati", GET,                   "200 200 200 200 200 200 200 200"),
    page("portfolio:project_create", GET,                        "  L 403 200 200 200 403 200 200"),
    page("portfolio:project_create", POST,                       "  L 403 200 302 200 403 302 302", data=lambda i: {
        "owner": i["qingling"], "title_en": "New vans", "kind": "commercial", "status": "signed",
        "sector": "manufacturing", "currency": "USD", "value": "1000"}),
    page("portfolio:project_detail", GET,                        "404 404 404 200 200 404 200 200", pk="project"),
    page("portfolio:project_edit", GET,                          "  L 404 404 200 403 404 200 200", pk="project"),
    page("portfolio:project_edit", POST,                         "  L 404 404 302 403 404 302 302", pk="project", data=lambda i: {
        "version": i["project_version"], "owner": i["qingling"], "title_en": "Renamed vans", "kind": "commercial", "status": "signed",
        "sector": "ict", "currency": "USD", "value": "1000000"}),
    page("portfolio:project_transition", GET,                    "  L 404 404 200 403 404 200 200", pk="project"),
    page("portfolio:project_transition", POST,                   "  L 404 404 302 403 404 302 302", pk="project", data={
        "to_status": "in_progress", "on": TODAY, "reason": "Work started"}),
    page("portfolio:project_publish", POST,                      "  L 404 404 403 403 404 403 302", pk="project", data={"published": "1"}),
    page("portfolio:project_parties", GET,                       "  L 404 404 200 403 404 200 200", pk="project"),
    page("portfolio:project_parties", POST,                      "  L 404 404 302 403 404 302 302", pk="project", data=lambda i: {
        "version": i["project_version"], "parties-TOTAL_FORMS": "1", "parties-INITIAL_FORMS": "0",
        "parties-0-organisation": i["qingling"], "parties-0-role": "initiator"}),
    page("portfolio:revision_list", GET,                         "  L 200 200 200 200 200 200 200"),
    page("portfolio:project_revision_publish", POST,             "  L 404 404 403 404 404 403 302", pk="published", revision_pk="revision"),
    page("portfolio:project_revision_reject", POST,              "  L 404 404 403 404 404 403 302", pk="published", revision_pk="revision", data={"note": "No"}),
    page("portfolio:innovation_list", GET,                       "200 200 200 200 200 200 200 200"),
    page("portfolio:innovation_export_csv", GET,                 "200 200 200 200 200 200 200 200"),
    page("portfolio:innovation_export_xlsx", GET,                "200 200 200 200 200 200 200 200"),
    page("portfolio:innovation_create", GET,                     "  L 403 403 403 403 403 200 200"),
    page("portfolio:innovation_create", POST,                    "  L 403 403 403 403 403 302 302", data={
        "title_en": "Single window", "category": "trade", "replications-TOTAL_FORMS": "0",
        "replications-INITIAL_FORMS": "0"}),
    page("portfolio:innovation_detail", GET,                     "404 404 404 404 404 404 200 200", pk="innovation", note="unpublished"),
    page("portfolio:innovation_edit", GET,                       "  L 403 403 403 403 403 200 200", pk="innovation"),
    page("portfolio:figure_list", GET,                           "200 200 200 200 200 200 200 200"),
    page("portfolio:figure_create", GET,                         "  L 403 403 403 403 403 403 200"),
    page("portfolio:figure_edit", GET,                           "  L 403 403 403 403 403 403 200", pk="figure"),
    page("portfolio:figure_edit", POST,                          "  L 403 403 403 403 403 403 302", pk="figure", data=lambda i: {
        "version": i["figure_version"], "metric": "project_count", "qualifier": "exact", "value": "348", "as_of": "2025-11-07",
        "scope_en": "Projects", "publisher": "People's Daily",
        "source_url": "http://en.people.cn/n3/2025/1107/c90000-20388001.html"}),
    page("portfolio:import", GET,                                "  L 403 200 200 200 403 200 200"),
    page("portfolio:import_template", GET,                       "200 200 200 200 200 200 200 200", fmt="csv"),
    page("portfolio:import_status", GET,                         "  L 404 404 200 404 404 404 200", job_id="job"),

    # --- standards ---------------------------------------------------------------------
    page("hs:index", GET,                                        "200 200 200 200 200 200 200 200"),
    page("hs:search", GET,                                       "200 200 200 200 200 200 200 200"),
    page("hs:code", GET,                                         "200 200 200 200 200 200 200 200", code="870460"),
    page("standards:coverage", GET,                              "200 200 200 200 200 200 200 200"),
    page("standards:assessment_list", GET,                       "  L 200 200 200 200 200 200 200"),
    page("standards:assessment_list_all", GET,                   "  L 200 200 200 200 200 200 200"),
    page("standards:assessment_create", GET,                     "  L 403 200 200 200 403 200 200"),
    page("standards:assessment_create", POST,                    "  L 403 200 302 200 403 302 302", data=lambda i: {
        "organisation": i["qingling"], "product_name": "EQ2 electric van", "hs_code": "870460",
        "origin": "CN", "destination": "SG", "attr_vehicle_category": "N1",
        "attr_powertrain": "electric", "attr_max_laden_weight_kg": "3490"}),
    page("standards:assessment_detail", GET,                     "  L 404 404 200 404 404 200 200", pk="assessment"),
    page("standards:assessment_report", GET,                     "  L 404 404 200 404 404 200 200", pk="assessment"),
    page("standards:assessment_delete", POST,                    "  L 404 404 302 404 404 403 302", pk="assessment"),
    page("standards:watching", GET,                              "  L 200 200 200 200 200 200 200"),
    page("standards:watching", POST,                             "  L 302 302 302 302 302 302 302", data={"hs_prefix": "87", "market": "SG"}),
    page("standards:watch_remove", POST,                         "  L 403 403 302 403 403 403 403", pk="watch", note="the member's"),

    # --- cases -------------------------------------------------------------------------
    page("cases:case_list", GET,                                 "  L 200 200 200 200 200 200 200"),
    page("cases:case_export_csv", GET,                           "  L 200 200 200 200 200 200 200"),
    page("cases:case_export_xlsx", GET,                          "  L 200 200 200 200 200 200 200"),
    page("cases:my_work", GET,                                   "  L 200 200 200 200 200 200 200"),
    page("cases:case_open", GET,                                 "  L 403 200 200 200 403 200 200"),
    page("cases:case_open", POST,                                "  L 403 200 302 200 403 302 302", data=lambda i: {
        "applicant": i["qingling"], "title_en": "Vans to Malaysia", "target_market": "MY",
        "kind": "enterprise"}),
    page("cases:case_detail", GET,                               "  L 404 404 200 200 200 200 200", pk="case"),
    page("cases:case_transition", POST,                          "  L 404 404 302 403 403 302 302", pk="case", data=lambda i: {
        "t-version": i["case_version"], "t-to_status": "active", "t-reason": "Ready to start"}),
    page("cases:party_add", POST,                                "  L 404 404 302 403 403 302 302", pk="case", data=lambda i: {
        "party-organisation": i["lion_trade"], "party-role": "observer"}),
    page("cases:party_remove", POST,                             "  L 404 404 302 403 403 302 302", pk="case", party_pk="observer_party", note="observer"),
    # The initiative's staff alone add or remove facilitator parties (the probe's holes).
    page("cases:party_remove", POST,                             "  L 404 404 403 403 403 302 302", pk="case", party_pk="facilitator_party", note="facilitator"),
    page("cases:party_add", POST,                                "  L 404 404 403 403 403 302 302", pk="case", data=lambda i: {
        "party-organisation": i["lion_trade"], "party-role": "facilitator"}, note="as facilitator"),
    page("cases:milestone_add", POST,                            "  L 404 404 302 302 403 302 302", pk="case", data={
        "new-milestone-title_en": "Homologation"}),
    page("cases:milestone_edit", POST,                           "  L 404 404 302 302 403 302 302", pk="case", milestone_pk="milestone", data=lambda i: {
        f"m{i['milestone']}-version": i["milestone_version"],
        f"m{i['milestone']}-title_en": "Type approval (LTA)"}),
    page("cases:issue_raise", POST,                              "  L 404 404 302 302 403 302 302", pk="case", data={
        "new-issue-title": "Which port?"}),
    page("cases:issue_update", POST,                             "  L 404 404 302 302 403 302 302", issue_pk="issue", data=lambda i: {
        f"i{i['issue']}-version": i["issue_version"], f"i{i['issue']}-title": "Which test lab, please?"}),
    page("cases:issue_comment", POST,                            "  L 404 404 302 302 403 302 302", issue_pk="issue", data=lambda i: {
        f"c{i['issue']}-body": "TÜV SÜD in Singapore"}),
    page("cases:issue_resolve", POST,                            "  L 404 404 302 302 403 302 302", issue_pk="issue", data=lambda i: {
        f"r{i['issue']}-version": i["issue_version"], f"r{i['issue']}-resolution": "TÜV SÜD"}),
    page("cases:issue_reopen", POST,                             "  L 404 404 302 302 403 302 302", issue_pk="answered", data=lambda i: {
        f"o{i['answered']}-version": i["answered_version"]}),
    page("case_documents:upload", POST,                          "  L 404 404 302 302 403 302 302", case_pk="case", data=lambda i: {
        "title": "Homologation file", "document_type": "certificate", "file": pdf_file()}),
    page("case_documents:version_upload", POST,                  "  L 404 404 302 302 404 302 302", document_pk="document", data=lambda i: {
        "file": pdf_file("report-2.pdf")}),
    page("case_documents:share", POST,                           "  L 404 404 302 403 404 302 302", document_pk="document", data={
        "shared_with": ["partner", "regulator"]}),
    page("case_documents:download", GET,                         "  L 404 404 200 200 404 200 200", version_pk="document_version", note="shared with partner"),
    page("case_documents:download", GET,                         "  L 404 404 200 404 404 200 200", version_pk="kept_version", note="shared with nobody"),

    # --- directory ---------------------------------------------------------------------
    page("directory:profile_list", GET,                          "200 200 200 200 200 200 200 200"),
    page("directory:profile_create", GET,                        "  L 403 403 403 403 200 200 200", **{"?organisation": "authority"}),
    page("directory:profile_create", POST,                       "  L 403 403 403 403 302 302 302", data={
        "version": "0", "name_en": "Land Transport Authority", "description_en": "Vehicle approvals",
        "offers": "Type approval", "visibility": "public"}, **{"?organisation": "authority"}),
    page("directory:profile_detail", GET,                        "200 200 200 200 200 200 200 200", pk="vans", note="public"),
    page("directory:profile_detail", GET,                        "404 404 200 200 200 200 200 200", pk="motorway_profile", note="members-only"),
    page("directory:profile_edit", GET,                          "  L 403 403 200 403 403 200 200", pk="vans"),
    page("directory:profile_edit", POST,                         "  L 403 403 302 403 403 302 302", pk="vans", data=lambda i: {
        "version": i["vans_version"], "name_en": "Qingling Motors", "description_en": "Electric vans.", "offers": "Electric light vans",
        "needs": "Distributors in Singapore", "visibility": "public", "target_markets": ["SG"],
        "languages": ["en"], "sectors": ["manufacturing"]}),
    page("directory:profile_verify", POST,                       "  L 403 403 403 403 403 403 302", pk="vans", data={"verified": "1"}),
    page("directory:connection_request", POST,                   "  L 403 302 403 400 403 403 403", pk="vans", data=lambda i: {
        "from_profile": i["lion_profile"], "message": "Hello"}, note="on behalf of Lion City Trade"),
    page("directory:recommendations", GET,                       "  L 403 403 200 403 403 200 200", pk="vans"),
    page("directory:feedback", POST,                             "  L 403 403 302 403 403 302 302", pk="vans", data=lambda i: {
        "candidate": i["lion_profile"], "verdict": "not_relevant"}),
    page("directory:connections", GET,                           "  L 200 200 200 200 200 200 200"),
    page("directory:connection_detail", GET,                     "  L 404 404 200 200 404 200 200", pk="connection", note="pending"),
    page("directory:connection_detail", GET,                     "  L 404 404 404 200 404 200 200", pk="accepted"),
    page("directory:connection_detail", POST,                    "  L 404 404 404 302 404 302 302", pk="accepted", data={"text": "Hello"}),
    page("directory:connection_answer", POST,                    "  L 404 404 302 403 404 302 302", pk="connection", data={
        "accept": "1", "answer": "Gladly"}),
    page("directory:connection_withdraw", POST,                  "  L 404 404 403 302 404 302 302", pk="connection"),

    # --- events ------------------------------------------------------------------------
    page("events:event_list", GET,                               "200 200 200 200 200 200 200 200"),
    page("events:event_create", GET,                             "  L 403 200 200 200 403 200 200"),
    page("events:event_create", POST,                            "  L 403 400 302 400 403 302 302", data=lambda i: {
        "organiser": i["qingling"], "title_en": "Van day", "slot_minutes": "20", "tables": "4",
        "registration": "open", "fairness": "2", "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "0", "sessions-0-date": "2026-06-01", "sessions-0-part": "am",
        "sessions-0-starts_at": "09:00", "sessions-0-ends_at": "10:00"}),
    page("events:event_detail", GET,                             "200 200 200 200 200 200 200 200", pk="event"),
    page("events:event_detail", GET,                             "404 404 404 404 404 404 200 200", pk="draft_event", note="unpublished"),
    page("events:event_publish", POST,                           "  L 403 403 403 403 403 302 302", pk="event", data={"published": "0"}),
    page("events:participant_register", POST,                    "  L 403 302 400 400 400 403 403", pk="event", data=lambda i: {
        "register-organisation": i["lion_trade"]}, note="Lion City Trade"),
    page("events:participant_register", POST,                    "  L 404 404 404 404 404 403 403", pk="draft_event", data=lambda i: {
        "register-organisation": i["lion_trade"]}, note="unpublished event"),
    page("events:event_publish", POST,                           "  L 404 404 404 404 404 302 302", pk="draft_event", data={"published": "1"}, note="unpublished event"),
    page("events:participant_add", POST,                         "  L 403 403 403 403 403 302 302", pk="event", data=lambda i: {
        "participant-organisation": i["lion_trade"]}),
    page("events:participant_edit", GET,                         "  L 403 403 200 403 403 200 200", pk="event", participant_pk="qingling_at"),
    page("events:participant_edit", POST,                        "  L 403 403 302 403 403 302 302", pk="event", participant_pk="qingling_at", data=lambda i: {
        "version": i["qingling_at_version"], "languages": ["zh", "en"]}),
    page("events:interpreter_add", POST,                         "  L 403 403 403 403 403 302 302", pk="event", data={
        "interpreter-name_en": "Tan Mei", "interpreter-languages": ["en", "zh"], "interpreter-blocked_slots": ["1"]}),
    page("events:interpreter_edit", GET,                         "  L 403 403 403 403 403 200 200", pk="event", interpreter_pk="interpreter"),
    page("events:interpreter_edit", POST,                        "  L 403 403 403 403 403 302 302", pk="event", interpreter_pk="interpreter", data={
        "name_en": "Lim Wei", "languages": ["en", "zh"], "blocked_slots": ["0"]}),
    page("events:request_create", POST,                          "  L 403 403 400 302 403 403 403", pk="event", data=lambda i: {
        "ask-requester": i["motorway_at"], "ask-requested": i["logistics_at"], "ask-priority": "must"},
        note="Motorway asks Logistics"),
    page("events:request_answer", POST,                          "  L 403 403 302 403 403 302 302", pk="event", request_pk="pending", data={"accept": "1"}),
    page("events:request_update", POST,                          "  L 403 403 403 302 403 302 302", pk="event", request_pk="pending", data=lambda i: {
        f"priority-{i['pending']}-priority": "must", f"priority-{i['pending']}-version": i["pending_version"]}),
    page("events:request_cancel", POST,                          "  L 403 403 302 302 403 302 302", pk="event", request_pk="pending"),
    page("events:meeting_lock", POST,                            "  L 403 403 403 403 403 302 302", pk="event", request_pk="meeting", data=lambda i: {
        f"lock-{i['meeting']}-slot": "1", f"lock-{i['meeting']}-version": i["meeting_version"]}),
    page("events:meeting_add", POST,                             "  L 403 403 403 403 403 302 302", pk="event", data=lambda i: {
        "meeting-requester": i["motorway_at"], "meeting-requested": i["logistics_at"],
        "meeting-priority": "must"}),
    page("events:request_from_connection", POST,                 "  L 403 403 400 302 403 302 302", pk="event", data=lambda i: {
        "connection-connection": i["accepted"], "connection-priority": "must"}, note="Motorway-Logistics"),
    page("events:schedule", GET,                                 "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:schedule_start", POST,                          "  L 403 403 403 403 403 302 302", pk="event", data={"mode": "all", "time_limit": "5"}),
    page("events:agendas_publish", POST,                         "  L 403 403 403 403 403 302 302", pk="event"),
    page("events:agenda", GET,                                   "  L 403 403 200 403 403 200 200", pk="event", participant_pk="qingling_at"),
    page("events:agenda_pdf", GET,                               "  L 403 403 200 403 403 200 200", pk="event", participant_pk="qingling_at"),
    page("events:agenda_ics", GET,                               "  L 403 403 200 403 403 200 200", pk="event", participant_pk="qingling_at"),
    page("events:table_plan", GET,                               "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:event_export_csv", GET,                         "200 200 200 200 200 200 200 200"),
    page("events:event_export_xlsx", GET,                        "200 200 200 200 200 200 200 200"),
    page("events:participants_export_csv", GET,                  "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:participants_export_xlsx", GET,                 "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:participants_export_csv", GET,                  "  L 404 404 404 404 404 200 200", pk="draft_event", note="unpublished"),
    page("events:meetings_export_csv", GET,                      "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:meetings_export_xlsx", GET,                     "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:outcomes_export_csv", GET,                      "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:outcomes_export_xlsx", GET,                     "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:leads_export_csv", GET,                         "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:leads_export_xlsx", GET,                        "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:outcomes", GET,                                 "  L 403 403 200 403 403 200 200", pk="event", participant_pk="qingling_at"),
    # the event day (the world's event is over: the organisers' re-plans are refused as such)
    page("events:event_day", GET,                                "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:participant_absent", GET,                       "  L 403 403 403 403 403 302 302", pk="event", participant_pk="qingling_at"),
    page("events:participant_absent", POST,                      "  L 403 403 403 403 403 302 302", pk="event", participant_pk="qingling_at"),
    page("events:precedence_add", POST,                          "  L 403 403 403 403 403 400 400", pk="event", data={"order-before": "", "order-after": ""}),
    page("events:precedence_remove", POST,                       "  L 403 403 403 403 403 404 404", pk="event", precedence_pk=999999),
    page("events:meeting_cancel", POST,                          "  L 403 403 403 403 403 302 302", pk="event", request_pk="meeting"),
    page("events:booking_page", GET,                             "  L 200 200 200 200 200 200 200", pk="event"),
    page("events:booking_book", POST,                            "  L 403 403 403 403 403 403 403", pk="event", data=lambda i: {
        "as": i["qingling_at"], "with": i["motorway_at"], "slot": "1"}, note="organiser-scheduled"),
    page("events:booking_cancel", POST,                          "  L 403 403 302 403 403 302 302", pk="event", request_pk="meeting"),
    page("events:booking_mode", POST,                            "  L 403 403 403 403 403 302 302", pk="event", data={"booking": "self"}),
    page("events:outcome_record", POST,                          "  L 403 403 302 403 403 302 302", pk="event", participant_pk="qingling_at", meeting_pk="meeting", data=lambda i: {
        f"outcome-{i['meeting']}-outcome": "agreement", f"outcome-{i['meeting']}-note": "Signed",
        f"outcome-{i['meeting']}-version": i["outcome_version"]}),
    page("events:outcome_project", POST,                         "  L 403 403 302 403 403 302 302", pk="event", participant_pk="qingling_at", meeting_pk="meeting", data=lambda i: {
        f"project-{i['meeting']}-title_en": "Vans for Lion City Logistics",
        f"project-{i['meeting']}-sector": "manufacturing"}),
    # the event day: the organisers only; a check-in code is refused before it is read
    page("events:checkin_desk", GET,                             "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:checkin_scan", GET,                             "  L 403 403 403 403 403 404 404", pk="event", token="1-2:not-a-code"),
    page("events:checkin_set", POST,                             "  L 403 403 403 403 403 302 302", pk="event", participant_pk="qingling_at", data={"present": "1"}),
    page("events:board", GET,                                    "  L 403 403 403 403 403 200 200", pk="event"),
    page("events:results", GET,                                  "  L 403 403 403 403 403 200 200", pk="event"),

    # --- results -----------------------------------------------------------------------
    page("results:indicator_list", GET,                          "200 200 200 200 200 200 200 200"),
    page("results:indicator_export_csv", GET,                    "200 200 200 200 200 200 200 200"),
    page("results:indicator_export_xlsx", GET,                   "200 200 200 200 200 200 200 200"),
    page("results:indicator_create", GET,                        "  L 403 403 200 403 403 200 200"),
    page("results:indicator_create", POST,                       "  L 403 403 400 403 403 302 302", data={
        "scope_record": "initiative", "title_en": "Jobs", "unit_en": "jobs", "direction": "increase",
        "baseline_value": "0", "feed": "manual"}, note="initiative-wide"),
    page("results:indicator_detail", GET,                        "404 404 404 200 200 404 200 200", pk="project_indicator"),
    page("results:indicator_edit", GET,                          "  L 404 404 200 403 404 200 200", pk="project_indicator"),
    page("results:indicator_edit", POST,                         "  L 404 404 302 403 404 302 302", pk="project_indicator", data={
        "title_en": "Vans exported", "unit_en": "vans", "direction": "increase", "baseline_value": "0",
        "feed": "manual", "version": "1"}),
    page("results:target_add", GET,                              "  L 404 404 200 403 403 200 200", pk="case_indicator"),
    page("results:target_add", POST,                             "  L 404 404 302 403 403 302 302", pk="case_indicator", data={
        "period_start": "2027-01-01", "period_end": "2027-12-31", "value": "3"}),
    page("results:actual_record", GET,                           "  L 404 404 200 200 403 200 200", pk="case_indicator"),
    page("results:actual_record", POST,                          "  L 404 404 302 302 403 302 302", pk="case_indicator", data={
        "period_start": "2026-01-01", "period_end": "2026-06-30", "value": "2",
        "source_url": "https://example.org/approval"}),
    page("results:actual_measure", POST,                         "  L 403 403 403 403 403 302 302", pk="event_indicator", data={
        "period_start": "2026-03-10", "period_end": "2026-03-10"}),
    page("results:actual_document", GET,                         "404 404 404 200 200 200 200 200", pk="evidence"),

    # --- briefing packs: the initiative's staff; a facilitator downloads only their own --
    page("briefing:pack_list", GET,                              "  L 403 403 403 403 403 200 200"),
    page("briefing:pack_list", POST,                             "  L 403 403 403 403 403 302 302", data={
        "since": "2025-01-01", "language": "en", "format": "pdf"}),
    page("briefing:pack_download", GET,                          "  L 403 403 403 403 403 403 200", pack_id="briefing_pack"),

    # --- API: portfolio ----------------------------------------------------------------
    api("/api/portfolio/projects", POST,                         "401 403 403 201 403 403 201 201", data=lambda i: {
        "owner_id": i["qingling"], "title_en": "New vans", "kind": "commercial", "status": "signed",
        "sector": "manufacturing"}),
    api("/api/portfolio/projects/{project_id}", GET,             "404 404 404 200 200 404 200 200", project_id="project"),
    api("/api/portfolio/projects/{project_id}", PATCH,           "401 404 404 200 403 404 200 200", project_id="project", data=lambda i: {
        "title_en": "Renamed", "version": i["project_version"]}),
    api("/api/portfolio/projects/{project_id}/transitions", POST, "401 404 404 200 403 404 200 200", project_id="project", data={
        "to_status": "in_progress", "on": TODAY, "reason": "Work started"}),
    api("/api/portfolio/projects/{project_id}/publish", POST,    "401 404 404 403 403 404 403 200", project_id="project", data={"published": True}),
    api("/api/portfolio/projects/{project_id}/revisions", GET,   "401 200 200 200 200 200 200 200", project_id="published"),
    api("/api/portfolio/projects/{project_id}/revisions/{revision_id}/publish", POST, "401 404 404 403 404 404 403 200", project_id="published", revision_id="revision"),
    api("/api/portfolio/projects/{project_id}/revisions/{revision_id}/reject", POST, "401 404 404 403 404 404 403 200", project_id="published", revision_id="revision", data={"note": "No"}),
    api("/api/portfolio/innovations/{innovation_id}", GET,       "404 404 404 404 404 404 200 200", innovation_id="innovation", note="unpublished"),

    # --- API: accounts and standards ---------------------------------------------------
    api("/api/accounts/me", GET,                                 "401 200 200 200 200 200 200 200"),
    api("/api/standards/hs/{code}", GET,                         "200 200 200 200 200 200 200 200", code="870460"),
    api("/api/standards/assessments", POST,                      "401 403 403 201 403 403 201 201", data=lambda i: {
        "organisation_id": i["qingling"], "product_name": "EQ2 electric van", "hs_code": "870460",
        "origin": "CN", "destination": "SG",
        "attributes": {"vehicle_category": "N1", "powertrain": "electric", "max_laden_weight_kg": 3490},
        "held": ["eu-wvta-certificate"]}),
    api("/api/standards/watches", GET,                           "401 200 200 200 200 200 200 200"),
    api("/api/standards/watches", POST,                          "401 201 201 201 201 201 201 201", data={"hs_prefix": "87", "market": "SG"}),
    api("/api/standards/watches/{watch_id}", DELETE,             "401 403 403 204 403 403 403 403", watch_id="watch", note="the member's"),
    api("/api/standards/assessments/{assessment_id}", GET,       "401 404 404 200 404 404 200 200", assessment_id="assessment"),
    api("/api/standards/assessments/{assessment_id}/report.pdf", GET, "401 404 404 200 404 404 200 200", assessment_id="assessment"),

    # --- API: cases --------------------------------------------------------------------
    api("/api/cases/cases", POST,                                "401 403 403 201 403 403 201 201", data=lambda i: {
        "applicant_id": i["qingling"], "title_en": "Vans to Malaysia", "target_market": "MY"}),
    api("/api/cases/cases/{case_id}", GET,                       "401 404 404 200 200 200 200 200", case_id="case"),
    api("/api/cases/cases/{case_id}/transitions", POST,          "401 404 404 200 403 403 200 200", case_id="case", data=lambda i: {
        "version": i["case_version"], "to_status": "active", "reason": "Ready to start"}),
    api("/api/cases/cases/{case_id}/parties", POST,              "401 404 404 201 403 403 201 201", case_id="case", data=lambda i: {
        "organisation_id": i["lion_trade"], "role": "observer"}),
    api("/api/cases/cases/{case_id}/parties", POST,              "401 404 404 403 403 403 201 201", case_id="case", data=lambda i: {
        "organisation_id": i["lion_trade"], "role": "facilitator"}, note="as facilitator"),
    api("/api/cases/cases/{case_id}/milestones", POST,           "401 404 404 201 201 403 201 201", case_id="case", data={"title_en": "Homologation"}),
    api("/api/cases/cases/{case_id}/milestones/{milestone_id}", PATCH, "401 404 404 200 200 403 200 200", case_id="case", milestone_id="milestone", data=lambda i: {
        "version": i["milestone_version"], "title_en": "Type approval (LTA)"}),
    api("/api/cases/cases/{case_id}/issues", POST,               "401 404 404 201 201 403 201 201", case_id="case", data={"title": "Which port?"}),
    api("/api/cases/issues/{issue_id}", PATCH,                   "401 404 404 200 200 403 200 200", issue_id="issue", data=lambda i: {
        "version": i["issue_version"], "title": "Which test lab, please?"}),
    api("/api/cases/issues/{issue_id}/comments", POST,           "401 404 404 201 201 403 201 201", issue_id="issue", data={"body": "TÜV SÜD"}),
    api("/api/cases/issues/{issue_id}/resolve", POST,            "401 404 404 200 200 403 200 200", issue_id="issue", data=lambda i: {
        "version": i["issue_version"], "resolution": "TÜV SÜD"}),
    api("/api/cases/cases/{case_id}/documents", GET,             "401 404 404 200 200 200 200 200", case_id="case"),

    # --- API: directory ----------------------------------------------------------------
    api("/api/directory/profiles", POST,                         "401 403 403 403 403 201 201 201", data=lambda i: {
        "organisation_id": i["authority"], "description_en": "Regulator", "offers": "Approvals"},
        note="for the authority"),
    api("/api/directory/profiles/{profile_id}", GET,             "200 200 200 200 200 200 200 200", profile_id="vans", note="public"),
    api("/api/directory/profiles/{profile_id}", GET,             "404 404 200 200 200 200 200 200", profile_id="motorway_profile", note="members-only"),
    api("/api/directory/profiles/{profile_id}", PUT,             "401 403 403 200 403 403 200 200", profile_id="vans", data=lambda i: {
        "version": i["vans_version"], "description_en": "Electric vans.", "offers": "Electric light vans", "needs": "Distributors",
        "target_markets": ["SG"], "languages": ["en"], "visibility": "public"}),
    api("/api/directory/profiles/{profile_id}/verify", POST,     "401 403 403 403 403 403 403 200", profile_id="vans", data={"verified": True}),
    api("/api/directory/profiles/{profile_id}/recommendations", GET, "401 403 403 202 403 403 202 202", profile_id="vans"),
    api("/api/directory/profiles/{profile_id}/feedback", POST,   "401 403 403 200 403 403 200 200", profile_id="vans", data=lambda i: {
        "candidate": i["lion_profile"], "verdict": "not_relevant"}),
    api("/api/directory/connections", POST,                      "401 403 201 403 403 403 201 201", data=lambda i: {
        "from_profile": i["lion_profile"], "to_profile": i["vans"], "message": "Hello"},
        note="on behalf of Lion City Trade"),
    api("/api/directory/connections/{connection_id}", GET,       "401 404 404 200 200 404 200 200", connection_id="connection"),
    api("/api/directory/connections/{connection_id}/messages", GET, "401 404 404 404 200 404 200 200", connection_id="accepted"),
    api("/api/directory/connections/{connection_id}/messages", POST, "401 404 404 404 201 404 201 201", connection_id="accepted", data={"text": "Hello"}),
    api("/api/directory/connections/{connection_id}/answer", POST, "401 404 404 200 403 404 200 200", connection_id="connection", data={"accept": True}),
    api("/api/directory/connections/{connection_id}/withdraw", POST, "401 404 404 403 200 404 200 200", connection_id="connection"),

    # --- API: events -------------------------------------------------------------------
    api("/api/events", POST,                                     "401 403 403 201 403 403 201 201", data=lambda i: {
        "organiser": i["qingling"], "title_en": "Van day", "slot_minutes": 20, "tables": 4,
        "sessions": [{"date": "2026-06-01", "part": "am", "starts_at": "09:00", "ends_at": "10:00"}]}),
    api("/api/events/{event_id}", GET,                           "200 200 200 200 200 200 200 200", event_id="event"),
    api("/api/events/{event_id}", GET,                           "404 404 404 404 404 404 200 200", event_id="draft_event", note="unpublished"),
    api("/api/events/{event_id}/participants", GET,              "401 404 404 404 404 404 200 200", event_id="draft_event", note="unpublished"),
    api("/api/events/{event_id}/publish", POST,                  "401 403 403 403 403 403 200 200", event_id="event"),
    api("/api/events/{event_id}/participants", GET,              "401 200 200 200 200 200 200 200", event_id="event"),
    api("/api/events/{event_id}/participants", POST,             "401 403 201 403 403 403 201 201", event_id="event", data=lambda i: {
        "organisation": i["lion_trade"]}, note="Lion City Trade"),
    api("/api/events/{event_id}/participants", POST,             "401 404 404 404 404 404 201 201", event_id="draft_event", data=lambda i: {
        "organisation": i["lion_trade"]}, note="unpublished event"),
    api("/api/events/{event_id}/participants/{participant_id}", PATCH, "401 403 403 200 403 403 200 200", event_id="event", participant_id="qingling_at", data=lambda i: {
        "version": i["qingling_at_version"], "languages": ["zh", "en"]}),
    api("/api/events/{event_id}/interpreters", GET,              "401 403 403 403 403 403 200 200", event_id="event"),
    api("/api/events/{event_id}/interpreters", POST,             "401 403 403 403 403 403 201 201", event_id="event", data={
        "name_en": "Tan Mei", "unavailable_slots": [2]}),
    api("/api/events/{event_id}/interpreters/{interpreter_id}", PATCH, "401 403 403 403 403 403 200 200", event_id="event", interpreter_id="interpreter", data={
        "languages": ["zh", "en"], "unavailable_slots": [1]}),
    api("/api/events/{event_id}/requests", GET,                  "401 200 200 200 200 200 200 200", event_id="event"),
    api("/api/events/{event_id}/requests", POST,                 "401 403 403 403 201 403 201 201", event_id="event", data=lambda i: {
        "requester": i["motorway_at"], "requested": i["logistics_at"], "priority": "must"},
        note="Motorway asks Logistics"),
    api("/api/events/{event_id}/requests/{request_id}", PATCH,   "401 404 404 403 200 404 200 200", event_id="event", request_id="pending", data=lambda i: {
        "version": i["pending_version"], "priority": "must"}),
    api("/api/events/{event_id}/requests/{request_id}/answer", POST, "401 404 404 200 403 404 200 200", event_id="event", request_id="pending", data={"accept": True}),
    api("/api/events/{event_id}/requests/{request_id}/cancel", POST, "401 404 404 200 200 404 200 200", event_id="event", request_id="pending"),
    api("/api/events/{event_id}/precedences", GET,               "401 403 403 403 403 403 200 200", event_id="event"),
    api("/api/events/{event_id}/precedences", POST,              "401 403 403 403 403 403 400 400", event_id="event", data={"before": 999999, "after": 999998}),
    api("/api/events/{event_id}/precedences/{precedence_id}", DELETE, "401 403 403 403 403 403 404 404", event_id="event", precedence_id=999999),
    api("/api/events/{event_id}/requests/{request_id}/lock", POST, "401 404 404 403 404 404 200 200", event_id="event", request_id="meeting", data=lambda i: {"slot": 1, "version": i["meeting_version"]}),
    api("/api/events/{event_id}/meetings", POST,                 "401 403 403 403 403 403 201 201", event_id="event", data=lambda i: {
        "requester": i["motorway_at"], "requested": i["logistics_at"], "priority": "must"}),
    api("/api/events/{event_id}/schedule-runs", POST,            "401 403 403 403 403 403 202 202", event_id="event", data={"mode": "all", "time_limit": 5}),
    api("/api/events/{event_id}/schedule-runs/{run_id}", GET,    "401 403 403 403 403 403 200 200", event_id="event", run_id="run"),
    api("/api/events/{event_id}/agendas/{participant_id}", GET,  "401 403 403 200 403 403 200 200", event_id="event", participant_id="qingling_at"),
    api("/api/events/{event_id}/participants/{participant_id}/absent", POST, "401 403 403 403 403 403 400 400", event_id="event", participant_id="qingling_at", note="event over"),
    api("/api/events/{event_id}/requests/{request_id}/cancel-and-replan", POST, "401 404 404 403 404 404 400 400", event_id="event", request_id="meeting", note="meeting held"),
    api("/api/events/{event_id}/participants/{participant_id}/free-slots", GET, "401 403 403 200 403 403 200 200", event_id="event", participant_id="qingling_at", **{"?meet": "motorway_at"}),
    api("/api/events/{event_id}/bookings", POST,                 "401 403 403 403 403 403 403 403", event_id="event", data=lambda i: {
        "participant": i["qingling_at"], "meet": i["motorway_at"], "slot": 2}, note="organiser-scheduled"),
    api("/api/events/{event_id}/bookings/{request_id}/cancel", POST, "401 404 404 400 404 404 400 400", event_id="event", request_id="meeting"),
    api("/api/events/{event_id}/outcomes", POST,                 "401 403 403 200 403 403 200 200", event_id="event", data=lambda i: {
        "meeting": i["meeting"], "participant": i["qingling_at"], "outcome": "agreement",
        "version": i["outcome_version"]}),
    api("/api/events/{event_id}/check-in", POST,                 "401 403 403 403 403 403 404 404", event_id="event", data={"token": "1-2:not-a-code"}),
    api("/api/events/{event_id}/participants/{participant_id}/check-in", POST, "401 403 403 403 403 403 200 200", event_id="event", participant_id="qingling_at"),
    api("/api/events/{event_id}/participants/{participant_id}/check-in", DELETE, "401 403 403 403 403 403 200 200", event_id="event", participant_id="qingling_at"),
    api("/api/events/{event_id}/board", GET,                     "401 403 403 403 403 403 200 200", event_id="event"),
    api("/api/events/{event_id}/results", GET,                   "401 403 403 403 403 403 200 200", event_id="event"),

    # --- API: results ------------------------------------------------------------------
    api("/api/results/indicators/{indicator_id}", GET,           "404 404 404 200 200 404 200 200", indicator_id="project_indicator"),
    api("/api/results/indicators/{indicator_id}", PATCH,         "401 404 404 200 403 404 200 200", indicator_id="project_indicator", data={
        "version": 1, "unit_zh": "辆"}),
    api("/api/results/indicators/{indicator_id}/targets", GET,   "404 404 404 200 200 404 200 200", indicator_id="project_indicator"),
    api("/api/results/indicators/{indicator_id}/targets", POST,  "401 404 404 201 403 404 201 201", indicator_id="project_indicator", data={
        "period_start": "2027-01-01", "period_end": "2027-12-31", "value": "40"}),
    api("/api/results/indicators/{indicator_id}/actuals", GET,   "404 404 404 200 200 200 200 200", indicator_id="case_indicator"),
    api("/api/results/indicators/{indicator_id}/actuals", POST,  "401 404 404 201 201 403 201 201", indicator_id="case_indicator", data={
        "period_start": "2026-01-01", "period_end": "2026-06-30", "value": "2",
        "source_url": "https://example.org/approval"}),
    api("/api/results/indicators/{indicator_id}/actuals/measure", POST, "401 403 403 403 403 403 201 201", indicator_id="event_indicator", data={
        "period_start": "2026-03-10", "period_end": "2026-03-10"}),
]
# fmt: on

# Routes the matrix leaves out, each for a reason.
IGNORED_URL_NAMES = {
    "set_language",  # django.conf.urls.i18n: switching language is open to all by design
}
IGNORED_URL_PREFIXES = (
    "admin:",  # Django's admin site: staff only, guarded by Django itself
    "api:",  # the API is walked through its OpenAPI paths below (its docs pages are public)
)


# --- the world ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end, so no
    other test module ever sees it. The knowledge base is the story one from the standards
    tests, and uploads go to a temporary folder."""
    import weasyprint  # slow to import: only when the module runs

    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        override_settings(MEDIA_ROOT=str(media)),
    ):
        knowledge_base = story_knowledge_base()
        patch.setattr(kb_module, "current", lambda: knowledge_base, raising=False)
        # The matrix asks who gets a PDF, not what is in it (the standards and events tests
        # read the PDFs back): the page is still built from its HTML, only not typeset.
        patch.setattr(weasyprint.HTML, "write_pdf", lambda self, *a, **k: b"%PDF-1.7 (stub)")
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def url_of(row: Row, ids: dict) -> str:
    def value(name):
        return ids.get(name, name)  # a record of the world by name, or a literal

    arguments = {key: value(name) for key, name in row.args if not key.startswith("?")}
    query = "&".join(f"{key[1:]}={value(name)}" for key, name in row.args if key.startswith("?"))
    if row.kind == "page":
        url = reverse(row.route, kwargs=arguments)
    else:
        url = row.route.format(**arguments)
    return f"{url}?{query}" if query else url


def expected_of(row: Row) -> dict[str, str]:
    statuses = row.expect.split()
    assert len(statuses) == len(ROLES), f"{row.id}: {len(statuses)} statuses for {len(ROLES)} roles"
    return dict(zip(ROLES, statuses, strict=True))


def answer(response) -> str:
    """What the person got, in the table's words."""
    location = response.get("Location", "") if response.status_code == 302 else ""
    if location.startswith(reverse("accounts:login")):
        return "L"
    return str(response.status_code)


def call(world, row: Row, role: str) -> str:
    """`row`'s request as `role`, in a savepoint that is rolled back afterwards."""
    client = Client(raise_request_exception=False)
    ids = world.ids
    data = row.data(ids) if callable(row.data) else row.data
    url = url_of(row, ids)
    with transaction.atomic():
        user = world.people[role]
        if user is not None:
            client.force_login(user)
        if row.method == GET:
            response = client.get(url)
        elif row.kind == "page":
            response = client.post(url, data or {})
        else:
            response = client.generic(
                row.method,
                url,
                data=json.dumps(data or {}),
                content_type="application/json",
            )
        transaction.set_rollback(True)
    return answer(response)


def row_of(item) -> Row:
    return item if isinstance(item, Row) else item.values[0]  # a row, or a hole's param


def params():
    return [pytest.param(item, id=item.id) if isinstance(item, Row) else item for item in ROWS]


@pytest.mark.parametrize("row", params())
def test_each_role_gets_the_status_in_the_table(world, row):
    expected = expected_of(row)
    got = {role: call(world, row, role) for role in ROLES}
    wrong = {
        role: f"expected {expected[role]}, got {got[role]}"
        for role in ROLES
        if got[role] != expected[role]
    }
    assert not wrong, f"{row.id}: {wrong}"


# --- every route is in the table ------------------------------------------------------------


def named_url_patterns(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_url_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def rows_of(kind: str) -> set[str]:
    return {row_of(item).route for item in ROWS if row_of(item).kind == kind}


def test_every_named_page_is_in_the_table():
    missing = sorted(
        name
        for name in named_url_patterns()
        if name not in IGNORED_URL_NAMES
        and not name.startswith(IGNORED_URL_PREFIXES)
        and name not in rows_of("page")
    )
    assert not missing, f"routes with no row in the access matrix: {missing}"


def test_every_api_path_with_a_parameter_is_in_the_table():
    from corridor.api import api as corridor_api

    paths = corridor_api.get_openapi_schema()["paths"]
    missing = sorted(p for p in paths if re.search(r"\{\w+\}", p) and p not in rows_of("api"))
    assert not missing, f"API paths with no row in the access matrix: {missing}"


def test_the_table_names_no_route_that_does_not_exist():
    pages = named_url_patterns()
    from corridor.api import api as corridor_api

    paths = corridor_api.get_openapi_schema()["paths"]
    assert not sorted(rows_of("page") - pages)
    unknown = [
        row.id
        for row in map(row_of, ROWS)
        if row.kind == "api" and row.method.lower() not in paths.get(row.route, {})
    ]
    assert not unknown, f"rows for API operations that do not exist: {unknown}"


# --- what a status cannot show -------------------------------------------------------------


@pytest.mark.parametrize("role", ["loner", "outsider", "regulator"])
def test_contact_persons_of_an_event_are_shown_only_to_its_organisers_and_participants(world, role):
    event, qingling = world.ids["event"], world.ids["qingling"]
    client = Client()
    client.force_login(world.people[role])

    page = client.get(reverse("events:event_detail", args=[event])).content.decode()
    participants = client.get(f"/api/events/{event}/participants").json()

    assert "member@example.org" not in page  # Qingling's contact, hidden on the page
    contact = {p["organisation"]["id"]: p["contact"] for p in participants}[qingling]
    assert contact is None, f"the API names {contact['display_name']} to {role}"


@pytest.mark.parametrize("role", ["anon", "loner", "outsider", "member", "regulator"])
def test_contact_persons_of_a_connection_are_shown_only_to_its_two_sides(world, role):
    """Motorway (partner) and Lion City Logistics are connected: the e-mail of Logistics'
    member reaches neither another enterprise, nor a regulator, nor anyone logged out."""
    accepted = world.ids["accepted"]
    client = Client()
    if world.people[role] is not None:
        client.force_login(world.people[role])

    page = client.get(reverse("directory:connection_detail", args=[accepted])).content.decode()
    api = client.get(f"/api/directory/connections/{accepted}").content.decode()

    assert "logistics@example.org" not in page and "logistics@example.org" not in api


def test_the_two_sides_of_a_connection_see_each_others_contact_persons(world):
    client = Client()
    client.force_login(world.people["partner"])

    page = client.get(reverse("directory:connection_detail", args=[world.ids["accepted"]]))

    assert "logistics@example.org" in page.content.decode()


def test_participants_see_each_others_contact_persons(world):
    client = Client()
    client.force_login(world.people["partner"])

    page = client.get(reverse("events:event_detail", args=[world.ids["event"]]))

    assert "member@example.org" in page.content.decode()
