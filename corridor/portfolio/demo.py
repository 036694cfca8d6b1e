"""Demo data for `make run`: the initiative's real facts, each with its source, and a
synthetic set, labelled synthetic, large enough for the dashboard to mean something.

Loading is idempotent. Every record has a stable key (a project's or innovation's external
id, a username, an organisation's English name and country, a rate's currency and date, a
published figure's metric, date and scope), and a second run writes nothing when nothing
changed. Writes go through the services, so each one leaves an audit entry.

The real facts come from Corridor's research notes (`../shared/research/registry.md`,
section 2, and `market-access.md`). The notes do not record when each source was checked, so
`source_checked_on` stays empty. What the notes mark unsure, or do not contain, is loaded with
wording that says it is unconfirmed. Dates the notes give only to the month or year are left
empty (the month or year is in the description) rather than guessed to the day.

Synthetic records carry `is_synthetic=True`, and their names and titles start with
"[Synthetic] " in English and "【模拟】" in Chinese. They come from `random.Random(2015)`, so
every run generates the same records.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from corridor.accounts.models import Membership, Organisation, User
from corridor.accounts.services import membership_add, organisation_create
from corridor.core.actors import SYSTEM
from corridor.core.audit import audit_record
from corridor.core.models import FxRate, Sector
from corridor.portfolio.models import (
    Innovation,
    Project,
    ProjectParty,
    ProjectStatusChange,
    PublishedFigure,
)
from corridor.portfolio.services import (
    PartyInput,
    ProjectInput,
    innovation_save,
    project_create,
    project_publish,
    project_set_parties,
    project_transition,
    project_update,
    published_figure_save,
    validate_project_input,
)

DEMO_PASSWORD = "corridor-demo"
SYNTHETIC_EN = "[Synthetic] "
SYNTHETIC_ZH = "【模拟】"
REAL_ID_PREFIX = "CCI-DEMO-REAL-"
SYNTHETIC_ID_PREFIX = "CCI-DEMO-SYN-"
SEED = 2015
# Synthetic projects are signed, and change status, no later than this date.
SYNTHETIC_UNTIL = date(2025, 11, 30)

NOTES_SAY = (
    "As reported in Corridor's research notes; the date the source was checked is not recorded."
)
NOTES_SAY_ZH = "据 Corridor 研究笔记记载；未记录核对来源的日期。"
SYNTHETIC_NOTE = "Synthetic demo record generated for Corridor's dashboard; not a real fact."
SYNTHETIC_NOTE_ZH = "为 Corridor 演示仪表板生成的模拟记录，并非真实信息。"
FX_SOURCE = (
    "Synthetic demo rate (approximate annual level), not an official rate — "
    "replace with official rates before use"
)


# --- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationSpec:
    name_en: str
    name_zh: str
    kind: str
    country: str
    city: str = ""
    is_administration: bool = False
    is_synthetic: bool = False
    industry: str = ""  # sector code the synthetic generator matches projects to
    short_en: str = ""  # how synthetic project titles name the organisation
    short_zh: str = ""


@dataclass(frozen=True)
class UserSpec:
    username: str
    name_en: str
    name_zh: str
    organisation: str  # OrganisationSpec.name_en
    role: str
    is_superuser: bool = False


@dataclass
class ProjectSpec:
    external_id: str
    owner: str  # OrganisationSpec.name_en
    data: ProjectInput
    parties: list[tuple[str, str]] = field(default_factory=list)  # (organisation, role)
    transitions: list[tuple[str, date, str]] = field(default_factory=list)
    published: bool = True


@dataclass
class InnovationSpec:
    external_id: str
    fields: dict
    agencies: list[str] = field(default_factory=list)


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


BUREAU = "Chongqing Municipal CCI Administration Bureau"
QINGLING = "Qingling Motors"
NUOXIN = "Chongqing Nuoxin"
MOTORWAY = "Motorway Group"
CAPITALAND = "CapitaLand"
MAS = "Monetary Authority of Singapore"
CQ_FINANCIAL_REGULATOR = "Chongqing Financial Regulatory Bureau"
DEJIA = "Chongqing Dejia"
DEJIA_PARTNER = "Singapore partner (name not published)"
NUS = "National University of Singapore"
SINGAPORE_GOVERNMENT = "Government of the Republic of Singapore"
CHINA_GOVERNMENT = "Government of the People's Republic of China"

# Real organisations. A Chinese name is given only where it is the organisation's known name;
# otherwise it stays empty and pages fall back to the English one.
REAL_ORGANISATIONS = [
    OrganisationSpec(BUREAU, "重庆市中新示范项目管理局", "agency", "CN", "Chongqing", True),
    OrganisationSpec(SINGAPORE_GOVERNMENT, "新加坡共和国政府", "agency", "SG", "Singapore"),
    OrganisationSpec(CHINA_GOVERNMENT, "中华人民共和国政府", "agency", "CN", "Beijing"),
    OrganisationSpec(QINGLING, "庆铃汽车", "enterprise", "CN", "Chongqing"),
    OrganisationSpec(NUOXIN, "", "enterprise", "CN", "Chongqing"),
    OrganisationSpec(MOTORWAY, "", "enterprise", "SG", "Singapore"),
    OrganisationSpec(CAPITALAND, "凯德集团", "enterprise", "SG", "Singapore"),
    OrganisationSpec(MAS, "新加坡金融管理局", "regulator", "SG", "Singapore"),
    OrganisationSpec(CQ_FINANCIAL_REGULATOR, "", "regulator", "CN", "Chongqing"),
    OrganisationSpec(DEJIA, "", "enterprise", "CN", "Chongqing"),
    OrganisationSpec(DEJIA_PARTNER, "新加坡合作方（名称未公布）", "enterprise", "SG", "Singapore"),
    OrganisationSpec(NUS, "新加坡国立大学", "partner", "SG", "Singapore"),
]

DEMO_USERS = [
    UserSpec("admin", "Demo Administrator", "演示管理员", BUREAU, "administrator", True),
    UserSpec("facilitator", "Demo Facilitator", "演示协调员", BUREAU, "facilitator"),
    UserSpec("qingling", "Demo Qingling Member", "演示庆铃成员", QINGLING, "member"),
    UserSpec("motorway", "Demo Motorway Member", "演示 Motorway 成员", MOTORWAY, "member"),
]

# One synthetic rate per year, on 1 January: US dollars per unit.
FX_RATES = {
    "CNY": ["0.1605", "0.1506", "0.1481", "0.1512", "0.1448", "0.1450", "0.1550", "0.1487",
            "0.1412", "0.1390", "0.1390"],
    "SGD": ["0.7276", "0.7240", "0.7246", "0.7415", "0.7331", "0.7250", "0.7440", "0.7256",
            "0.7440", "0.7480", "0.7600"],
}  # fmt: skip
FX_FIRST_YEAR = 2015

STRAITS_TIMES_DATA_CHANNEL = (
    "https://www.straitstimes.com/singapore/"
    "singapore-chongqing-deepen-cooperation-with-chinas-first-dedicated-international-data-link"
)
ICHONGQING_FINANCE = "https://www.ichongqing.info/?p=156237"


def real_projects() -> list[ProjectSpec]:
    framework = REAL_ID_PREFIX + "2015-FRAMEWORK"
    return [
        ProjectSpec(
            external_id=framework,
            owner=BUREAU,
            data=ProjectInput(
                title_en=(
                    "China–Singapore (Chongqing) Demonstration Initiative on Strategic "
                    "Connectivity framework agreement"
                ),
                title_zh="中新（重庆）战略性互联互通示范项目框架协议",
                description_en=(
                    "The framework agreement launching the initiative was signed in Singapore "
                    "on 7 November 2015. Operations began on 8 January 2016, when the "
                    "Administration Bureau's office opened and the first Joint Implementation "
                    "Committee met; 11 memoranda of understanding worth US$6.56 billion were "
                    "signed that day (their value belongs to those memoranda, not to this "
                    "agreement). " + NOTES_SAY
                ),
                description_zh=(
                    "启动示范项目的框架协议于2015年11月7日在新加坡签署。2016年1月8日项目管理局"
                    "办公室启用、第一次联合实施委员会会议召开，项目开始运作；当天签署11份合作备忘录，"
                    "总值65.6亿美元（该金额属于这些备忘录，不属于本协议）。" + NOTES_SAY_ZH
                ),
                kind="g2g",
                sector="other",
                signed_on=date(2015, 11, 7),
                location_en="Chongqing",
                location_zh="重庆",
                source_url="https://www.asiaone.com/more-chongqing-flights-new-chinaspore-project-0?page=3",
            ),
            parties=[(SINGAPORE_GOVERNMENT, "counterpart"), (CHINA_GOVERNMENT, "counterpart")],
            transitions=[
                (
                    "in_progress",
                    date(2016, 1, 8),
                    "Operations began: the Administration Bureau's office opened and the "
                    "first Joint Implementation Committee met.",
                )
            ],
        ),
        ProjectSpec(
            external_id=REAL_ID_PREFIX + "2019-DATA-CHANNEL",
            owner=BUREAU,
            data=ProjectInput(
                title_en="China–Singapore (Chongqing) International Data Channel",
                title_zh="中新（重庆）国际互联网数据专用通道",
                description_en=(
                    "China's first dedicated international data link, launched on "
                    "11 September 2019 with a bandwidth of 260 Gbps. " + NOTES_SAY
                ),
                description_zh=(
                    "中国首条点对点国际数据专用通道，于2019年9月11日开通，带宽260 Gbps。"
                    + NOTES_SAY_ZH
                ),
                kind="g2g",
                sector="ict",
                signed_on=date(2019, 9, 11),
                location_en="Chongqing and Singapore",
                location_zh="重庆和新加坡",
                source_url=STRAITS_TIMES_DATA_CHANNEL,
            ),
            transitions=[("in_progress", date(2019, 9, 11), "Launched (Straits Times).")],
        ),
        ProjectSpec(
            external_id=REAL_ID_PREFIX + "RAFFLES-CITY-CHONGQING",
            owner=BUREAU,
            data=ProjectInput(
                title_en="Raffles City Chongqing",
                title_zh="重庆来福士",
                description_en=(
                    "CapitaLand's integrated development at Chaotianmen, with a total "
                    "investment of RMB 24 billion. The signing date is not given in the "
                    "research notes and is left empty; the value is converted to US dollars "
                    "with the latest demo rate. The research notes give no source for this "
                    "project; the source cited is a Business Times report (16 October 2019) "
                    "that states the RMB 24 billion investment."
                ),
                description_zh=(
                    "凯德集团在朝天门的综合体项目，总投资240亿元人民币。研究笔记未给出签约日期，"
                    "故留空；金额按最新的演示汇率折算为美元。研究笔记未给出本项目的来源；"
                    "所引来源为《商业时报》2019年10月16日的报道，其中载明240亿元人民币的投资。"
                ),
                kind="commercial",
                sector="other",
                value=Decimal("24000000000"),
                currency="CNY",
                location_en="Chaotianmen, Yuzhong District, Chongqing",
                location_zh="重庆渝中区朝天门",
                source_url=(
                    "https://www.businesstimes.com.sg/companies-markets/"
                    "shopping-mall-raffles-city-chongqing-in-china-officially-launched"
                ),
            ),
            parties=[(CAPITALAND, "investor")],
        ),
        ProjectSpec(
            external_id=REAL_ID_PREFIX + "2017-LOGISTICS-PLATFORM",
            owner=BUREAU,
            data=ProjectInput(
                title_en=(
                    "Chongqing Logistics Development Platform and Multi-Modal Distribution & "
                    "Connectivity Centre"
                ),
                title_zh="",
                description_en=(
                    "Two Singapore–Chongqing joint ventures for transport and logistics, "
                    "inaugurated on 31 August 2017 at the third Joint Implementation Committee "
                    "meeting (date as given by the cited Channel NewsAsia report; the research "
                    "notes give the year 2017). " + NOTES_SAY
                ),
                description_zh=(
                    "两家新加坡与重庆合资的交通物流企业，于2017年8月31日第三次联合实施委员会会议上"
                    "揭牌（日期依据所引亚洲新闻台报道；研究笔记仅给出2017年）。" + NOTES_SAY_ZH
                ),
                kind="commercial",
                sector="transport-logistics",
                signed_on=date(2017, 8, 31),
                location_en="Chongqing",
                location_zh="重庆",
                source_url=(
                    "http://www.channelnewsasia.com/news/singapore/"
                    "singapore-and-china-launch-joint-projects-to-boost-chongqing-9174202"
                ),
            ),
        ),
        ProjectSpec(
            external_id=REAL_ID_PREFIX + "2024-QINGLING-EV-VANS",
            owner=BUREAU,
            data=ProjectInput(
                title_en="Qingling electric commercial vans for Singapore",
                title_zh="庆铃电动商用车进入新加坡",
                description_en=(
                    "In March 2024 Qingling Motors, Chongqing Nuoxin and Singapore's Motorway "
                    "Group partnered, facilitated by the CCI administration, to bring "
                    "Qingling's electric commercial vans (the EQ2) to Singapore; the EQ2 "
                    "shipped in November 2025. The signing day is not known, so the signing "
                    "date is left empty. Unconfirmed: the 18-month EU certification effort. "
                    + NOTES_SAY
                ),
                description_zh=(
                    "2024年3月，在中新示范项目管理局的促成下，庆铃汽车、Chongqing Nuoxin 与新加坡"
                    " Motorway Group 合作，将庆铃电动商用车（EQ2）引入新加坡；EQ2于2025年11月发运。"
                    "签约具体日期不详，故签约日期留空。未经证实：历时18个月的欧盟认证工作。"
                    + NOTES_SAY_ZH
                ),
                kind="commercial",
                sector="manufacturing",
                location_en="Chongqing and Singapore",
                location_zh="重庆和新加坡",
                source_url=(
                    "https://asiacity.news/china/chongqing-en/"
                    "singapore-and-chongqings-soft-connectivity-yields-tangible-results"
                ),
            ),
            parties=[
                (QINGLING, "initiator"),
                (MOTORWAY, "counterpart"),
                (NUOXIN, "facilitator"),
                (BUREAU, "facilitator"),
            ],
        ),
        ProjectSpec(
            external_id=REAL_ID_PREFIX + "2025-DEJIA-MEAT-EXPORTS",
            owner=BUREAU,
            data=ProjectInput(
                title_en="Dejia meat exports to Singapore (unconfirmed agreement)",
                title_zh="Chongqing Dejia 肉制品出口新加坡（协议未经证实）",
                description_en=(
                    "Unconfirmed: a 2025 agreement between Chongqing Dejia and a Singapore "
                    "partner expecting US$10.8 million of exports by 2026. This agreement, its "
                    "partner and its value come from the project brief and were not found in "
                    "the research notes' sources. The cited source reports the first shipment: "
                    "19.5 t of canned pork made by Chongqing Dejia and CQAPG Food Tech left on "
                    "10 March 2025 (also http://www.cqworld.cn/news_show.aspx?id=23317). "
                    + NOTES_SAY
                ),
                description_zh=(
                    "未经证实：2025年 Chongqing Dejia 与一家新加坡合作方签署协议，预计到2026年出口1080万美元。"
                    "该协议、合作方及金额来自项目任务说明，未在研究笔记的来源中找到。所引来源报道了首批发运："
                    "2025年3月10日，由 Chongqing Dejia 与 CQAPG Food Tech 生产的19.5吨猪肉罐头发运。"
                    + NOTES_SAY_ZH
                ),
                kind="commercial",
                sector="agriculture-food",
                value=Decimal("10800000"),
                currency="USD",
                location_en="Chongqing and Singapore",
                location_zh="重庆和新加坡",
                source_url="http://sww.cq.gov.cn/zymyq/ywxx/dtyw/202503/t20250312_14396055.html",
            ),
            parties=[(DEJIA, "initiator"), (DEJIA_PARTNER, "counterpart")],
        ),
        ProjectSpec(
            external_id=REAL_ID_PREFIX + "NUS-CHONGQING-RESEARCH-INSTITUTE",
            owner=BUREAU,
            data=ProjectInput(
                title_en="NUS (Chongqing) Research Institute",
                title_zh="新加坡国立大学（重庆）研究院",
                description_en=(
                    "A research institute of the National University of Singapore in "
                    "Chongqing. Its signing date is not given in the research notes and is "
                    "left empty. " + NOTES_SAY
                ),
                description_zh=(
                    "新加坡国立大学在重庆设立的研究院。研究笔记未给出签约日期，故留空。"
                    + NOTES_SAY_ZH
                ),
                kind="g2b",
                sector="education",
                location_en="Chongqing",
                location_zh="重庆",
                source_url="http://cq.china.com.cn/2022-09/15/content_42108829.html",
            ),
            parties=[(NUS, "implementer")],
        ),
    ]


def real_innovations() -> list[InnovationSpec]:
    return [
        InnovationSpec(
            external_id=REAL_ID_PREFIX + "INNOVATION-CROSS-BORDER-FINANCING",
            fields={
                "title_en": "Cross-border financing channel replicated to western provinces",
                "title_zh": "复制推广至西部省份的跨境融资通道",
                "description_en": (
                    "Cross-border financing through the initiative, replicated beyond Chongqing "
                    "to other provinces of western China. Unconfirmed: the research notes give "
                    "8 western provinces and US$4.2 billion by 2020 without a source. The cited "
                    "Xinhua report (13 October 2021) says nine provincial-level regions in west "
                    "China had raised over US$5.5 billion by the end of 2020."
                ),
                "description_zh": (
                    "通过示范项目开展的跨境融资，从重庆复制推广到西部其他省份。未经证实：研究笔记称"
                    "截至2020年覆盖西部8省、金额42亿美元，但未给出来源。所引新华社报道（2021年10月13日）"
                    "称，截至2020年底，西部9个省级地区已通过该渠道融资逾55亿美元。"
                ),
                "category": "finance",
                "adopted_on": None,
                "source_url": "http://en.people.cn/n3/2021/1014/c90000-9907001.html",
            },
        ),
        InnovationSpec(
            external_id=REAL_ID_PREFIX + "INNOVATION-FOREIGN-DEBT-QUOTA",
            fields={
                "title_en": "Quota-based foreign-debt management pilot",
                "title_zh": "外债规模管理改革试点",
                "description_en": (
                    "In 2016 Chongqing was approved to pilot quota-based management of foreign "
                    "debt, simplifying the filing for enterprises issuing bonds abroad; in "
                    "August 2016 a Chongqing company issued US$500 million of bonds in "
                    "Singapore. The day of adoption is not known. " + NOTES_SAY
                ),
                "description_zh": (
                    "2016年重庆获批开展外债规模管理改革试点，简化企业境外发债的备案登记；"
                    "2016年8月，一家重庆企业在新加坡发行5亿美元债券。具体采用日期不详。"
                    + NOTES_SAY_ZH
                ),
                "category": "finance",
                "adopted_on": None,
                "source_url": ICHONGQING_FINANCE,
            },
        ),
        InnovationSpec(
            external_id=REAL_ID_PREFIX + "INNOVATION-DEDICATED-DATA-CHANNEL",
            fields={
                "title_en": (
                    "China's first point-to-point international data channel dedicated to "
                    "one country"
                ),
                "title_zh": "中国首条针对单一国家的点对点国际数据专用通道",
                "description_en": (
                    "The China–Singapore (Chongqing) International Data Channel, launched on "
                    "11 September 2019. " + NOTES_SAY
                ),
                "description_zh": (
                    "中新（重庆）国际互联网数据专用通道，于2019年9月11日开通。" + NOTES_SAY_ZH
                ),
                "category": "data",
                "adopted_on": date(2019, 9, 11),
                "source_url": STRAITS_TIMES_DATA_CHANNEL,
            },
        ),
        InnovationSpec(
            external_id=REAL_ID_PREFIX + "INNOVATION-MAS-CHONGQING-MOU",
            fields={
                "title_en": (
                    "Memorandum of understanding between the Monetary Authority of Singapore "
                    "and Chongqing's financial regulator"
                ),
                "title_zh": "新加坡金融管理局与重庆金融监管部门签署谅解备忘录",
                "description_en": (
                    "The first memorandum of understanding signed directly between a Chinese "
                    "provincial-level financial regulator and a foreign central authority, to "
                    "strengthen financial cooperation and explore joint supervision. The "
                    "signing date is not given. " + NOTES_SAY
                ),
                "description_zh": (
                    "中国省级金融监管部门与外国中央金融监管机构直接签署的首份谅解备忘录，旨在加强"
                    "金融合作、探索联合监管新模式。签署日期不详。" + NOTES_SAY_ZH
                ),
                "category": "finance",
                "adopted_on": None,
                "source_url": ICHONGQING_FINANCE,
            },
            agencies=[MAS, CQ_FINANCIAL_REGULATOR],
        ),
    ]


NON_FINANCING = ["g2g", "g2b", "commercial"]
PEOPLES_DAILY_2025 = "http://en.people.cn/n3/2025/1107/c90000-20388001.html"
XINHUA_2018 = "https://eng.yidaiyilu.gov.cn/qwyw/rdxw/68144.htm"
FX361_2019 = "https://fx361.cc/page/2019/1211/11174345.shtml"
XINHUA_2020 = "https://fastread.xyz/posts/396852"
PEOPLES_DAILY_2021 = "http://en.people.cn/n3/2021/1013/c90000-9906769.html"
IGUOJIRIBAO_2023 = "https://iguojiribao.com/?p=27645"


def published_figures() -> list[dict]:
    """The counts authorities published over the years, each with its scope and source.

    `as_of` is the publication date where the source's address shows it, otherwise the first
    day of the month the figure was published for; the scope names the month."""

    def figure(metric, value, as_of, scope_en, scope_zh, publisher, url, kinds, qualifier="exact"):
        return {
            "metric": metric,
            "value": Decimal(value),
            "qualifier": qualifier,
            "as_of": as_of,
            "kinds": kinds,
            "scope_en": scope_en,
            "scope_zh": scope_zh,
            "publisher": publisher,
            "source_url": url,
            "checked_on": None,
        }

    count, value, innovations = "project_count", "project_value_usd", "innovation_count"
    gov_commercial = (
        "Government and commercial projects since the launch, November 2025",
        "自启动以来的政府和商业合作项目（2025年11月）",
    )
    financing_2025 = ("Financing, November 2025", "金融合作（2025年11月）")
    return [
        figure(count, "347", date(2025, 11, 7), *gov_commercial, "People's Daily", PEOPLES_DAILY_2025, NON_FINANCING),
        figure(value, "26000000000", date(2025, 11, 7), *gov_commercial, "People's Daily", PEOPLES_DAILY_2025, NON_FINANCING, "at_least"),
        figure(value, "21700000000", date(2025, 11, 7), *financing_2025, "People's Daily", PEOPLES_DAILY_2025, ["financing"]),
        figure(innovations, "33", date(2025, 11, 7), "Pioneering institutional opening-up achievements, November 2025", "首创性制度型开放成果（2025年11月）", "People's Daily", PEOPLES_DAILY_2025, []),
        figure(count, "118", date(2018, 10, 1), "Projects, October 2018 (financing deals counted separately)", "合作项目（2018年10月，金融项目另计）", "Xinhua", XINHUA_2018, NON_FINANCING),
        figure(value, "21400000000", date(2018, 10, 1), "Projects, October 2018 (financing deals counted separately)", "合作项目（2018年10月，金融项目另计）", "Xinhua", XINHUA_2018, NON_FINANCING),
        figure(count, "60", date(2018, 10, 1), "Financing deals, October 2018", "金融项目（2018年10月）", "Xinhua", XINHUA_2018, ["financing"]),
        figure(value, "5060000000", date(2018, 10, 1), "Financing deals, October 2018", "金融项目（2018年10月）", "Xinhua", XINHUA_2018, ["financing"]),
        figure(count, "199", date(2019, 9, 1), "Projects, September 2019 (whether financing is included is not stated)", "合作项目（2019年9月，未说明是否含金融项目）", "fx361", FX361_2019, []),
        figure(value, "27000000000", date(2019, 9, 1), "Projects, September 2019 (whether financing is included is not stated)", "合作项目（2019年9月，未说明是否含金融项目）", "fx361", FX361_2019, [], "about"),
        figure(count, "230", date(2020, 10, 1), "Projects, October 2020 (financing deals counted separately)", "合作项目（2020年10月，金融项目另计）", "Xinhua", XINHUA_2020, NON_FINANCING),
        figure(value, "32200000000", date(2020, 10, 1), "Projects, October 2020 (financing deals counted separately)", "合作项目（2020年10月，金融项目另计）", "Xinhua", XINHUA_2020, NON_FINANCING),
        figure(count, "137", date(2020, 10, 1), "Financing deals, October 2020", "金融项目（2020年10月）", "Xinhua", XINHUA_2020, ["financing"]),
        figure(value, "12300000000", date(2020, 10, 1), "Financing deals, October 2020", "金融项目（2020年10月）", "Xinhua", XINHUA_2020, ["financing"]),
        figure(count, "147", date(2021, 10, 13), "Commercial projects, October 2021", "商业合作项目（2021年10月）", "People's Daily", PEOPLES_DAILY_2021, ["commercial"]),
        figure(value, "24600000000", date(2021, 10, 13), "Commercial projects, October 2021", "商业合作项目（2021年10月）", "People's Daily", PEOPLES_DAILY_2021, ["commercial"]),
        figure(count, "192", date(2021, 10, 13), "Financing deals, October 2021", "金融项目（2021年10月）", "People's Daily", PEOPLES_DAILY_2021, ["financing"]),
        figure(value, "17160000000", date(2021, 10, 13), "Financing deals, October 2021", "金融项目（2021年10月）", "People's Daily", PEOPLES_DAILY_2021, ["financing"]),
        figure(count, "239", date(2023, 4, 1), "Financing deals, April 2023 (Monetary Authority of Singapore)", "金融项目（2023年4月，新加坡金融管理局）", "iguojiribao", IGUOJIRIBAO_2023, ["financing"]),
        figure(value, "29000000000", date(2023, 4, 1), "Financing deals, April 2023 (Monetary Authority of Singapore)", "金融项目（2023年4月，新加坡金融管理局）", "iguojiribao", IGUOJIRIBAO_2023, ["financing"], "at_least"),
    ]  # fmt: skip


# --- the synthetic set ---------------------------------------------------------------------

# (English, Chinese, sector code)
CHINESE_FIRMS = [
    ("Yuxin", "渝信"), ("Jiarong", "嘉荣"), ("Hengtai", "恒泰"), ("Shanhe", "山河"),
    ("Mingjiang", "明江"), ("Tianfu", "天甫"), ("Huayu", "华渝"), ("Lianchuang", "联创"),
    ("Jinqiao", "金桥"), ("Changfeng", "长丰"), ("Xinglan", "兴澜"), ("Ruiyuan", "瑞源"),
    ("Baishi", "柏石"), ("Kaiyue", "凯越"), ("Qianhe", "乾禾"), ("Zhongyi", "中益"),
]  # fmt: skip
SINGAPORE_FIRMS = [
    ("Merlion Bay", "鱼尾狮湾"), ("Straits Harbour", "海峡港"), ("Lion Gate", "狮门"),
    ("Kallang Ridge", "加冷岭"), ("Orchid Line", "胡姬线"), ("Jurong Bridge", "裕廊桥"),
    ("Marina Crest", "滨海峰"), ("Bukit Lane", "武吉巷"), ("Raffles Quay Works", "莱佛士码头"),
    ("Tanjong Link", "丹绒联"), ("Sentosa Arc", "圣淘沙弧"), ("Changi Point", "樟宜角"),
    ("Serangoon Field", "实龙岗田"), ("Pasir Light", "巴西光"), ("Katong Tide", "加东潮"),
    ("Bedok Horizon", "勿洛天际"),
]  # fmt: skip
INDUSTRIES = [
    # sector, English for a Chinese firm, Chinese, English for a Singapore firm
    ("transport-logistics", "Logistics", "物流", "Logistics"),
    ("financial-services", "Financial Leasing", "融资租赁", "Capital"),
    ("ict", "Information Technology", "信息技术", "Digital"),
    ("aviation", "Aviation Services", "航空服务", "Aero"),
    ("agriculture-food", "Food", "食品", "Foods"),
    ("manufacturing", "Machinery", "机械", "Engineering"),
    ("health", "Medical", "医疗", "Health"),
    ("education", "Education", "教育", "Learning"),
    ("tourism", "Tourism", "旅游", "Travel"),
    ("digital-economy", "Digital Technology", "数字科技", "Data"),
    ("green-development", "Environmental Technology", "环保科技", "Green"),
]
SYNTHETIC_AGENCIES = [
    OrganisationSpec(
        SYNTHETIC_EN + "Chongqing Yunhe District Commerce Office",
        SYNTHETIC_ZH + "重庆云河区商务办公室", "agency", "CN", "Chongqing", is_synthetic=True,
        short_en="Yunhe District", short_zh="云河区",
    ),
    OrganisationSpec(
        SYNTHETIC_EN + "Chongqing Qinglan New Area Administration",
        SYNTHETIC_ZH + "重庆青澜新区管理委员会", "agency", "CN", "Chongqing", is_synthetic=True,
        short_en="Qinglan New Area", short_zh="青澜新区",
    ),
    OrganisationSpec(
        SYNTHETIC_EN + "Chongqing Municipal Port Development Office",
        SYNTHETIC_ZH + "重庆市港口发展办公室", "agency", "CN", "Chongqing", is_synthetic=True,
        short_en="Chongqing Port Office", short_zh="重庆港口办",
    ),
    OrganisationSpec(
        SYNTHETIC_EN + "Chongqing Association of Outbound Enterprises",
        SYNTHETIC_ZH + "重庆市外向型企业协会", "chamber", "CN", "Chongqing", is_synthetic=True,
    ),
    OrganisationSpec(
        SYNTHETIC_EN + "Singapore Western China Connectivity Office",
        SYNTHETIC_ZH + "新加坡中国西部互联互通办公室", "agency", "SG", "Singapore", is_synthetic=True,
        short_en="Singapore Connectivity Office", short_zh="新加坡互联互通办",
    ),
    OrganisationSpec(
        SYNTHETIC_EN + "Singapore Trade Corridor Agency",
        SYNTHETIC_ZH + "新加坡贸易走廊署", "agency", "SG", "Singapore", is_synthetic=True,
        short_en="Singapore Trade Corridor Agency", short_zh="新加坡贸易走廊署",
    ),
    OrganisationSpec(
        SYNTHETIC_EN + "Singapore–Chongqing Business Chamber",
        SYNTHETIC_ZH + "新加坡重庆商会", "chamber", "SG", "Singapore", is_synthetic=True,
    ),
    OrganisationSpec(
        SYNTHETIC_EN + "Singapore Association of Inland Traders",
        SYNTHETIC_ZH + "新加坡内陆贸易商协会", "chamber", "SG", "Singapore", is_synthetic=True,
    ),
]  # fmt: skip

# Project title phrases by sector: (English, Chinese).
TITLE_PHRASES = {
    "financial-services": [("cross-border RMB loan", "跨境人民币贷款"), ("green bond issuance in Singapore", "在新加坡发行绿色债券"), ("equipment leasing facility", "设备融资租赁"), ("supply-chain finance platform", "供应链金融平台")],
    "aviation": [("air cargo route", "航空货运航线"), ("aircraft maintenance centre", "飞机维修中心"), ("aviation training academy", "航空培训学院")],
    "transport-logistics": [("cold-chain logistics hub", "冷链物流枢纽"), ("sea-rail container service", "铁海联运集装箱班列"), ("bonded warehouse", "保税仓库"), ("multimodal freight terminal", "多式联运货运站")],
    "ict": [("cloud data centre", "云数据中心"), ("cross-border network service", "跨境网络服务"), ("smart port system", "智慧港口系统")],
    "agriculture-food": [("fresh produce export programme", "生鲜农产品出口项目"), ("food processing plant", "食品加工厂"), ("halal food certification centre", "清真食品认证中心")],
    "manufacturing": [("precision parts plant", "精密零部件工厂"), ("electric vehicle components line", "电动汽车零部件生产线"), ("industrial automation centre", "工业自动化中心")],
    "health": [("medical devices distribution", "医疗器械分销"), ("rehabilitation hospital", "康复医院"), ("health-care training centre", "医护培训中心")],
    "education": [("joint vocational college", "联合职业学院"), ("executive training programme", "高级管理人员培训项目"), ("student exchange scheme", "学生交流计划")],
    "tourism": [("riverside hotel", "滨江酒店"), ("tour operator partnership", "旅行社合作"), ("cruise terminal services", "邮轮码头服务")],
    "digital-economy": [("e-commerce platform", "电子商务平台"), ("fintech sandbox", "金融科技沙盒"), ("digital trade documents pilot", "数字贸易单证试点")],
    "green-development": [("solar power project", "光伏发电项目"), ("water treatment plant", "污水处理厂"), ("green building retrofit", "绿色建筑改造")],
    "other": [("professional services centre", "专业服务中心"), ("business matching service", "商务对接服务")],
}  # fmt: skip
FRAMEWORK_PHRASES = [
    ("connectivity framework agreement", "互联互通框架协议"),
    ("strategic cooperation agreement", "战略合作协议"),
    ("industrial park cooperation framework", "产业园区合作框架"),
]
CHONGQING_PLACES = [
    ("Liangjiang New Area, Chongqing", "重庆两江新区"),
    ("Yuzhong District, Chongqing", "重庆渝中区"),
    ("Shapingba District, Chongqing", "重庆沙坪坝区"),
    ("Jiangbei District, Chongqing", "重庆江北区"),
    ("Chongqing", "重庆"),
]
SECTOR_WEIGHTS = {
    "financial-services": 6, "aviation": 3, "transport-logistics": 6, "ict": 5,
    "agriculture-food": 3, "manufacturing": 3, "health": 2, "education": 2, "tourism": 2,
    "digital-economy": 3, "green-development": 2, "other": 1,
}  # fmt: skip
KIND_WEIGHTS = {"g2g": 1, "g2b": 4, "commercial": 10, "financing": 5}
CURRENCY_WEIGHTS = {"USD": 5, "CNY": 3, "SGD": 2}
APPROXIMATE_USD_PER_UNIT = {"USD": 1.0, "CNY": 0.145, "SGD": 0.74}
TRANSITION_REASONS = {
    "in_progress": "[Synthetic] Implementation began.",
    "completed": "[Synthetic] Project completed.",
    "suspended": "[Synthetic] Suspended while the parties renegotiate.",
    "terminated": "[Synthetic] Terminated by agreement of the parties.",
}


def synthetic_organisations() -> list[OrganisationSpec]:
    specs = []
    for index, (english, chinese) in enumerate(CHINESE_FIRMS):
        sector, industry_en, industry_zh, _sg = INDUSTRIES[index % len(INDUSTRIES)]
        specs.append(
            OrganisationSpec(
                f"{SYNTHETIC_EN}Chongqing {english} {industry_en} Co., Ltd.",
                f"{SYNTHETIC_ZH}重庆{chinese}{industry_zh}有限公司",
                "enterprise",
                "CN",
                "Chongqing",
                is_synthetic=True,
                industry=sector,
                short_en=english,
                short_zh=chinese,
            )
        )
    for index, (english, chinese) in enumerate(SINGAPORE_FIRMS):
        sector, _cn, industry_zh, industry_en = INDUSTRIES[(index + 3) % len(INDUSTRIES)]
        specs.append(
            OrganisationSpec(
                f"{SYNTHETIC_EN}{english} {industry_en} Pte. Ltd.",
                f"{SYNTHETIC_ZH}{chinese}{industry_zh}私人有限公司",
                "enterprise",
                "SG",
                "Singapore",
                is_synthetic=True,
                industry=sector,
                short_en=english,
                short_zh=chinese,
            )
        )
    return specs + SYNTHETIC_AGENCIES


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _round_value(amount: float) -> Decimal:
    """Three significant figures, as signing ceremonies announce them."""
    digits = len(str(int(amount))) - 3
    return Decimal(round(amount / 10**digits) * 10**digits) if digits > 0 else Decimal(int(amount))


class _SyntheticPortfolio:
    """Generates the synthetic projects and innovations from one seeded random stream."""

    def __init__(self, organisations: list[OrganisationSpec]):
        self.rng = random.Random(SEED)
        self.chinese = [o for o in organisations if o.country == "CN" and o.kind == "enterprise"]
        self.singaporean = [
            o for o in organisations if o.country == "SG" and o.kind == "enterprise"
        ]
        self.agencies = {
            country: [o for o in organisations if o.country == country and o.kind == "agency"]
            for country in ("CN", "SG")
        }
        self.number = 0

    def _firm(self, firms: list[OrganisationSpec], sector: str) -> OrganisationSpec:
        matching = [o for o in firms if o.industry == sector]
        return self.rng.choice(matching if matching and self.rng.random() < 0.7 else firms)

    def _value(self) -> tuple[Decimal | None, str]:
        if self.rng.random() < 0.08:
            return None, ""
        currency = _pick(self.rng, CURRENCY_WEIGHTS)
        usd = 10 ** self.rng.uniform(6.0, 8.7)
        return _round_value(usd / APPROXIMATE_USD_PER_UNIT[currency]), currency

    def _transitions(self, signed_on: date) -> list[tuple[str, date, str]]:
        transitions = []
        roll = self.rng.random()
        if roll < 0.04:
            path = ["terminated"]
        elif roll < 0.62:
            path = ["in_progress"]
            second = self.rng.random()
            if second < 0.45:
                path.append("completed")
            elif second < 0.55:
                path.append("suspended")
                if self.rng.random() < 0.5:
                    path.append("in_progress")
        else:
            path = []
        on = signed_on
        for status in path:
            on = on + timedelta(days=self.rng.randint(30, 600))
            if on > SYNTHETIC_UNTIL:
                break
            transitions.append((status, on, TRANSITION_REASONS[status]))
        return transitions

    def _project(
        self,
        *,
        kind: str,
        sector: str,
        signed_on: date,
        parent: str = "",
        phrase: tuple[str, str] | None = None,
        with_value: bool = True,
    ) -> ProjectSpec:
        self.number += 1
        external_id = f"{SYNTHETIC_ID_PREFIX}{self.number:04d}"
        chinese = self._firm(self.chinese, sector)
        singaporean = self._firm(self.singaporean, sector)
        if kind in ("g2g", "g2b"):
            chinese_agency = self.rng.choice(self.agencies["CN"])
            if kind == "g2g":
                chinese, singaporean = chinese_agency, self.rng.choice(self.agencies["SG"])
            else:
                chinese = chinese_agency
        english, chinese_phrase = phrase or self.rng.choice(TITLE_PHRASES[sector])
        value, currency = self._value() if with_value else (None, "")
        place_en, place_zh = (
            ("Singapore", "新加坡")
            if self.rng.random() < 0.2
            else self.rng.choice(CHONGQING_PLACES)
        )
        initiator_first = self.rng.random() < 0.6
        parties = [
            (chinese.name_en, "initiator" if initiator_first else "counterpart"),
            (singaporean.name_en, "counterpart" if initiator_first else "initiator"),
        ]
        if kind == "financing":
            parties.append((singaporean.name_en, "investor"))
        return ProjectSpec(
            external_id=external_id,
            owner=BUREAU if kind in ("g2g", "g2b") else chinese.name_en,
            data=ProjectInput(
                title_en=f"{SYNTHETIC_EN}{chinese.short_en}–{singaporean.short_en} {english}",
                title_zh=f"{SYNTHETIC_ZH}{chinese.short_zh}—{singaporean.short_zh}{chinese_phrase}",
                description_en=SYNTHETIC_NOTE,
                description_zh=SYNTHETIC_NOTE_ZH,
                kind=kind,
                sector=sector,
                value=value,
                currency=currency,
                signed_on=signed_on,
                location_en=place_en,
                location_zh=place_zh,
                parent_external_id=parent,
                is_synthetic=True,
            ),
            parties=parties,
            transitions=self._transitions(signed_on),
            published=self.rng.random() >= 0.06,
        )

    def projects(self, count: int = 300, frameworks: int = 10) -> list[ProjectSpec]:
        specs: list[ProjectSpec] = []
        for _ in range(frameworks):
            sector = _pick(self.rng, SECTOR_WEIGHTS)
            signed_on = _random_day(self.rng, date(2016, 1, 1), date(2022, 12, 31))
            framework = self._project(
                kind=self.rng.choice(["g2g", "g2b"]),
                sector=sector,
                signed_on=signed_on,
                phrase=self.rng.choice(FRAMEWORK_PHRASES),
                with_value=self.rng.random() < 0.5,
            )
            specs.append(framework)
            for _child in range(self.rng.randint(2, 5)):
                specs.append(
                    self._project(
                        kind=self.rng.choice(["commercial", "financing"]),
                        sector=sector,
                        signed_on=_random_day(
                            self.rng,
                            signed_on,
                            min(signed_on + timedelta(days=900), SYNTHETIC_UNTIL),
                        ),
                        parent=framework.external_id,
                    )
                )
        while len(specs) < count:
            year = self.rng.randint(2016, 2025)
            end = min(date(year, 12, 31), SYNTHETIC_UNTIL)
            specs.append(
                self._project(
                    kind=_pick(self.rng, KIND_WEIGHTS),
                    sector=_pick(self.rng, SECTOR_WEIGHTS),
                    signed_on=_random_day(self.rng, date(year, 1, 1), end),
                )
            )
        return specs

    def innovations(self, count: int = 12) -> list[InnovationSpec]:
        topics = [
            ("single-window customs declaration for sea-rail cargo", "铁海联运货物“单一窗口”报关", "trade"),
            ("mutual recognition of cold-chain inspection results", "冷链检验结果互认", "standards"),
            ("cross-border e-invoice pilot", "跨境电子发票试点", "data"),
            ("multimodal bill of lading with financing", "可融资的多式联运提单", "logistics"),
            ("fast-track listing of Chongqing firms in Singapore", "重庆企业赴新加坡上市快速通道", "finance"),
            ("shared certification for electric vans", "电动货车认证结果共享", "standards"),
            ("joint pilot of trade-data exchange", "贸易数据交换联合试点", "data"),
            ("one-stop service for Singapore investors", "新加坡投资者一站式服务", "other"),
            ("pre-arrival processing for perishable goods", "鲜活易腐货物提前申报", "trade"),
            ("bonded aircraft maintenance scheme", "飞机保税维修制度", "logistics"),
            ("green finance taxonomy alignment", "绿色金融分类标准对接", "finance"),
            ("professional qualification recognition", "职业资格互认", "other"),
        ]  # fmt: skip
        specs = []
        for number, (english, chinese, category) in enumerate(topics[:count], start=1):
            agencies = [self.rng.choice(self.agencies["CN"]), self.rng.choice(self.agencies["SG"])]
            specs.append(
                InnovationSpec(
                    external_id=f"{SYNTHETIC_ID_PREFIX}INNOVATION-{number:02d}",
                    fields={
                        "title_en": SYNTHETIC_EN + english[0].upper() + english[1:],
                        "title_zh": SYNTHETIC_ZH + chinese,
                        "description_en": SYNTHETIC_NOTE,
                        "description_zh": SYNTHETIC_NOTE_ZH,
                        "category": category,
                        "adopted_on": _random_day(self.rng, date(2016, 6, 1), SYNTHETIC_UNTIL),
                        "is_synthetic": True,
                        "is_published": self.rng.random() >= 0.1,
                        "source_url": "",
                    },
                    agencies=[a.name_en for a in agencies],
                )
            )
        return specs


# --- loading -------------------------------------------------------------------------------


class DemoLoader:
    def __init__(self):
        self.report = DemoReport()
        self.organisations: dict[str, Organisation] = {}
        self.sectors = {s.code: s for s in Sector.objects.all()}
        self.admin: User | None = None

    # organisations and people

    def organisation(self, spec: OrganisationSpec) -> Organisation:
        organisation = Organisation.objects.filter(
            name_en=spec.name_en, country=spec.country
        ).first()
        if organisation is None:
            organisation = organisation_create(
                actor=None,
                name_en=spec.name_en,
                name_zh=spec.name_zh,
                kind=spec.kind,
                country=spec.country,
                city=spec.city,
                is_synthetic=spec.is_synthetic,
                is_administration=spec.is_administration,
            )
            self.report.count("organisations", created=True)
        self.organisations[spec.name_en] = organisation
        return organisation

    def user(self, spec: UserSpec) -> User:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User.objects.create_user(
                username=spec.username,
                email=f"{spec.username}@demo.corridor.example",
                password=DEMO_PASSWORD,
                name_en=spec.name_en,
                name_zh=spec.name_zh,
                is_staff=spec.is_superuser,
                is_superuser=spec.is_superuser,
            )
            audit_record(actor=None, action="create", target=user, summary=spec.username)
            self.report.count("users", created=True)
        elif not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            audit_record(actor=None, action="update", target=user, summary="Demo password restored")
            self.report.count("users", created=False)
        organisation = self.organisations[spec.organisation]
        if not Membership.objects.filter(
            user=user, organisation=organisation, role=spec.role
        ).exists():
            membership_add(actor=None, user=user, organisation=organisation, role=spec.role)
            self.report.count("memberships", created=True)
        return user

    # exchange rates

    def fx_rates(self) -> None:
        for currency, rates in FX_RATES.items():
            for offset, rate in enumerate(rates):
                on = date(FX_FIRST_YEAR + offset, 1, 1)
                usd_per_unit = Decimal(rate)
                existing = FxRate.objects.filter(currency=currency, date=on).first()
                if existing is None:
                    created = FxRate.objects.create(
                        currency=currency, date=on, usd_per_unit=usd_per_unit, source=FX_SOURCE
                    )
                    audit_record(actor=None, action="create", target=created, summary=str(created))
                    self.report.count("exchange rates", created=True)
                elif existing.usd_per_unit != usd_per_unit or existing.source != FX_SOURCE:
                    before = {"usd_per_unit": str(existing.usd_per_unit), "source": existing.source}
                    existing.usd_per_unit, existing.source = usd_per_unit, FX_SOURCE
                    existing.save(update_fields=["usd_per_unit", "source"])
                    audit_record(
                        actor=None,
                        action="update",
                        target=existing,
                        summary=str(existing),
                        changes={
                            name: [before[name], str(getattr(existing, name))] for name in before
                        },
                    )
                    self.report.count("exchange rates", created=False)

    # projects

    def _parties(self, spec: ProjectSpec) -> list[PartyInput]:
        return [
            PartyInput(organisation=self.organisations[name], role=role)
            for name, role in spec.parties
        ]

    def _matches(self, project: Project, spec: ProjectSpec) -> bool:
        _errors, clean = validate_project_input(spec.data, sectors=self.sectors)
        clean["sector_id"] = clean.pop("sector").pk
        parent = project.parent.external_id if project.parent_id else ""
        if parent != clean.pop("parent_external_id"):
            return False
        clean.pop("status")  # the status moves only through dated transitions
        return all(getattr(project, name) == value for name, value in clean.items())

    def project(self, spec: ProjectSpec, existing: Project | None) -> Project:
        spec.data.external_id = spec.external_id
        parties = self._parties(spec)
        if existing is None:
            spec.data.parties = parties
            project = project_create(
                actor=SYSTEM, owner=self.organisations[spec.owner], data=spec.data
            )
            self.report.count("projects", created=True)
            history: set[tuple[str, date]] = set()
        else:
            project = existing
            history = {(c.to_status, c.on) for c in project.status_changes.all()}
            wanted_parties = {(p.organisation.pk, p.role) for p in parties}
            current_parties = {(p.organisation_id, p.role) for p in project.parties.all()}
            if not self._matches(project, spec):
                spec.data.status = project.status  # the status moves only by transitions
                spec.data.parties = parties
                project = project_update(actor=SYSTEM, project=project, data=spec.data)
                self.report.count("projects", created=False)
            elif wanted_parties != current_parties:
                project = project_set_parties(actor=SYSTEM, project=project, parties=parties)
                self.report.count("projects", created=False)
        for to_status, on, reason in spec.transitions:
            if (to_status, on) not in history:
                project = project_transition(
                    actor=self.admin, project=project, to_status=to_status, on=on, reason=reason
                )
                self.report.count("status changes", created=True)
        if project.is_published != spec.published:
            project = project_publish(actor=self.admin, project=project, published=spec.published)
        return project

    def projects(self, specs: list[ProjectSpec]) -> None:
        existing = {
            p.external_id: p
            for p in Project.objects.filter(external_id__startswith="CCI-DEMO-")
            .select_related("parent")
            .prefetch_related("parties", "status_changes")
        }
        for spec in specs:
            self.project(spec, existing.get(spec.external_id))

    # innovations and published figures

    def innovation(self, spec: InnovationSpec) -> Innovation:
        fields = {"is_published": True, **spec.fields}
        agencies = [self.organisations[name] for name in spec.agencies]
        innovation = Innovation.objects.filter(external_id=spec.external_id).first()
        if innovation is None:
            self.report.count("innovations", created=True)
            return innovation_save(
                actor=self.admin, external_id=spec.external_id, agencies=agencies, **fields
            )
        same_fields = all(getattr(innovation, name) == value for name, value in fields.items())
        same_agencies = {a.pk for a in innovation.agencies.all()} == {a.pk for a in agencies}
        if same_fields and same_agencies:
            return innovation
        self.report.count("innovations", created=False)
        return innovation_save(actor=self.admin, innovation=innovation, agencies=agencies, **fields)

    def published_figure(self, fields: dict) -> PublishedFigure:
        figure = PublishedFigure.objects.filter(
            metric=fields["metric"], as_of=fields["as_of"], scope_en=fields["scope_en"]
        ).first()
        if figure is None:
            self.report.count("published figures", created=True)
            return published_figure_save(actor=self.admin, **fields)
        if all(getattr(figure, name) == value for name, value in fields.items()):
            return figure
        self.report.count("published figures", created=False)
        return published_figure_save(actor=self.admin, figure=figure, **fields)

    # everything

    def load(self) -> DemoReport:
        synthetic_orgs = synthetic_organisations()
        generator = _SyntheticPortfolio(synthetic_orgs)
        synthetic_projects = generator.projects()
        synthetic_innovations = generator.innovations()
        with transaction.atomic():
            for spec in REAL_ORGANISATIONS + synthetic_orgs:
                self.organisation(spec)
            users = {spec.username: self.user(spec) for spec in DEMO_USERS}
            self.admin = users["admin"]
            self.fx_rates()
            self.projects(real_projects() + synthetic_projects)
            for spec in real_innovations() + synthetic_innovations:
                self.innovation(spec)
            for fields in published_figures():
                self.published_figure(fields)
        return self.report


def load_demo() -> DemoReport:
    """Load (or bring up to date) the demo data; a second run writes nothing."""
    return DemoLoader().load()


def demo_counts() -> dict[str, int]:
    """How many demo records of each kind the database holds."""
    projects = Project.objects.filter(external_id__startswith="CCI-DEMO-")
    innovations = Innovation.objects.filter(external_id__startswith="CCI-DEMO-")
    return {
        "real projects": projects.filter(is_synthetic=False).count(),
        "synthetic projects": projects.filter(is_synthetic=True).count(),
        "published projects": projects.filter(is_published=True).count(),
        "sub-projects": projects.filter(parent__isnull=False).count(),
        "project parties": ProjectParty.objects.filter(project__in=projects).count(),
        "status changes": ProjectStatusChange.objects.filter(project__in=projects).count(),
        "real innovations": innovations.filter(is_synthetic=False).count(),
        "synthetic innovations": innovations.filter(is_synthetic=True).count(),
        "organisations": Organisation.objects.count(),
        "synthetic organisations": Organisation.objects.filter(is_synthetic=True).count(),
        "users": User.objects.count(),
        "exchange rates": FxRate.objects.count(),
        "published figures": PublishedFigure.objects.count(),
    }
