"""The market-access knowledge base: YAML files → `engine.KnowledgeBase`, checked with file and line.

The YAML in corridor/standards/kb/ is the source of truth (its layout is in kb/README.md):

* `load_knowledge_base(directory)` reads and checks every file and returns the engine's
  `KnowledgeBase`; on any problem it raises `KbError`, whose `problems` are
  `Problem(file, line, message)` (file relative to the directory, line 1-based).
* `validate(directory)` returns those problems instead (an empty list when all is well).
* `current()` is the knowledge base of the running process: read from `KB_DIR` on first use
  and cached (`reset()` clears the cache). `current_hashes()` gives the content hash of each
  of its requirements, the same hash `kb_load` stores, for `ReadinessAssessment.requirement_hashes`.

Copying it into the database (the `kb_load` command) is a write: `kb_load.py` does it.

The files are read with `yaml.compose` (PyYAML's node tree, whose marks give line numbers),
never with a hand-written parser, and never with `yaml.load` of arbitrary tags.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

import yaml
from django.utils.translation import gettext as _

from corridor.standards import engine

KB_DIR = Path(__file__).resolve().parent / "kb"
ATTRIBUTES_FILE = "attributes.yaml"
EVIDENCE_FILE = "evidence.yaml"
CONFIDENCE_LEVELS = ("confirmed", "partly confirmed", "unconfirmed")
ESTIMATE = "estimate"

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
_ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_MAST = re.compile(r"^[A-P]([0-9]{1,3})?$")
_HS_PREFIX = re.compile(r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$")
_URL = re.compile(r"^https?://\S+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"


class Problem(NamedTuple):
    file: str  # relative to the knowledge-base directory, e.g. "sg/sfa-meat.yaml"
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def problem_line(problem: Problem, directory: Path = KB_DIR) -> str:
    """`FILE:LINE: message`, FILE as a path from the current directory (for editors)."""
    path = os.path.relpath(Path(directory) / problem.file)
    return f"{path}:{problem.line}: {problem.message}"


class KbError(Exception):
    """The knowledge base has problems; `problems` lists them with file and line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class AuthorityData:
    key: str
    country: str
    name_en: str
    name_zh: str
    website: str
    file: str


@dataclass
class LoadedKb:
    """The knowledge base plus what the engine does not need but the database keeps."""

    knowledge_base: engine.KnowledgeBase
    authorities: dict[str, AuthorityData] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # requirement id -> file
    duration_sources: dict[str, str] = field(default_factory=dict)  # id -> "estimate" | URL
    families: dict[str, str] = field(default_factory=dict)  # id -> its file's family, or ""
    attribute_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {en, zh}

    def definition(self, requirement_id: str) -> dict:
        """The requirement as stored in `Requirement.definition` (and hashed)."""
        return requirement_definition(
            self.knowledge_base.requirements[requirement_id],
            self.duration_sources.get(requirement_id, ESTIMATE),
        )

    def content_hashes(self) -> dict[str, str]:
        return {rid: content_hash(self.definition(rid)) for rid in self.knowledge_base.requirements}


def requirement_definition(requirement: engine.Requirement, duration_source: str) -> dict:
    definition = asdict(requirement)
    definition["duration_source"] = duration_source
    return definition


