"""类案检索: cases like a given case, measure, rule or description of facts, and why.

Why by shared graph nodes rather than by text similarity: a judge writing a 类案检索报告 must say
*why* each case is alike (the same article applied, the same rule of a guiding case, the same
doctrine), and the graph holds exactly those links. Each hit therefore carries its reasons, the
nodes it shares with the query and, per reason, the path through the graph that explains it
(``query —cites→ AUCL 2025 art. 10 —corresponds to→ AUCL 2019 art. 9 ←cites— hit``).

Ranking (DESIGN.md "Authority of sources"): authority tier first (guiding cases, then SPC
typical/gazette cases, then reference cases, then the rest), then how much is shared, weighted
by :data:`WEIGHTS` (an article cited by both, in the same or a corresponding version, weighs
most; a shared topic least), then the court's level (the higher court first), then the newer
decision. A case sharing
less than ``min_score`` (by default: more than one topic) is not a hit.

Written over :class:`~kg.explorer.reader.Reader` (backend primitives), so both backends answer
it identically; the free-text reading of facts happens outside the explorer
(:func:`kg.rebuild.read_facts`) and arrives here as :class:`Facts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.errors import BadInput
from kg.explorer.models import CaseSummary, GraphEdge, NodeRef
from kg.explorer.questions import _COURT_RANK, _Card, _date_key
from kg.explorer.reader import Reader, on_or_before
from kg.explorer.versions import family, parse_as_of

__all__ = ["Facts", "Reason", "SimilarHit", "SimilarQuery", "SimilarReport", "similar", "WEIGHTS",
           "QUERY_NODE", "REASON_KINDS"]

#: What a shared node of each kind adds to a hit's score.
WEIGHTS: dict[str, float] = {
    "article": 5.0, "corresponding_article": 5.0, "rule": 4.0, "measure": 3.0, "concept": 2.0,
    "statute": 1.0, "topic": 1.0, "court": 1.0,
}
REASON_KINDS = tuple(WEIGHTS)
#: The query's own node in explanation paths when the query is a text (it has no IRI).
QUERY_NODE = "urn:iprg:query"
#: Tier rank of a case the graph gives no tier (ranked with "other cases").
_NO_TIER = 4


@dataclass(frozen=True)
class Facts:
    """A free-text description of facts as graph nodes (read by :func:`kg.rebuild.read_facts`)."""

    text: str
    date: str | None = None
    articles: tuple[str, ...] = ()
    statutes: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    """One thing a hit shares with the query, with the graph path that shows it."""

    kind: str                          # one of REASON_KINDS
    weight: float
    nodes: tuple[NodeRef, ...]         # the shared nodes (corresponding_article: the query's, then the hit's)
    path: tuple[NodeRef, ...]          # query … hit
    edges: tuple[GraphEdge, ...]       # between consecutive path nodes, in the graph's direction


@dataclass(frozen=True)
class SimilarHit:
    case: CaseSummary
    tier: NodeRef | None               # the case's authority tier
    tier_rank: int                     # 1 weighs most
    score: float
    holding_zh: str | None
    holding_en: str | None
    reasons: tuple[Reason, ...]
    shared: tuple[NodeRef, ...]


@dataclass(frozen=True)
class SimilarQuery:
    kind: str                          # "case" | "measure" | "rule" | "facts"
    iri: str | None
    label_zh: str | None
    label_en: str | None
    text: str | None
    as_of: str | None
    features: tuple[NodeRef, ...]      # what the query was read as


@dataclass(frozen=True)
class SimilarReport:
    query: SimilarQuery
    hits: tuple[SimilarHit, ...]
    total: int                         # hits before ``limit``


@dataclass
class _Profile:
    """What a node brings to the comparison, by kind (IRIs)."""

    article: set[str] = field(default_factory=set)
    statute: set[str] = field(default_factory=set)       # cited directly or through an article
    rule: set[str] = field(default_factory=set)
    measure: set[str] = field(default_factory=set)
    concept: set[str] = field(default_factory=set)
    topic: set[str] = field(default_factory=set)
    court: set[str] = field(default_factory=set)
    via: dict[str, str] = field(default_factory=dict)    # statute → one of the articles it was reached by


def _profiles(r: Reader, iris: list[str]) -> dict[str, _Profile]:
    """Profiles of cases, measures or rules, read together."""
    out = {i: _Profile() for i in iris}
    links = r.out(iris)
    targets = sorted({o for os in links.values() for o in os})
    cards = r.cards(targets)
    rule_parts = r.out([i for i in iris if (c := r.card(i)) is not None and c.kind in ("Case", "Measure")],
                       "HAS_PART", "HOLDING_RULE")
    part_cards = r.cards({o for os in rule_parts.values() for o in os})
    for i in iris:
        p = out[i]
        own_rules = [x for x in rule_parts.get(i, ()) if x in part_cards and part_cards[x].kind == "Rule"]
        for t, o in r.edges(i):
            c = cards.get(o)
            if c is None:
                continue
            if t == "CITES" and c.kind in ("Article", "Statute"):
                (p.article if c.kind == "Article" else p.statute).add(o)
            elif t == "ILLUSTRATES" and c.kind in ("Rule", "Measure"):
                (p.rule if c.kind == "Rule" else p.measure).add(o)
            elif t in ("CONCEPT", "MENTIONS") and c.kind == "Concept":
                p.concept.add(o)
            elif t == "ABOUT_TOPIC":
                p.topic.add(o)
            elif t == "COURT":
                p.court.add(o)
        # a guiding case's holdings (and a measure's rules) cite and are about things too
        for t, o in ((t, o) for x in own_rules for t, o in r.edges(x)):
            if t == "CITES":
                c = r.card(o)
                if c is not None and c.kind == "Article":
                    p.article.add(o)
                elif c is not None and c.kind == "Statute":
                    p.statute.add(o)
            elif t == "ABOUT_TOPIC":
                p.topic.add(o)
    # measures of illustrated rules; statutes of cited articles
    rule_measures = r.into(sorted({x for p in out.values() for x in p.rule}), "HAS_PART")
    art_statutes = r.out(sorted({x for p in out.values() for x in p.article}), "ARTICLE_OF")
    for p in out.values():
        for x in list(p.rule):
            p.measure.update(m for m in rule_measures.get(x, ()) if (c := r.card(m)) is not None and c.kind == "Measure")
        for a in sorted(p.article):
            for s in art_statutes.get(a, ()):
                p.statute.add(s)
                p.via.setdefault(s, a)
    return out


def _query_profile(r: Reader, kind: str, iri: str | None, facts: Facts | None) -> _Profile:
    if kind == "facts" and facts is not None:
        p = _Profile(article=set(facts.articles), statute=set(facts.statutes), concept=set(facts.concepts),
                     topic=set(facts.topics))
        for a, statutes in r.out(sorted(p.article), "ARTICLE_OF").items():
            for s in statutes:
                p.statute.add(s)
                p.via.setdefault(s, a)
        return p
    assert iri is not None
    p = _profiles(r, [iri])[iri]
    if kind == "measure":
        p.measure.add(iri)
        rules = [x for x in r.out([iri], "HAS_PART")[iri] if (c := r.card(x)) is not None and c.kind == "Rule"]
        p.rule.update(rules)
        for t, o in ((t, o) for x in rules for t, o in r.edges(x)):
            c = r.card(o)
            if c is None:
                continue
            if t == "CITES" and c.kind in ("Article", "Statute"):
                (p.article if c.kind == "Article" else p.statute).add(o)
            elif t == "MENTIONS" and c.kind == "Concept":
                p.concept.add(o)
    elif kind == "rule":
        p.rule.add(iri)
        p.measure.update(m for m in r.into([iri], "HAS_PART")[iri] if (c := r.card(m)) is not None and c.kind == "Measure")
    for t, o in r.edges(iri):
        c = r.card(o)
        if kind in ("measure", "rule") and t == "MENTIONS" and c is not None and c.kind == "Concept":
            p.concept.add(o)
    for a, statutes in r.out(sorted(p.article), "ARTICLE_OF").items():
        for s in statutes:
            p.statute.add(s)
            p.via.setdefault(s, a)
    return p


def _chains(r: Reader, articles: set[str]) -> dict[str, list[str]]:
    """Every article corresponding to one of ``articles`` (another version), with the chain of
    articles from the query's article to it (breadth first, so the shortest)."""
    out: dict[str, list[str]] = {}
    for a in sorted(articles):
        parent: dict[str, str | None] = {a: None}
        frontier = [a]
        while frontier:
            nxt = []
            step = r.out(frontier, "CORRESPONDS_TO", "PREVIOUS_VERSION")
            back = r.into(frontier, "CORRESPONDS_TO", "PREVIOUS_VERSION")
            for x in frontier:
                for y in sorted(set(step.get(x, ())) | set(back.get(x, ()))):
                    if y not in parent:
                        parent[y] = x
                        nxt.append(y)
            frontier = sorted(nxt)
        for y in parent:
            if y == a or y in articles or y in out:
                continue
            chain, node = [y], y
            while parent[node] is not None:
                node = parent[node]  # type: ignore[assignment]
                chain.append(node)
            out[y] = list(reversed(chain))
    return out


