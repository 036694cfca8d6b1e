"""The decisive facets of an offer or need line, in English and Chinese, and how two lines
agree or conflict on them.

A plain module with no Django import (the term lists below, `core/terms.py` and `re`), so
it can be tested and benchmarked alone. `matching.rerank` asks `compare(need, offer)` for
the shortlisted candidates' best pairs of lines and uses the agreements and conflicts as a
ranking signal on top of the encoder; the reasons carry them ("matches: cold chain −25 °C,
Singapore → Chongqing; differs: full containers only").

A sentence encoder sees that two lines talk about the same thing; it does not see that one
ships Singapore → Chongqing and the other Chongqing → Singapore, that one keeps goods at
−18 °C and the other at 2–8 °C, that one buys what the other also wants to buy, or that an
offer says "not halal". Those are the points on which a need is met or not, and they are
written with a small, closed vocabulary in both languages, so hand-written term lists catch
most of them:

* route: origin → destination of the goods or the service ("from Singapore to Chongqing",
  "重庆至新加坡", "exports to Singapore", "Singapore-made", "进口到新加坡");
* where: the place a service is performed or a firm is ("in Chongqing", "在重庆", "新加坡的");
* product: an everyday name from `core/data/terms.yaml` (with its HS codes) or from
  `PRODUCTS` below; the first one a line names is its head (what it is about);
* temperature: frozen, chilled, deep-frozen, ambient, live, with the degrees written;
* currency and payment terms; the authority or standard named (SFA, HSA, NMPA, CCC…);
* scale: full containers, LCL, pallets, parcels, small or large batches, utility or household;
* role: what the writer is (maker, buyer, seller, certifier…) and what it is looking for;
* exclusions: "not halal", "no dangerous goods", "不含充电设备", "只在国内销售", "we do
  not make them": the facets of an excluded phrase count against a need that asks for them.

Every list was written by us for Corridor (not taken from a library: none was found that
extracts trade facets from English and Chinese business text); each says what it covers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from corridor.core import terms as core_terms

# --- places ----------------------------------------------------------------------------------

# Written by us: the places the corridor's lines name, each with the region it belongs to
# (a Chongqing route is a China route). Codes are ISO alpha-2 for countries, "CQ" for
# Chongqing (the corridor's Chinese end, named often enough to show), "ASEAN" for
# South-East Asia as a whole. English names match as whole words, Chinese ones anywhere.
PLACES: dict[str, tuple[str, ...]] = {
    "SG": ("Singapore", "Changi", "Tuas", "新加坡", "狮城", "樟宜"),
    "CQ": ("Chongqing", "重庆"),
    "CN": (
        "China",
        "mainland China",
        "western China",
        "Chinese mainland",
        "Sichuan",
        "Chengdu",
        "Yunnan",
        "Guangxi",
        "Ningxia",
        "Qinzhou",
        "Shanghai",
        "Beijing",
        "Guangzhou",
        "Shenzhen",
        "Pingxiang",
        "中国",
        "中国境内",
        "国内",
        "内地",
        "四川",
        "成都",
        "云南",
        "广西",
        "宁夏",
        "钦州",
        "上海",
        "北京",
        "广州",
        "深圳",
        "凭祥",
    ),
    "MY": ("Malaysia", "Pahang", "Kuala Lumpur", "马来西亚", "吉隆坡"),
    "VN": ("Vietnam", "Viet Nam", "Hanoi", "Ho Chi Minh City", "越南", "河内", "胡志明市"),
    "ID": (
        "Indonesia",
        "Indonesian",
        "Jakarta",
        "Surabaya",
        "印尼",
        "印度尼西亚",
        "雅加达",
        "泗水",
    ),
    "TH": ("Thailand", "Bangkok", "泰国", "曼谷"),
    "PH": ("Philippines", "Manila", "菲律宾", "马尼拉"),
    "ASEAN": ("Southeast Asia", "South-East Asia", "ASEAN", "东南亚", "东盟"),
}
REGION = {"CQ": "CN"}
ASEAN = "ASEAN"
ASEAN_MEMBERS = {
    "SG",
    "MY",
    "VN",
    "ID",
    "TH",
    "PH",
}  # a place -> the larger place it is in, for comparing
# Adjectives of place: "Chinese exporters", "Singapore firms" name where a party is, and
# "Singapore-made" / "重庆产" where goods come from.
ADJECTIVES: dict[str, tuple[str, ...]] = {
    "CN": ("Chinese",),
    "SG": ("Singaporean",),
    "MY": ("Malaysian",),
}


def region(code: str) -> str:
    return REGION.get(code, code)


# --- vocabularies of the other facets --------------------------------------------------------

# Written by us. Temperature words; degrees are read separately (see `_degrees`).
TEMPERATURE_WORDS: dict[str, tuple[str, ...]] = {
    "deep-frozen": ("ultra-cold", "deep-frozen", "深冷", "超低温"),
    "frozen": ("frozen", "freezer", "quick-frozen", "冷冻", "速冻", "冻肉", "冷柜", "冻品"),
    "chilled": ("chilled", "fresh", "冷藏", "冷鲜", "新鲜", "保鲜", "鲜花", "鲜奶"),
    "ambient": ("ambient", "dried", "dry goods", "常温", "干货"),
    "live": (
        "live seafood",
        "live prawns",
        "live fish",
        "live crabs",
        "live animals",
        "活海鲜",
        "活虾",
        "活鱼",
        "活蟹",
    ),
    "cold": ("cold chain", "cold-chain", "reefer", "refrigerated", "冷链"),
}

# Written by us: currency names and symbols in both languages, as ISO 4217 codes.
CURRENCIES: dict[str, tuple[str, ...]] = {
    "SGD": ("SGD", "S$", "Singapore dollar", "Singapore dollars", "新元", "新加坡元", "新币"),
    "CNY": ("CNY", "RMB", "renminbi", "yuan", "人民币"),
    "USD": ("USD", "US$", "US dollar", "US dollars", "美元"),
    "EUR": ("EUR", "euro", "euros", "欧元"),
    "MYR": ("MYR", "ringgit", "令吉", "马币"),
}

# Written by us: payment terms (trade-finance usage). "recourse" and "non-recourse" are
# the two kinds of factoring.
PAYMENT: dict[str, tuple[str, ...]] = {
    "letter-of-credit": ("letter of credit", "letters of credit", "L/C", "LC", "信用证"),
    "telegraphic-transfer": ("telegraphic transfer", "T/T", "TT", "wire transfer", "电汇"),
    "open-account": ("open account", "open-account", "赊账", "赊销"),
    "advance": (
        "cash in advance",
        "cash-in-advance",
        "payment in advance",
        "prepayment",
        "预付款",
        "预付",
    ),
    "non-recourse": ("non-recourse", "without recourse", "无追索权"),
    "recourse": ("with recourse", "with-recourse", "recourse", "有追索权"),
}

# Written by us: the authorities, schemes and standards named in the corridor's lines
# (Singapore's and China's regulators, certification schemes, the standards of a trade).
AUTHORITIES: dict[str, tuple[str, ...]] = {
    "SFA": ("SFA", "Singapore Food Agency", "新加坡食品局"),
    "HSA": ("HSA", "Health Sciences Authority", "卫生科学局"),
    "NMPA": (
        "NMPA",
        "National Medical Products Administration",
        "国家药监局",
        "药监局",
        "国家药品监督管理局",
    ),
    "GACC": ("GACC", "General Administration of Customs", "海关总署"),
    "CCC": ("CCC", "China Compulsory Certification", "强制性产品认证", "3C认证"),
    "LTA": ("LTA", "Land Transport Authority", "陆路交通管理局"),
    "MAS": ("MAS", "Monetary Authority of Singapore", "金管局", "金融管理局"),
    "PBOC": ("PBOC", "People's Bank of China", "人民银行"),
    "IMDA": ("IMDA", "资讯通信媒体发展局"),
    "CAAS": ("CAAS", "Civil Aviation Authority of Singapore", "新加坡民航局"),
    "CAAC": ("CAAC", "Civil Aviation Administration of China", "中国民航局"),
    "BCA": ("BCA", "Green Mark", "绿色标志"),
    "NEA": ("NEA", "National Environment Agency", "环境局"),
    "MIIT": ("MIIT", "工信部"),
    "MUIS": ("MUIS", "伊斯兰宗教理事会"),
    "halal": ("halal", "Halal", "清真"),
    "Safety Mark": ("Safety Mark", "SAFETY MARK", "安全标志"),
    "PDPA": ("PDPA",),
    "ICP": ("ICP",),
    "SkillsFuture": ("SkillsFuture", "技能创前程"),
    "Verra": ("Verra",),
    "IATA DG": ("dangerous goods", "危险品", "IATA DG"),
    "LEED": ("LEED",),
    "China Green Building": ("绿色建筑三星", "三星绿色建筑"),
    "CLS": ("Cybersecurity Labelling", "网络安全标签"),
    "CREST": ("CREST",),
    "GDP": ("GDP-certified", "GDP", "药品流通规范"),
}
# Standards written as a code and a number: "ISO 13485", "IEC 61215", "YY 0469".
_STANDARD_CODE = re.compile(r"\b(ISO|IEC|YY|GB|EN|HACCP)\s?(\d{3,5})?\b")

# Written by us: scale of a shipment or an order. `SCALE_CONFLICTS` says which exclude
# each other.
SCALE: dict[str, tuple[str, ...]] = {
    "full containers": (
        "full container",
        "full containers",
        "full-container",
        "full-container-load",
        "container loads",
        "FCL",
        "20-foot",
        "40-foot",
        "整柜",
        "20尺",
        "40尺",
        "整箱",
    ),
    "LCL": ("LCL", "less than container", "consolidation", "拼箱", "零担"),
    "pallets": ("pallet", "pallets", "托盘"),
    "parcels": ("parcel", "parcels", "single-parcel", "dropshipping", "小包", "包裹", "一件代发"),
    "bulk": ("bulk", "shiploads", "tonnes", "大批量", "大宗"),
    "small batches": ("small batches", "small lots", "small shipments", "small cartons", "小批量"),
    "utility-scale": ("MWh", "utility-scale", "兆瓦时"),
    "household": ("kWh", "home battery", "户用", "千瓦时"),
}
SCALE_CONFLICTS = {
    frozenset(pair)
    for pair in [
        ("full containers", "LCL"),
        ("full containers", "parcels"),
        ("full containers", "small batches"),
        ("bulk", "small batches"),
        ("bulk", "parcels"),
        ("bulk", "LCL"),
        ("pallets", "parcels"),
        ("pallets", "bulk"),
        ("utility-scale", "household"),
    ]
}

# Written by us: languages a service works in (teaching, localisation, data).
LANGUAGES: dict[str, tuple[str, ...]] = {
    "Chinese": (
        "Mandarin",
        "Chinese-language",
        "simplified Chinese",
        "普通话",
        "中文",
        "华文",
        "汉语",
    ),
    "English": ("English", "英语", "英文"),
    "Malay": ("Malay", "马来文", "马来语"),
}

# Written by us: roles. Nouns name a party ("a distributor", "进口商"); verbs say what the
# writer does ("we import", "我们生产").
ROLE_NOUNS: dict[str, tuple[str, ...]] = {
    "buyer": (
        "buyer",
        "buyers",
        "importer",
        "importers",
        "purchaser",
        "sourcing agent",
        "买家",
        "进口商",
        "采购商",
        "采购代理",
        "客户",
    ),
    "seller": (
        "supplier",
        "suppliers",
        "exporter",
        "exporters",
        "seller",
        "sellers",
        "vendor",
        "供应商",
        "出口商",
        "卖家",
    ),
    "maker": (
        "manufacturer",
        "manufacturers",
        "maker",
        "makers",
        "factory",
        "OEM",
        "contract manufacturer",
        "toolmakers",
        "生产商",
        "制造商",
        "代工厂",
        "工厂",
        "车企",
        "厂",
    ),
    "distributor": (
        "distributor",
        "distributors",
        "dealer",
        "dealers",
        "reseller",
        "resellers",
        "经销商",
        "代理商",
        "分销商",
    ),
    "certifier": (
        "certification body",
        "certification support",
        "testing",
        "laboratory",
        "registrant",
        "registration",
        "auditor",
        "auditors",
        "检测",
        "认证机构",
        "实验室",
        "注册代理",
        "审计机构",
        "认证服务",
    ),
    "broker": ("customs broker", "customs agent", "报关行", "清关代理", "报关代理"),
    "recycler": ("recycler", "recyclers", "回收企业", "回收商"),
    "forwarder": ("forwarder", "freight forwarder", "货代", "货运代理"),
    "investor": ("investor", "investors", "fund", "venture capital", "基金", "投资机构"),
    "lessor": ("lessor", "出租方"),
    "airline": ("airline", "航空公司"),
    "recruiter": ("CRO", "contract research organisation", "临床研究外包机构"),
}
ROLE_VERBS: dict[str, tuple[str, ...]] = {
    "buyer": (
        r"we (?:also )?(?:import|buy|purchase|source)\b",
        r"我们(?:也)?(?:进口|采购|购买|收购)",
    ),
    "seller": (r"we (?:sell|export|supply)\b", r"我们(?:向\S{1,6})?(?:出售|销售|出口|供应)"),
    "recycler": (r"we (?:\w+ and )?recycle\b", r"我们\S{0,6}回收", r"^collection and recycling"),
    "broker": (r"we clear\b", r"我们\S{0,8}办理\S{0,12}报关"),
    "distributor": (r"we (?:\w+ and )?(?:distribute|resell)\b", r"我们(?:代理|分销)"),
    "maker": (
        r"we (?:make|manufacture|produce|build)\b",
        r"我们(?:生产|制造|代工|自产)",
        r"我们在\S{1,6}(?:生产|代工)",
        r"^(?:we )?(?:make|manufacture)\b",
    ),
    "certifier": (
        r"we (?:test|certify|register|help \w+ (?:\w+ )?register)\b",
        r"我们为\S*办理",
        r"我们(?:负责|提供|从事)\S{0,4}(?:检测|认证)",
    ),
    "trainer": (r"we (?:train|teach)\b", r"我们\S{0,6}培训"),
    "installer": (r"we (?:install|operate)\b", r"我们\S{0,6}(?:安装|运维)"),
}
# Which roles a need asking for one accepts, and which it refuses.
ROLE_ACCEPTS = {
    "buyer": {"buyer", "distributor"},
    "distributor": {"distributor", "buyer"},
    "seller": {"seller", "maker"},
    "maker": {"maker"},
    "certifier": {"certifier"},
    "forwarder": {"forwarder"},
    "broker": {"broker"},
    "recycler": {"recycler"},
    "investor": {"investor"},
    "lessor": {"lessor"},
}
ROLE_REFUSES = {
    "buyer": {"seller", "maker"},
    "distributor": {"maker", "seller"},
    "seller": {"buyer"},
    "maker": {"certifier", "distributor", "installer", "buyer", "seller"},
    "certifier": {"maker", "seller", "distributor"},
    "forwarder": {"maker"},
    "broker": {"certifier", "maker"},
    "recycler": {"maker", "seller"},
    "investor": {"seller"},
    "lessor": {"airline"},
}

# Written by us: goods and services the corridor's lines name that `core/data/terms.yaml`
# does not list, with the HS 2022 heading where goods have one. Checked against the HS
# 2022 heading texts by hand: 8504 static converters (chargers), 8480 moulds, 7304/7306
# tubes and pipes, 6307 other made-up textile articles (masks), 9402 hospital furniture,
# 3822 diagnostic reagents, 9018 medical instruments, 8517 telephone and network
# apparatus, 8525 cameras, 8479 machines n.e.s. (robots), 7601 unwrought aluminium, 8516
# electric coffee makers, 3915 plastics waste and scrap, 2204 wine, 6907 ceramic tiles, 1901
# infant food, 0709 other vegetables, 8807 parts of aircraft and drones, 8411 turbojets,
# 2202 non-alcoholic drinks, 1902 pasta (dumplings), 8507 accumulators, 9404 mattresses.
PRODUCTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        (
            "EV charger",
            "EV chargers",
            "电动车充电桩",
            "电动汽车充电桩",
            "电动货车充电桩",
            "EV charging points",
            "EV charging point",
            "EV charging",
            "charger",
            "chargers",
            "charging point",
            "charging points",
            "charging station",
            "charging stations",
            "charging equipment",
            "充电桩",
            "充电设备",
            "充电设施",
        ),
        ("850440",),
    ),
    (("injection moulds", "moulds", "molds", "注塑模具", "模具"), ("8480",)),
    (("steel pipes", "pipes", "钢管"), ("7304", "7306")),
    (("surgical masks", "masks", "口罩"), ("6307",)),
    (("hospital beds", "病床"), ("9402",)),
    (("diagnostic kits", "体外诊断试剂", "诊断试剂"), ("3822",)),
    (("ultrasound", "超声"), ("901812",)),
    (("glucose meter", "血糖仪"), ("9027",)),
    (("routers", "router", "路由器"), ("851762",)),
    (("smart cameras", "cameras", "摄像头"), ("8525",)),
    (("welding robots", "robots", "焊接机器人", "机器人"), ("847950",)),
    (("aluminium", "aluminum", "aluminium ingots", "电解铝", "铝锭"), ("7601",)),
    (("coffee machines", "咖啡机"), ("851671",)),
    (("plastics pellets", "recycled plastics", "再生塑料颗粒", "塑料颗粒"), ("3915",)),
    (("wine", "wines", "葡萄酒"), ("2204",)),
    (("ceramics", "tiles", "陶瓷", "瓷砖"), ("6907",)),
    (("baby formula", "婴幼儿配方奶粉", "奶粉"), ("190110",)),
    (("vegetables", "蔬菜"), ("07",)),
    (("drone parts", "无人机零部件"), ("8807",)),
    (("aircraft engine", "engine overhaul", "发动机"), ("8411",)),
    (("bird's nest", "燕窝"), ("0410",)),
    (("dumplings", "饺子"), ("1902",)),
    (("rice noodles", "米粉"), ("1902",)),
    (("battery storage", "储能电池", "储能"), ("850760",)),
    (("batteries", "battery", "电池"), ("8507",)),
    (
        ("EV batteries", "EV battery", "used EV batteries", "动力电池", "新能源汽车动力电池"),
        ("850760",),
    ),
    (("fresh flowers", "flowers", "orchids", "鲜花", "兰花"), ("0603",)),
    (("home appliances", "家电", "电器产品", "electrical products"), ("85",)),
    (("power adapters", "电源适配器"), ("850440",)),
    (("snacks", "零食"), ("1905",)),
    (("electronics", "electronic components", "电子产品", "电子元器件"), ("85",)),
    (("automotive electronics", "circuit boards", "PCB", "汽车电子", "电路板"), ("8534", "85")),
    # a category: in Singapore's and China's rules alike it takes in instruments, beds, meters
    # and in-vitro diagnostic reagents
    (("medical devices", "医疗器械"), ("9018", "9019", "9021", "9022", "9027", "9402", "3822")),
    (("vaccines", "疫苗"), ("3002",)),
    (("traditional Chinese medicines", "中药", "中成药", "中药饮片"), ("3004",)),
    (("health supplements", "保健品"), ("2106",)),
    (("carbon credits", "碳信用", "碳汇"), ()),
    (("HR software", "人力资源软件"), ()),
    (("factory management software", "工厂管理软件", "工厂管理系统"), ()),
    (("payment systems", "支付系统"), ()),
)


# Entries of terms.yaml that are another facet here (payment, temperature), not a product.
NOT_PRODUCTS = {"letter of credit", "cold chain", "trade credit insurance"}


# --- what a line says ------------------------------------------------------------------------


@dataclass(frozen=True)
class Facets:
    """The decisive facets of one line. Places are codes of `PLACES`; a route is
    (origin, destination), either "" when the line does not say."""

    routes: frozenset[tuple[str, str]] = frozenset()
    where: frozenset[str] = frozenset()
    products: tuple[str, ...] = ()  # product keys (their first English name), first named first
    temperature: frozenset[str] = frozenset()
    degrees: tuple[float, ...] = ()
    currencies: frozenset[str] = frozenset()
    payment: frozenset[str] = frozenset()
    authorities: frozenset[str] = frozenset()
    scale: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    is_roles: frozenset[str] = frozenset()  # what the writer is or does
    seeks_roles: frozenset[str] = frozenset()  # what the writer is looking for
    seeking: bool = False  # the line asks for something ("we need", "寻找")
    domestic_only: bool = False  # "domestic market only", "只在国内销售"
    excluded: Facets | None = field(default=None, compare=False)  # what it says it does not


@dataclass(frozen=True)
class Point:
    """One facet on which two lines agree or differ: `kind` ("route", "temperature",
    "currency", "payment", "authority", "scale", "product", "role", "language", "place",
    "excluded", "domestic_only", "also_seeking") and its values, language-neutral codes the
    page puts in words (`value` what the offer says, `wanted` what the need says)."""

    kind: str
    value: str = ""
    wanted: str = ""


@dataclass(frozen=True)
class Comparison:
    matches: tuple[Point, ...] = ()
    differs: tuple[Point, ...] = ()


_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True)
class _Found:
    """One name found in a text (what `re.Match` offers that the callers use)."""

    begin: int
    finish: int
    text: str

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def span(self) -> tuple[int, int]:
        return self.begin, self.finish

    def group(self, _number: int = 0) -> str:
        return self.text


class _Lexicon:
    """Finds the names of a list in a text, leftmost first and the longest at each place,
    none overlapping (what one regular-expression alternation of them does, many times
    faster for hundreds of names: a look-up by the first two characters). A Latin name
    matches only between non-letters ("ICP许可证" has ICP, "MASS" has no MAS); a Chinese one
    anywhere."""

    def __init__(self, names, ignore_case: bool = True):
        self.ignore_case = ignore_case
        self.buckets: dict[str, list[str]] = {}
        for name in sorted(set(names), key=len, reverse=True):
            written = name.lower() if ignore_case else name
            self.buckets.setdefault(written[:2], []).append(written)

    def finditer(self, text: str):
        folded = text.lower() if self.ignore_case else text
        position, length = 0, len(text)
        while position < length:
            found = None
            for key in (folded[position : position + 2], folded[position]):
                for name in self.buckets.get(key, ()):
                    if folded.startswith(name, position) and self._whole(text, name, position):
                        found = name
                        break
                if found:
                    break
            if found:
                yield _Found(
                    position, position + len(found), text[position : position + len(found)]
                )
                position += len(found)
            else:
                position += 1

    @staticmethod
    def _whole(text: str, name: str, position: int) -> bool:
        if _CJK.search(name):
            return True
        before = text[position - 1] if position else ""
        after = text[position + len(name) : position + len(name) + 1]
        return (not before or before not in _LATIN and before != "-") and (
            not after or after not in _LATIN
        )

    def sub(self, replace, text: str) -> str:
        parts, last = [], 0
        for found in self.finditer(text):
            parts += [text[last : found.start()], replace(found)]
            last = found.end()
        return "".join(parts) + text[last:]


def _matcher(table: dict[str, tuple[str, ...]], ignore_case: bool = True):
    lookup, written = {}, []
    for key, names in table.items():
        for name in names:
            lookup[name.lower()] = key
            written.append(name)
    return _Lexicon(written, ignore_case), lookup


_PLACE_RE, _PLACE_OF = _matcher(PLACES)
_ADJECTIVE_RE, _ADJECTIVE_OF = _matcher(ADJECTIVES, ignore_case=False)
_TEMPERATURE_RE, _TEMPERATURE_OF = _matcher(TEMPERATURE_WORDS)
_CURRENCY_RE, _CURRENCY_OF = _matcher(CURRENCIES, ignore_case=False)
_PAYMENT_RE, _PAYMENT_OF = _matcher(PAYMENT)
_AUTHORITY_RE, _AUTHORITY_OF = _matcher(AUTHORITIES, ignore_case=False)
_SCALE_RE, _SCALE_OF = _matcher(SCALE, ignore_case=False)
_LANGUAGE_RE, _LANGUAGE_OF = _matcher(LANGUAGES, ignore_case=False)
_ROLE_NOUN_RE, _ROLE_NOUN_OF = _matcher(ROLE_NOUNS, ignore_case=False)
_ROLE_VERB_RES = {
    role: re.compile("|".join(patterns), re.IGNORECASE) for role, patterns in ROLE_VERBS.items()
}


@functools.cache
def _products() -> tuple[_Lexicon, dict[str, tuple[str, tuple[str, ...]]]]:
    """Every product name of terms.yaml and PRODUCTS -> (key, HS codes); one pattern."""
    names: dict[str, tuple[str, tuple[str, ...]]] = {}
    for names_of_entry, codes in PRODUCTS:
        for name in names_of_entry:
            names[name.lower()] = (names_of_entry[0], codes)
    seen_entries = {}
    for term in core_terms.terms():
        if term.names[0] in NOT_PRODUCTS:
            continue
        key = seen_entries.setdefault(term.names, term.names[0])
        names.setdefault(term.text, (key, term.codes))
    return _Lexicon(names), names


@functools.cache
def _product_names() -> dict[str, dict[str, str]]:
    """A product key -> its first English and first Chinese name."""
    found: dict[str, dict[str, str]] = {}
    for names_of_entry, _codes in PRODUCTS:
        _add_names(found, names_of_entry[0], names_of_entry)
    for term in core_terms.terms():
        if term.names[0] not in NOT_PRODUCTS:
            _add_names(found, term.names[0], term.names)
    return found


def _add_names(found: dict, key: str, names) -> None:
    entry = found.setdefault(key, {})
    for name in names:
        language = "zh" if re.search(r"[\u3400-\u9fff]", name) else "en"
        entry.setdefault(language, name)


def product_name(key: str, language: str) -> str:
    """The product's everyday name in "en" or "zh" (the key itself when it has none)."""
    return _product_names().get(key, {}).get(language, key)