def content_hash(definition: dict) -> str:
    """sha256 of the canonical JSON of a requirement definition."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- reading the YAML node tree ----------------------------------------------------------


class _Reader:
    """Collects problems while walking one file's nodes."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(Problem(self.file, line, message))

    def mapping(
        self, node: yaml.Node | None, allowed: tuple[str, ...], required: tuple[str, ...], what: str
    ) -> dict[str, yaml.Node] | None:
        """The mapping's values by key; reports unknown, repeated and missing keys.

        Like the other readers, it returns None quietly for a node that is None: a missing
        key, already reported by the mapping that should have held it."""
        if node is None:
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, _("Write %(what)s as a mapping of keys to values.") % {"what": what})
            return None
        values: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                self.problem(
                    key_node,
                    _("The key “%(key)s” is not known in %(what)s; the known keys are %(known)s.")
                    % {"key": key, "what": what, "known": ", ".join(allowed)},
                )
            elif key in values:
                self.problem(
                    key_node,
                    _("The key “%(key)s” appears twice in %(what)s; keep one.")
                    % {"key": key, "what": what},
                )
            else:
                values[key] = value_node
        for key in required:
            if key not in values:
                self.problem(
                    node,
                    _("Add “%(key)s” to %(what)s; it is required.") % {"what": what, "key": key},
                )
        return values

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, _("Write %(what)s as a list.") % {"what": what})
            return []
        return list(node.value)

    def text(self, node: yaml.Node | None, what: str, *, allow_empty: bool = False) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            self.problem(node, _("Write %(what)s as text.") % {"what": what})
            return None
        value = node.value.strip()
        if not value and not allow_empty:
            self.problem(node, _("Fill in %(what)s; it is empty.") % {"what": what})
            return None
        return value

    def raw(self, node: yaml.Node | None, what: str) -> str | None:
        """A scalar's text as written (so that 02 stays "02", not the number 2)."""
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, _("Write %(what)s as a single value.") % {"what": what})
            return None
        return node.value.strip()

    def formed(
        self, node: yaml.Node | None, value: str | None, pattern, refusal: str
    ) -> str | None:
        """`value` when `pattern` matches it; else the refusal (naming it as `%(value)s` or
        `%(key)s`) and None. None stays None: its problem is already reported."""
        if value is None or pattern.match(value):
            return value
        self.problem(node, refusal % {"value": value, "key": value})
        return None

    def optional(
        self, values: dict[str, yaml.Node], key: str, what: str, pattern, refusal: str
    ) -> str:
        """An optional single value, "" when absent; one `pattern` refuses is reported (naming
        it as `%(value)s`) and read as ""."""
        if key not in values:
            return ""
        value = self.raw(values[key], what) or ""
        if value and not pattern.match(value):
            self.problem(values[key], refusal % {"value": value})
            return ""
        return value

    def _scalar(self, node: yaml.Node | None, what: str, tags: tuple[str, ...], refusal: str, read):
        """`read(text)` of a scalar with one of `tags` (underscores dropped, as YAML allows
        in numbers); the refusal naming `what` when it is another node or does not read."""
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag in tags:
            try:
                return read(node.value.replace("_", ""))
            except ValueError:
                pass
        self.problem(node, refusal % {"what": what})
        return None

    def number(self, node: yaml.Node | None, what: str) -> float | None:
        return self._scalar(node, what, (_INT, _FLOAT), _("Write %(what)s as a number."), float)

    def whole_number(self, node: yaml.Node | None, what: str) -> int | None:
        return self._scalar(
            node, what, (_INT,), _("Write %(what)s as a whole number."), lambda text: int(text, 0)
        )

    def boolean(self, node: yaml.Node | None, what: str) -> bool | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            self.problem(node, _("Write %(what)s as true or false.") % {"what": what})
            return None
        return node.value.lower() in ("true", "yes", "on")

    def bilingual(self, node: yaml.Node | None, what: str) -> tuple[str, str] | None:
        if node is None:
            return None
        values = self.mapping(node, ("en", "zh"), ("en", "zh"), what)
        if values is None or "en" not in values or "zh" not in values:
            return None
        en = self.text(values["en"], _("the English of %(what)s") % {"what": what})
        zh = self.text(values["zh"], _("the Chinese of %(what)s") % {"what": what})
        if en is None or zh is None:
            return None
        return en, zh


def _compose(path: Path, file: str, problems: list[Problem]) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(file, 1, _("The file cannot be read: %(error)s.") % {"error": exc}))
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = " ".join(part for part in (exc.context, exc.problem) if part)
        problems.append(
            Problem(file, line, _("The file is not valid YAML: %(reason)s.") % {"reason": reason})
        )
        return None
    except yaml.YAMLError as exc:
        problems.append(
            Problem(file, 1, _("The file is not valid YAML: %(reason)s.") % {"reason": exc})
        )
        return None
    if node is None:
        problems.append(Problem(file, 1, _("The file is empty; it needs its keys.")))
    return node


# --- shared files: attributes and evidence -----------------------------------------------


@dataclass
class _Attribute:
    name: str
    type: str
    values: tuple[str, ...]
    unit: str
    label_en: str
    label_zh: str