def _edge(a: str, t: str, b: str, forward: bool = True) -> GraphEdge:
    return GraphEdge(a, t, b) if forward else GraphEdge(b, t, a)


def _reason(r: Reader, kind: str, shared: list[str], path: list[str], edges: list[GraphEdge],
            query: NodeRef) -> Reason:
    def ref(i: str) -> NodeRef:
        return query if i == query.iri else (r.ref(i) or NodeRef(i, "Resource"))

    return Reason(kind, WEIGHTS[kind], tuple(ref(i) for i in shared), tuple(ref(i) for i in path), tuple(edges))


def _explain(r: Reader, q: _Profile, qnode: NodeRef, qkind: str, hit: str, p: _Profile,
             chains: dict[str, list[str]], families: dict[str, set[str]]) -> list[Reason]:
    """Every reason ``hit`` is like the query, strongest first."""
    me = qnode.iri
    out: list[Reason] = []
    for a in sorted(q.article & p.article):
        out.append(_reason(r, "article", [a], [me, a, hit], [_edge(me, "CITES", a), _edge(hit, "CITES", a)], qnode))
    for b in sorted(p.article - q.article):
        chain = chains.get(b)
        if chain:
            edges = [_edge(me, "CITES", chain[0])]
            edges += [GraphEdge(x, "CORRESPONDS_TO", y) for x, y in zip(chain, chain[1:], strict=False)]
            edges.append(_edge(hit, "CITES", b))
            out.append(_reason(r, "corresponding_article", [chain[0], b], [me, *chain, hit], edges, qnode))
    starts = {chains[b][0] for b in p.article if b in chains}
    covered = {s for a in (q.article & p.article) | starts for s in r.out([a], "ARTICLE_OF")[a]}
    done: set[frozenset[str]] = set()
    for s in sorted(q.statute):
        fam = frozenset(families.get(s, {s}))
        if fam in done or fam & covered:
            continue
        shared = sorted(fam & p.statute)
        if not shared:
            continue
        done.add(fam)
        mine = sorted(fam & q.statute)
        # the same version when both cite one, else the query's and the hit's versions
        both = sorted(set(mine) & set(shared))
        s, t = (both[0], both[0]) if both else (mine[0], shared[0])
        qa, pa = q.via.get(s), p.via.get(t)
        path, edges = [me], []
        if qa:
            path.append(qa)
            edges += [_edge(me, "CITES", qa), GraphEdge(qa, "ARTICLE_OF", s)]
        else:
            edges.append(_edge(me, "CITES", s))
        path.append(s)
        if t != s:
            ordered = [c.iri for c in family(r, s)]
            i, j = ordered.index(s), ordered.index(t)
            step = 1 if j > i else -1
            for k in range(i, j, step):
                older, newer = sorted((ordered[k], ordered[k + step]), key=ordered.index)
                path.append(ordered[k + step])
                edges.append(GraphEdge(newer, "REPLACES", older))
        if pa:
            path.append(pa)
            edges += [GraphEdge(pa, "ARTICLE_OF", t), _edge(hit, "CITES", pa)]
        else:
            edges.append(_edge(hit, "CITES", t))
        path.append(hit)
        out.append(_reason(r, "statute", [s] if t == s else [s, t], path, edges, qnode))
    for x in sorted(q.rule & p.rule):
        first = _edge(me, "ILLUSTRATES", x) if qkind == "case" else (
            GraphEdge(me, "HAS_PART", x) if qkind == "measure" else None)
        path = [x, hit] if qkind == "rule" and x == me else [me, x, hit]
        edges = ([first] if first else []) + [_edge(hit, "ILLUSTRATES", x)]
        out.append(_reason(r, "rule", [x], path, edges, qnode))
    for m in sorted(q.measure & p.measure):
        if any(x in q.rule and x in p.rule for x in r.out([m], "HAS_PART")[m]):
            continue          # the shared rule already says it
        if qkind == "measure" and m == me:
            out.append(_reason(r, "measure", [m], [m, hit], [_edge(hit, "ILLUSTRATES", m)], qnode))
            continue
        first = _edge(me, "ILLUSTRATES", m) if qkind == "case" else GraphEdge(m, "HAS_PART", me)
        out.append(_reason(r, "measure", [m], [me, m, hit], [first, _edge(hit, "ILLUSTRATES", m)], qnode))
    for c in sorted(q.concept & p.concept):
        out.append(_reason(r, "concept", [c], [me, c, hit], [_edge(me, "MENTIONS", c), _edge(hit, "MENTIONS", c)], qnode))
    for t in sorted(q.topic & p.topic):
        out.append(_reason(r, "topic", [t], [me, t, hit], [_edge(me, "ABOUT_TOPIC", t), _edge(hit, "ABOUT_TOPIC", t)], qnode))
    same_court = sorted(q.court & p.court)
    for c in same_court:
        out.append(_reason(r, "court", [c], [me, c, hit], [_edge(me, "COURT", c), _edge(hit, "COURT", c)], qnode))
    return out


