"""Emit RDF for analysed documents: policy documents, statutes, case reports and judgments.

Why a set of triples rather than ``Graph.add``: rdflib's in-memory store costs ~30 µs a triple
(measured in bench/ingest.py), which made link + RDF the slowest stage; triples are collected in
a set (duplicates across documents cost one hash) and handed to rdflib once. Literals and IRIs
that recur (numbers, labels, languages) are built once.

Every node the pipeline extracts carries ``prov:wasGeneratedBy`` the run; every mention is a
W3C Web Annotation with offsets into the ORIGINAL text of its source document.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePath

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from ingest.corpus import Corpus, article_label
from ingest.emit_records import (
    CASE_TIERS,
    NORM_TIERS,
    TIER_IRI,
    authority_of_case,
    court_facts,
    norm_tier,
)
from ingest.iris import article_iri, instance_iri, provision_iri, statute_slug
from ingest.lang import load
from ingest.link import LinkIndex, Own, Version
from ingest.models import (
    CaseReport,
    IngestError,
    Judgment,
    Linked,
    Mention,
    Party,
    PolicyDocument,
    Rule,
    StatuteText,
)
from kg.ns import IPRG, OA, PREFIXES, hashed, iri, normalise_identifier

# Terms of the hot paths, looked up once (rdflib's Namespace.__getattr__ builds a URIRef per access).
TYPE, GENERATED = RDF.type, PROV.wasGeneratedBy
MENTION, HAS_BODY, HAS_TARGET, SOURCE_DOC = IPRG.Mention, OA.hasBody, OA.hasTarget, IPRG.sourceDocument
START, END, EXACT, CITES, MENTIONS = OA.start, OA.end, OA.exact, IPRG.cites, IPRG.mentions
HAS_PART, NUMBER, TEXT, LABEL = IPRG.hasPart, IPRG.number, IPRG.text, RDFS.label
PARAGRAPH, ITEM = IPRG.Paragraph, IPRG.Item

MODALITY = {
    "obligation": IPRG.Obligation, "permission": IPRG.Permission, "prohibition": IPRG.Prohibition,
    "exploration": IPRG.Exploration, "encouragement": IPRG.Encouragement,
}


@dataclass(frozen=True)
class Analysed:
    """One document with its mentions, citations, links and rules (input of the emitter)."""

    doc: PolicyDocument | Judgment | StatuteText | CaseReport
    mentions: tuple[Mention, ...]
    linked: tuple[Linked, ...]
    rules: tuple[Rule, ...]
    topics: dict[int | str, tuple[str, ...]]   # measure number / article number / "case" → topics
    own: Own | None


# Literals are kept as plain tuples ("L", lexical form, language, datatype) until the graph is
# made: a tuple of strings hashes in C, an rdflib Literal in Python on every set insertion
# (Literal.__hash__ was the largest single cost of emission, measured with cProfile).
_XSD_INTEGER, _XSD_DATE, _XSD_DECIMAL = str(XSD.integer), str(XSD.date), str(XSD.decimal)


@lru_cache(maxsize=65536)
def _zh(text: str) -> tuple:
    return ("L", text, "zh", None)


@lru_cache(maxsize=65536)
def _int(n: int) -> tuple:
    return ("L", str(n), None, _XSD_INTEGER)


@lru_cache(maxsize=8192)
def _plain(text: str) -> tuple:
    return ("L", text, None, None)


@lru_cache(maxsize=4096)
def _date(text: str) -> tuple:
    return ("L", text, None, _XSD_DATE)


def _decimal(value) -> tuple:
    return ("L", str(Decimal(value)), None, _XSD_DECIMAL)


@lru_cache(maxsize=262144)
def _uri(text: str) -> URIRef:
    return URIRef(text)


@lru_cache(maxsize=262144)
def _literal(value: str, lang: str | None, datatype: str | None) -> Literal:
    return Literal(value, lang=lang, datatype=URIRef(datatype) if datatype else None)


def _term(o):
    return _literal(o[1], o[2], o[3]) if isinstance(o, tuple) else o


class Sink:
    """A set of triples with the helpers the emitters share."""

    def __init__(self, run: URIRef, corpus: Corpus):
        self.t: set[tuple] = set()
        self.run = run
        self.corpus = corpus
        self.record_numbers = {iri("case", c.id): (*c.case_numbers, *c.case_numbers_unverified) for c in corpus.cases}

    def add(self, s, p, o) -> None:
        self.t.add((s, p, o))

    def __contains__(self, triple) -> bool:
        return triple in self.t

    def zh(self, s: URIRef, p: URIRef, text: str | None) -> None:
        if text:
            self.t.add((s, p, _zh(text)))

    def extracted(self, node: URIRef, cls: URIRef) -> None:
        self.t.add((node, TYPE, cls))
        self.t.add((node, GENERATED, self.run))

    def court(self, name: str) -> URIRef:
        node = iri("court", name)
        if (node, RDF.type, IPRG.Court) in self.t:
            return node
        self.extracted(node, IPRG.Court)
        self.zh(node, RDFS.label, name)
        facts = court_facts(name, self.corpus.gazetteer)
        if facts.level:
            self.add(node, IPRG.courtLevel, _plain(facts.level))
        if facts.parent:
            self.add(node, IPRG.parentCourt, self.court(facts.parent))
        if facts.place:
            p = iri("place", facts.place.name)
            self.add(node, IPRG.locatedIn, p)
            self.add(p, RDF.type, IPRG.Place)
            self.zh(p, RDFS.label, facts.place.name)
        return node

    def issuer(self, name: str) -> URIRef:
        if name.endswith(("法院", "法庭")):
            return self.court(name)
        node = iri("org", name)
        if (node, RDF.type, IPRG.Organisation) not in self.t:
            self.extracted(node, IPRG.Organisation)
            self.zh(node, RDFS.label, name)
        return node

    def mention(self, ln: Linked, target: URIRef, source: URIRef) -> None:
        m = ln.mention
        node = hashed("mention", str(source), m.start, m.end, str(ln.iri))
        t = self.t
        t.add((node, TYPE, MENTION))
        t.add((node, GENERATED, self.run))
        t.add((node, HAS_BODY, ln.iri))
        t.add((node, HAS_TARGET, target))
        t.add((node, SOURCE_DOC, source))
        t.add((node, START, _int(m.start)))
        t.add((node, END, _int(m.end)))
        t.add((node, EXACT, _plain(m.text)))

    def links(self, node: URIRef, linked: Iterable[Linked]) -> None:
        t = self.t
        for ln in linked:
            if ln.node_kind in ("statute", "article"):
                t.add((node, CITES, ln.iri))
            t.add((node, MENTIONS, ln.iri))

    def new_node(self, ln: Linked) -> None:
        """Nodes a mention names that no record or text describes (typed where valid)."""
        if not ln.new:
            return
        if ln.node_kind == "court":
            self.court(ln.label or "")
        elif ln.node_kind == "article":
            if (ln.iri, RDF.type, IPRG.Article) not in self.t:
                self.extracted(ln.iri, IPRG.Article)
                self.add(ln.iri, IPRG.articleNumber, _plain(ln.number or ""))
                self.add(ln.iri, IPRG.articleLabel, _zh(article_label(ln.number or "1")))
                self.zh(ln.iri, RDFS.label, ln.label)
                if ln.parent is not None:
                    self.add(ln.iri, IPRG.articleOf, ln.parent)
                    self.add(ln.parent, IPRG.hasPart, ln.iri)
        elif ln.node_kind in ("case", "policy"):
            # known only by its number: labelled, typed once a record or a text says more
            self.add(ln.iri, PROV.wasGeneratedBy, self.run)
            self.zh(ln.iri, RDFS.label, ln.label)
            prop = IPRG.caseNumberUnverified if ln.node_kind == "case" else IPRG.docNumber
            self.add(ln.iri, prop, _plain(ln.label or ""))

    def text(self, node: URIRef, original: str) -> None:
        self.zh(node, IPRG.text, original)
        self.add(node, IPRG.textLength, _int(len(original)))

    def authority(self, node: URIRef, tier: str) -> None:
        self.add(node, IPRG.authority, TIER_IRI[tier])
        self.add(node, IPRG.authorityRank, _int({**CASE_TIERS, **NORM_TIERS}[tier]))

    def mentions_in(self, item: Analysed, containers: Sequence[tuple[int, int, URIRef]], source: URIRef) -> None:
        """Every linked mention, attached to the innermost container that holds it."""
        for ln in item.linked:
            self.new_node(ln)
            target, best = source, None
            for s, e, c in containers:
                if s <= ln.mention.start and ln.mention.end <= e and (best is None or e - s < best):
                    target, best = c, e - s
            self.mention(ln, target, source)

    def export(self) -> list[tuple]:
        """The triples as plain strings, cheap to send between processes (IRIs are rebuilt by
        :meth:`absorb`, literals stay tuples until :meth:`graph`)."""
        return [(str(s), str(p), o if isinstance(o, tuple) else str(o)) for s, p, o in self.t]

    def absorb(self, exported: Iterable[tuple]) -> None:
        """Add triples exported by another process's sink."""
        t = self.t
        for s, p, o in exported:
            t.add((_uri(s), _uri(p), o if isinstance(o, tuple) else _uri(o)))

    def graph(self) -> Graph:
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        g.addN((s, p, _term(o), g) for s, p, o in self.t)
        return g