def _read_attributes(directory: Path, problems: list[Problem]) -> dict[str, _Attribute]:
    path = directory / ATTRIBUTES_FILE
    if not path.is_file():
        problems.append(
            Problem(ATTRIBUTES_FILE, 1, _("The attributes file is missing; create it."))
        )
        return {}
    reader = _Reader(ATTRIBUTES_FILE, problems)
    root = _compose(path, ATTRIBUTES_FILE, problems)
    if root is None:
        return {}
    top = reader.mapping(root, ("attributes",), ("attributes",), _("the attributes file"))
    if not top or "attributes" not in top:
        return {}
    node = top["attributes"]
    if not isinstance(node, yaml.MappingNode):
        reader.problem(node, _("“attributes” must map each attribute name to its description."))
        return {}
    attributes: dict[str, _Attribute] = {}
    for name_node, spec_node in node.value:
        name = reader.raw(name_node, _("an attribute name"))
        if name is None:
            continue
        if not _ATTRIBUTE_NAME.match(name):
            reader.problem(
                name_node,
                _(
                    "The attribute name “%(name)s” must be lower-case letters, digits and "
                    "underscores, starting with a letter."
                )
                % {"name": name},
            )
            continue
        if name in attributes:
            reader.problem(
                name_node,
                _("The attribute “%(name)s” is declared twice; keep one.") % {"name": name},
            )
            continue
        what = _("the attribute “%(name)s”") % {"name": name}
        spec = reader.mapping(
            spec_node, ("type", "values", "unit", "label"), ("type", "label"), what
        )
        if spec is None or "type" not in spec or "label" not in spec:
            continue
        kind = reader.raw(spec["type"], _("the type of %(what)s") % {"what": what})
        if kind not in ("choice", "number"):
            reader.problem(
                spec["type"],
                _("The type of %(what)s must be “choice” or “number”, not “%(value)s”.")
                % {"what": what, "value": kind},
            )
            continue
        values: list[str] = []
        if kind == "choice":
            if "values" not in spec:
                reader.problem(
                    spec_node,
                    _("The attribute “%(name)s” is a choice; list its “values”.") % {"name": name},
                )
                continue
            for value_node in reader.sequence(
                spec["values"], _("the values of %(what)s") % {"what": what}
            ):
                value = reader.raw(value_node, _("a value of %(what)s") % {"what": what})
                if value:
                    values.append(value)
        elif "values" in spec:
            reader.problem(
                spec["values"],
                _(
                    "The attribute “%(name)s” is a number and takes no “values”; give a “unit” instead."
                )
                % {"name": name},
            )
        unit = ""
        if "unit" in spec:
            unit = reader.text(spec["unit"], _("the unit of %(what)s") % {"what": what}) or ""
        label = reader.bilingual(spec["label"], _("the label of %(what)s") % {"what": what})
        if label is None:
            continue
        attributes[name] = _Attribute(name, kind, tuple(values), unit, label[0], label[1])
    return attributes


@dataclass
class _Declared:
    file: str
    line: int


def _read_evidence(
    directory: Path, problems: list[Problem]
) -> tuple[dict[str, engine.Evidence], dict[str, _Declared]]:
    path = directory / EVIDENCE_FILE
    if not path.is_file():
        problems.append(Problem(EVIDENCE_FILE, 1, _("The evidence file is missing; create it.")))
        return {}, {}
    reader = _Reader(EVIDENCE_FILE, problems)
    root = _compose(path, EVIDENCE_FILE, problems)
    if root is None:
        return {}, {}
    top = reader.mapping(root, ("evidence",), ("evidence",), _("the evidence file"))
    if not top or "evidence" not in top:
        return {}, {}
    evidence: dict[str, engine.Evidence] = {}
    declared: dict[str, _Declared] = {}
    for item in reader.sequence(top["evidence"], _("“evidence”")):
        values = reader.mapping(item, ("id", "title"), ("id", "title"), _("an evidence entry"))
        if not values or "id" not in values or "title" not in values:
            continue
        evidence_id = reader.raw(values["id"], _("an evidence id"))
        if evidence_id is None:
            continue
        if not _ID.match(evidence_id):
            reader.problem(
                values["id"],
                _("The evidence id “%(id)s” must be lower-case letters, digits and hyphens.")
                % {"id": evidence_id},
            )
            continue
        if evidence_id in declared:
            reader.problem(
                values["id"],
                _("The evidence id “%(id)s” is already declared at line %(line)s; keep one.")
                % {"id": evidence_id, "line": declared[evidence_id].line},
            )
            continue
        title = reader.bilingual(
            values["title"], _("the title of the evidence “%(id)s”") % {"id": evidence_id}
        )
        declared[evidence_id] = _Declared(EVIDENCE_FILE, values["id"].start_mark.line + 1)
        if title is not None:
            evidence[evidence_id] = engine.Evidence(evidence_id, title[0], title[1])
    return evidence, declared


# --- market files ------------------------------------------------------------------------

_FILE_KEYS = ("market", "authority", "requirements", "family", "scope")
_REQUIRED_FILE_KEYS = ("market", "authority", "requirements")
_SCOPE_KEYS = ("hs_prefixes", "origins", "coverage")
SCOPE_COVERAGES = (engine.COVERED, engine.PARTIAL)
SOURCE_QUOTE_MAX = 300  # characters: a sentence or two, never a page
_AUTHORITY_KEYS = ("key", "country", "name", "website")
_REQUIREMENT_KEYS = (
    "id",
    "kind",
    "mast",
    "title",
    "summary",
    "authority",
    "legal_basis",
    "applicability",
    "evidence",
    "equivalent_evidence",
    "prerequisites",
    "per_consignment",
    "duration_days",
    "duration_source",
    "source_url",
    "source_quote",
    "checked_on",
    "confidence",
)
# Every key but these is required.
_OPTIONAL_REQUIREMENT_KEYS = (
    "authority",
    "equivalent_evidence",
    "prerequisites",
    "per_consignment",
)
_REQUIRED_REQUIREMENT_KEYS = tuple(
    key for key in _REQUIREMENT_KEYS if key not in _OPTIONAL_REQUIREMENT_KEYS
)
_APPLICABILITY_KEYS = ("hs_prefixes", "origins", "conditions")
_BOUNDS = ("greater_than", "at_least", "less_than", "at_most")
_CONDITION_KEYS = ("attribute", "one_of", *_BOUNDS)


