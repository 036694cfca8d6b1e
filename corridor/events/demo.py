"""Demo data for matchmaking events: a synthetic two-day delegation visit in which the 30
Singapore enterprises of the directory demo meet 40 of its Chongqing enterprises, with their
meeting requests, and the schedule the scheduler makes for them.

The event is modelled on the kind of visit the initiative's Bridge of Dialogue organises (a
chamber of commerce bringing thirty-odd Singapore enterprises in finance, trade, technology
and education to meet firms in a Chongqing free-trade zone), but every detail here — the
organiser, the dates, who takes part, who asks to meet whom, the answers, the schedule — is
invented: the event is `is_synthetic` and its titles say "synthetic demo" / "模拟演示".

Run after `load_directory_demo` (the enterprises). Writes go through the services as the
system (`actor=None`); the scheduler runs here, in this process, so that the demo has its
agendas when the command ends. Two things only the demo does directly:

- **dating**: the agendas count as published on a fixed day before the event
  (`AGENDAS_PUBLISHED_AT`), as the directory demo dates its verifications, so that a second
  run changes nothing;
- **scheduling in-process**: `services.schedule_start` queues the run (a background task is
  enqueued when the transaction commits); the demo then solves that same run at once with
  `planning.run` (which solves a queued run only, so the background task that follows
  does nothing).

Loading is idempotent: the event is found by its English title, a participant by its
organisation, a request by its pair of participants, an interpreter by name; what exists is
left as it is (people may have changed it in the demo). The scheduler runs only while the
event has no finished run, so a second load writes nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import Membership, Organisation
from corridor.accounts.services import organisation_create
from corridor.core.actors import SYSTEM
from corridor.directory.demo import SYNTHETIC_EN, SYNTHETIC_ZH, read_demo_file
from corridor.directory.models import Profile
from corridor.events import planning, services
from corridor.events.models import (
    Event,
    MeetingRequest,
    Participant,
    ScheduleRun,
)

TITLE_EN = "Singapore business delegation to the Chongqing free-trade zone (synthetic demo)"
TITLE_ZH = "新加坡商务代表团访问重庆自贸试验区（模拟演示）"
DESCRIPTION_EN = (
    "Synthetic demo. A chamber of commerce brings thirty Singapore enterprises in finance, "
    "trade, technology and education to a Chongqing free-trade zone for two days of "
    "one-to-one meetings with local firms. The visit is modelled on the delegations the "
    "initiative welcomes, but the organiser, the dates, the participants, their requests and "
    "the schedule are invented for the demo and are not real facts."
)
DESCRIPTION_ZH = (
    "模拟演示。一家商会带领三十家金融、贸易、科技和教育领域的新加坡企业到访重庆自贸试验区，"
    "与本地企业进行为期两天的一对一洽谈。活动参照示范项目接待的商务代表团设计，但主办方、日期、"
    "参会企业、洽谈请求和日程均为演示编造，并非真实信息。"
)
VENUE_EN = "Meeting hall, China (Chongqing) Pilot Free Trade Zone"
VENUE_ZH = "中国（重庆）自由贸易试验区洽谈会场"

ORGANISER_EN = SYNTHETIC_EN + "Singapore Chamber of Commerce for Western China"
ORGANISER_ZH = SYNTHETIC_ZH + "新加坡中国西部商会"

DAYS = (date(2025, 3, 18), date(2025, 3, 19))
SESSIONS = [
    (day, part, starts, ends)
    for day in DAYS
    for part, starts, ends in (("am", time(9), time(12)), ("pm", time(14), time(17)))
]
SLOT_MINUTES = 20
TABLES = 24
FAIRNESS = 2
TIME_LIMIT = 20  # seconds the scheduler may take when the command loads the demo

# Slot numbers (from 0) of each session: 9 slots of 20 minutes in each three-hour session.
DAY1_AM, DAY1_PM = range(0, 9), range(9, 18)
DAY2_AM, DAY2_PM = range(18, 27), range(27, 36)

# The agendas count as published on this day (18:00, UTC+8), the Friday before the visit.
AGENDAS_PUBLISHED_AT = datetime(2025, 3, 14, 18, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))

# --- who takes part ---------------------------------------------------------------------------

# The Chongqing enterprises of the directory demo invited to meet the delegation: those whose
# offers or needs meet a Singapore participant's (every Singapore enterprise takes part).
CHONGQING = (
    # vehicles, parts and charging
    "cq-yunqiao-ev-parts",
    "cq-lanjiang-electric-vans",
    "cq-tingyan-auto-electronics",
    "cq-hongya-ev-charging",
    "cq-jinbei-battery-recycling",
    "cq-lingchuan-motorcycles",
    "cq-chenglan-e-two-wheelers",
    # electronics
    "cq-cuiping-electronics",
    "cq-zhijiang-circuit-boards",
    "cq-yunzhan-smart-devices",
    "cq-huangling-sensors",
    # logistics
    "cq-huiqu-land-sea",
    "cq-shuangqiao-cold-chain",
    "cq-langang-bonded-warehousing",
    "cq-feidu-air-freight",
    "cq-qionglian-supply-chain",
    # food
    "cq-jiaoling-hotpot-seasoning",
    "cq-hongtangji-seasoning",
    "cq-xiangkou-noodles",
    "cq-juling-citrus",
    "cq-jiaoshan-sichuan-pepper",
    "cq-shanhe-meat-products",
    "cq-lanfan-import-export",
    # finance and software
    "cq-lanxin-leasing",
    "cq-shuzhan-cloud",
    "cq-xiuyun-software",
    "cq-fengjiang-industrial-internet",
    "cq-lanmaotong-ecommerce-software",
    # education
    "cq-qilan-edtech",
    "cq-jiangqiao-vocational",
    "cq-chiling-auto-skills",
    "cq-moyu-chinese",
    # health
    "cq-kangyan-medical-devices",
    "cq-bencaoling-tcm",
    "cq-chejian-biotech",
    "cq-yunxing-digital-health",
    "cq-yilan-elderly-care",
    # tourism
    "cq-wuduxing-travel",
    "cq-xiaying-cruises",
    "cq-zhuxi-homestays",
)

# Hosts: three large Chongqing firms that stay at one table (numbered from 1) throughout.
HOSTS = {
    "cq-lanjiang-electric-vans": 1,
    "cq-huiqu-land-sea": 2,
    "cq-shuzhan-cloud": 3,
}

# Participants who are away part of the time (slot numbers, from 0).
UNAVAILABLE = {
    "sg-sandpiper-treasury": tuple(DAY2_PM),  # flies home on the second afternoon
    "sg-cirrus-peak-data-centres": tuple(DAY1_PM),  # visits the data channel's operator
    "sg-canopy-executive-academy": tuple(DAY2_AM),  # visits a university
    "sg-orchid-line-motors": (0, 1, 2),  # arrives on a later flight
    "cq-cuiping-electronics": tuple(DAY1_AM),  # customer audit at the factory
    "cq-juling-citrus": tuple(DAY2_PM),  # back to the orchards
}


@dataclass(frozen=True)
class InterpreterSpec:
    name_en: str
    name_zh: str


INTERPRETERS = [
    InterpreterSpec(SYNTHETIC_EN + "Lim Hui Wen", SYNTHETIC_ZH + "林慧文"),
    InterpreterSpec(SYNTHETIC_EN + "Zhou Yating", SYNTHETIC_ZH + "周雅婷"),
    InterpreterSpec(SYNTHETIC_EN + "Wong Kai Xiang", SYNTHETIC_ZH + "黄凯翔"),
    InterpreterSpec(SYNTHETIC_EN + "He Siyu", SYNTHETIC_ZH + "何思雨"),
]

# --- who asks to meet whom --------------------------------------------------------------------

# Each Singapore enterprise asks the Chongqing firms whose offers or needs meet its own
# (see demo_profiles.yaml); a few Chongqing firms ask Singapore ones. Every request is
# accepted unless listed in PENDING or DECLINED below.
ASKS = {
    "sg-straitsbridge-trade-capital": (
        "cq-yunqiao-ev-parts",
        "cq-lanjiang-electric-vans",
        "cq-cuiping-electronics",
        "cq-lingchuan-motorcycles",
        "cq-qionglian-supply-chain",
        "cq-huiqu-land-sea",
        "cq-lanxin-leasing",
        "cq-jiaoshan-sichuan-pepper",
    ),
    "sg-paperkite-payments": (
        "cq-yunzhan-smart-devices",
        "cq-lanmaotong-ecommerce-software",
        "cq-langang-bonded-warehousing",
        "cq-xiangkou-noodles",
        "cq-jiaoling-hotpot-seasoning",
        "cq-xiuyun-software",
    ),
    "sg-bollard-keel-insurance": (
        "cq-huiqu-land-sea",
        "cq-qionglian-supply-chain",
        "cq-shuangqiao-cold-chain",
        "cq-cuiping-electronics",
        "cq-chenglan-e-two-wheelers",
        "cq-feidu-air-freight",
        "cq-langang-bonded-warehousing",
    ),
    "sg-kallang-verde-capital": (
        "cq-jinbei-battery-recycling",
        "cq-hongya-ev-charging",
        "cq-fengjiang-industrial-internet",
        "cq-lanjiang-electric-vans",
        "cq-chenglan-e-two-wheelers",
        "cq-yunqiao-ev-parts",
    ),
    "sg-bukit-aster-ventures": (
        "cq-shuzhan-cloud",
        "cq-xiuyun-software",
        "cq-huangling-sensors",
        "cq-yunzhan-smart-devices",
        "cq-fengjiang-industrial-internet",
        "cq-lanmaotong-ecommerce-software",
        "cq-qilan-edtech",
    ),
    "sg-sandpiper-treasury": (
        "cq-cuiping-electronics",
        "cq-lingchuan-motorcycles",
        "cq-zhijiang-circuit-boards",
        "cq-lanxin-leasing",
        "cq-yunqiao-ev-parts",
        "cq-kangyan-medical-devices",
    ),
    "sg-tanjong-lumen-factoring": (
        "cq-jiaoling-hotpot-seasoning",
        "cq-xiangkou-noodles",
        "cq-juling-citrus",
        "cq-shanhe-meat-products",
        "cq-qionglian-supply-chain",
    ),
    "sg-orchid-line-motors": (
        "cq-yunqiao-ev-parts",
        "cq-chiling-auto-skills",
        "cq-hongya-ev-charging",
        "cq-lanxin-leasing",
        "cq-tingyan-auto-electronics",
        "cq-jinbei-battery-recycling",
    ),
    "sg-pasir-two-wheel-trading": (
        "cq-lingchuan-motorcycles",
        "cq-chenglan-e-two-wheelers",
        "cq-jinbei-battery-recycling",
        "cq-chiling-auto-skills",
        "cq-hongya-ev-charging",
    ),
    "sg-lantern-quay-foods": (
        "cq-jiaoling-hotpot-seasoning",
        "cq-xiangkou-noodles",
        "cq-jiaoshan-sichuan-pepper",
        "cq-shanhe-meat-products",
        "cq-juling-citrus",
        "cq-hongtangji-seasoning",
    ),
    "sg-five-bridges-dining": (
        "cq-hongtangji-seasoning",
        "cq-jiaoling-hotpot-seasoning",
        "cq-jiaoshan-sichuan-pepper",
        "cq-xiangkou-noodles",
        "cq-shuangqiao-cold-chain",
    ),
    "sg-kiteline-electronics-sourcing": (
        "cq-cuiping-electronics",
        "cq-zhijiang-circuit-boards",
        "cq-huangling-sensors",
        "cq-yunzhan-smart-devices",
        "cq-tingyan-auto-electronics",
        "cq-huiqu-land-sea",
    ),
    "sg-coral-tide-commodities": (
        "cq-lanfan-import-export",
        "cq-shuangqiao-cold-chain",
        "cq-huiqu-land-sea",
        "cq-langang-bonded-warehousing",
        "cq-qionglian-supply-chain",
    ),
    "sg-bazaarline-trade-hub": (
        "cq-yunzhan-smart-devices",
        "cq-qionglian-supply-chain",
        "cq-lanmaotong-ecommerce-software",
        "cq-zhijiang-circuit-boards",
        "cq-chenglan-e-two-wheelers",
    ),
    "sg-linden-medical-supplies": (
        "cq-kangyan-medical-devices",
        "cq-bencaoling-tcm",
        "cq-chejian-biotech",
        "cq-yunxing-digital-health",
        "cq-yilan-elderly-care",
    ),
    "sg-gantrywell-freight": (
        "cq-huiqu-land-sea",
        "cq-langang-bonded-warehousing",
        "cq-qionglian-supply-chain",
        "cq-cuiping-electronics",
        "cq-juling-citrus",
        "cq-zhijiang-circuit-boards",
    ),
    "sg-coldarc-logistics": (
        "cq-shuangqiao-cold-chain",
        "cq-juling-citrus",
        "cq-shanhe-meat-products",
        "cq-jiaoling-hotpot-seasoning",
        "cq-huangling-sensors",
    ),
    "sg-skyquay-air-cargo": (
        "cq-feidu-air-freight",
        "cq-yunzhan-smart-devices",
        "cq-cuiping-electronics",
        "cq-langang-bonded-warehousing",
        "cq-tingyan-auto-electronics",
        "cq-lanmaotong-ecommerce-software",
    ),
    "sg-nodeport-software": (
        "cq-huiqu-land-sea",
        "cq-qionglian-supply-chain",
        "cq-xiuyun-software",
        "cq-feidu-air-freight",
        "cq-lanmaotong-ecommerce-software",
        "cq-langang-bonded-warehousing",
    ),
    "sg-cirrus-peak-data-centres": (
        "cq-shuzhan-cloud",
        "cq-xiuyun-software",
        "cq-lanmaotong-ecommerce-software",
        "cq-fengjiang-industrial-internet",
        "cq-yunxing-digital-health",
    ),
    "sg-quillstone-ai-labs": (
        "cq-qionglian-supply-chain",
        "cq-huiqu-land-sea",
        "cq-xiuyun-software",
        "cq-lanfan-import-export",
        "cq-lanxin-leasing",
    ),
    "sg-vantawall-cybersecurity": (
        "cq-tingyan-auto-electronics",
        "cq-yunzhan-smart-devices",
        "cq-shuzhan-cloud",
        "cq-lanjiang-electric-vans",
        "cq-huangling-sensors",
        "cq-yunxing-digital-health",
    ),
    "sg-pebblecrest-regtech": (
        "cq-lanxin-leasing",
        "cq-shuzhan-cloud",
        "cq-xiuyun-software",
        "cq-qionglian-supply-chain",
        "cq-lanmaotong-ecommerce-software",
    ),
    "sg-cogwillow-industrial-iot": (
        "cq-fengjiang-industrial-internet",
        "cq-cuiping-electronics",
        "cq-yunqiao-ev-parts",
        "cq-zhijiang-circuit-boards",
        "cq-huangling-sensors",
        "cq-lanjiang-electric-vans",
        "cq-jinbei-battery-recycling",
    ),
    "sg-inkwren-learning": (
        "cq-qilan-edtech",
        "cq-jiangqiao-vocational",
        "cq-moyu-chinese",
        "cq-chiling-auto-skills",
        "cq-kangyan-medical-devices",
    ),
    "sg-canopy-executive-academy": (
        "cq-qilan-edtech",
        "cq-jiangqiao-vocational",
        "cq-lanjiang-electric-vans",
        "cq-huiqu-land-sea",
        "cq-cuiping-electronics",
    ),
    "sg-ferrywell-skills-academy": (
        "cq-jiangqiao-vocational",
        "cq-lanjiang-electric-vans",
        "cq-huiqu-land-sea",
        "cq-shuangqiao-cold-chain",
        "cq-langang-bonded-warehousing",
    ),
    "sg-twin-script-language": (
        "cq-moyu-chinese",
        "cq-kangyan-medical-devices",
        "cq-tingyan-auto-electronics",
        "cq-zhijiang-circuit-boards",
        "cq-wuduxing-travel",
    ),
    "sg-sereno-health": (
        "cq-yilan-elderly-care",
        "cq-bencaoling-tcm",
        "cq-yunxing-digital-health",
        "cq-kangyan-medical-devices",
    ),
    "sg-tidewalker-travel": (
        "cq-wuduxing-travel",
        "cq-xiaying-cruises",
        "cq-zhuxi-homestays",
        "cq-moyu-chinese",
    ),
    # Chongqing firms that ask too
    "cq-lanjiang-electric-vans": ("sg-coldarc-logistics",),
    "cq-huiqu-land-sea": ("sg-coldarc-logistics",),
    "cq-shuzhan-cloud": ("sg-quillstone-ai-labs",),
    "cq-hongya-ev-charging": ("sg-straitsbridge-trade-capital",),
    "cq-chenglan-e-two-wheelers": ("sg-gantrywell-freight",),
    "cq-juling-citrus": ("sg-coral-tide-commodities", "sg-skyquay-air-cargo"),
    "cq-lanfan-import-export": ("sg-coldarc-logistics", "sg-tanjong-lumen-factoring"),
    "cq-jiaoshan-sichuan-pepper": ("sg-tanjong-lumen-factoring",),
    "cq-moyu-chinese": ("sg-canopy-executive-academy",),
    "cq-qilan-edtech": ("sg-twin-script-language",),
    "cq-xiuyun-software": ("sg-bazaarline-trade-hub",),
    "cq-wuduxing-travel": ("sg-canopy-executive-academy",),
    "cq-chejian-biotech": ("sg-sereno-health",),
}

# Requests the asking side marked "must meet".
MUST_MEET = {
    ("sg-straitsbridge-trade-capital", "cq-yunqiao-ev-parts"),
    ("sg-paperkite-payments", "cq-yunzhan-smart-devices"),
    ("sg-kallang-verde-capital", "cq-jinbei-battery-recycling"),
    ("sg-pasir-two-wheel-trading", "cq-lingchuan-motorcycles"),
    ("sg-lantern-quay-foods", "cq-jiaoling-hotpot-seasoning"),
    ("sg-five-bridges-dining", "cq-hongtangji-seasoning"),
    ("sg-kiteline-electronics-sourcing", "cq-cuiping-electronics"),
    ("sg-coral-tide-commodities", "cq-lanfan-import-export"),
    ("sg-linden-medical-supplies", "cq-kangyan-medical-devices"),
    ("sg-gantrywell-freight", "cq-huiqu-land-sea"),
    ("sg-coldarc-logistics", "cq-shuangqiao-cold-chain"),
    ("sg-skyquay-air-cargo", "cq-feidu-air-freight"),
    ("sg-cirrus-peak-data-centres", "cq-shuzhan-cloud"),
    ("sg-vantawall-cybersecurity", "cq-tingyan-auto-electronics"),
    ("sg-cogwillow-industrial-iot", "cq-fengjiang-industrial-internet"),
    ("sg-inkwren-learning", "cq-qilan-edtech"),
    ("sg-sereno-health", "cq-yilan-elderly-care"),
    ("sg-tidewalker-travel", "cq-wuduxing-travel"),
}

# Requests still waiting for an answer when the schedule was made.
PENDING = {
    ("sg-straitsbridge-trade-capital", "cq-jiaoshan-sichuan-pepper"),
    ("sg-paperkite-payments", "cq-jiaoling-hotpot-seasoning"),
    ("sg-kiteline-electronics-sourcing", "cq-huiqu-land-sea"),
    ("sg-bazaarline-trade-hub", "cq-zhijiang-circuit-boards"),
    ("sg-gantrywell-freight", "cq-juling-citrus"),
    ("sg-nodeport-software", "cq-feidu-air-freight"),
    ("sg-pebblecrest-regtech", "cq-qionglian-supply-chain"),
    ("sg-cogwillow-industrial-iot", "cq-lanjiang-electric-vans"),
    ("sg-five-bridges-dining", "cq-xiangkou-noodles"),
    ("cq-hongya-ev-charging", "sg-straitsbridge-trade-capital"),
    ("cq-wuduxing-travel", "sg-canopy-executive-academy"),
    ("sg-skyquay-air-cargo", "cq-lanmaotong-ecommerce-software"),
}

# Requests the asked side declined.
DECLINED = {
    ("sg-straitsbridge-trade-capital", "cq-lanxin-leasing"),
    ("sg-sandpiper-treasury", "cq-zhijiang-circuit-boards"),
    ("sg-bukit-aster-ventures", "cq-huangling-sensors"),
    ("sg-quillstone-ai-labs", "cq-lanfan-import-export"),
    ("sg-vantawall-cybersecurity", "cq-huangling-sensors"),
    ("sg-canopy-executive-academy", "cq-huiqu-land-sea"),
    ("sg-twin-script-language", "cq-wuduxing-travel"),
    ("cq-xiuyun-software", "sg-bazaarline-trade-hub"),
    ("sg-inkwren-learning", "cq-kangyan-medical-devices"),
}

# Meetings the chamber arranged itself before the visit (accepted on both sides' behalf).
ARRANGED = (
    ("sg-orchid-line-motors", "cq-lanjiang-electric-vans"),
    ("sg-ferrywell-skills-academy", "cq-chiling-auto-skills"),
)


def planned_requests() -> list[tuple[str, str]]:
    """Every (asking, asked) pair of ASKS, in the order the demo creates them."""
    return [(asking, asked) for asking, asked_ones in ASKS.items() for asked in asked_ones]


# --- loading ----------------------------------------------------------------------------------


class EventsDemo:
    def __init__(self, *, time_limit: int = TIME_LIMIT):
        self.time_limit = time_limit
        self.report: dict[str, int] = {}

    def count(self, what: str, number: int = 1) -> None:
        self.report[what] = self.report.get(what, 0) + number

    # --- the event -------------------------------------------------------------------------

    def organiser(self) -> Organisation:
        organisation = Organisation.objects.filter(name_en=ORGANISER_EN, country="SG").first()
        if organisation is None:
            organisation = organisation_create(
                actor=None,
                name_en=ORGANISER_EN,
                name_zh=ORGANISER_ZH,
                kind=Organisation.Kind.CHAMBER,
                country="SG",
                city="Singapore",
                is_synthetic=True,
            )
            self.count("organisations")
        return organisation

    def event(self) -> Event:
        event = Event.objects.filter(title_en=TITLE_EN, is_synthetic=True).first()
        if event is not None:
            return event
        event = services.event_create(
            actor=SYSTEM,
            organiser=self.organiser(),
            title_en=TITLE_EN,
            title_zh=TITLE_ZH,
            description_en=DESCRIPTION_EN,
            description_zh=DESCRIPTION_ZH,
            venue_en=VENUE_EN,
            venue_zh=VENUE_ZH,
            slot_minutes=SLOT_MINUTES,
            tables=TABLES,
            registration=Event.Registration.INVITATION,
            fairness=FAIRNESS,
            sessions=SESSIONS,
            is_published=True,
            is_synthetic=True,
        )
        self.count("events")
        return event

    # --- who takes part --------------------------------------------------------------------

    def enterprises(self) -> dict[str, Profile]:
        """The directory demo's profiles taking part, by key: every Singapore one and the
        Chongqing ones of CHONGQING. Missing ones mean the directory demo was not loaded."""
        synthetic, _demo_users = read_demo_file()
        wanted = [spec for spec in synthetic if spec.country == "SG" or spec.key in set(CHONGQING)]
        profiles = {
            (p.organisation.name_en, p.organisation.country): p
            for p in Profile.objects.filter(is_synthetic=True).select_related("organisation")
        }
        found = {}
        for spec in wanted:
            profile = profiles.get((SYNTHETIC_EN + spec.name_en, spec.country))
            if profile is None:
                raise LookupError("load_directory_demo")
            found[spec.key] = profile
        return found

    def participants(self, event: Event) -> dict[str, Participant]:
        existing = {p.organisation_id: p for p in event.participants.all()}
        result = {}
        for key, profile in self.enterprises().items():
            organisation = profile.organisation
            participant = existing.get(organisation.pk)
            if participant is None:
                participant = services.participant_add(
                    actor=SYSTEM,
                    event=event,
                    organisation=organisation,
                    contact=self.contact_of(organisation),
                    languages=profile.languages,
                    blocked_slots=UNAVAILABLE.get(key, ()),
                    fixed_table=HOSTS.get(key),
                )
                self.count("participants")
            result[key] = participant
        return result

    def contact_of(self, organisation: Organisation):
        """The organisation's first member (such as the demo login sgtrade), if it has any."""
        membership = (
            Membership.objects.filter(organisation=organisation)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        return membership.user if membership is not None else None

    def interpreters(self, event: Event) -> None:
        """The event's interpreters (synthetic names)."""
        names = set(event.interpreters.values_list("name_en", flat=True))
        for spec in INTERPRETERS:
            if spec.name_en in names:
                continue
            services.interpreter_add(
                actor=SYSTEM, event=event, name_en=spec.name_en, name_zh=spec.name_zh
            )
            self.count("interpreters")

    # --- who asks to meet whom -------------------------------------------------------------

    def requests(self, event: Event, participants: dict[str, Participant]) -> None:
        asked = {
            frozenset(pair) for pair in event.requests.values_list("requester_id", "requested_id")
        }

        def new(asking: str, asked_one: str) -> bool:
            pair = frozenset((participants[asking].pk, participants[asked_one].pk))
            if pair in asked:
                return False
            asked.add(pair)
            return True

        for asking, asked_one in ARRANGED:
            if new(asking, asked_one):
                services.meeting_add(
                    actor=SYSTEM,
                    event=event,
                    requester=participants[asking],
                    requested=participants[asked_one],
                    priority=MeetingRequest.Priority.MUST,
                )
                self.count("meeting requests")
        for asking, asked_one in planned_requests():
            if not new(asking, asked_one):
                continue
            request = services.request_create(
                actor=SYSTEM,
                event=event,
                requester=participants[asking],
                requested=participants[asked_one],
                priority=(
                    MeetingRequest.Priority.MUST
                    if (asking, asked_one) in MUST_MEET
                    else MeetingRequest.Priority.WOULD_LIKE
                ),
            )
            self.count("meeting requests")
            if (asking, asked_one) not in PENDING:
                services.request_answer(
                    actor=SYSTEM, request=request, accept=(asking, asked_one) not in DECLINED
                )

    # --- the schedule ----------------------------------------------------------------------

    def schedule(self, event: Event) -> ScheduleRun | None:
        """Solve the accepted meetings now, unless a run finished already or one is under
        way (started from the event's pages). First every accepted meeting, as an organiser
        asks; should the scheduler find no such schedule, as many as fit, must-meet first
        (the others then carry the reason why not)."""
        if event.runs.filter(
            status__in=[
                ScheduleRun.Status.DONE,
                ScheduleRun.Status.QUEUED,
                ScheduleRun.Status.RUNNING,
            ]
        ).exists():
            return None
        for mode in (ScheduleRun.Mode.ALL, ScheduleRun.Mode.MAX):
            run = services.schedule_start(
                actor=SYSTEM, event=event, mode=mode, time_limit=self.time_limit
            )
            run = planning.run(run.pk)
            self.count("scheduling runs")
            if run.status == ScheduleRun.Status.DONE:
                break
        return run

    def publish_agendas(self, event: Event) -> None:
        if event.agenda_published_at is not None:
            return
        if not event.runs.filter(status=ScheduleRun.Status.DONE).exists():
            return
        services.agendas_publish(actor=SYSTEM, event=event)
        # Demo dating: the service stamps the current time.
        Event.objects.filter(pk=event.pk).update(agenda_published_at=AGENDAS_PUBLISHED_AT)
        event.agenda_published_at = AGENDAS_PUBLISHED_AT
        self.count("published agendas")

    # --- all -------------------------------------------------------------------------------

    def load(self) -> dict[str, int]:
        with transaction.atomic():
            event = self.event()
            participants = self.participants(event)
            self.interpreters(event)
            self.requests(event, participants)
        # Outside the transaction: the solver may report its progress from threads of its
        # own, which write the run's row through connections of their own.
        self.schedule(event)
        with transaction.atomic():
            self.publish_agendas(event)
        return self.report


def load_events_demo(*, time_limit: int = TIME_LIMIT) -> dict[str, int]:
    """Load the events demo; returns how many of each thing it created (an empty dict when
    everything was there already). `time_limit` is the scheduler's, in seconds."""
    return EventsDemo(time_limit=time_limit).load()


def demo_event() -> Event | None:
    return Event.objects.filter(title_en=TITLE_EN, is_synthetic=True).first()


@dataclass(frozen=True)
class DemoSummary:
    """What the command prints about the demo event as it now stands."""

    participants: int
    singapore: int
    chongqing: int
    requests: int
    accepted: int
    pending: int
    declined: int
    placed: int
    need_interpreter: int  # placed meetings whose sides share no working language
    with_interpreter: int
    unplaced_reasons: list[tuple[MeetingRequest, str]]  # accepted meetings without a slot
    run: ScheduleRun | None


def events_demo_summary() -> DemoSummary | None:
    event = demo_event()
    if event is None:
        return None
    participants = event.participants.all()
    requests = event.requests.all()
    accepted = requests.filter(status=MeetingRequest.Status.ACCEPTED)
    placed = list(accepted.exclude(slot=None).select_related("requester", "requested"))
    return DemoSummary(
        participants=participants.count(),
        singapore=participants.filter(organisation__country="SG").count(),
        chongqing=participants.filter(organisation__country="CN").count(),
        requests=requests.count(),
        accepted=accepted.count(),
        pending=requests.filter(status=MeetingRequest.Status.PENDING).count(),
        declined=requests.filter(status=MeetingRequest.Status.DECLINED).count(),
        placed=len(placed),
        need_interpreter=sum(meeting.needs_interpreter for meeting in placed),
        with_interpreter=sum(meeting.interpreter_id is not None for meeting in placed),
        unplaced_reasons=[
            (meeting, meeting.unplaced_reason)
            for meeting in accepted.filter(slot=None).select_related(
                "requester__organisation", "requested__organisation"
            )
        ],
        run=event.runs.filter(status=ScheduleRun.Status.DONE).first(),
    )