def _inside(linked: Sequence[Linked], start: int, end: int) -> list[Linked]:
    return [ln for ln in linked if start <= ln.mention.start and ln.mention.end <= end]


class _Spans:
    """Links ordered by where they start, so that those inside a span are found by bisection
    (a statute has hundreds of articles and of mentions: filtering all per article was
    quadratic)."""

    def __init__(self, linked: Sequence[Linked]):
        self.items = sorted(linked, key=lambda ln: ln.mention.start)
        self.starts = [ln.mention.start for ln in self.items]

    def inside(self, start: int, end: int) -> list[Linked]:
        lo, hi = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return [ln for ln in self.items[lo:hi] if ln.mention.end <= end]


# ---------------------------------------------------------------------------- policy


def policy_iri(doc: PolicyDocument) -> URIRef:
    """A policy document's node: by its 文号, or by its title when it prints none."""
    return iri("policy", doc.header.doc_number or doc.header.title or doc.name)


def _numbered(b: Sink, node: URIRef, cls: URIRef, parent: URIRef, number: int, title: str, label: str,
              text: str) -> URIRef:
    """A numbered part of a policy document (section, measure) under its parent."""
    b.extracted(node, cls)
    b.add(parent, HAS_PART, node)
    b.add(node, NUMBER, _int(number))
    b.zh(node, IPRG.title, title)
    b.zh(node, RDFS.label, label)
    b.zh(node, TEXT, text)
    return node