# "we need", "looking for", "寻找": the line asks for something
_SEEKING = re.compile(
    r"\b(?:we need|we want|need|needs|needed|looking for|look for|seeking|seek|we are looking)\b"
    r"|寻找|需要|寻求|招聘|想找|希望找",
    re.IGNORECASE,
)
_DOMESTIC = re.compile(
    r"domestic (?:market|use|sales?)(?: only)?|local delivery only|only in China|"
    r"只在国内|仅供国内|国内市场|只在\S{1,4}本地|仅限国内|只供国内",
    re.IGNORECASE,
)
# An excluded phrase runs from its marker to the end of the clause.
_EXCLUSION = re.compile(
    r"(?:\bno\b|\bnot\b|\bwithout\b|\bexcluding\b|\bexcept\b|\bdo not\b|\bdoes not\b|"
    r"\bdon't\b|\bnever\b|不含|不包括|不做|不接|不提供|不卖|不开立|非|无需|不需要|不符合|除外)"
    r"[^,;.，；。、]*",
    re.IGNORECASE,
)
_NOT_INCLUDED = re.compile(r"([^,;.，；。]*?)\s+not (?:included|needed|accepted)", re.IGNORECASE)
_NUMBER = r"(\d+(?:\.\d+)?)"
_MINUS = r"(?:-|−|–|minus\s*|零下)"
_DEGREE = r"\s*(?:°\s*C|℃|degrees?|度)"
_RANGE = re.compile(rf"({_MINUS})?{_NUMBER}\s*(?:–|-|~|to|至|到)\s*({_MINUS})?{_NUMBER}{_DEGREE}")
_SINGLE = re.compile(rf"({_MINUS}){_NUMBER}{_DEGREE}|零下{_NUMBER}(?:{_DEGREE})?")


