"""A policy document's overview: its sections and measures, each measure's topics.

Why: a newcomer opening the explorer should land on something meaningful, not on "pick a
node". The policy document is what the graph is built around, so the Details tab opens on its
outline and the Graph tab on its sections and measures coloured by topic
(:mod:`kg.web.ui.features`). The newest policy document is the default; every policy document
in the graph is listed so the user can switch. Written over the backend primitives
(:class:`~kg.explorer.reader.Reader`): both backends give equal answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.errors import NotFound
from kg.explorer.models import MeasureRef, NodeRef, TopicSummary
from kg.explorer.questions import _date_key
from kg.explorer.reader import Reader
from kg.ns import IPRG

__all__ = ["OutlineMeasure", "OutlineSection", "DocumentOutline", "outline", "policy_documents"]

_POLICY_TIER = str(IPRG.PolicyDocumentAuthority)


@dataclass(frozen=True)
class OutlineMeasure:
    measure: MeasureRef
    topics: tuple[str, ...]          # topic ids, the measure's main topic first
    rules: int
    cases: int                       # cases illustrating it or one of its rules


@dataclass(frozen=True)
class OutlineSection:
    iri: str
    number: int | None
    title_zh: str | None
    title_en: str | None
    measures: tuple[OutlineMeasure, ...]


@dataclass(frozen=True)
class DocumentOutline:
    iri: str
    title_zh: str | None
    title_en: str | None
    doc_number: str | None
    issued: str | None
    issuer: NodeRef | None
    sections: tuple[OutlineSection, ...]
    topics: tuple[TopicSummary, ...]  # the topics its measures are about, in the scheme's order
    documents: tuple[NodeRef, ...]    # every policy document in the graph, newest first


def policy_documents(explorer: Any, reader: Reader | None = None) -> tuple[NodeRef, ...]:
    """Every policy document in the graph, newest first (found through their authority tier)."""
    r = reader or Reader(explorer)
    cards = r.cards(r.sources([_POLICY_TIER], "AUTHORITY"))
    docs = [c for c in cards.values() if c.kind == "PolicyDocument"]
    docs.sort(key=lambda c: (-_date_key(c.one("issued")), c.iri))
    return tuple(c.ref() for c in docs)


def outline(explorer: Any, doc: str | None = None) -> DocumentOutline:
    """The outline of the policy document ``doc`` (default: the newest in the graph)."""
    r = Reader(explorer)
    docs = policy_documents(explorer, r)
    if doc is None:
        if not docs:
            raise NotFound("the graph holds no policy document yet (run `kg ingest`)")
        doc = docs[0].iri
    card = r.need(doc, "PolicyDocument")
    topics = {t.iri: t for t in explorer.topics()}
    order = {iri: i for i, iri in enumerate(topics)}
    parts = r.cards(r.out([doc], "HAS_PART")[doc])
    sections = sorted((c for c in parts.values() if c.kind == "Section"), key=lambda c: (c.one("number") or 0, c.iri))
    holders = [(s, r.cards(r.out([s.iri], "HAS_PART")[s.iri])) for s in sections]
    loose = [c for c in parts.values() if c.kind == "Measure"]
    if loose:   # measures straight under the document (no 一、 sections)
        holders.append((None, {c.iri: c for c in loose}))
    measure_iris = sorted(m for _, ms in holders for m, c in ms.items() if c.kind == "Measure")
    rules = r.out(measure_iris, "HAS_PART")
    rule_cards = r.cards({x for xs in rules.values() for x in xs})
    about = r.out(measure_iris + sorted(rule_cards), "ABOUT_TOPIC")
    illustrating = r.into(measure_iris + sorted(rule_cards), "ILLUSTRATES")
    used: set[str] = set()
    out_sections = []
    for s, ms in holders:
        items = []
        for m in sorted((c for c in ms.values() if c.kind == "Measure"), key=lambda c: (c.one("number") or 0, c.iri)):
            my_rules = [x for x in rules.get(m.iri, ()) if x in rule_cards and rule_cards[x].kind == "Rule"]
            weight: dict[str, int] = {}
            for x in [m.iri, *my_rules]:
                for t in about.get(x, ()):
                    if t in topics:
                        weight[t] = weight.get(t, 0) + 1
            ranked = sorted(weight, key=lambda t: (-weight[t], order[t]))
            used.update(ranked)
            cases = {c for x in [m.iri, *my_rules] for c in illustrating.get(x, ())}
            items.append(OutlineMeasure(MeasureRef(m.iri, m.one("number"), m.text("title", "zh"), m.text("title", "en")),
                                        tuple(topics[t].id for t in ranked), len(my_rules), len(cases)))
        if s is None:
            out_sections.append(OutlineSection(doc, None, None, None, tuple(items)))
        else:
            out_sections.append(OutlineSection(s.iri, s.one("number"), s.text("title", "zh"), s.text("title", "en"),
                                               tuple(items)))
    issuer = next(iter(r.refs(r.out([doc], "ISSUER")[doc])), None)
    return DocumentOutline(
        iri=doc, title_zh=card.text("title", "zh") or card.label("zh"), title_en=card.text("title", "en") or card.label("en"),
        doc_number=card.one("docNumber"), issued=None if card.one("issued") is None else str(card.one("issued")),
        issuer=issuer, sections=tuple(out_sections),
        topics=tuple(t for t in topics.values() if t.iri in used), documents=docs,
    )
