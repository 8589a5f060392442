"""Law as of a date: the versions of a statute or article, and which one was in force.

Why a question of its own: laws are renumbered. The Anti-Unfair Competition Law's trade-secret
article is art. 9 in the 2019 text and art. 10 in the 2025 revision; a judge reading a 2021
judgment that cites "art. 9" needs to see that the provision lives on as art. 10 (same words),
and one reading the damages article 17 that it became art. 22 (with changes). The graph holds
each version as its own ``Statute`` (``dcterms:replaces`` / ``isReplacedBy``, ``iprg:effective``)
and links corresponding articles (``iprg:correspondsTo``, both ways). Where no correspondence
is recorded this module says so (``article`` None) rather than guess by number, which is
exactly the mistake the versions exist to prevent.

Everything is read through :class:`~kg.explorer.reader.Reader` over the backend primitives,
so the SPARQL and Cypher explorers give equal answers (the parity tests check it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date as _date
from typing import Any

from kg.errors import BadInput, NotFound
from kg.explorer.models import CaseSummary, LawDetail, MeasureRef, NodeRef, RuleItem, TopicRules
from kg.explorer.questions import _article_key, _Card
from kg.explorer.reader import Reader, date_key, on_or_before

__all__ = [
    "VersionRow", "VersionHistory", "CitationVersion", "CaseVersions", "CitationAsOf", "TopicAsOf",
    "RuleAsOf", "history", "case_versions", "topic_as_of", "rule_as_of", "citation_as_of",
    "parse_as_of", "STATUSES", "cited_as_of", "LawAnswer", "TopicAnswer", "law_answer", "topic_answer",
]

#: What ``VersionHistory.status`` / ``CitationAsOf.status`` say about the node on the date.
STATUSES = ("in_force", "superseded", "not_yet_in_force", "no_version_in_force")


@dataclass(frozen=True)
class VersionRow:
    """One version of a statute, and (for an article question) its corresponding article."""

    statute: NodeRef
    adopted: str | None
    effective: str | None
    until: str | None              # the next version's effective date (it is in force before it)
    status: str | None             # the record's status today (in_force, superseded, …)
    article: NodeRef | None        # the corresponding article in this version; None when none is known
    article_number: str | None
    renumbered: bool | None        # numbered differently from the article asked about
    changed: bool | None           # worded differently (None: a text is missing)
    asked: bool                    # this is the version asked about


@dataclass(frozen=True)
class VersionHistory:
    """Every version of the statute (oldest first) with its article, and the one in force on ``as_of``."""

    iri: str
    kind: str                      # "Article" | "Statute"
    label_zh: str | None
    label_en: str | None
    versions: tuple[VersionRow, ...]
    as_of: str | None = None
    in_force: VersionRow | None = None
    status: str | None = None      # one of STATUSES on ``as_of``


@dataclass(frozen=True)
class CitationVersion:
    """A case's citation: the version it resolves to and what later versions did to it."""

    cited: NodeRef
    article_number: str | None
    version: VersionRow            # the cited version (``asked``)
    in_force_when_decided: bool | None
    later: tuple[VersionRow, ...]  # later versions, each with the corresponding article where known
    renumbered: bool               # a later version numbers it differently
    changed: bool                  # a later version words it differently
    counterpart_unknown: bool      # a later version exists whose corresponding article is not known


@dataclass(frozen=True)
class CaseVersions:
    case: NodeRef
    decided: str | None
    citations: tuple[CitationVersion, ...]


@dataclass(frozen=True)
class CitationAsOf:
    """A cited article or statute read on a date: the version then in force (with the article)."""

    cited: NodeRef
    statute: NodeRef | None
    in_force: VersionRow | None
    status: str                    # one of STATUSES


@dataclass(frozen=True)
class TopicAsOf:
    """A topic answer on a date: what had been issued and decided by then, and the law in force."""

    topic: NodeRef
    as_of: str
    rules: tuple[RuleItem, ...]
    measures: tuple[MeasureRef, ...]
    cases: tuple[CaseSummary, ...]
    later_rules: int               # rules issued after the date (left out)
    later_measures: int
    later_cases: int               # cases decided after the date, or undated (left out)
    citations: tuple[CitationAsOf, ...]


@dataclass(frozen=True)
class RuleAsOf:
    rule: RuleItem
    issued: str | None             # when its document was issued (a guiding case's: decided)
    as_of: str | None
    issued_by_then: bool | None
    citations: tuple[CitationAsOf, ...]