def emit_policy(b: Sink, item: Analysed) -> None:
    doc: PolicyDocument = item.doc  # type: ignore[assignment]
    h = doc.header
    key = h.doc_number or h.title
    node = policy_iri(doc)
    b.extracted(node, IPRG.PolicyDocument)
    if h.doc_number:
        b.add(node, IPRG.docNumber, _plain(h.doc_number))
        b.add(node, DCTERMS.identifier, _plain(h.doc_number))
    title = h.title or PurePath(doc.name).stem     # a header without a title: its file's name
    b.zh(node, IPRG.title, title)
    b.zh(node, RDFS.label, title)
    if h.issuer:
        b.add(node, IPRG.issuer, b.court(h.issuer) if h.issuer.endswith(("法院", "法庭")) else b.issuer(h.issuer))
    if h.date and len(h.date) == 10:
        b.add(node, DCTERMS.issued, _date(h.date))
    b.authority(node, "policy_document")
    b.text(node, doc.original)
    rules_by: dict[int, list[Rule]] = {}
    for r in item.rules:
        rules_by.setdefault(r.measure, []).append(r)
    containers: list[tuple[int, int, URIRef]] = []

    def measure(m, parent: URIRef) -> None:
        mn = _numbered(b, iri("measure", key, m.number), IPRG.Measure, parent, m.number, m.title,
                       f"{m.number}. {m.title}", m.text)
        for t in item.topics.get(m.number, ()):
            b.add(mn, IPRG.aboutTopic, iri("topic", t))
        b.links(mn, _inside(item.linked, m.start, m.end))
        containers.append((m.start, m.end, mn))
        for r in rules_by.get(m.number, []):
            rn = iri("rule", key, m.number, r.k)
            b.extracted(rn, IPRG.Rule)
            b.add(mn, IPRG.hasPart, rn)
            b.add(rn, IPRG.number, _int(r.k))
            b.zh(rn, IPRG.text, r.text)
            b.zh(rn, RDFS.label, f"{m.number}.{r.k} {r.text[:40]}")
            b.add(rn, IPRG.modality, MODALITY[r.modality])
            b.authority(rn, "policy_document")
            for t in r.topics:
                b.add(rn, IPRG.aboutTopic, iri("topic", t))
            b.links(rn, _inside(item.linked, r.start, r.end))
            containers.append((r.start, r.end, rn))

    if doc.sections:
        for s in doc.sections:
            sn = _numbered(b, iri("section", key, s.number), IPRG.Section, node, s.number, s.title,
                           f"{s.label}{s.title}", "\n".join([s.title, *(f"{m.label}{m.text}" for m in s.measures)]))
            for m in s.measures:
                measure(m, sn)
    else:
        for m in doc.measures:
            measure(m, node)
    b.mentions_in(item, containers, node)
    for c in sorted({ln.iri for ln in item.linked if ln.node_kind in ("statute", "article")}):
        b.add(node, IPRG.cites, c)