def _degrees(text: str) -> list[float]:
    found = []
    for match in _RANGE.finditer(text):
        low = float(match.group(2)) * (-1 if match.group(1) else 1)
        high = float(match.group(4)) * (-1 if match.group(3) else 1)
        found += [low, high]
    rest = _RANGE.sub(" ", text)
    for match in _SINGLE.finditer(rest):
        number = match.group(2) or match.group(3)
        found.append(-float(number))
    return found


def _temperature_class(degrees: float) -> str:
    if degrees <= -40:
        return "deep-frozen"
    if degrees <= -10:
        return "frozen"
    if degrees <= 15:
        return "chilled"
    return "ambient"


# Routes and where. `_marked` writes each place as «CODE» and each adjective of place as
# ‹CODE›, so the patterns below look for a place in a few characters.
_P = r"«(\w+)»"
_A = r"[«‹](\w+)[»›]"


def _marked(text: str) -> str:
    text = _PLACE_RE.sub(lambda m: f"«{_PLACE_OF[m.group(0).lower()]}»", text)
    return _ADJECTIVE_RE.sub(lambda m: f"‹{_ADJECTIVE_OF[m.group(0).lower()]}›", text)


_ROUTE_PATTERNS = [
    # from A to/into B; A to B; A → B; A–B (route)
    re.compile(rf"(?:from\s+)?{_P}\s*(?:to|into|→|->|–|—)\s*{_P}", re.IGNORECASE),
    re.compile(
        rf"from\s+(?:\w+\s+){{0,3}}?{_P}\s+(?:\w+\s+){{0,2}}?(?:to|into)\s+{_P}", re.IGNORECASE
    ),
    # 从A运到B, A至B, A到B, A经C到B, A—B
    re.compile(
        rf"(?:从)?{_P}(?:经\S{{1,6}}?)?(?:运到|运往|运至|到|至|—|-|进入|发往)(?:\S{{0,6}}?的)?{_P}"
    ),
    # 新加坡病人转介到重庆; 中国学生送到新加坡; 新加坡游客到重庆
    re.compile(rf"{_P}(?:的)?\S{{0,6}}?(?:转介到|转口到|送到|送往|到|去|赴)\S{{0,3}}?{_P}"),
    # Singapore patients to partner hospitals in China; Chinese students in programmes at X
    re.compile(
        rf"{_A}\s+(?:\w+\s+){{1,2}}(?:to|in)\s+(?:\w+\s+){{0,3}}?(?:in|at)?\s*{_P}", re.IGNORECASE
    ),
]
_TO_PATTERNS = [
    re.compile(
        rf"(?:export\w*|ship\w*|sell\w*|bound for|entering|into|to)\s+(?:(?!from\b)\w+\s+){{0,3}}?{_P}",
        re.IGNORECASE,
    ),
    re.compile(rf"(?:出口到|出口至|出口|运到|运往|进口到|进入|转口到|卖到|销往|送到){_P}"),
]
_FROM_PATTERNS = [
    re.compile(
        rf"{_P}-made|made in {_P}|(?:import\w*|buy\w*)\s+(?:\w+\s+){{0,4}}?from\s+(?:\w+\s+){{0,2}}?{_P}",
        re.IGNORECASE,
    ),
    re.compile(rf"{_P}(?:产的|产|生产的|制造的)|从{_P}(?:进口|采购)"),
]
_WHERE_PATTERNS = [
    re.compile(rf"\b(?:in|at|across)\s+(?:the\s+)?{_P}", re.IGNORECASE),
    re.compile(rf"在{_P}|位于{_P}|{_P}(?:境内|机场)"),
    # 新加坡的地勤服务商: where the partner sought is
    re.compile(
        rf"{_P}(?:(?:和|、|与|及){_P})*的\S{{0,8}}?"
        r"(?:服务商|公司|机构|合作伙伴|银行|基金|进口商|经销商|地接社)"
    ),
]


