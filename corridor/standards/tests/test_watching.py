"""Watch lists: following products (HS prefix × market), only one's own, and the one digest
per person that a kb_load sends about what changed for them."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from corridor.accounts.models import Notification
from corridor.cases import services as case_services
from corridor.cases.models import Case
from corridor.core.audit import audit_entries_for
from corridor.standards import kb, watching
from corridor.standards.models import HsCode, ReadinessAssessment, Requirement, Watch
from corridor.standards.services import watch_add
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

WATCHING = "/standards/watching/"
API = "/api/standards/watches"


@pytest.fixture
def hs_codes(db):
    """A loaded HS edition, so that codes outside it are refused."""
    meat = HsCode.objects.create(code="02", level=2, description_en="Meat")
    pork = HsCode.objects.create(code="0203", level=4, parent=meat, description_en="Pork")
    HsCode.objects.create(code="020329", level=6, parent=pork, description_en="Frozen pork")
    HsCode.objects.create(code="16", level=2, description_en="Meat preparations")
    HsCode.objects.create(code="87", level=2, description_en="Vehicles")


# --- following and unfollowing --------------------------------------------------------------


def test_a_member_follows_a_product_through_the_page(client, hs_codes, owner):
    client.force_login(owner)
    response = client.post(WATCHING, {"hs_prefix": "02.03", "market": "SG"})
    assert response.status_code == 302
    watch = Watch.objects.get()
    assert (watch.user, watch.hs_prefix, watch.market) == (owner, "0203", "SG")
    assert [entry.action for entry in audit_entries_for(watch)] == ["create"]
    page = client.get(WATCHING).content.decode()
    assert "<code>0203</code>" in page
    assert "Singapore" in page


@pytest.mark.parametrize(
    "hs_prefix, market, field, message",
    [
        ("020", "SG", "hs_prefix", "Enter an HS chapter, heading or subheading: 2, 4 or 6 digits"),
        ("02x3", "SG", "hs_prefix", "Enter an HS chapter, heading or subheading: 2, 4 or 6 digits"),
        (
            "0299",
            "SG",
            "hs_prefix",
            "The HS code 0299 is not in HS2022; check it in the HS browser.",
        ),
        ("0203", "FR", "market", "Choose a market the knowledge base covers: CN, SG."),
    ],
)
def test_bad_input_gets_an_error_on_its_field_and_saves_nothing(
    client, hs_codes, owner, hs_prefix, market, field, message
):
    client.force_login(owner)
    response = client.post(
        API, json.dumps({"hs_prefix": hs_prefix, "market": market}), content_type="application/json"
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Watch.objects.exists()


def test_the_page_puts_the_error_beside_the_field(client, hs_codes, owner):
    client.force_login(owner)
    response = client.post(WATCHING, {"hs_prefix": "0299", "market": "SG"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["hs_prefix"] == [
        "The HS code 0299 is not in HS2022; check it in the HS browser."
    ]
    assert not Watch.objects.exists()


def test_following_the_same_product_twice_is_refused(client, hs_codes, owner):
    watch_add(actor=owner, hs_prefix="0203", market="SG")
    client.force_login(owner)
    response = client.post(WATCHING, {"hs_prefix": "0203", "market": "SG"})
    assert response.context["form"].errors["hs_prefix"] == ["You already follow 0203 in SG."]
    assert Watch.objects.count() == 1


def test_the_assessment_page_offers_to_follow_its_product(client, hs_codes, owner, enterprise):
    assessment = ReadinessAssessment.objects.create(
        organisation=enterprise, hs_code="020329", origin="CN", destination="SG"
    )
    client.force_login(owner)
    page = client.get(reverse("standards:assessment_detail", args=[assessment.pk])).content.decode()
    assert 'href="/standards/watching/?hs=020329&amp;market=SG"' in page
    form = client.get(WATCHING + "?hs=020329&market=SG").context["form"]
    assert form.initial == {"hs_prefix": "020329", "market": "SG"}


@pytest.fixture
def owners_watch(hs_codes, owner):
    return watch_add(actor=owner, hs_prefix="0203", market="SG")


@pytest.mark.parametrize("who", ["colleague", "outsider", "facilitator", "admin_user"])
def test_nobody_else_removes_a_persons_watch_on_the_page_or_over_the_api(
    client, request, owners_watch, who
):
    # a colleague of the same organisation, another organisation's member, the staff
    client.force_login(request.getfixturevalue(who))
    page = client.post(reverse("standards:watch_remove", args=[owners_watch.pk]))
    api = client.delete(f"{API}/{owners_watch.pk}")
    assert (page.status_code, api.status_code) == (403, 403)
    assert "You can only stop following products you follow yourself." in api.json()["detail"]
    assert Watch.objects.filter(pk=owners_watch.pk).exists()
    assert client.get(API).json() == []  # nor do they see it


def test_an_anonymous_visitor_neither_lists_nor_removes(client, owners_watch):
    page = client.post(reverse("standards:watch_remove", args=[owners_watch.pk]))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:login"))
    assert client.delete(f"{API}/{owners_watch.pk}").status_code == 401
    assert client.get(API).status_code == 401
    assert Watch.objects.filter(pk=owners_watch.pk).exists()


def test_the_follower_removes_their_own_watch_on_the_page_and_over_the_api(
    client, owners_watch, owner
):
    client.force_login(owner)
    assert client.get(API).json()[0]["hs_prefix"] == "0203"
    response = client.post(reverse("standards:watch_remove", args=[owners_watch.pk]))
    assert response.status_code == 302
    assert not Watch.objects.exists()
    [removal] = [e for e in audit_entries_for(owners_watch) if e.action == "delete"]
    second = watch_add(actor=owner, hs_prefix="16", market="CN")
    assert client.delete(f"{API}/{second.pk}").status_code == 204
    assert not Watch.objects.exists()


def test_the_api_adds_a_watch(client, hs_codes, outsider):
    client.force_login(outsider)
    response = client.post(
        API, json.dumps({"hs_prefix": "87", "market": "CN"}), content_type="application/json"
    )
    assert response.status_code == 201
    assert (response.json()["hs_prefix"], response.json()["market"]) == ("87", "CN")
    assert Watch.objects.get().user == outsider


# --- the digest a kb_load sends -------------------------------------------------------------

REGION = "sg-sfa-region-accreditation"  # on 02, 1601, 1602 in SG: changed below
LABELLING = "sg-sfa-labelling"  # on 02, 1601, 1602 in SG: retired below
ADDED = "sg-sfa-frozen-pork-test-rule"  # on 020329 in SG: added below
REGION_ZH = "新加坡食品局对出口国家或地区的准入认可（加工肉制品）"
ADDED_ZH = "冷冻猪肉测试规则"


def load(directory) -> str:
    out = StringIO()
    call_command("kb_load", str(directory), stdout=out)
    return out.getvalue().strip()


def edit_meat_file(directory) -> None:
    """Change REGION, retire LABELLING, add ADDED (a copy of LABELLING on 020329)."""
    meat = directory / "sg" / "sfa-meat.yaml"
    text = meat.read_text(encoding="utf-8")
    text = text.replace("duration_days: [60, 120, 365]", "duration_days: [90, 150, 365]", 1)
    start = text.index(f"  - id: {LABELLING}\n")
    end = text.index("  - id: sg-sfa-import-licence")
    block = text[start:end]
    added = (
        block.replace(LABELLING, ADDED)
        .replace(
            'en: "Labels with origin, establishment number, dates and batch"',
            'en: "Frozen pork test rule"',
        )
        .replace('zh: "标签须标明原产地、企业编号、日期和批次"', f'zh: "{ADDED_ZH}"')
        .replace('hs_prefixes: ["02", "1601", "1602"]', 'hs_prefixes: ["020329"]')
    )
    assert added.count("020329") == 1 and ADDED_ZH in added
    meat.write_text(text[:start] + added + text[end:], encoding="utf-8")


@pytest.fixture
def kb_copy(tmp_path):
    directory = tmp_path / "kb"
    shutil.copytree(kb.KB_DIR, directory)
    return directory


def test_one_digest_per_person_in_their_language_naming_changes_stale_assessments_and_cases(
    settings,
    kb_copy,
    hs_codes,
    enterprise,
    owner,
    colleague,
    other_enterprise,
    outsider,
    facilitator,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://corridor.example.org"
    load(kb_copy)
    hashes = dict(Requirement.objects.values_list("key", "content_hash"))

    # Li reads Chinese and follows frozen pork in Singapore; a member of a third enterprise.
    li = UserFactory(username="li", email="li@example.org", language="zh-hans")
    MembershipFactory(user=li, organisation=OrganisationFactory(name_en="Chongqing Pork"))
    watch_add(actor=li, hs_prefix="0203", market="SG")
    # The owner follows chapter 16 AND has an assessment that goes stale: still one message.
    watch_add(actor=owner, hs_prefix="16", market="SG")
    pork = ReadinessAssessment.objects.create(
        organisation=enterprise,
        product_name="Canned pork",
        hs_code="160249",
        origin="CN",
        destination="SG",
        requirement_hashes={REGION: hashes[REGION]},
    )
    # The outsider follows chapter 02 in SG; their organisation has an open pork case and a
    # withdrawn one; Li may see neither.
    watch_add(actor=outsider, hs_prefix="02", market="SG")
    open_case = case_services.case_open(
        actor=facilitator,
        applicant=other_enterprise,
        title_en="Frozen pork to Singapore",
        title_zh="冷冻猪肉出口新加坡",
        target_market="SG",
        product_name="Frozen pork",
        hs_code="020329",
    )
    closed_case = case_services.case_open(
        actor=facilitator,
        applicant=other_enterprise,
        title_en="Chilled pork to Singapore",
        target_market="SG",
        hs_code="020319",
    )
    Case.objects.filter(pk=closed_case.pk).update(status=Case.Status.WITHDRAWN)
    # Nobody told: a watch on vans in SG and one on pork in China.
    vans = UserFactory(username="vans", email="vans@example.org")
    watch_add(actor=vans, hs_prefix="87", market="SG")
    watch_add(actor=vans, hs_prefix="0203", market="CN")

    edit_meat_file(kb_copy)
    with django_capture_on_commit_callbacks(execute=True):
        output = load(kb_copy)

    assert output.startswith("Requirements: 1 created, 1 updated, 162 unchanged, 1 removed.")
    assert output.endswith("Assessments marked stale: 1. People told: 4.")
    told = sorted(Notification.objects.values_list("recipient__username", flat=True))
    assert told == ["colleague", "li", "outsider", "owner"]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "colleague@example.org",
        "li@example.org",
        "outsider@example.org",
        "owner@example.org",
    ]

    to_li = Notification.objects.get(recipient=li)
    # Li's watch on 0203 is touched by the rules on 02 and by the new one on 020329.
    assert REGION_ZH in to_li.body_zh
    assert ADDED_ZH in to_li.body_zh
    assert f"废止：标签须标明原产地、企业编号、日期和批次（SG，{LABELLING}）" in to_li.body_zh
    assert "Frozen pork test rule (SG, sg-sfa-frozen-pork-test-rule)" in to_li.body_en
    assert open_case.reference not in to_li.body_en  # not a party: not shown
    assert "Canned pork" not in to_li.body_en  # another organisation's assessment
    [li_mail] = [m for m in mailoutbox if m.to == ["li@example.org"]]
    assert ADDED_ZH in li_mail.body and REGION_ZH in li_mail.body

    to_owner = Notification.objects.get(recipient=owner)
    assert "Canned pork (HS 160249, CN → SG)" in to_owner.body_en
    rerun = f"https://corridor.example.org/standards/assessments/new/?from={pork.pk}"
    assert rerun in to_owner.body_en
    assert to_owner.url == f"/standards/assessments/new/?from={pork.pk}"
    assert ReadinessAssessment.objects.get(pk=pork.pk).is_stale
    # chapter 16 is touched by the changed and the retired rules, not by the one on 020329
    assert f"(SG, {REGION})" in to_owner.body_en
    assert f"(SG, {LABELLING})" in to_owner.body_en
    assert ADDED not in to_owner.body_en

    to_colleague = Notification.objects.get(recipient=colleague)  # follows nothing
    assert rerun in to_colleague.body_en
    assert LABELLING not in to_colleague.body_en  # only what their assessment rests on

    to_outsider = Notification.objects.get(recipient=outsider)
    case_url = f"https://corridor.example.org/cases/{open_case.pk}/"
    assert f"{open_case.reference} Frozen pork to Singapore: {case_url}" in to_outsider.body_en
    assert f"{open_case.reference} 冷冻猪肉出口新加坡" in to_outsider.body_zh
    assert closed_case.reference not in to_outsider.body_en
    assert "Canned pork" not in to_outsider.body_en


def test_a_load_that_changes_nothing_tells_nobody(
    kb_copy, hs_codes, owner, django_capture_on_commit_callbacks
):
    load(kb_copy)
    watch_add(actor=owner, hs_prefix="02", market="SG")
    with django_capture_on_commit_callbacks(execute=True):
        assert load(kb_copy).endswith("People told: 0.")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "prefixes, hs_code, market, touched",
    [
        (("02",), "0203", "SG", True),  # a rule on the chapter touches a watch on a heading
        (("020329",), "0203", "SG", True),  # and a rule on a subheading does too
        (("0204",), "0203", "SG", False),
        (("02",), "0203", "CN", False),  # another market
        ((), "8704", "SG", True),  # a rule without prefixes covers every product
    ],
)
def test_a_requirement_touches_a_product_when_their_prefixes_meet(
    prefixes, hs_code, market, touched
):
    change = watching.RequirementChange("r", watching.ADDED, "SG", prefixes, "R", "")
    assert watching.touches(change, hs_code, market) is touched


def test_the_rerun_link_fills_the_form_only_with_an_assessment_one_may_see(
    client, hs_codes, owner, outsider, enterprise
):
    assessment = ReadinessAssessment.objects.create(
        organisation=enterprise,
        product_name="Canned pork",
        hs_code="160249",
        origin="CN",
        destination="SG",
        attributes={"processing_form": "canned"},
        held=["sfa-compliant-labels"],
        is_stale=True,
    )
    url = reverse("standards:assessment_create") + f"?from={assessment.pk}"
    client.force_login(owner)
    initial = client.get(url).context["form"].initial
    assert (initial["hs_code"], initial["destination"], initial["product_name"]) == (
        "160249",
        "SG",
        "Canned pork",
    )
    assert initial["attr_processing_form"] == "canned"
    assert initial["held"] == ["sfa-compliant-labels"]
    client.force_login(outsider)
    assert "hs_code" not in client.get(url).context["form"].initial