def parse_as_of(value: Any) -> str | None:
    """``YYYY-MM-DD`` (a ``date`` or text) as ISO text; anything else is bad input."""
    if value is None or value == "":
        return None
    if isinstance(value, _date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return _date.fromisoformat(text).isoformat() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else _bad(text)
    except ValueError:
        return _bad(text)


def _bad(text: str) -> str:
    raise BadInput(f"as_of must be a date YYYY-MM-DD, not {text[:40]!r}")


# ----------------------------------------------------------------------------- reading


def _start(card: _Card) -> str:
    return date_key(card.one("effective") or card.one("adopted"))


def _norm_text(text: str | None) -> str | None:
    if not text:
        return None
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def family(r: Reader, statute: str) -> list[_Card]:
    """Every version of ``statute`` (walking replaces / isReplacedBy both ways), oldest first."""
    seen = {statute}
    frontier = [statute]
    while frontier:
        step = r.targets(frontier, "REPLACES", "IS_REPLACED_BY") | r.sources(frontier, "REPLACES", "IS_REPLACED_BY")
        frontier = sorted(step - seen)
        seen.update(frontier)
    cards = [c for c in r.cards(seen).values() if c.kind == "Statute"]
    return sorted(cards, key=lambda c: (_start(c) or "9999", c.iri))


def counterparts(r: Reader, article: str) -> dict[str, str]:
    """Statute → its article corresponding to ``article`` (itself included), over every hop."""
    seen = {article}
    frontier = [article]
    while frontier:
        step = r.targets(frontier, "CORRESPONDS_TO", "PREVIOUS_VERSION") | \
            r.sources(frontier, "CORRESPONDS_TO", "PREVIOUS_VERSION")
        frontier = sorted(step - seen)
        seen.update(frontier)
    out: dict[str, list[str]] = {}
    for a, statutes in r.out(seen, "ARTICLE_OF").items():
        for s in statutes:
            out.setdefault(s, []).append(a)
    cards = r.cards(seen)
    # a split provision may correspond to two: the lowest-numbered one stands for it
    return {s: min(arts, key=lambda a: (_article_key(cards[a].one("articleNumber") if a in cards else None), a))
            for s, arts in out.items()}


def _rows(r: Reader, statute: str, asked: str, article: str | None) -> tuple[VersionRow, ...]:
    versions = family(r, statute)
    if not any(v.iri == statute for v in versions):
        card = r.card(statute)
        versions = [card] if card is not None else []
    arts = counterparts(r, article) if article else {}
    art_cards = r.cards(arts.values())
    me = art_cards.get(article or "")
    my_number = me.one("articleNumber") if me else None
    my_text = _norm_text(me.text("text", "zh")) if me else None
    rows = []
    for i, v in enumerate(versions):
        until = next((_start(w) for w in versions[i + 1:] if _start(w) and _start(w) != _start(v)), None)
        a = art_cards.get(arts.get(v.iri, ""))
        renumbered = changed = None
        if a is not None and me is not None:
            renumbered = a.one("articleNumber") != my_number
            other = _norm_text(a.text("text", "zh"))
            changed = None if other is None or my_text is None else other != my_text
        rows.append(VersionRow(
            statute=v.ref(), adopted=_iso(v.one("adopted")), effective=_iso(v.one("effective")), until=until or None,
            status=v.one("status"), article=a.ref() if a else None,
            article_number=a.one("articleNumber") if a else None, renumbered=renumbered, changed=changed,
            asked=v.iri == asked,
        ))
    return tuple(rows)


def _iso(value: Any) -> str | None:
    return None if value is None else str(value)


def in_force(rows: tuple[VersionRow, ...], date: str) -> VersionRow | None:
    """The version in force on ``date``: the latest that had taken effect by then."""
    started = [row for row in rows if (row.effective or row.adopted) and on_or_before(row.effective or row.adopted, date)]
    return started[-1] if started else None


def _status(rows: tuple[VersionRow, ...], now: VersionRow | None) -> str:
    if now is None:
        return "not_yet_in_force" if rows else "no_version_in_force"
    if now.asked:
        return "in_force"
    order = [row.statute.iri for row in rows]
    me = next((i for i, row in enumerate(rows) if row.asked), None)
    if me is None:
        return "no_version_in_force"
    return "superseded" if order.index(now.statute.iri) > me else "not_yet_in_force"


# ----------------------------------------------------------------------------- questions


def history(explorer: Any, iri: str, as_of: str | None = None, reader: Reader | None = None) -> VersionHistory:
    """The versions of the statute ``iri`` is (or belongs to), each with the article
    corresponding to ``iri`` for an article, and the one in force on ``as_of``."""
    r = reader or Reader(explorer)
    as_of = parse_as_of(as_of)
    card = r.need(iri, "Article", "Statute")
    if card.kind == "Article":
        statute = next(iter(r.out([iri], "ARTICLE_OF")[iri]), None)
        if statute is None:
            raise NotFound(f"article {iri} belongs to no statute in the graph")
        rows = _rows(r, statute, statute, iri)
    else:
        rows = _rows(r, iri, iri, None)
    now = in_force(rows, as_of) if as_of else None
    return VersionHistory(iri, card.kind, card.label("zh"), card.label("en"), rows, as_of, now,
                          _status(rows, now) if as_of else None)


def citation_as_of(r: Reader, cited: str, date: str) -> CitationAsOf:
    """A cited article or statute read on ``date``."""
    h = history(r.ex, cited, date, r)
    statute = next((row.statute for row in h.versions if row.asked), None)
    ref = r.ref(cited) or _unknown(cited)
    return CitationAsOf(ref, statute, h.in_force, h.status or "no_version_in_force")


def _unknown(iri: str) -> NodeRef:
    return NodeRef(iri, "Resource")


def case_versions(explorer: Any, case: str) -> CaseVersions:
    """Each citation of the case: the version it resolves to, whether it was in force when the
    case was decided, and the later versions that renumbered or reworded it."""
    r = Reader(explorer)
    card = r.need(case, "Case")
    decided = card.one("decided")
    cited = r.cards(r.out([case], "CITES")[case])
    out = []
    for c in sorted(cited.values(), key=lambda c: c.iri):
        if c.kind not in ("Article", "Statute"):
            continue
        h = history(explorer, c.iri, reader=r)
        mine = next((i for i, row in enumerate(h.versions) if row.asked), None)
        if mine is None:
            continue
        own = h.versions[mine]
        later = tuple(row for row in h.versions[mine + 1:] if (row.effective or row.adopted))
        when = own.effective or own.adopted
        in_force_then = None
        if decided and when:
            in_force_then = on_or_before(when, date_key(decided)) and \
                (own.until is None or date_key(decided) < date_key(own.until))
        is_article = c.kind == "Article"
        out.append(CitationVersion(
            cited=c.ref(), article_number=c.one("articleNumber"), version=own, in_force_when_decided=in_force_then,
            later=later, renumbered=any(row.renumbered for row in later),
            changed=any(row.changed for row in later),
            counterpart_unknown=is_article and any(row.article is None for row in later),
        ))
    out.sort(key=lambda x: (x.version.statute.iri, _article_key(x.article_number), x.cited.iri))
    return CaseVersions(card.ref(), None if decided is None else str(decided), tuple(out))


def issued_dates(r: Reader, nodes: list[str]) -> dict[str, str | None]:
    """When each measure or rule came into being: its policy document's ``dcterms:issued``
    (a rule of a case: the case's date), found up the ``hasPart`` chain."""
    out: dict[str, str | None] = {}
    for n in nodes:
        seen, frontier, found = {n}, [n], None
        for _ in range(4):
            parents = sorted(r.sources(frontier, "HAS_PART") - seen)
            cards = r.cards(parents)
            dated = [c for c in cards.values() if c.one("issued") is not None or c.kind == "Case"]
            if dated:
                c = sorted(dated, key=lambda c: c.iri)[0]
                found = c.one("issued") if c.one("issued") is not None else c.one("decided")
                break
            seen.update(parents)
            frontier = parents
            if not frontier:
                break
        out[n] = None if found is None else str(found)
    return out


def topic_as_of(explorer: Any, topic_id: str, as_of: str) -> TopicAsOf:
    """The topic answer on ``as_of``: rules and measures issued by then, cases decided by then,
    and every article or statute they cite read as the version then in force."""
    date = parse_as_of(as_of)
    if date is None:
        raise BadInput("as_of is required: a date YYYY-MM-DD")
    r = Reader(explorer)
    tr = explorer.rules_by_topic(topic_id)
    topic = tr.topic
    about = r.sources([topic.iri], "ABOUT_TOPIC")
    cards = r.cards(about)
    measures = [m.iri for m in tr.measures]
    rules = [x.iri for x in tr.rules]
    dates = issued_dates(r, measures + rules)
    keep_rules = {i for i in rules if dates.get(i) and on_or_before(dates[i], date)}
    keep_measures = {i for i in measures if dates.get(i) and on_or_before(dates[i], date)}
    case_iris = sorted(c.iri for c in cards.values() if c.kind == "Case")
    case_iris += [c.iri for c in tr.cases if c.iri not in set(case_iris)]
    ccards = r.cards(case_iris)
    kept_cases = [i for i in case_iris if i in ccards and ccards[i].one("decided") is not None
                  and on_or_before(ccards[i].one("decided"), date)]
    cited = sorted(r.targets(sorted(keep_rules | keep_measures) + kept_cases, "CITES"))
    citations = tuple(citation_as_of(r, c, date) for c in cited if r.card(c) is not None
                      and r.card(c).kind in ("Article", "Statute"))
    return TopicAsOf(
        topic=NodeRef(topic.iri, "Topic", topic.label_zh, topic.label_en), as_of=date,
        rules=tuple(x for x in tr.rules if x.iri in keep_rules),
        measures=tuple(m for m in tr.measures if m.iri in keep_measures),
        cases=explorer._case_summaries(kept_cases) if kept_cases else (),
        later_rules=len(rules) - len(keep_rules), later_measures=len(measures) - len(keep_measures),
        later_cases=len(case_iris) - len(kept_cases),
        citations=tuple(sorted(citations, key=lambda x: (x.statute.iri if x.statute else "", x.cited.iri))),
    )


def cited_as_of(explorer: Any, iri: str, as_of: str | None = None, reader: Reader | None = None) -> tuple[CitationAsOf, ...]:
    """What a measure or rule cites (with its parts' and its parents' citations), each read as
    the version in force on ``as_of`` (default today)."""
    date = parse_as_of(as_of) or _date.today().isoformat()
    r = reader or Reader(explorer)
    r.need(iri)
    around = sorted(r.sources([iri], "HAS_PART") | r.targets([iri], "HAS_PART"))
    holders = [iri, *(x for x in around if (c := r.card(x)) is not None and c.kind in ("Rule", "Measure"))]
    cited = sorted(r.targets(holders, "CITES"))
    out = [citation_as_of(r, c, date) for c in cited if (card := r.card(c)) is not None
           and card.kind in ("Article", "Statute")]
    return tuple(sorted(out, key=lambda x: (x.statute.iri if x.statute else "", x.cited.iri)))


def rule_as_of(explorer: Any, rule: str, as_of: str | None = None) -> RuleAsOf:
    """A rule with its citations (its own and its measure's) read on ``as_of`` (default today)."""
    date = parse_as_of(as_of) or _date.today().isoformat()
    r = Reader(explorer)
    r.need(rule, "Rule")
    items = explorer._rule_items([rule])
    if not items:
        raise NotFound(f"no rule {rule} in the graph")
    issued = issued_dates(r, [rule])[rule]
    return RuleAsOf(items[0], issued, parse_as_of(as_of), None if issued is None else on_or_before(issued, date),
                    cited_as_of(explorer, rule, date, r))


# ----------------------------------------------------------------------------- answers with versions


@dataclass(frozen=True)
class LawAnswer(LawDetail):
    """An article or statute with its versions (and, asked ``as_of``, the one in force then)."""

    versions: VersionHistory | None = None


@dataclass(frozen=True)
class TopicAnswer(TopicRules):
    """A topic answer; asked ``as_of``, also what was issued, decided and in force on that day."""

    as_of: TopicAsOf | None = None


def _extend(cls: type, base: Any, **extra: Any) -> Any:
    return cls(**{f.name: getattr(base, f.name) for f in fields(base)}, **extra)


def law_answer(explorer: Any, detail: LawDetail, as_of: str | None = None) -> LawAnswer:
    """``detail`` with its versions: for an article, the corresponding article in each version."""
    return _extend(LawAnswer, detail, versions=history(explorer, detail.iri, as_of))


def topic_answer(explorer: Any, answer: TopicRules, as_of: str | None = None) -> TopicRules:
    """``answer``, and with ``as_of`` what the topic held on that day (:func:`topic_as_of`)."""
    if not as_of:
        return answer
    return _extend(TopicAnswer, answer, as_of=topic_as_of(explorer, answer.topic.id, as_of))