def _place_codes(match: re.Match) -> list[str]:
    return [group for group in match.groups() if group]


_TRANSIT = re.compile(rf"(?:\bvia\b|\bthrough\b|经由|经)\s*{_P}", re.IGNORECASE)


def _routes(text: str) -> set[tuple[str, str]]:
    """(origin, destination) pairs; a place passed through ("via Qinzhou", "经新加坡") is
    neither."""
    text = _TRANSIT.sub(" ", text)
    routes: set[tuple[str, str]] = set()
    for pattern in _ROUTE_PATTERNS:
        for match in pattern.finditer(text):
            codes = _place_codes(match)
            if len(codes) == 2 and region(codes[0]) != region(codes[1]):
                routes.add((codes[0], codes[1]))
    if routes:
        return routes
    origin = destination = ""
    for pattern in _FROM_PATTERNS:
        for match in pattern.finditer(text):
            origin = origin or _place_codes(match)[0]
    for pattern in _TO_PATTERNS:
        for match in pattern.finditer(text):
            destination = destination or _place_codes(match)[0]
    if origin and destination and region(origin) == region(destination):
        destination = ""
    if origin or destination:
        routes.add((origin, destination))
    return routes


def _found(pattern: re.Pattern, lookup: dict, text: str) -> list[str]:
    return [lookup[m.group(0).lower()] for m in pattern.finditer(text)]


