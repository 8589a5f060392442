"""Load and validate the curated corpus: case records, statute records and policy texts.

Why a loader of its own: the curated YAML records are the one input people edit by hand, so
every mistake in them must come back as one clear sentence naming the file, the record and the
field (``cases/foo.yaml: record 'foo': field 'verified': expected one of yes|partly|no, got
'maybe' (line 12)``), never as a traceback from deep inside the RDF builder. The schema is
written down in ``docs/corpus-schema.md``; the field tables below are the same schema in code.

The YAML is read with a loader that keeps dates as strings (so they are checked as ISO text, not
silently turned into ``datetime.date``) and only treats ``true``/``false`` as booleans (so an
unquoted ``verified: no`` stays the string ``"no"`` instead of YAML 1.1's ``False``).

I/O happens only in :func:`load_corpus`, :func:`load_case_file` and :func:`load_statute_file`;
everything they return is frozen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from ingest.lang import compiled

__all__ = [
    "ArticleRecord", "Bilingual", "CaseRecord", "Corpus", "CorpusError", "CourtRef", "PolicySource",
    "RelatedRef", "StatuteRecord", "StatuteRef", "TOPIC_IDS", "VERIFIED", "STATUTE_KINDS",
    "STATUTE_STATUSES", "RELATIONS", "load_corpus", "load_case_file", "load_statute_file",
    "default_root", "Gazetteer", "Place", "load_gazetteer", "article_label", "StatuteFamily",
    "VersionRecord", "load_versions",
]

#: Topic ids of the topic scheme (``kg.ns.iri("topic", id)``); a test checks them against the
#: ontology's topic scheme so the two cannot drift apart.
TOPIC_IDS = frozenset({
    "data_rights", "trade_secrets", "frand_sep", "aigc", "punitive_damages",
    "repeat_infringement", "abuse_of_rights", "estoppel", "plant_varieties_gi",
    "service_inventions_talent", "foreign_related", "technical_fact_finding",
    "remedies_preservation", "enforcement_coordination", "unfair_competition",
    "damages_calculation", "evidence_rules", "copyright", "patent", "trademark",
    "emerging_industries", "dispute_resolution",
})
VERIFIED = ("yes", "partly", "no")
STATUTE_KINDS = ("law", "judicial_interpretation", "spc_opinion", "regulation", "treaty", "policy")
STATUTE_STATUSES = ("in_force", "not_yet_in_force", "superseded", "repealed", "pilot")
#: How one case record may point at another (``related:``); all become ``iprg:relatedCase``.
RELATIONS = (
    "applies", "cited_by", "consistent_with", "contrasts", "distinguishes", "follows", "precedes", "refines", "related_line", "same_court", "same_dispute", "same_region",
)

# 案号: (2018)浙01民终7312号, （2015）海民（知）初字第12602号, (2019)最高法知民终732、733、734号之一
ISO_DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
# Case decision dates: as precise as known (year, month, day), or an ISO interval of two such.
_PARTIAL = r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?"
DECIDED_RE = re.compile(rf"^{_PARTIAL}(/{_PARTIAL})?$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
ARTICLE_NUMBER_RE = re.compile(r"^[1-9]\d*(-[1-9]\d*)?$")


class CorpusError(ValueError):
    """A corpus file or record is malformed; the message names file, record, field and line."""


# --------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Bilingual:
    """A text in Chinese (the source language) with its English rendering where known."""

    zh: str
    en: str | None = None


@dataclass(frozen=True)
class CourtRef:
    """A court as named in a case record; ``note`` keeps what the record says about its role."""

    zh: str
    en: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class StatuteRef:
    """A statute cited by a case: resolved to a statute record id, or kept as citation text.

    Unresolved citations (``citation`` set, ``statute`` None) become statute nodes of their own
    with a hashed IRI, so nothing a judgment cites is dropped.
    """

    statute: str | None = None
    article: str | None = None
    detail: str | None = None
    citation: str | None = None

    @property
    def resolved(self) -> bool:
        return self.statute is not None


@dataclass(frozen=True)
class RelatedRef:
    """Another case record this one is related to, and how (one of :data:`RELATIONS`)."""

    case: str
    relation: str


@dataclass(frozen=True)
class CaseRecord:
    id: str
    name: Bilingual
    case_numbers: tuple[str, ...]
    case_numbers_unverified: tuple[str, ...]
    courts: tuple[CourtRef, ...]
    decided: str | None
    decided_note: str | None
    plaintiffs: tuple[str, ...]  # also the applicant of a preservation order
    defendants: tuple[str, ...]  # also the respondent
    other_parties: tuple[str, ...]  # parties whose side is not known
    cause: str
    topics: tuple[str, ...]
    measures: tuple[int, ...]
    statutes: tuple[StatuteRef, ...]
    holding: Bilingual
    outcome: Bilingual | None
    honours: tuple[str, ...]
    related: tuple[RelatedRef, ...]
    related_case_numbers: tuple[str, ...]
    appeal_of: str | None
    sources: tuple[str, ...]
    verified: str
    notes: Bilingual | None
    file: str = field(default="", compare=False)


@dataclass(frozen=True)
class ArticleRecord:
    number: str  # "6" or "10-1" (第十条之一)
    label: str  # 第六条
    gist: Bilingual | None


@dataclass(frozen=True)
class StatuteRecord:
    id: str
    title: Bilingual
    short_title: Bilingual
    aliases: tuple[str, ...]
    issuers: tuple[Bilingual, ...]
    doc_number: str | None
    doc_number_unverified: str | None
    adopted: str | None
    effective: str | None
    dates_note: str | None
    status: str
    status_at_seed_date: str | None
    status_note: str | None
    kind: str
    subkind: str | None
    supersedes: str | None
    superseded_by: str | None
    summary: Bilingual | None
    articles: tuple[ArticleRecord, ...]
    measures: tuple[int, ...]
    sources: tuple[str, ...]
    verified: str
    note: str | None
    file: str = field(default="", compare=False)

    def article(self, number: str) -> ArticleRecord | None:
        return next((a for a in self.articles if a.number == number), None)


@dataclass(frozen=True)
class PolicySource:
    """A bundled policy document text; the ingest pipeline parses it (文号, date, title, …)."""

    name: str
    path: Path
    source: str | None = None
    licence: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Place:
    """A named place (province, city, district) from ``gazetteer.yaml``."""

    name: str
    rank: str  # province | city | district
    en: str | None = None
    parent: str | None = None
    short: str | None = None


@dataclass(frozen=True)
class Gazetteer:
    """Data for describing courts: level rules and the places court names can contain."""

    court_levels: tuple[tuple[str, str], ...] = ()
    places: tuple[Place, ...] = ()

    def place(self, name: str) -> Place | None:
        return next((p for p in self.places if p.name == name), None)


@dataclass(frozen=True)
class VersionRecord:
    """One version of a statute family: when it was made and took effect, its curated record."""

    year: int
    event: str                      # adopted | amended | revised
    adopted: str | None
    effective: str | None
    record: str | None = None       # curated statute id of this version
    doc_number: str | None = None


@dataclass(frozen=True)
class StatuteFamily:
    """All versions of one law, regulation or interpretation (``versions.yaml``)."""

    id: str
    title: str
    short: tuple[str, ...]
    kind: str
    issuer: str
    versions: tuple[VersionRecord, ...]
    en: str | None = None           # its English name ("Patent Law"), for versions no record names


@dataclass(frozen=True)
class Corpus:
    cases: tuple[CaseRecord, ...]
    statutes: tuple[StatuteRecord, ...]
    policies: tuple[PolicySource, ...]
    #: 文号 of the policy whose numbered measures the cases' ``measures:`` refer to.
    measures_policy: str
    measure_count: int
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    families: tuple[StatuteFamily, ...] = ()

    def case(self, case_id: str) -> CaseRecord:
        return next(c for c in self.cases if c.id == case_id)

    def statute(self, statute_id: str) -> StatuteRecord:
        return next(s for s in self.statutes if s.id == statute_id)


# --------------------------------------------------------------------------------- YAML


class _LineDict(dict):
    """A mapping that remembers the line of each key, for error messages."""

    line: int = 0
    lines: dict[Any, int]


class _Loader(yaml.SafeLoader):
    pass


# Dates stay strings; only true/false are booleans (not yes/no/on/off).
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise CorpusError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _read_yaml(path: Path, shown: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{shown}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise CorpusError(f"{shown}: cannot read ({exc.strerror})") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except CorpusError as exc:
        raise CorpusError(f"{shown}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CorpusError(f"{shown}:{where}: invalid YAML: {problem}") from None


def _records(data: Any, shown: str) -> list[tuple[str, Mapping]]:
    """A file holds one record (a mapping) or a list of them; returns (display name, record)."""
    if isinstance(data, Mapping):
        items = [data]
    elif isinstance(data, list):
        items = data
    elif data is None:
        raise CorpusError(f"{shown}: empty file, expected a record or a list of records")
    else:
        raise CorpusError(f"{shown}: expected a mapping or a list of mappings, got {type(data).__name__}")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise CorpusError(f"{shown}: record {i}: expected a mapping, got {type(item).__name__}")
        rid = item.get("id")
        out.append((repr(rid) if isinstance(rid, str) and rid else str(i), item))
    return out


# --------------------------------------------------------------------------------- checks


class _Ctx:
    """Where we are (file, record) so every error message says it."""

    def __init__(self, shown: str, record: str, data: Mapping):
        self.shown, self.record, self.data = shown, record, data

    def fail(self, name: str, message: str, node: Any = None) -> CorpusError:
        line = None
        holder = node if isinstance(node, _LineDict) else self.data
        top = name.split(".")[0].split("[")[0]
        if isinstance(holder, _LineDict):
            line = holder.lines.get(name.split(".")[-1].split("[")[0]) or holder.lines.get(top) or holder.line
        where = f" (line {line})" if line else ""
        return CorpusError(f"{self.shown}: record {self.record}: field {name!r}: {message}{where}")


def _got(value: Any) -> str:
    return f"{type(value).__name__} {value!r}" if not isinstance(value, str) else repr(value)


def _check_keys(ctx: _Ctx, data: Mapping, allowed: Iterable[str], prefix: str = "") -> None:
    allowed = set(allowed)
    for key in data:
        if key not in allowed:
            raise ctx.fail(prefix + str(key), f"unknown field; expected one of {'|'.join(sorted(allowed))}", data)


def _str(ctx: _Ctx, data: Mapping, name: str, *, required: bool = False, pattern: re.Pattern | None = None,
         expect: str = "", choices: Iterable[str] | None = None, prefix: str = "") -> str | None:
    full = prefix + name
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ctx.fail(full, "required field is missing or empty", data)
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ctx.fail(full, f"expected a string, got {_got(value)}", data)
    value = str(value).strip()
    if choices is not None:
        choices = tuple(choices)
        if value not in choices:
            raise ctx.fail(full, f"expected one of {'|'.join(choices)}, got {value!r}", data)
    if pattern is not None and not pattern.match(value):
        raise ctx.fail(full, f"expected {expect or pattern.pattern}, got {value!r}", data)
    return value


def _list(ctx: _Ctx, data: Mapping, name: str, *, required: bool = False, prefix: str = "") -> list:
    value = data.get(name)
    if value is None:
        if required:
            raise ctx.fail(prefix + name, "required field is missing", data)
        return []
    if not isinstance(value, list):
        raise ctx.fail(prefix + name, f"expected a list, got {_got(value)}", data)
    if required and not value:
        raise ctx.fail(prefix + name, "expected at least one entry, got an empty list", data)
    return value


def _str_list(ctx: _Ctx, data: Mapping, name: str, *, required: bool = False,
              check: Callable[[str], bool] | None = None, expect: str = "", prefix: str = "") -> tuple[str, ...]:
    out = []
    for i, item in enumerate(_list(ctx, data, name, required=required, prefix=prefix)):
        label = f"{prefix}{name}[{i}]"
        if not isinstance(item, str) or not item.strip():
            raise ctx.fail(label, f"expected a non-empty string, got {_got(item)}", data)
        item = item.strip()
        if check is not None and not check(item):
            raise ctx.fail(label, f"expected {expect}, got {item!r}", data)
        out.append(item)
    return tuple(out)


def _bilingual(ctx: _Ctx, data: Mapping, name: str, *, required: bool = False,
               need_en: bool = False) -> Bilingual | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ctx.fail(name, "required field is missing", data)
        return None
    if isinstance(value, str):
        if need_en:
            raise ctx.fail(name, "expected a mapping with zh and en, got a string", data)
        return Bilingual(value.strip())
    if not isinstance(value, Mapping):
        raise ctx.fail(name, f"expected a mapping with zh and en, got {_got(value)}", data)
    _check_keys(ctx, value, ("zh", "en"), prefix=name + ".")
    zh = _str(ctx, value, "zh", required=True, prefix=name + ".")
    en = _str(ctx, value, "en", required=need_en, prefix=name + ".")
    return Bilingual(zh, en)


def _int_list(ctx: _Ctx, data: Mapping, name: str, low: int, high: int) -> tuple[int, ...]:
    out = []
    for i, item in enumerate(_list(ctx, data, name)):
        if isinstance(item, bool) or not isinstance(item, int) or not low <= item <= high:
            raise ctx.fail(f"{name}[{i}]", f"expected a measure number {low}..{high}, got {_got(item)}", data)
        out.append(item)
    return tuple(out)


def _url_ok(value: str) -> bool:
    return bool(URL_RE.match(value))


# --------------------------------------------------------------------------------- cases

CASE_FIELDS = (
    "id", "name", "case_numbers", "case_numbers_unverified", "courts", "decided", "decided_note",
    "parties", "cause", "topics", "measures", "statutes", "holding", "outcome", "honours",
    "related", "related_case_numbers", "appeal_of", "sources", "verified", "notes",
)


def _case(ctx: _Ctx, data: Mapping, measure_count: int) -> CaseRecord:
    _check_keys(ctx, data, CASE_FIELDS)
    cid = _str(ctx, data, "id", required=True, pattern=ID_RE, expect="a lower-case id [a-z0-9_]")
    name = _bilingual(ctx, data, "name", required=True)

    def case_no(value: str) -> bool:
        return bool(compiled("case_number_record").match(value))

    expect_no = "a 案号 such as (2018)浙01民终7312号"
    numbers = _str_list(ctx, data, "case_numbers", check=case_no, expect=expect_no)
    unverified = _str_list(ctx, data, "case_numbers_unverified", check=case_no, expect=expect_no)
    courts = []
    for i, item in enumerate(_list(ctx, data, "courts", required=True)):
        label = f"courts[{i}]"
        if isinstance(item, str):
            item = {"zh": item}
        if not isinstance(item, Mapping):
            raise ctx.fail(label, f"expected a mapping with zh and en, got {_got(item)}", data)
        _check_keys(ctx, item, ("zh", "en", "note"), prefix=label + ".")
        zh = _str(ctx, item, "zh", required=True, prefix=label + ".")
        if "法院" not in zh and "法庭" not in zh:
            raise ctx.fail(label + ".zh", f"expected a court's Chinese name (…法院/…法庭), got {zh!r}", item)
        courts.append(CourtRef(zh, _str(ctx, item, "en", prefix=label + "."),
                               _str(ctx, item, "note", prefix=label + ".")))
    decided = _str(ctx, data, "decided", pattern=DECIDED_RE,
                   expect="an ISO date, month or year (2018-09-18, 2018-09, 2018) or an interval 2021/2022")
    parties = data.get("parties") or {}
    if not isinstance(parties, Mapping):
        raise ctx.fail("parties", f"expected a mapping with plaintiff and defendant, got {_got(parties)}", data)
    _check_keys(ctx, parties, ("plaintiff", "defendant", "other"), prefix="parties.")

    def names(role: str) -> tuple[str, ...]:
        value = parties.get(role)
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        return _str_list(ctx, parties, role, prefix="parties.")

    topics = _str_list(ctx, data, "topics", required=True, check=lambda t: t in TOPIC_IDS,
                       expect="a known topic id (" + "|".join(sorted(TOPIC_IDS)) + ")")
    statutes = []
    for i, item in enumerate(_list(ctx, data, "statutes")):
        label = f"statutes[{i}]"
        if isinstance(item, str) and item.strip():
            statutes.append(StatuteRef(citation=item.strip()))
            continue
        if not isinstance(item, Mapping):
            raise ctx.fail(label, f"expected a citation string or a mapping with statute/article, got {_got(item)}", data)
        _check_keys(ctx, item, ("statute", "article", "detail", "citation"), prefix=label + ".")
        sid = _str(ctx, item, "statute", pattern=ID_RE, expect="a statute id", prefix=label + ".")
        art = _str(ctx, item, "article", pattern=ARTICLE_NUMBER_RE, expect='an article number such as "6" or "10-1"',
                   prefix=label + ".")
        cit = _str(ctx, item, "citation", prefix=label + ".")
        if sid is None and cit is None:
            raise ctx.fail(label, "needs a statute id or a citation text", item)
        statutes.append(StatuteRef(sid, art, _str(ctx, item, "detail", prefix=label + "."), cit))
    related = []
    for i, item in enumerate(_list(ctx, data, "related")):
        label = f"related[{i}]"
        if not isinstance(item, Mapping):
            raise ctx.fail(label, f"expected a mapping with case and relation, got {_got(item)}", data)
        _check_keys(ctx, item, ("case", "relation"), prefix=label + ".")
        related.append(RelatedRef(
            _str(ctx, item, "case", required=True, pattern=ID_RE, expect="a case id", prefix=label + "."),
            _str(ctx, item, "relation", required=True, choices=RELATIONS, prefix=label + "."),
        ))
    return CaseRecord(
        id=cid, name=name, case_numbers=numbers, case_numbers_unverified=unverified,
        courts=tuple(courts), decided=decided, decided_note=_str(ctx, data, "decided_note"),
        plaintiffs=names("plaintiff"), defendants=names("defendant"), other_parties=names("other"),
        cause=_str(ctx, data, "cause", required=True), topics=topics,
        measures=_int_list(ctx, data, "measures", 1, measure_count), statutes=tuple(statutes),
        holding=_bilingual(ctx, data, "holding", required=True, need_en=True),
        outcome=_bilingual(ctx, data, "outcome"),
        honours=_str_list(ctx, data, "honours"), related=tuple(related),
        related_case_numbers=_str_list(ctx, data, "related_case_numbers"),
        appeal_of=_str(ctx, data, "appeal_of", pattern=ID_RE, expect="a case id"),
        sources=_str_list(ctx, data, "sources", check=_url_ok, expect="an http(s) URL"),
        verified=_str(ctx, data, "verified", required=True, choices=VERIFIED),
        notes=_bilingual(ctx, data, "notes"),
    )


# --------------------------------------------------------------------------------- statutes

STATUTE_FIELDS = (
    "id", "title", "short_title", "aliases", "issuer", "doc_number", "doc_number_unverified",
    "adopted", "effective", "dates_note", "status", "status_at_seed_date", "status_note", "kind",
    "subkind", "supersedes", "superseded_by", "summary", "articles", "measures", "sources",
    "verified", "note",
)
_CN_DIGITS = "零一二三四五六七八九"


def article_label(number: str) -> str:
    """第六条, 第一千一百八十五条, 第十条之一: the Chinese label of an article number."""
    main, _, sub = number.partition("-")
    label = f"第{chinese_numeral(int(main))}条"
    return label + (f"之{chinese_numeral(int(sub))}" if sub else "")


def chinese_numeral(n: int) -> str:
    """Chinese numeral as used in article labels (十二, 一百零六, 一千一百八十五)."""
    if n <= 0 or n >= 100000:
        raise ValueError(f"article number out of range: {n}")
    units = ["", "十", "百", "千", "万"]
    digits = [int(d) for d in str(n)]
    out, zero = [], False
    for i, d in enumerate(digits):
        pos = len(digits) - 1 - i
        if d == 0:
            zero = True
            continue
        if zero and out:
            out.append("零")
        zero = False
        out.append(_CN_DIGITS[d] + units[pos])
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


def _statute(ctx: _Ctx, data: Mapping, measure_count: int) -> StatuteRecord:
    _check_keys(ctx, data, STATUTE_FIELDS)
    sid = _str(ctx, data, "id", required=True, pattern=ID_RE, expect="a lower-case id [a-z0-9_]")
    issuers = []
    raw = data.get("issuer")
    raw_list = raw if isinstance(raw, list) else [raw] if raw is not None else []
    if not raw_list:
        raise ctx.fail("issuer", "required field is missing", data)
    for i, item in enumerate(raw_list):
        label = f"issuer[{i}]" if isinstance(raw, list) else "issuer"
        if isinstance(item, str):
            item = {"zh": item}
        if not isinstance(item, Mapping):
            raise ctx.fail(label, f"expected a mapping with zh and en, got {_got(item)}", data)
        _check_keys(ctx, item, ("zh", "en"), prefix=label + ".")
        issuers.append(Bilingual(_str(ctx, item, "zh", required=True, prefix=label + "."),
                                 _str(ctx, item, "en", prefix=label + ".")))
    articles, seen = [], set()
    for i, item in enumerate(_list(ctx, data, "articles")):
        label = f"articles[{i}]"
        if not isinstance(item, Mapping):
            raise ctx.fail(label, f"expected a mapping with number, label and gist, got {_got(item)}", data)
        _check_keys(ctx, item, ("number", "label", "gist"), prefix=label + ".")
        number = _str(ctx, item, "number", required=True, pattern=ARTICLE_NUMBER_RE,
                      expect='an article number such as "6" or "10-1"', prefix=label + ".")
        if number in seen:
            raise ctx.fail(label + ".number", f"article {number} listed twice", item)
        seen.add(number)
        label_zh = _str(ctx, item, "label", prefix=label + ".") or article_label(number)
        # Documents organised in parts or paragraphs keep their own labels (第二部分 …); a
        # 第X条 label must agree with the number.
        if compiled("chain_article").fullmatch(label_zh) \
                and label_zh != article_label(number):
            raise ctx.fail(label + ".label", f"expected {article_label(number)!r} for number {number}, got {label_zh!r}", item)
        gist = item.get("gist")
        sub = _Ctx(ctx.shown, ctx.record, item)
        articles.append(ArticleRecord(number, label_zh, _bilingual(sub, item, "gist") if gist is not None else None))
    title = _bilingual(ctx, data, "title", required=True, need_en=True)
    return StatuteRecord(
        id=sid, title=title,
        short_title=_bilingual(ctx, data, "short_title") or Bilingual(title.zh, title.en),
        aliases=_str_list(ctx, data, "aliases"), issuers=tuple(issuers),
        doc_number=_str(ctx, data, "doc_number"),
        doc_number_unverified=_str(ctx, data, "doc_number_unverified"),
        adopted=_str(ctx, data, "adopted", pattern=ISO_DATE_RE, expect="an ISO date YYYY-MM-DD"),
        effective=_str(ctx, data, "effective", pattern=ISO_DATE_RE, expect="an ISO date YYYY-MM-DD"),
        dates_note=_str(ctx, data, "dates_note"),
        status=_str(ctx, data, "status", required=True, choices=STATUTE_STATUSES),
        status_at_seed_date=_str(ctx, data, "status_at_seed_date", choices=STATUTE_STATUSES),
        status_note=_str(ctx, data, "status_note"),
        kind=_str(ctx, data, "kind", required=True, choices=STATUTE_KINDS),
        subkind=_str(ctx, data, "subkind"),
        supersedes=_str(ctx, data, "supersedes", pattern=ID_RE, expect="a statute id"),
        superseded_by=_str(ctx, data, "superseded_by", pattern=ID_RE, expect="a statute id"),
        summary=_bilingual(ctx, data, "summary"), articles=tuple(articles),
        measures=_int_list(ctx, data, "measures", 1, measure_count),
        sources=_str_list(ctx, data, "sources", check=_url_ok, expect="an http(s) URL"),
        verified=_str(ctx, data, "verified", required=True, choices=VERIFIED),
        note=_str(ctx, data, "note"),
    )


# --------------------------------------------------------------------------------- files


def _load_file(path: Path, shown: str, build: Callable, measure_count: int) -> list:
    out = []
    for record, data in _records(_read_yaml(path, shown), shown):
        out.append(build(_Ctx(shown, record, data), data, measure_count))
    return [_with_file(r, shown) for r in out]


def _with_file(record: Any, shown: str) -> Any:
    return replace(record, file=shown)


DEFAULT_MEASURE_COUNT = 20


def load_case_file(path: str | Path, measure_count: int = DEFAULT_MEASURE_COUNT) -> tuple[CaseRecord, ...]:
    """Read one case file (a record or a list of records); raises :class:`CorpusError`."""
    path = Path(path)
    records = _load_file(path, str(path), _case, measure_count)
    _no_duplicates(records, "case")
    return tuple(records)


def load_statute_file(path: str | Path, measure_count: int = DEFAULT_MEASURE_COUNT) -> tuple[StatuteRecord, ...]:
    """Read one statute file (a record or a list of records); raises :class:`CorpusError`."""
    path = Path(path)
    records = _load_file(path, str(path), _statute, measure_count)
    _no_duplicates(records, "statute")
    return tuple(records)


def _no_duplicates(records: Iterable[Any], kind: str) -> None:
    seen: dict[str, str] = {}
    for r in records:
        if r.id in seen:
            raise CorpusError(f"{r.file}: record {r.id!r}: field 'id': duplicate {kind} id, already defined in {seen[r.id]}")
        seen[r.id] = r.file


def default_root() -> Path:
    """The corpus bundled inside the installed package (works after a non-editable install)."""
    return Path(str(files("ingest") / "corpus"))


def _manifest(root: Path) -> tuple[str, int, dict[str, Any]]:
    shown = "corpus.yaml"
    data = _read_yaml(root / shown, shown) if (root / shown).is_file() else None
    if not isinstance(data, Mapping):
        raise CorpusError(f"{shown}: missing or not a mapping (needs measures_policy and measure_count)")
    ctx = _Ctx(shown, "'manifest'", data)
    _check_keys(ctx, data, ("measures_policy", "measure_count", "policy_file"))
    doc = _str(ctx, data, "measures_policy", required=True)
    count = data.get("measure_count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ctx.fail("measure_count", f"expected a positive integer, got {_got(count)}", data)
    return doc, count, dict(data)


def _policies(root: Path) -> tuple[PolicySource, ...]:
    folder = root / "policies"
    out = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.name.endswith((".meta.yaml", ".en.yaml")) or not path.is_file():   # sidecars
            continue
        meta: Mapping = {}
        meta_path = path.with_name(path.stem + ".meta.yaml")
        if meta_path.is_file():
            shown = f"policies/{meta_path.name}"
            meta = _read_yaml(meta_path, shown) or {}
            if not isinstance(meta, Mapping):
                raise CorpusError(f"{shown}: expected a mapping, got {type(meta).__name__}")
            ctx = _Ctx(shown, repr(path.stem), meta)
            _check_keys(ctx, meta, ("source", "licence", "note"))
            src = _str(ctx, meta, "source")
            if src is not None and not _url_ok(src):
                raise ctx.fail("source", f"expected an http(s) URL, got {src!r}", meta)
        out.append(PolicySource(path.stem, path, meta.get("source"), meta.get("licence"), meta.get("note")))
    return tuple(out)


def load_corpus(root: Path | None = None) -> Corpus:
    """Load and validate a whole corpus folder (default: the bundled one).

    Layout: ``corpus.yaml`` (which policy the measure numbers refer to), ``cases/*.yaml``,
    ``statutes/*.yaml``, ``policies/*`` (texts, each with an optional ``<name>.meta.yaml``).
    Besides each record's own schema, cross-record checks run here: ids unique per kind, case
    statute refs and ``related``/``appeal_of`` point at records that exist, ``supersedes`` and
    ``superseded_by`` agree.
    """
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        raise CorpusError(f"{root}: corpus folder not found")
    policy_doc, count, manifest = _manifest(root)
    cases: list[CaseRecord] = []
    for path in sorted((root / "cases").glob("*.yaml")):
        cases.extend(_load_file(path, f"cases/{path.name}", _case, count))
    statutes: list[StatuteRecord] = []
    for path in sorted((root / "statutes").glob("*.yaml")):
        statutes.extend(_load_file(path, f"statutes/{path.name}", _statute, count))
    _no_duplicates(cases, "case")
    _no_duplicates(statutes, "statute")
    policies = _policies(root)
    _cross_check(cases, statutes)
    if manifest.get("policy_file"):
        target = root / str(manifest["policy_file"])
        if not target.is_file():
            raise CorpusError(f"corpus.yaml: field 'policy_file': {manifest['policy_file']!r} not found")
        if policy_doc not in target.read_text(encoding="utf-8"):
            raise CorpusError(f"corpus.yaml: field 'measures_policy': {policy_doc!r} does not occur in {manifest['policy_file']}")
    gaz_path = root / "gazetteer.yaml"
    gazetteer = load_gazetteer(gaz_path if gaz_path.is_file() else _LANG_GAZETTEER)
    ver_path = root / "versions.yaml"
    families = load_versions(ver_path, {s.id for s in statutes}) if ver_path.is_file() else ()
    return Corpus(tuple(cases), tuple(statutes), policies, policy_doc, count, gazetteer, families)


_LANG_GAZETTEER = Path(str(files("ingest") / "lang" / "gazetteer.yaml"))


def load_versions(path: Path, record_ids: set[str] | None = None) -> tuple[StatuteFamily, ...]:
    """Read ``versions.yaml``: statute families and their versions (errors name the family)."""
    shown = path.name
    data = _read_yaml(path, shown)
    if not isinstance(data, list):
        raise CorpusError(f"{shown}: expected a list of statute families")
    out = []
    for i, fam in enumerate(data):
        if not isinstance(fam, Mapping):
            raise CorpusError(f"{shown}: family {i}: expected a mapping")
        ctx = _Ctx(shown, repr(fam.get("id", i)), fam)
        _check_keys(ctx, fam, ("id", "title", "short", "kind", "issuer", "versions", "en"))
        fid = _str(ctx, fam, "id", required=True, pattern=ID_RE, expect="a lower-case id [a-z0-9_]")
        versions = []
        for k, v in enumerate(_list(ctx, fam, "versions", required=True)):
            label = f"versions[{k}]"
            if not isinstance(v, Mapping):
                raise ctx.fail(label, f"expected a mapping, got {_got(v)}", fam)
            _check_keys(ctx, v, ("year", "event", "adopted", "effective", "record", "doc_number"), prefix=label + ".")
            year = v.get("year")
            if isinstance(year, bool) or not isinstance(year, int):
                raise ctx.fail(label + ".year", f"expected a year, got {_got(year)}", v)
            record = _str(ctx, v, "record", prefix=label + ".")
            if record is not None and record_ids is not None and record not in record_ids:
                raise ctx.fail(label + ".record", f"unknown statute id {record!r}", v)
            versions.append(VersionRecord(
                year, _str(ctx, v, "event", required=True, choices=("adopted", "amended", "revised"), prefix=label + "."),
                _str(ctx, v, "adopted", pattern=ISO_DATE_RE, expect="an ISO date", prefix=label + "."),
                _str(ctx, v, "effective", pattern=ISO_DATE_RE, expect="an ISO date", prefix=label + "."),
                record, _str(ctx, v, "doc_number", prefix=label + "."),
            ))
        out.append(StatuteFamily(
            fid, _str(ctx, fam, "title", required=True), _str_list(ctx, fam, "short"),
            _str(ctx, fam, "kind", required=True, choices=STATUTE_KINDS), _str(ctx, fam, "issuer", required=True),
            tuple(versions), _str(ctx, fam, "en"),
        ))
    return tuple(out)


def load_gazetteer(path: Path) -> Gazetteer:
    """Read ``gazetteer.yaml`` (court level rules, provinces, cities, districts)."""
    shown = path.name
    data = _read_yaml(path, shown)
    if not isinstance(data, Mapping):
        raise CorpusError(f"{shown}: expected a mapping with court_levels, provinces, cities, districts")
    levels = []
    for i, rule in enumerate(data.get("court_levels") or []):
        if not isinstance(rule, Mapping) or not rule.get("contains") or not rule.get("level"):
            raise CorpusError(f"{shown}: court_levels[{i}]: expected {{contains: …, level: …}}")
        levels.append((str(rule["contains"]), str(rule["level"])))
    places = []
    for section, rank, parent_key in (("provinces", "province", None), ("cities", "city", "province"),
                                      ("districts", "district", "city")):
        for name, info in (data.get(section) or {}).items():
            if not isinstance(info, Mapping):
                raise CorpusError(f"{shown}: {section}: {name}: expected a mapping")
            places.append(Place(str(name), rank, info.get("en"), info.get(parent_key) if parent_key else None,
                                info.get("short")))
    return Gazetteer(tuple(levels), tuple(places))


def _cross_check(cases: list[CaseRecord], statutes: list[StatuteRecord]) -> None:
    by_id = {s.id: s for s in statutes}
    case_ids = {c.id for c in cases}
    for c in cases:
        for i, ref in enumerate(c.statutes):
            if ref.statute is not None and ref.statute not in by_id:
                raise CorpusError(f"{c.file}: record {c.id!r}: field 'statutes[{i}].statute': unknown statute id {ref.statute!r}")
        for i, rel in enumerate(c.related):
            if rel.case not in case_ids:
                raise CorpusError(f"{c.file}: record {c.id!r}: field 'related[{i}].case': unknown case id {rel.case!r}")
        if c.appeal_of is not None and c.appeal_of not in case_ids:
            raise CorpusError(f"{c.file}: record {c.id!r}: field 'appeal_of': unknown case id {c.appeal_of!r}")
    for s in statutes:
        for name, other, back in (("supersedes", s.supersedes, "superseded_by"), ("superseded_by", s.superseded_by, "supersedes")):
            if other is None:
                continue
            if other not in by_id:
                raise CorpusError(f"{s.file}: record {s.id!r}: field {name!r}: unknown statute id {other!r}")
            if getattr(by_id[other], back) not in (None, s.id):
                raise CorpusError(f"{s.file}: record {s.id!r}: field {name!r}: {other!r} says {back} "
                                  f"{getattr(by_id[other], back)!r}, not {s.id!r}")


def with_records(corpus: Corpus, case_files: Sequence[Path] = (), statute_files: Sequence[Path] = ()) -> Corpus:
    """The corpus plus a user's own case and statute files, checked as one corpus would be.

    Why not just concatenate: a user's case may cite a bundled statute, or reuse a bundled id by
    mistake; the same duplicate and cross-record checks as :func:`load_corpus` catch both and
    name the user's file.
    """
    cases = list(corpus.cases)
    statutes = list(corpus.statutes)
    for path in case_files:
        cases.extend(load_case_file(path, corpus.measure_count))
    for path in statute_files:
        statutes.extend(load_statute_file(path, corpus.measure_count))
    _no_duplicates(cases, "case")
    _no_duplicates(statutes, "statute")
    _cross_check(cases, statutes)
    return replace(corpus, cases=tuple(cases), statutes=tuple(statutes))