@dataclass
class _Draft:
    """A requirement read from its file, before cross-file checks."""

    fields: dict
    file: str
    line: int
    authority_node: yaml.Node | None
    authority: str | None
    prerequisite_nodes: list[tuple[str, yaml.Node]]
    evidence_nodes: list[tuple[str, yaml.Node]]
    duration_source: str
    family: str = ""  # the file's product family, "" when it declares none


def _hs_prefix_refusal() -> str:
    return _(
        "The HS prefix “%(value)s” must be 2, 4 or 6 digits (a chapter, heading "
        'or subheading), written in quotes, such as "1602".'
    )


def _origin_refusal() -> str:
    return _("The origin “%(value)s” must be a two-letter ISO 3166 code such as CN.")


def _read_scope(reader: _Reader, node: yaml.Node, market: str, family: str) -> engine.Scope | None:
    """The file's declared scope: the HS lines (and origins) it means to cover, and whether
    it covers them fully ("covered") or knowingly in part ("partial")."""
    what = _("the scope of the file")
    values = reader.mapping(node, _SCOPE_KEYS, ("hs_prefixes", "coverage"), what)
    if values is None or "hs_prefixes" not in values or "coverage" not in values:
        return None
    prefixes = []
    for prefix, prefix_node in _read_id_list(reader, values["hs_prefixes"], what):
        if reader.formed(prefix_node, prefix, _HS_PREFIX, _hs_prefix_refusal()) is None:
            return None
        prefixes.append(prefix)
    if not prefixes:
        reader.problem(values["hs_prefixes"], _("List the HS prefixes the file covers."))
        return None
    origins = []
    if "origins" in values:
        for origin, origin_node in _read_id_list(reader, values["origins"], what):
            if reader.formed(origin_node, origin, _COUNTRY, _origin_refusal()) is None:
                return None
            origins.append(origin)
    coverage = reader.raw(values["coverage"], _("the coverage of the scope"))
    if coverage not in SCOPE_COVERAGES:
        reader.problem(
            values["coverage"],
            _("The coverage “%(value)s” must be one of %(allowed)s.")
            % {"value": coverage, "allowed": ", ".join(SCOPE_COVERAGES)},
        )
        return None
    return engine.Scope(
        market=market,
        hs_prefixes=tuple(prefixes),
        origins=tuple(origins),
        coverage=coverage,
        family=family,
        file=reader.file,
    )


def _market_files(directory: Path) -> list[Path]:
    shared = {directory / ATTRIBUTES_FILE, directory / EVIDENCE_FILE}
    files = [*directory.rglob("*.yaml"), *directory.rglob("*.yml")]
    return sorted(path for path in files if path not in shared)


def _read_authority(reader: _Reader, node: yaml.Node) -> AuthorityData | None:
    what = _("the file's authority")
    values = reader.mapping(node, _AUTHORITY_KEYS, ("key", "country", "name"), what)
    if values is None or any(k not in values for k in ("key", "country", "name")):
        return None
    key = reader.formed(
        values["key"],
        reader.raw(values["key"], _("the authority key")),
        _ID,
        _("The authority key “%(key)s” must be lower-case letters, digits and hyphens."),
    )
    country = reader.formed(
        values["country"],
        reader.raw(values["country"], _("the authority's country")),
        _COUNTRY,
        _("The country “%(value)s” must be a two-letter ISO 3166 code such as SG or CN."),
    )
    name = reader.bilingual(values["name"], _("the authority's name"))
    website = reader.optional(
        values,
        "website",
        _("the authority's website"),
        _URL,
        _("The website “%(value)s” must be an http or https address."),
    )
    if key is None or country is None or name is None:
        return None
    return AuthorityData(key, country, name[0], name[1], website, reader.file)


