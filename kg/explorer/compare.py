"""对照: what each document in the graph says on a topic, side by side.

Why: a court's measure rarely stands alone. Xiamen's measure 5 (trade secrets) rests on the
Anti-Unfair Competition Law (art. 9 in the 2019 text, art. 10 in the 2025 one) and on the SPC's
trade-secret provisions (法释〔2020〕7号); a judge or academic wants those items next to each
other, each with the cases that applied it. Which items of a document are "on" a topic is read
from the graph, never guessed:

* a policy document's measures about the topic (directly or through one of their rules);
* a statute's articles about the topic (statute texts are tagged by topic when ingested), and
  its articles cited by a measure, rule or case about the topic;
* a statute cited as a whole by something about the topic, when none of its articles is on
  the topic that way: its curated articles (those the records describe with a gist) when its
  title names the topic (法释〔2020〕7号 is "…侵犯商业秘密民事案件…"), else the statute itself.

Each item says which of these put it there (``why``). Written over the backend primitives
(:class:`~kg.explorer.reader.Reader`): both backends give equal answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.errors import BadInput, NotFound
from kg.explorer.models import CaseSummary, NodeRef, TopicSummary
from kg.explorer.questions import _article_key, _Card, _date_key
from kg.explorer.reader import Reader

__all__ = ["DocumentRef", "CompareItem", "DocumentColumn", "SideBySide", "CompareCell", "CompareMatrix",
           "side_by_side", "topic_document_matrix", "WHY"]

#: Why an item is on the topic.
WHY = ("about_topic", "cited", "document_cited")
#: Curated articles shown for a statute cited only as a whole.
_WHOLE_LIMIT = 12
_NO_TIER = 9


@dataclass(frozen=True)
class DocumentRef:
    iri: str
    kind: str                   # "PolicyDocument" | "Statute"
    label_zh: str | None
    label_en: str | None
    doc_number: str | None
    date: str | None            # issued (policy) or effective (statute)
    statute_kind: str | None
    tier_rank: int              # authority of the norm: law 1 … court policy document 4


@dataclass(frozen=True)
class CompareItem:
    iri: str
    kind: str                   # "Measure" | "Article" | "Statute"
    number: str | None          # measure or article number as printed
    label_zh: str | None
    label_en: str | None
    text_zh: str | None         # the measure's or article's text, else the record's gist
    text_en: str | None
    why: str                    # one of WHY
    corresponds: tuple[NodeRef, ...]   # the same provision in other versions
    cases: tuple[CaseSummary, ...]


@dataclass(frozen=True)
class DocumentColumn:
    document: DocumentRef
    items: tuple[CompareItem, ...]


@dataclass(frozen=True)
class SideBySide:
    topic: TopicSummary
    columns: tuple[DocumentColumn, ...]
    documents_total: int        # documents with something on the topic (columns shows ``limit``)


@dataclass(frozen=True)
class CompareCell:
    topic: str                  # topic id
    document: str               # document IRI
    count: int                  # its items on the topic


@dataclass(frozen=True)
class CompareMatrix:
    topics: tuple[TopicSummary, ...]
    documents: tuple[DocumentRef, ...]
    cells: tuple[CompareCell, ...]   # non-zero cells only


def _doc_of(r: Reader, measure: str) -> str | None:
    frontier = [measure]
    for _ in range(3):
        parents = sorted(r.sources(frontier, "HAS_PART"))
        cards = r.cards(parents)
        doc = next((c.iri for c in sorted(cards.values(), key=lambda c: c.iri) if c.kind == "PolicyDocument"), None)
        if doc:
            return doc
        frontier = parents
    return None


def _items(r: Reader, topic: str, whole: bool = True) -> dict[str, dict[str, str]]:
    """Document → {item: why} on ``topic``."""
    about = r.cards(r.sources([topic], "ABOUT_TOPIC"))
    measures = {c.iri for c in about.values() if c.kind == "Measure"}
    rules = sorted(c.iri for c in about.values() if c.kind == "Rule")
    for parents in r.into(rules, "HAS_PART").values():
        measures.update(p for p in parents if (c := r.card(p)) is not None and c.kind == "Measure")
    out: dict[str, dict[str, str]] = {}
    for m in sorted(measures):
        doc = _doc_of(r, m)
        if doc:
            out.setdefault(doc, {})[m] = "about_topic"
    direct = {c.iri for c in about.values() if c.kind == "Article"}
    holders = sorted(measures | set(rules) | {c.iri for c in about.values() if c.kind == "Case"})
    cited = r.cards(r.targets(holders, "CITES"))
    articles = {i for i, c in cited.items() if c.kind == "Article"}
    statutes_whole = {i for i, c in cited.items() if c.kind == "Statute"}
    for a, statutes in r.out(sorted(direct | articles), "ARTICLE_OF").items():
        for s in statutes:
            out.setdefault(s, {})[a] = "about_topic" if a in direct else "cited"
    if whole:
        names = _topic_names(r, topic)
        for s in sorted(statutes_whole):
            if out.get(s):
                continue
            card = r.card(s)
            title = (card.text("title", "zh") or card.label("zh") or "") if card else ""
            gisted: list[_Card] = []
            if any(n in title for n in names):   # the document is about the topic by its very title
                arts = r.cards(r.sources([s], "ARTICLE_OF"))
                gisted = sorted((c for c in arts.values() if c.kind == "Article"
                                 and (c.text("gist", "zh") or c.text("gist", "en"))),
                                key=lambda c: (_article_key(c.one("articleNumber")), c.iri))[:_WHOLE_LIMIT]
            out[s] = {c.iri: "document_cited" for c in gisted} or {s: "document_cited"}
    return out


def _topic_names(r: Reader, topic: str) -> tuple[str, ...]:
    """The topic's Chinese labels (preferred and alternative), as a title would print them."""
    card = r.card(topic)
    if card is None:
        return ()
    return tuple(n for n in (*card.all("prefLabel_zh"), *card.all("altLabel_zh"), *card.all("label_zh")) if len(n) >= 2)