# ---------------------------------------------------------------------------- statutes


def emit_statute(b: Sink, item: Analysed, version: Version, index: LinkIndex) -> None:
    """One version of a statute from its text: merged with the curated record of that version
    when there is one (the record keeps its title and labels), else described from the text."""
    doc: StatuteText = item.doc  # type: ignore[assignment]
    node = version.iri
    if version.record is None:
        b.extracted(node, IPRG.Statute)
        b.zh(node, IPRG.title, doc.title)
        b.zh(node, RDFS.label, version.label)
        b.add(node, IPRG.statuteKind, _plain(doc.kind))
        b.add(node, IPRG.status, _plain("unknown"))
        b.add(node, IPRG.verified, _plain("no"))
        if doc.issuer:
            b.add(node, IPRG.issuer, b.issuer(doc.issuer))
        if doc.doc_number:
            b.add(node, IPRG.docNumber, _plain(doc.doc_number))
        adopted = version.adopted or doc.version_date
        if adopted:
            b.add(node, IPRG.adopted, _date(adopted))
        effective = version.effective or doc.effective
        if effective:
            b.add(node, IPRG.effective, _date(effective))
        b.authority(node, norm_tier(doc.kind))
    else:
        b.add(node, PROV.wasGeneratedBy, b.run)
    b.text(node, doc.original)
    short = version.record.short_title.zh if version.record else version.label
    containers: list[tuple[int, int, URIRef]] = []
    spans = _Spans(item.linked)
    for part in doc.parts:
        pn = iri("provision", statute_slug(node), "part", part.label)
        b.extracted(pn, IPRG.Division)
        b.add(pn, IPRG.divisionOf, node)
        b.zh(pn, RDFS.label, f"{part.label} {part.title}".strip())
        b.zh(pn, IPRG.title, part.title or part.label)
        b.add(pn, IPRG.number, _int(part.number))
    for a in doc.articles:
        an = article_iri(node, a.number)
        b.extracted(an, IPRG.Article)
        b.add(node, IPRG.hasPart, an)
        b.add(an, IPRG.articleOf, node)
        b.add(an, IPRG.articleNumber, _plain(a.number))
        if version.record is None or version.record.article(a.number) is None:
            b.add(an, IPRG.articleLabel, _zh(article_label(a.number)))
            b.zh(an, RDFS.label, short + article_label(a.number))
        b.zh(an, IPRG.text, a.text)
        if a.part:
            b.add(an, IPRG.inDivision, iri("provision", statute_slug(node), "part", a.part))
        for t in item.topics.get(a.number, ()):
            b.add(an, IPRG.aboutTopic, iri("topic", t))
        containers.append((a.start, a.end, an))
        b.links(an, [ln for ln in spans.inside(a.start, a.end) if ln.iri != an])
        for p in a.paragraphs:
            pn = provision_iri(node, a.number, p.number)
            b.extracted(pn, PARAGRAPH)
            b.add(an, HAS_PART, pn)
            b.add(pn, NUMBER, _int(p.number))
            b.zh(pn, TEXT, p.text)
            for it in p.items:
                itn = provision_iri(node, a.number, p.number, it.number)
                b.extracted(itn, ITEM)
                b.add(pn, HAS_PART, itn)
                b.add(itn, NUMBER, _int(it.number))
                b.zh(itn, TEXT, it.text)
    if doc.body:
        b.zh(node, IPRG.gist, doc.body[:500])
    b.mentions_in(item, containers, node)
    for c in sorted({ln.iri for ln in item.linked if ln.node_kind in ("statute", "article") and ln.iri != node}):
        if not str(c).startswith(str(article_iri(node, "x"))[:-1]):
            b.add(node, IPRG.cites, c)