def _candidates(r: Reader, q: _Profile, chains: dict[str, list[str]]) -> set[str]:
    found: set[str] = set()
    found |= r.sources(sorted(q.article | set(chains) | q.statute), "CITES")
    found |= r.sources(sorted(q.rule | q.measure), "ILLUSTRATES")
    found |= r.sources(sorted(q.concept), "CONCEPT", "MENTIONS")
    found |= r.sources(sorted(q.topic), "ABOUT_TOPIC")
    statutes = set()
    for s in q.statute:
        statutes |= {c.iri for c in family(r, s)}
    found |= r.sources(sorted(statutes), "CITES")
    found |= r.sources(sorted(r.sources(sorted(statutes), "ARTICLE_OF")), "CITES")
    # guiding cases' holdings: a case whose holding rule shares a topic or an article
    holders = r.sources(sorted(found), "HAS_PART", "HOLDING_RULE")
    return {c.iri for c in r.cards(found | holders).values() if c.kind == "Case"}


def similar(explorer: Any, *, case: str | None = None, node: str | None = None, facts: Facts | None = None,
            limit: int = 20, as_of: str | None = None, min_score: float = 2.0) -> SimilarReport:
    """Cases like ``case``, like the measure or rule ``node``, or like ``facts`` (exactly one)."""
    if sum(x is not None for x in (case, node, facts)) != 1:
        raise BadInput("give exactly one of: a case, a measure or rule, or a text describing the facts")
    if limit < 1:
        raise BadInput("limit must be at least 1")
    date = parse_as_of(as_of)
    r = Reader(explorer)
    if case is not None:
        card, kind, iri = r.need(case, "Case"), "case", case
    elif node is not None:
        card = r.need(node, "Measure", "Rule")
        kind, iri = card.kind.lower(), node
    else:
        if not (facts and facts.text.strip()):
            raise BadInput("the description of facts is empty")
        card, kind, iri = None, "facts", None
    q = _query_profile(r, kind, iri, facts)
    qnode = card.ref() if card is not None else NodeRef(QUERY_NODE, "Query", None, None)
    chains = _chains(r, q.article)
    families = {s: {c.iri for c in family(r, s)} for s in q.statute}
    cands = sorted(_candidates(r, q, chains) - ({iri} if iri else set()))
    cards = r.cards(cands)
    if date is not None:
        cands = [c for c in cands if cards[c].one("decided") is not None and on_or_before(cards[c].one("decided"), date)]
    profiles = _profiles(r, cands)
    scored = []
    for c in cands:
        reasons = _explain(r, q, qnode, kind, c, profiles[c], chains, families)
        score = sum(x.weight for x in reasons)
        if reasons and score >= min_score:
            scored.append((c, score, reasons))
    tiers = r.out([c for c, _, _ in scored], "AUTHORITY")
    tier_cards = r.cards({t for ts in tiers.values() for t in ts})
    court_rank = {c: min((_COURT_RANK.get(x.one("courtLevel"), 9) for x in r.cards(profiles[c].court).values()),
                         default=9) for c, _, _ in scored}

    def order(item: tuple[str, float, list[Reason]]) -> tuple:
        c, score, _ = item
        rank = cards[c].one("authorityRank")
        decided = cards[c].one("decided")
        return (rank if isinstance(rank, int) else _NO_TIER, -score, court_rank[c], decided is None,
                -_date_key(decided), c)

    scored.sort(key=order)
    total = len(scored)
    page = scored[:limit]
    summaries = {s.iri: s for s in explorer._case_summaries([c for c, _, _ in page])} if page else {}
    hits = []
    for c, score, reasons in page:
        ccard: _Card = cards[c]
        tier = next((tier_cards[t].ref() for t in tiers.get(c, ()) if t in tier_cards), None)
        rank = ccard.one("authorityRank")
        holding_zh, holding_en = _holding(r, ccard)
        shared: dict[str, NodeRef] = {}
        for reason in reasons:
            for n in reason.nodes:
                shared.setdefault(n.iri, n)
        hits.append(SimilarHit(summaries[c], tier, rank if isinstance(rank, int) else _NO_TIER, round(score, 2),
                               holding_zh, holding_en, tuple(reasons), tuple(shared.values())))
    features = r.refs(q.article | q.statute | q.rule | q.measure | q.concept | q.topic)
    query = SimilarQuery(kind, iri, card.label("zh") if card else None, card.label("en") if card else None,
                         facts.text if facts else None, date, features)
    return SimilarReport(query, tuple(hits), total)


def _holding(r: Reader, card: _Card) -> tuple[str | None, str | None]:
    """The case's holding: its record's, else its holding rules' texts (a guiding case's 裁判要点)."""
    zh, en = card.text("holding", "zh"), card.text("holding", "en")
    if zh or en:
        return zh, en
    rules = r.cards(r.out([card.iri], "HOLDING_RULE")[card.iri])
    ordered = sorted(rules.values(), key=lambda c: (c.one("number") or 0, c.iri))
    zh = "\n".join(t for c in ordered if (t := c.text("text", "zh"))) or None
    en = "\n".join(t for c in ordered if (t := c.text("text", "en"))) or None
    return zh, en