def _split_exclusions(text: str) -> tuple[str, str]:
    """(the text without its excluded phrases, the excluded phrases)."""
    excluded = []

    def cut(match: re.Match) -> str:
        excluded.append(match.group(0))
        return " "

    kept = _NOT_INCLUDED.sub(lambda m: cut(m) if m.group(1).strip() else m.group(0), text)
    kept = _EXCLUSION.sub(cut, kept)
    return kept, " ".join(excluded)


@functools.lru_cache(maxsize=20_000)
def extract(text: str) -> Facets:
    """The facets of one offer or need line (cached: the same lines come back often)."""
    kept, excluded_text = _split_exclusions(text or "")
    facets = _extract_plain(kept)
    excluded = _extract_plain(excluded_text) if excluded_text.strip() else None
    domestic = bool(_DOMESTIC.search(text or ""))
    return Facets(**{**facets.__dict__, "excluded": excluded, "domestic_only": domestic})


def _extract_plain(text: str) -> Facets:
    degrees = _degrees(text)
    temperature = set(_found(_TEMPERATURE_RE, _TEMPERATURE_OF, text))
    temperature |= {_temperature_class(d) for d in degrees}
    if len(temperature) > 1:
        temperature.discard("cold")
    authorities = set(_found(_AUTHORITY_RE, _AUTHORITY_OF, text))
    for match in _STANDARD_CODE.finditer(text):
        authorities.add(" ".join(g for g in match.groups() if g))
    pattern, names = _products()
    matched = list(pattern.finditer(text))
    found = [(m.start(), len(m.group(0))) for m in matched]
    keys = [(m.start(), names[m.group(0).lower()][0]) for m in matched]
    seeking = _SEEKING.search(text)
    after = [key for start, key in keys if seeking and start >= seeking.end()]
    products = list(dict.fromkeys(after[:1] + [key for _, key in keys]))
    seeks, is_ = _roles(text, found)
    marked = _marked(text)
    return Facets(
        routes=frozenset(_routes(marked)),
        where=frozenset(_where(marked)),
        products=tuple(products),
        temperature=frozenset(temperature),
        degrees=tuple(degrees),
        currencies=frozenset(_found(_CURRENCY_RE, _CURRENCY_OF, text)),
        payment=frozenset(_found(_PAYMENT_RE, _PAYMENT_OF, text)),
        authorities=frozenset(authorities),
        scale=frozenset(_found(_SCALE_RE, _SCALE_OF, text)),
        languages=frozenset(_languages(text)),
        is_roles=frozenset(is_),
        seeks_roles=frozenset(seeks),
        seeking=bool(_SEEKING.search(text)),
    )