def emit_versions(b: Sink, index: LinkIndex, used: set[URIRef]) -> None:
    """Versions minted by citations (no record, no text): typed and dated; and the
    dcterms:replaces chain between the versions of a family that the graph holds."""
    for fam in index.families.values():
        present = [v for v in fam.versions if v.iri in used or v.record is not None or v.iri in index.texts]
        for v in present:
            if v.record is None and v.iri not in index.texts:
                b.extracted(v.iri, IPRG.Statute)
                b.zh(v.iri, IPRG.title, fam.title)
                b.zh(v.iri, RDFS.label, v.label)
                if fam.kind:
                    b.add(v.iri, IPRG.statuteKind, _plain(fam.kind))
                    b.authority(v.iri, norm_tier(fam.kind))
                if fam.issuer:
                    b.add(v.iri, IPRG.issuer, b.issuer(fam.issuer))
                if v.adopted:
                    b.add(v.iri, IPRG.adopted, _date(v.adopted))
                if v.effective:
                    b.add(v.iri, IPRG.effective, _date(v.effective))
        dated = sorted((v for v in present if v.effective or v.adopted), key=lambda v: v.effective or v.adopted or "")
        for older, newer in zip(dated, dated[1:], strict=False):
            if older.iri != newer.iri and (older.record is None or newer.record is None):
                b.add(newer.iri, DCTERMS.replaces, older.iri)
                b.add(older.iri, DCTERMS.isReplacedBy, newer.iri)


# ---------------------------------------------------------------------------- cases


def _side(party: Party) -> str:
    """plaintiff / defendant / other: the side a party stood on when the case began.

    Why the annotation first: ``上诉人（原审被告）`` appeals but was sued, and a case is named
    原告诉被告 after the first instance, so the printed first-instance role decides; without
    one, the role itself (lang/words.yaml, longest first) does."""
    sides = load("words")["party_sides"]
    note = (party.annotation or "").strip()
    for role, side in sides.items():
        if note.startswith(role) and side != "other":
            return side
    return sides.get(party.role, "other")


def _case_core(b: Sink, node: URIRef, doc: CaseReport | Judgment, merged: bool) -> None:
    """What a case text says about its case: instances, courts, cause, parties, text."""
    b.add(node, PROV.wasGeneratedBy, b.run)
    if not merged:
        b.add(node, RDF.type, IPRG.Case)
        b.add(node, IPRG.verified, _plain("no"))
    for inst in doc.instances:
        inn = instance_iri(inst.case_number)
        b.extracted(inn, IPRG.Instance)
        b.add(node, IPRG.hasInstance, inn)
        b.add(inn, IPRG.caseNumber, _plain(inst.case_number))
        b.add(inn, IPRG.stage, _plain(inst.stage))
        b.zh(inn, RDFS.label, inst.case_number)
        if not _has_number(b, node, inst.case_number):
            b.add(node, IPRG.caseNumber, _plain(inst.case_number))
        if inst.court:
            court = b.court(inst.court)
            b.add(inn, IPRG.court, court)
            b.add(node, IPRG.court, court)
        if inst.date and len(inst.date) >= 4:
            b.add(inn, IPRG.decided, _plain(inst.date))
        if inst.doc_type:
            b.zh(inn, IPRG.docType, inst.doc_type)
    if not any(i.court for i in doc.instances) and not merged:
        named = list(getattr(doc, "courts", ())) or ([doc.court] if getattr(doc, "court", None) else [])
        named = named or ([doc.issuer] if getattr(doc, "issuer", None) else [])
        if not named:
            raise IngestError("case names no court (no instance with a court, no court in its text)", source=doc.name)
        for c in named[:3]:
            b.add(node, IPRG.court, b.court(c))
    b.zh(node, IPRG.cause, doc.cause)
    for p in doc.parties:
        prop = {"plaintiff": IPRG.plaintiff, "defendant": IPRG.defendant}.get(_side(p), IPRG.party)
        b.zh(node, prop, p.name)
    b.text(node, doc.original)