def _read_conditions(
    reader: _Reader, node: yaml.Node, attributes: dict[str, _Attribute], requirement_id: str
) -> list[engine.AttributeCondition]:
    conditions = []
    for item in reader.sequence(node, _("the conditions of “%(id)s”") % {"id": requirement_id}):
        what = _("a condition of “%(id)s”") % {"id": requirement_id}
        values = reader.mapping(item, _CONDITION_KEYS, ("attribute",), what)
        if not values or "attribute" not in values:
            continue
        name = reader.raw(values["attribute"], _("the attribute of %(what)s") % {"what": what})
        attribute = attributes.get(name or "")
        if attribute is None:
            reader.problem(
                values["attribute"],
                _(
                    "The attribute “%(name)s” is not declared in %(file)s; declare it there or "
                    "use one of %(known)s."
                )
                % {"name": name, "file": ATTRIBUTES_FILE, "known": ", ".join(sorted(attributes))},
            )
            continue
        bounds = [key for key in _BOUNDS if key in values]
        if attribute.type == "choice":
            if bounds or "one_of" not in values:
                reader.problem(
                    item,
                    _(
                        "The attribute “%(name)s” is a choice: the condition needs “one_of” with "
                        "a list of its values, and no numeric bounds."
                    )
                    % {"name": name},
                )
                continue
            chosen = []
            for value_node in reader.sequence(values["one_of"], _("“one_of”")):
                value = reader.raw(value_node, _("a value in “one_of”"))
                if value is None:
                    continue
                if value not in attribute.values:
                    reader.problem(
                        value_node,
                        _(
                            "“%(value)s” is not a value of the attribute “%(name)s”; use one of %(allowed)s."
                        )
                        % {"value": value, "name": name, "allowed": ", ".join(attribute.values)},
                    )
                    continue
                chosen.append(value)
            if chosen:
                conditions.append(engine.AttributeCondition(name=name, one_of=tuple(chosen)))
            continue
        # a number attribute
        if "one_of" in values or not bounds:
            reader.problem(
                item,
                _(
                    "The attribute “%(name)s” is a number: the condition needs greater_than, "
                    "at_least, less_than or at_most, and no “one_of”."
                )
                % {"name": name},
            )
            continue
        if "greater_than" in values and "at_least" in values:
            reader.problem(item, _("Give either greater_than or at_least, not both."))
            continue
        if "less_than" in values and "at_most" in values:
            reader.problem(item, _("Give either less_than or at_most, not both."))
            continue
        numbers = {
            key: reader.number(values[key], _("the bound %(key)s") % {"key": key}) for key in bounds
        }
        if any(number is None for number in numbers.values()):
            continue
        low_key = "greater_than" if "greater_than" in numbers else "at_least"
        high_key = "less_than" if "less_than" in numbers else "at_most"
        conditions.append(
            engine.AttributeCondition(
                name=name,
                minimum=numbers.get(low_key),
                maximum=numbers.get(high_key),
                minimum_exclusive=low_key == "greater_than" and low_key in numbers,
                maximum_exclusive=high_key == "less_than" and high_key in numbers,
            )
        )
    return conditions


def _read_id_list(reader: _Reader, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]]:
    items = []
    for item in reader.sequence(node, what):
        value = reader.raw(item, what)
        if value is not None:
            items.append((value, item))
    return items