_BILINGUAL = re.compile(r"中英|英中|双语|bilingual", re.IGNORECASE)


def _languages(text: str) -> set[str]:
    found = set(_found(_LANGUAGE_RE, _LANGUAGE_OF, text))
    if _BILINGUAL.search(text):  # "中英文", "bilingual": Chinese and English
        found |= {"Chinese", "English"}
    return found


def _where(text: str) -> set[str]:
    """Every place of each phrase that says where ("新加坡和印尼的经销商": both)."""
    found = set()
    for pattern in _WHERE_PATTERNS:
        for match in pattern.finditer(text):
            found.update(re.findall(_P, match.group(0)))
    return found


def _roles(text: str, products: list[tuple[int, str]]) -> tuple[set[str], set[str]]:
    """(roles sought, roles the writer plays). A role noun after "need", "looking for",
    "寻找"… is sought; after "we are", "我们是" it is the writer's; verbs ("we import",
    "我们生产") are the writer's."""
    seeks, is_ = set(), set()
    # a role noun inside a longer product name is not a role ("工厂" in "工厂管理系统")
    inside = [(start, start + length) for start, length in products]
    for match in _ROLE_NOUN_RE.finditer(text):
        start, end = match.span()
        if any(a <= start and end <= b and (a, b) != (start, end) for a, b in inside):
            continue
        role = _ROLE_NOUN_OF[match.group(0).lower()]
        before = text[max(0, match.start() - 40) : match.start()]
        last_seek = max((m.end() for m in _SEEKING.finditer(before)), default=-1)
        last_is = max(
            (
                m.end()
                for m in re.finditer(
                    r"\bwe are\b|我们是|我们作为|\bas (?:a|an)\b", before, re.IGNORECASE
                )
            ),
            default=-1,
        )
        if last_is > last_seek:
            is_.add(role)
        elif last_seek >= 0:
            seeks.add(role)
    for role, pattern in _ROLE_VERB_RES.items():
        if pattern.search(text):
            is_.add(role)
    return seeks, is_