def _has_number(b: Sink, node: URIRef, number: str) -> bool:
    """A curated record may write the same 案号 with other brackets: keep one spelling."""
    key = normalise_identifier(number)
    return any(normalise_identifier(n) == key for n in b.record_numbers.get(node, ()))


def emit_case(b: Sink, item: Analysed, node: URIRef, merged: bool) -> None:
    doc: CaseReport = item.doc  # type: ignore[assignment]
    _case_core(b, node, doc, merged)
    if not merged:
        b.zh(node, RDFS.label, doc.title)
    if doc.label:
        b.zh(node, IPRG.honour, doc.label)
    tier = {"guiding": "guiding_case", "typical": "typical_case", "reference": "reference_case"}.get(doc.series or "", "other_case")
    if doc.series is None:
        tier = authority_of_case([doc.title], doc.courts)
    b.authority(node, tier)
    if doc.date:
        b.add(node, IPRG.released, _date(doc.date) if len(doc.date) == 10 else _plain(doc.date))
    dates = [i.date for i in doc.instances if i.date]
    if dates and not merged:
        b.add(node, IPRG.decided, _plain(max(dates)))
    if doc.issuer:
        b.add(node, IPRG.issuer, b.court(doc.issuer))
    for kw in doc.keywords:
        b.zh(node, IPRG.keyword, kw)
    for t in item.topics.get("case", ()):
        b.add(node, IPRG.aboutTopic, iri("topic", t))
    containers: list[tuple[int, int, URIRef]] = []
    laws = doc.section("相关法条")
    law_links = [ln for ln in item.linked if ln.node_kind == "article"
                 and laws is not None and laws.start <= ln.mention.start and ln.mention.end <= laws.end]
    for r in item.rules:
        rn = iri("rule", statute_slug(node), "holding", r.k)
        b.extracted(rn, IPRG.Rule)
        b.add(node, IPRG.hasPart, rn)
        b.add(node, IPRG.holdingRule, rn)
        b.add(rn, IPRG.number, _int(r.k))
        b.zh(rn, IPRG.text, r.text)
        b.zh(rn, RDFS.label, f"{doc.label or doc.title[:20]} {r.k}. {r.text[:40]}")
        b.add(rn, IPRG.modality, MODALITY[r.modality])
        b.authority(rn, tier)
        for t in r.topics:
            b.add(rn, IPRG.aboutTopic, iri("topic", t))
        for ln in law_links:
            b.add(rn, IPRG.cites, ln.iri)
        b.links(rn, _inside(item.linked, r.start, r.end))
        containers.append((r.start, r.end, rn))
    b.links(node, [ln for ln in item.linked if ln.iri != node])
    b.mentions_in(item, containers, node)


def emit_judgment(b: Sink, item: Analysed, node: URIRef, merged: bool) -> None:
    j: Judgment = item.doc  # type: ignore[assignment]
    _case_core(b, node, j, merged)
    if not merged:
        plaintiffs = [p.name for p in j.parties if _side(p) == "plaintiff"]
        defendants = [p.name for p in j.parties if _side(p) == "defendant"]
        label = f"{'、'.join(plaintiffs) or j.case_number}{'诉' + '、'.join(defendants) if defendants else ''}{j.cause or ''}"
        b.zh(node, RDFS.label, label)
        if j.date:
            b.add(node, IPRG.decided, _plain(j.date))
        b.authority(node, "other_case")
    for o in j.outcome:
        b.zh(node, IPRG.outcome, o)
    for a in {a.value for a in j.amounts}:
        b.add(node, IPRG.amount, _decimal(a))
    for t in item.topics.get("case", ()):
        b.add(node, IPRG.aboutTopic, iri("topic", t))
    b.links(node, [ln for ln in item.linked if ln.iri != node])
    b.mentions_in(item, [], node)