def _read_requirement(
    reader: _Reader,
    node: yaml.Node,
    market: str | None,
    file_authority: str | None,
    attributes: dict[str, _Attribute],
) -> _Draft | None:
    what = _("a requirement")
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode):
                what = _("the requirement “%(id)s”") % {"id": value_node.value}
    values = reader.mapping(node, _REQUIREMENT_KEYS, _REQUIRED_REQUIREMENT_KEYS, what)
    if values is None or "id" not in values:
        return None
    requirement_id = reader.raw(values.get("id"), _("the requirement id"))
    if requirement_id is None or not _ID.match(requirement_id):
        reader.problem(
            values.get("id"),
            _(
                "The requirement id “%(id)s” must be lower-case letters, digits and hyphens, "
                "at most 120 long."
            )
            % {"id": requirement_id},
        )
        return None
    rid = {"id": requirement_id}

    kind = reader.text(values.get("kind"), _("the kind of “%(id)s”") % rid)
    mast = reader.raw(values.get("mast"), _("the MAST code of “%(id)s”") % rid)
    if mast is not None and not _MAST.match(mast):
        reader.problem(
            values.get("mast"),
            _(
                "The MAST code “%(value)s” must be a chapter letter A to P, optionally followed "
                "by up to three digits, such as A120."
            )
            % {"value": mast},
        )
    title = reader.bilingual(values.get("title"), _("the title of “%(id)s”") % rid)
    summary = reader.bilingual(values.get("summary"), _("the summary of “%(id)s”") % rid)
    legal_basis = reader.text(values.get("legal_basis"), _("the legal basis of “%(id)s”") % rid)

    authority = file_authority
    authority_node = None
    if "authority" in values:
        authority_node = values.get("authority")
        authority = reader.raw(authority_node, _("the authority of “%(id)s”") % rid)

    # applicability
    hs_prefixes: list[str] = []
    origins: list[str] = []
    conditions: list[engine.AttributeCondition] = []
    applicability = reader.mapping(
        values.get("applicability"),
        _APPLICABILITY_KEYS,
        ("hs_prefixes",),
        _("the applicability of “%(id)s”") % rid,
    )
    if applicability is not None and "hs_prefixes" in applicability:
        for prefix, prefix_node in _read_id_list(
            reader, applicability["hs_prefixes"], _("the HS prefixes of “%(id)s”") % rid
        ):
            if reader.formed(prefix_node, prefix, _HS_PREFIX, _hs_prefix_refusal()) is not None:
                hs_prefixes.append(prefix)
        if "origins" in applicability:
            for origin, origin_node in _read_id_list(
                reader, applicability["origins"], _("the origins of “%(id)s”") % rid
            ):
                if reader.formed(origin_node, origin, _COUNTRY, _origin_refusal()) is not None:
                    origins.append(origin)
        if "conditions" in applicability:
            conditions = _read_conditions(
                reader, applicability["conditions"], attributes, requirement_id
            )

    evidence_nodes = _read_id_list(
        reader, values.get("evidence"), _("the evidence of “%(id)s”") % rid
    )
    if not evidence_nodes and "evidence" in values:
        reader.problem(
            values.get("evidence"),
            _("“%(id)s” names no evidence; list at least one evidence id that meets it.") % rid,
        )
    equivalent_nodes = []
    if "equivalent_evidence" in values:
        equivalent_nodes = _read_id_list(
            reader,
            values.get("equivalent_evidence"),
            _("the equivalent evidence of “%(id)s”") % rid,
        )
    prerequisite_nodes = []
    if "prerequisites" in values:
        prerequisite_nodes = _read_id_list(
            reader, values.get("prerequisites"), _("the prerequisites of “%(id)s”") % rid
        )
    per_consignment = False
    if "per_consignment" in values:
        per_consignment = reader.boolean(
            values.get("per_consignment"), _("per_consignment of “%(id)s”") % rid
        )

    duration: list[int] = []
    duration_items = reader.sequence(
        values.get("duration_days"), _("duration_days of “%(id)s”") % rid
    )
    for item in duration_items:
        days = reader.whole_number(item, _("a duration of “%(id)s”") % rid)
        if days is not None and days < 0:
            reader.problem(item, _("A duration cannot be negative."))
            days = None
        if days is not None:
            duration.append(days)
    if "duration_days" in values and (len(duration) != 3 or len(duration_items) != 3):
        reader.problem(
            values.get("duration_days"),
            _(
                "duration_days of “%(id)s” must be three whole numbers of days: optimistic, "
                "likely, pessimistic."
            )
            % rid,
        )
    elif len(duration) == 3 and not duration[0] <= duration[1] <= duration[2]:
        reader.problem(
            values.get("duration_days"),
            _("duration_days of “%(id)s” must be in order: optimistic ≤ likely ≤ pessimistic.")
            % rid,
        )
    duration_source = reader.raw(
        values.get("duration_source"), _("duration_source of “%(id)s”") % rid
    )
    if (
        duration_source is not None
        and duration_source != ESTIMATE
        and not _URL.match(duration_source)
    ):
        reader.problem(
            values.get("duration_source"),
            _("duration_source must be “estimate” or the http(s) address the durations come from."),
        )

    source_quote = reader.text(
        values.get("source_quote"), _("the quotation from the source of “%(id)s”") % rid
    )
    source_url = reader.raw(values.get("source_url"), _("the source of “%(id)s”") % rid)
    if "source_url" in values and (not source_url or not _URL.match(source_url)):
        reader.problem(
            values.get("source_url"),
            _("The source of “%(id)s” must be an http or https address.") % rid,
        )
    checked_on = reader.raw(values.get("checked_on"), _("checked_on of “%(id)s”") % rid)
    if checked_on is not None:
        try:
            if not _DATE.match(checked_on):
                raise ValueError
            date.fromisoformat(checked_on)
        except ValueError:
            reader.problem(
                values.get("checked_on"),
                _("The date “%(value)s” is not a date; write it as YYYY-MM-DD, such as 2026-11-28.")
                % {"value": checked_on},
            )
    confidence = reader.raw(values.get("confidence"), _("the confidence of “%(id)s”") % rid)
    if "confidence" in values and confidence not in CONFIDENCE_LEVELS:
        reader.problem(
            values.get("confidence"),
            _("The confidence “%(value)s” must be one of %(allowed)s.")
            % {"value": confidence, "allowed": ", ".join(CONFIDENCE_LEVELS)},
        )

    # Returned even when incomplete, so that cross-file checks (duplicate ids, dangling
    # prerequisites, cycles) still see it; nothing is built while any problem is reported.
    return _Draft(
        fields=dict(
            id=requirement_id,
            market=market or "",
            mast=mast,
            kind=kind,
            title_en=title[0] if title else None,
            title_zh=title[1] if title else None,
            summary_en=summary[0] if summary else None,
            summary_zh=summary[1] if summary else None,
            authority=authority,
            legal_basis=legal_basis,
            hs_prefixes=tuple(hs_prefixes),
            origins=tuple(origins),
            conditions=tuple(conditions),
            evidence=tuple(v for v, _n in evidence_nodes),
            equivalent_evidence=tuple(v for v, _n in equivalent_nodes),
            prerequisites=tuple(v for v, _n in prerequisite_nodes),
            duration_days=tuple(duration),
            per_consignment=bool(per_consignment),
            source_url=source_url,
            source_quote=source_quote,
            checked_on=checked_on,
            confidence=confidence,
        ),
        file=reader.file,
        line=node.start_mark.line + 1,
        authority_node=authority_node,
        authority=authority,
        prerequisite_nodes=prerequisite_nodes,
        evidence_nodes=[*evidence_nodes, *equivalent_nodes],
        duration_source=duration_source,
    )