# --- comparing a need with an offer ----------------------------------------------------------


@dataclass(frozen=True)
class FacetWeights:
    """The facet signal, in the units of `matching.Weights` (centred meaning of a pair of
    lines: about 0.3 to 0.7 for a need and an offer that fit), added to the pair's evidence,
    of which stage 2 keeps half (`Weights.pair_share`).

    conflict = 0.3 per decisive point the offer fails (at most `conflict_cap` = 2 counted):
        the wrong way round, another temperature, a role that cannot meet the need, an
        exclusion of what the need asks for. About the gap in meaning between a same-language
        look-alike and the right offer in the other language, so a failing look-alike falls
        below the fit; two failures are as bad as it gets.
    agree = 0.08 per point met (at most `agree_cap` = 3): a shared facet is weaker evidence
        than a contradiction (look-alikes share most of them), but it separates two offers
        that both fit on meaning.
    place_conflict = 0.1: where a service is done ("in Chongqing" against "in Singapore") is
        read from looser phrasing than a route, so it weighs a third of a conflict.

    Chosen on the hard development set (bench/matching_hard_dev.jsonl) among agree 0.06 /
    0.08 / 0.12 and conflict 0.3 / 0.4 / 0.5: 0.08 and 0.3 kept the easy sets best; see
    bench/README-matching.md for the figures and the held-out set run once afterwards."""

    agree: float = 0.08
    agree_cap: int = 3
    conflict: float = 0.3
    conflict_cap: int = 2
    place_conflict: float = 0.1


FACET_WEIGHTS = FacetWeights()


def _same_region(a: str, b: str) -> bool:
    """Two places that are one for a route: the same country (Chongqing is in China), or
    South-East Asia and one of its countries."""
    if not a or not b:
        return False
    a, b = region(a), region(b)
    return a == b or (ASEAN in (a, b) and {a, b} - {ASEAN} <= ASEAN_MEMBERS)


def _route_label(route: tuple[str, str]) -> str:
    return f"{route[0]}>{route[1]}"


def _compare_routes(need: Facets, offer: Facets, matches: list, differs: list) -> None:
    agreed = conflict = None
    for wanted in need.routes:
        for given in offer.routes:
            pairs = [(wanted[0], given[0]), (wanted[1], given[1])]
            known = [(a, b) for a, b in pairs if a and b]
            reversed_ = (
                all(wanted)
                and all(given)
                and _same_region(wanted[0], given[1])
                and _same_region(wanted[1], given[0])
            ) or (
                # one end each: what the need sends from X the offer sends to X
                (
                    wanted[0]
                    and given[1]
                    and not wanted[1]
                    and not given[0]
                    and _same_region(wanted[0], given[1])
                )
                or (
                    wanted[1]
                    and given[0]
                    and not wanted[0]
                    and not given[1]
                    and _same_region(wanted[1], given[0])
                )
            )
            if reversed_:
                conflict = conflict or (given, wanted)
            elif known and all(_same_region(a, b) for a, b in known):
                best = tuple(w or g for w, g in zip(wanted, given, strict=True))
                agreed = agreed or best
            elif known:
                conflict = conflict or (given, wanted)
    if agreed:
        matches.append(Point("route", _route_label(agreed)))
    elif conflict:
        differs.append(Point("route", _route_label(conflict[0]), _route_label(conflict[1])))


def _temperature_label(facets: Facets, classes) -> str:
    degrees = facets.degrees
    named = sorted(c for c in classes if c != "cold") or sorted(classes)
    text = "/".join(named)
    if degrees:
        low, high = min(degrees), max(degrees)
        text += f" {low:g}" if low == high else f" {low:g}..{high:g}"
    return text