def _document(r: Reader, card: _Card) -> DocumentRef:
    rank = card.one("authorityRank")
    date = card.one("issued") if card.kind == "PolicyDocument" else (card.one("effective") or card.one("adopted"))
    return DocumentRef(card.iri, card.kind, card.label("zh"), card.label("en"), card.one("docNumber"),
                       None if date is None else str(date), card.one("statuteKind"),
                       rank if isinstance(rank, int) else _NO_TIER)


def _doc_order(d: DocumentRef) -> tuple:
    return (d.tier_rank, -_date_key(d.date), d.iri)


def _topic(explorer: Any, topic_id: str) -> TopicSummary:
    for t in explorer.topics():
        if topic_id in (t.id, t.iri):
            return t
    raise NotFound(f"no topic {topic_id!r} in the topic scheme")


def _item(r: Reader, explorer: Any, iri: str, why: str) -> CompareItem:
    card = r.need(iri)
    corresponds: tuple[NodeRef, ...] = ()
    if card.kind == "Measure":
        parts = r.cards(r.out([iri], "HAS_PART")[iri])
        rules = sorted((c for c in parts.values() if c.kind == "Rule"), key=lambda c: (c.one("number") or 0, c.iri))
        case_iris = r.sources([iri, *(c.iri for c in rules)], "ILLUSTRATES")
        number = card.one("number")
        text_zh = card.text("text", "zh")
        en_rules = [t for c in rules if (t := c.text("text", "en"))]
        text_en = " ".join(en_rules) if en_rules and len(en_rules) == len(rules) else None
        label_zh, label_en = card.text("title", "zh"), card.text("title", "en")
    else:
        case_iris = r.sources([iri], "CITES")
        number = card.one("articleNumber")
        # the provision's words; a record's gist (our own summary) where the graph has no text
        text_zh = card.text("text", "zh") or card.text("gist", "zh")
        text_en = card.text("text", "en") or card.text("gist", "en")
        label_zh, label_en = card.label("zh"), card.label("en")
        if card.kind == "Article":
            others = r.targets([iri], "CORRESPONDS_TO") | r.sources([iri], "CORRESPONDS_TO")
            corresponds = r.refs(others - {iri})
    cases = r.cards(case_iris)
    keep = sorted(c.iri for c in cases.values() if c.kind == "Case")
    return CompareItem(iri, card.kind, None if number is None else str(number), label_zh, label_en, text_zh, text_en,
                       why, corresponds, explorer._case_summaries(keep) if keep else ())


def _weight(items: dict[str, str], doc: str) -> float:
    """How much a document has on the topic: its items, a statute cited only as a whole least."""
    return sum(0.5 if item == doc else 1.0 for item in items)


def _item_order(r: Reader, iri: str) -> tuple:
    card = r.card(iri)
    if card is None:
        return (9, (10**9,), iri)
    if card.kind == "Measure":
        n = card.one("number")
        return (0, (n if isinstance(n, int) else 10**9,), iri)
    return (1 if card.kind == "Article" else 2, _article_key(card.one("articleNumber")), iri)


def side_by_side(explorer: Any, topic_id: str, documents: list[str] | None = None, limit: int = 6) -> SideBySide:
    """The items of each document on the topic, in columns: the ``documents`` given (IRIs), or
    the ``limit`` documents with most items (a statute cited only as a whole counting half),
    ordered by authority (law first) then date."""
    if limit < 1:
        raise BadInput("limit must be at least 1")
    topic = _topic(explorer, topic_id)
    r = Reader(explorer)
    by_doc = _items(r, topic.iri)
    docs = {d: _document(r, c) for d in by_doc if (c := r.card(d)) is not None}
    if documents:
        unknown = [d for d in documents if d not in docs]
        if unknown:
            raise NotFound(f"nothing on topic {topic.id!r} in {', '.join(unknown[:3])}")
        chosen = list(dict.fromkeys(documents))
    else:
        ranked = sorted(docs, key=lambda d: (-_weight(by_doc[d], d), _doc_order(docs[d])))
        chosen = sorted(ranked[:limit], key=lambda d: _doc_order(docs[d]))
    columns = []
    for d in chosen:
        items = sorted(by_doc[d], key=lambda i: _item_order(r, i))
        columns.append(DocumentColumn(docs[d], tuple(_item(r, explorer, i, by_doc[d][i]) for i in items)))
    return SideBySide(topic, tuple(columns), len(docs))


def topic_document_matrix(explorer: Any) -> CompareMatrix:
    """Topic × document: how many items of each document are on each topic (non-zero cells)."""
    r = Reader(explorer)
    topics = explorer.topics()
    cells = []
    docs: dict[str, DocumentRef] = {}
    for t in topics:
        for d, items in _items(r, t.iri).items():
            card = r.card(d)
            if card is None:
                continue
            docs.setdefault(d, _document(r, card))
            cells.append(CompareCell(t.id, d, len(items)))
    ordered = tuple(sorted(docs.values(), key=_doc_order))
    return CompareMatrix(tuple(topics), ordered, tuple(sorted(cells, key=lambda c: (c.topic, c.document))))