def _find_cycles(graph: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Each prerequisite cycle once, as the ids along it (first id repeated at the end)."""
    cycles: list[list[str]] = []
    seen_cycles: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                if frozenset(cycle) not in seen_cycles:
                    seen_cycles.add(frozenset(cycle))
                    cycles.append([*cycle, nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def read_knowledge_base(directory: Path = KB_DIR) -> LoadedKb:
    """Read and check every file; raise KbError listing every problem found."""
    directory = Path(directory)
    problems: list[Problem] = []
    if not directory.is_dir():
        raise KbError([Problem(str(directory), 1, _("There is no knowledge-base directory here."))])
    attributes = _read_attributes(directory, problems)
    evidence, declared_evidence = _read_evidence(directory, problems)

    authorities: dict[str, AuthorityData] = {}
    authority_lines: dict[str, tuple[str, int]] = {}
    drafts: list[_Draft] = []
    scopes: list[engine.Scope] = []
    pending_references: list[tuple[_Reader, yaml.Node, str]] = []
    for path in _market_files(directory):
        file = path.relative_to(directory).as_posix()
        reader = _Reader(file, problems)
        root = _compose(path, file, problems)
        if root is None:
            continue
        top = reader.mapping(root, _FILE_KEYS, _REQUIRED_FILE_KEYS, _("the file"))
        if top is None or any(key not in top for key in _REQUIRED_FILE_KEYS):
            continue
        market = reader.formed(
            top["market"],
            reader.raw(top["market"], _("the market")),
            _COUNTRY,
            _("The market “%(value)s” must be a two-letter ISO 3166 code such as SG or CN."),
        )
        family = reader.optional(
            top,
            "family",
            _("the product family"),
            _ID,
            _(
                "The product family “%(value)s” must be lower-case letters, digits and "
                "hyphens, such as meat or medical-devices."
            ),
        )
        if "scope" in top and market is not None:
            scope = _read_scope(reader, top["scope"], market, family)
            if scope is not None:
                scopes.append(scope)
        file_authority = None
        authority_node = top["authority"]
        if isinstance(authority_node, yaml.ScalarNode):
            file_authority = reader.raw(authority_node, _("the authority"))
            pending_references.append((reader, authority_node, file_authority))
        else:
            authority = _read_authority(reader, authority_node)
            if authority is not None:
                if authority.key in authorities:
                    first_file, first_line = authority_lines[authority.key]
                    reader.problem(
                        authority_node,
                        _(
                            "The authority “%(key)s” is already declared in %(file)s at line "
                            "%(line)s; refer to it by its key instead."
                        )
                        % {"key": authority.key, "file": first_file, "line": first_line},
                    )
                else:
                    authorities[authority.key] = authority
                    authority_lines[authority.key] = (file, authority_node.start_mark.line + 1)
                file_authority = authority.key
        for item in reader.sequence(top["requirements"], _("“requirements”")):
            draft = _read_requirement(reader, item, market, file_authority, attributes)
            if draft is not None:
                draft.family = family
                drafts.append(draft)
                if draft.authority_node is not None:
                    pending_references.append((reader, draft.authority_node, draft.authority))

    # cross-file checks
    for reader, node, key in pending_references:
        if key not in authorities:
            reader.problem(
                node,
                _(
                    "No file declares the authority “%(key)s”; declare it with key, country and "
                    "name in the file of that authority."
                )
                % {"key": key},
            )
    requirements: dict[str, _Draft] = {}
    for draft in drafts:
        requirement_id = draft.fields["id"]
        if requirement_id in requirements:
            first = requirements[requirement_id]
            problems.append(
                Problem(
                    draft.file,
                    draft.line,
                    _(
                        "The requirement id “%(id)s” is already used in %(file)s at line "
                        "%(line)s; ids must be unique across the knowledge base."
                    )
                    % {"id": requirement_id, "file": first.file, "line": first.line},
                )
            )
            continue
        requirements[requirement_id] = draft
    for draft in requirements.values():
        reader = _Reader(draft.file, problems)
        for evidence_id, node in draft.evidence_nodes:
            if evidence_id not in declared_evidence:
                reader.problem(
                    node,
                    _(
                        "The evidence “%(id)s” is not declared in %(file)s; declare it there or "
                        "correct the id."
                    )
                    % {"id": evidence_id, "file": EVIDENCE_FILE},
                )
        for prerequisite, node in draft.prerequisite_nodes:
            if prerequisite not in requirements:
                reader.problem(
                    node,
                    _(
                        "The prerequisite “%(id)s” is not a requirement in the knowledge base; "
                        "correct the id or remove it."
                    )
                    % {"id": prerequisite},
                )
    graph = {rid: draft.fields["prerequisites"] for rid, draft in requirements.items()}
    for cycle in _find_cycles(graph):
        first = requirements[cycle[0]]
        problems.append(
            Problem(
                first.file,
                first.line,
                _(
                    "The prerequisites form a cycle: %(cycle)s. A requirement cannot wait for "
                    "itself; remove one of these prerequisites."
                )
                % {"cycle": " → ".join(cycle)},
            )
        )

    if problems:
        raise KbError(sorted(problems, key=lambda p: (p.file, p.line, p.message)))

    knowledge_base = engine.KnowledgeBase(
        requirements={
            rid: engine.Requirement(**draft.fields) for rid, draft in requirements.items()
        },
        evidence=evidence,
        attribute_types={name: a.type for name, a in attributes.items()},
        markets={draft.fields["market"] for draft in requirements.values()},
        attribute_choices={name: a.values for name, a in attributes.items() if a.type == "choice"},
        attribute_units={name: a.unit for name, a in attributes.items() if a.unit},
        scopes=tuple(scopes),
    )
    return LoadedKb(
        knowledge_base=knowledge_base,
        authorities=authorities,
        files={rid: draft.file for rid, draft in requirements.items()},
        duration_sources={rid: draft.duration_source for rid, draft in requirements.items()},
        families={rid: draft.family for rid, draft in requirements.items()},
        attribute_labels={
            name: {"en": a.label_en, "zh": a.label_zh} for name, a in attributes.items()
        },
    )


def load_knowledge_base(directory: Path = KB_DIR) -> engine.KnowledgeBase:
    """The engine's knowledge base from the YAML in `directory`; raises KbError on problems."""
    return read_knowledge_base(directory).knowledge_base


def count_lines(loaded: LoadedKb) -> list[str]:
    """Requirements per product family (rows) and market (columns), with totals, as the
    lines of a plain-text table for `kb_validate`; a file without a family counts under
    "(no family)". For example:

        Family      CN   SG  Total
        meat        12   13     25
        Total       88   89    177
    """
    counts: dict[tuple[str, str], int] = {}
    for rid, requirement in loaded.knowledge_base.requirements.items():
        family = loaded.families.get(rid) or _("(no family)")
        key = (family, requirement.market)
        counts[key] = counts.get(key, 0) + 1
    markets = sorted({market for _family, market in counts})
    families = sorted({family for family, _market in counts})
    total_label = _("Total")
    rows = [[_("Family"), *markets, total_label]]
    for family in families:
        cells = [counts.get((family, market), 0) for market in markets]
        rows.append([family, *map(str, cells), str(sum(cells))])
    totals = [sum(counts.get((family, market), 0) for family in families) for market in markets]
    rows.append([total_label, *map(str, totals), str(sum(totals))])
    first = max(len(row[0]) for row in rows)
    widths = [max(len(row[i]) for row in rows) for i in range(1, len(rows[0]))]
    return [
        "  ".join(
            [row[0].ljust(first), *(cell.rjust(w) for cell, w in zip(row[1:], widths, strict=True))]
        )
        for row in rows
    ]


def validate(directory: Path = KB_DIR) -> list[Problem]:
    """Every problem in the knowledge base at `directory`, with file and line; [] when clean."""
    try:
        read_knowledge_base(directory)
    except KbError as exc:
        return exc.problems
    return []


# --- the knowledge base of the running process ----------------------------------------------

_current: LoadedKb | None = None


def current_loaded() -> LoadedKb:
    """The knowledge base read from KB_DIR on first use, with its authorities and hashes."""
    global _current
    if _current is None:
        _current = read_knowledge_base(KB_DIR)
    return _current


def current() -> engine.KnowledgeBase:
    """The knowledge base for this process: the YAML in KB_DIR, read once and cached.

    It is the YAML, not the database copy, so that a process always assesses against the
    knowledge base it ships with; `kb_load` brings the database copy (and staleness) in line."""
    return current_loaded().knowledge_base


def current_hashes() -> dict[str, str]:
    """{requirement id: content hash} of `current()`, as kb_load stores them."""
    return current_loaded().content_hashes()


def reset() -> None:
    """Forget the cached knowledge base (after the YAML changed, and in tests)."""
    global _current
    _current = None