def _product_codes(key: str) -> tuple[str, ...]:
    _pattern, names = _products()
    return names.get(key.lower(), (key, ()))[1]


def _codes_meet(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return any(x.startswith(y) or y.startswith(x) for x in a for y in b)


def _compare_roles(need: Facets, offer: Facets, matches, differs) -> None:
    """The role the need looks for against what the offer's writer is; an offer that says it
    does not play that role, or that is itself looking for something, differs."""
    sought = set(need.seeks_roles)
    accepted = set().union(*(ROLE_ACCEPTS.get(r, {r}) for r in sought)) if sought else set()
    refused = set().union(*(ROLE_REFUSES.get(r, set()) for r in sought)) if sought else set()
    if sought and offer.is_roles & accepted:
        matches.append(Point("role", sorted(offer.is_roles & accepted)[0]))
    elif sought and offer.is_roles & refused:
        differs.append(Point("role", sorted(offer.is_roles & refused)[0], sorted(sought)[0]))
    excluded = offer.excluded
    if sought and excluded is not None and excluded.is_roles & accepted:
        differs.append(Point("excluded", "role:" + sorted(excluded.is_roles & accepted)[0]))
    if (sought and offer.seeks_roles & sought) or offer.seeking:
        differs.append(Point("also_seeking"))


def _compare_sets(kind, wanted, given, matches, differs, conflicts=None) -> None:
    """Codes of one kind: a match for each the offer names of those the need names; a
    difference when both name some and none is the same (or, with `conflicts`, one excludes
    the other)."""
    if not wanted or not given:
        return
    if conflicts is not None:
        clash = [(g, w) for g in given for w in wanted if frozenset((g, w)) in conflicts]
        if clash:
            differs.append(Point(kind, clash[0][0], clash[0][1]))
            return
        matches.extend(Point(kind, code) for code in sorted(wanted & given))
        return
    common, missing, other = wanted & given, wanted - given, given - wanted
    matches.extend(Point(kind, code) for code in sorted(common))
    # A difference when the offer names others in place of at least half of the need's:
    # "USD/CNY" for an "SGD/CNY" need, not "RMB/SGD" for an "RMB, USD or SGD" one.
    if missing and other and len(missing) >= len(common):
        differs.append(Point(kind, sorted(other)[0], sorted(missing)[0]))


def _compare_excluded(need: Facets, excluded: Facets | None, differs) -> None:
    """What the offer says it does not do, against what the need asks for."""
    if excluded is None:
        return
    for kind, wanted, refused in (
        ("temperature", need.temperature, excluded.temperature),
        ("currency", need.currencies, excluded.currencies),
        ("payment", need.payment, excluded.payment),
        ("authority", need.authorities, excluded.authorities),
        ("scale", need.scale, excluded.scale),
        ("product", set(need.products), set(excluded.products)),
    ):
        both = set(wanted) & set(refused)
        if kind == "temperature" and not both and "cold" in refused and wanted:
            both = {"cold"}
        if both:
            differs.append(Point("excluded", f"{kind}:{sorted(both)[0]}"))


@functools.lru_cache(maxsize=50_000)
def compare(need_text: str, offer_text: str) -> tuple[float, Comparison]:
    """How an offer line meets a need line on the decisive facets: the signal to add to the
    pair's evidence (positive for agreements, negative for conflicts) and the points."""
    need, offer = extract(need_text), extract(offer_text)
    matches: list[Point] = []
    differs: list[Point] = []
    _compare_routes(need, offer, matches, differs)
    place_differs = False
    if (
        need.where
        and offer.where
        and not any(_same_region(a, b) for a in need.where for b in offer.where)
    ):
        route_places = {p for r in offer.routes for p in r}
        if not route_places & offer.where or not need.routes:
            place_differs = True
            differs.append(Point("place", sorted(offer.where)[0], sorted(need.where)[0]))

    wanted_t = {c for c in need.temperature if c != "cold"}
    given_t = {c for c in offer.temperature if c != "cold"}
    if need.temperature and offer.temperature:
        if wanted_t and given_t and not wanted_t & given_t:
            differs.append(
                Point(
                    "temperature",
                    _temperature_label(offer, given_t),
                    _temperature_label(need, wanted_t),
                )
            )
        elif need.temperature & offer.temperature or not wanted_t or not given_t:
            if "ambient" in (wanted_t | given_t) and (wanted_t | given_t) - {"ambient"}:
                differs.append(
                    Point(
                        "temperature",
                        _temperature_label(offer, given_t or {"cold"}),
                        _temperature_label(need, wanted_t or {"cold"}),
                    )
                )
            else:
                matches.append(Point("temperature", _temperature_label(need, need.temperature)))
    _compare_sets("currency", need.currencies, offer.currencies, matches, differs)
    _compare_sets("payment", need.payment, offer.payment, matches, differs)
    _compare_sets("authority", need.authorities, offer.authorities, matches, differs)
    _compare_sets("scale", need.scale, offer.scale, matches, differs, SCALE_CONFLICTS)
    _compare_sets("language", need.languages, offer.languages, matches, differs)
    if need.products and offer.products:
        head, wanted = offer.products[0], need.products[0]
        codes, wanted_codes = _product_codes(head), _product_codes(wanted)
        if head == wanted or _codes_meet(codes, wanted_codes):
            matches.append(Point("product", head))
        elif codes and wanted_codes:  # two goods (services overlap too much to tell)
            differs.append(Point("product", head, wanted))
    _compare_roles(need, offer, matches, differs)
    _compare_excluded(need, offer.excluded, differs)
    if offer.domestic_only and (need.routes or need.where or need.currencies):
        differs.append(Point("domestic_only"))

    weights = FACET_WEIGHTS
    strong = [p for p in differs if p.kind != "place"]
    signal = weights.agree * min(len(matches), weights.agree_cap)
    signal -= weights.conflict * min(len(strong), weights.conflict_cap)
    signal -= weights.place_conflict * place_differs
    return signal, Comparison(matches=tuple(matches), differs=tuple(differs))
