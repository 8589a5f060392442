"""Emit RDF for ingested documents, add the curated records and the vocabulary, validate, store.

Why validate before replacing: the store swaps generations atomically, so a graph that fails
the SHACL shapes (or a document that fails to parse) must stop the run before
``GraphStore.replace`` is called — users keep the last good graph, never a half-written one.

``build_graph`` is pure (documents in, graph out); ``run_ingest`` does the I/O.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from ingest.clean import clean, decode, html_to_text
from ingest.collect import collect
from ingest.corpus import Corpus, CorpusError, load_corpus, with_records
from ingest.extract import (
    EXTRACTOR_VERSION,
    Vocabulary,
    extract_many,
    load_vocabulary,
    mentions_in,
    split_rules,
)
from ingest.link import LinkIndex, link, statute_mentions, topics_for
from ingest.models import IngestError, IngestReport, Judgment, Linked, Mention, PolicyDocument, Rule
from ingest.records import corpus_graph, court_places, unknown_statute_iri
from ingest.segment import segment
from kg.explorer.derive import derive
from kg.ns import IPRG, OA, PREFIXES, hashed, iri

if TYPE_CHECKING:
    from kg.store import GraphStore

MODALITY = {
    "obligation": IPRG.Obligation, "permission": IPRG.Permission, "prohibition": IPRG.Prohibition,
    "exploration": IPRG.Exploration, "encouragement": IPRG.Encouragement,
}


@dataclass(frozen=True)
class Ingested:
    """One parsed document with its mentions, links and rules (input of :func:`build_graph`)."""

    doc: PolicyDocument | Judgment
    mentions: tuple[Mention, ...]
    linked: tuple[Linked, ...]
    rules: tuple[Rule, ...]
    topics: dict[int, tuple[str, ...]]      # measure number → topics


# ----------------------------------------------------------------------------- analysis


def analyse(doc: PolicyDocument | Judgment, mentions: Sequence[Mention], index: LinkIndex,
            vocab: Vocabulary) -> Ingested:
    """Link mentions, split rules, assign topics: everything but RDF."""
    original = doc.clean.original
    date = doc.header.date if isinstance(doc, PolicyDocument) else doc.date
    mentions = tuple(mentions) + statute_mentions(original, mentions, index)
    if isinstance(doc, PolicyDocument):
        own = (doc.header.title, doc.header.doc_number,
               iri("policy", doc.header.doc_number)) if doc.header.doc_number else None
    else:
        own = (None, doc.case_number, iri("case", doc.case_number)) if doc.case_number else None
    linked = link(mentions, original, index, vocab, date=date, self_ref=own)
    rules: list[Rule] = []
    topics: dict[int, tuple[str, ...]] = {}
    if isinstance(doc, PolicyDocument):
        for m in doc.measures:
            inside = mentions_in(mentions, m.start, m.end)
            rs = split_rules(m, inside, doc.clean, lambda ms, text: topics_for(ms, text, vocab))
            rules.extend(rs)
            t = set(topics_for(inside, m.text, vocab))
            for r in rs:
                t.update(r.topics)
            topics[m.number] = tuple(sorted(t))
    return Ingested(doc, mentions, linked, tuple(rules), topics)


def parse_file(path: Path) -> PolicyDocument | Judgment:
    """Read, decode, clean and segment one file (errors name the file)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise IngestError(f"cannot read file: {e.strerror or e}", source=path) from None
    text = decode(data, path)
    if Path(path).suffix.lower() in {".html", ".htm"}:
        # Offsets then index the page's text content, which is what a reader sees.
        text = html_to_text(text)
    return segment(clean(text), str(path))


# ----------------------------------------------------------------------------- RDF


class _Builder:
    def __init__(self, run: URIRef):
        self.g = Graph()
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns)
        self.run = run

    def add(self, s, p, o) -> None:
        self.g.add((s, p, o))

    def zh(self, s: URIRef, p: URIRef, text: str | None) -> None:
        if text:
            self.add(s, p, Literal(text, lang="zh"))

    def extracted(self, node: URIRef, cls: URIRef) -> None:
        self.add(node, RDF.type, cls)
        self.add(node, PROV.wasGeneratedBy, self.run)

    def court(self, name: str, corpus: Corpus) -> URIRef:
        node = iri("court", name)
        if (node, RDF.type, IPRG.Court) not in self.g:
            self.extracted(node, IPRG.Court)
            self.zh(node, RDFS.label, name)
            for place in court_places(name, corpus.gazetteer)[-1:]:
                p = iri("place", place.name)
                self.add(node, IPRG.locatedIn, p)
                self.add(p, RDF.type, IPRG.Place)
                self.zh(p, RDFS.label, place.name)
        return node

    def new_node(self, ln: Linked, corpus: Corpus) -> None:
        if not ln.new:
            return
        if ln.node_kind == "statute":
            if (ln.iri, RDF.type, IPRG.Statute) not in self.g:
                self.extracted(ln.iri, IPRG.Statute)
                self.zh(ln.iri, IPRG.title, ln.label)
                self.zh(ln.iri, RDFS.label, ln.label)
        elif ln.node_kind == "article":
            if (ln.iri, RDF.type, IPRG.Article) not in self.g:
                self.extracted(ln.iri, IPRG.Article)
                self.add(ln.iri, IPRG.articleNumber, Literal(ln.number))
                self.zh(ln.iri, RDFS.label, ln.label)
                if ln.parent is not None:
                    self.add(ln.iri, IPRG.articleOf, ln.parent)
                    self.add(ln.parent, IPRG.hasPart, ln.iri)
                    title = (ln.label or "").rsplit(" 第", 1)[0]
                    if ln.parent == unknown_statute_iri(title) and (ln.parent, IPRG.title, None) not in self.g:
                        # a statute no record describes: typed and titled by the citation
                        self.extracted(ln.parent, IPRG.Statute)
                        self.zh(ln.parent, IPRG.title, title)
                        self.zh(ln.parent, RDFS.label, title)
        elif ln.node_kind == "court":
            self.court(ln.label or "", corpus)
        elif ln.node_kind in ("case", "policy"):
            # known only by its number: a labelled node, typed once a record or a parsed
            # judgment says more (a Case needs a court to be valid)
            self.add(ln.iri, PROV.wasGeneratedBy, self.run)
            self.zh(ln.iri, RDFS.label, ln.label)
            prop = IPRG.caseNumberUnverified if ln.node_kind == "case" else IPRG.docNumber
            self.add(ln.iri, prop, Literal(ln.label))

    def mention(self, ln: Linked, target: URIRef, source: URIRef) -> None:
        m = ln.mention
        node = hashed("mention", str(source), m.start, m.end, str(ln.iri))
        self.extracted(node, IPRG.Mention)
        self.add(node, OA.hasBody, ln.iri)
        self.add(node, OA.hasTarget, target)
        self.add(node, IPRG.sourceDocument, source)
        self.add(node, OA.start, Literal(m.start, datatype=XSD.integer))
        self.add(node, OA.end, Literal(m.end, datatype=XSD.integer))
        self.add(node, OA.exact, Literal(m.text))

    def links(self, node: URIRef, linked: Sequence[Linked]) -> None:
        for ln in linked:
            if ln.node_kind in ("statute", "article"):
                self.add(node, IPRG.cites, ln.iri)
            self.add(node, IPRG.mentions, ln.iri)


def _span_linked(linked: Sequence[Linked], start: int, end: int) -> list[Linked]:
    return [ln for ln in linked if start <= ln.mention.start and ln.mention.end <= end]


def _policy(b: _Builder, item: Ingested, corpus: Corpus) -> None:
    doc: PolicyDocument = item.doc  # type: ignore[assignment]
    h = doc.header
    if not h.doc_number:
        raise IngestError("policy document has no 文号 (document number) in its header", source=doc.name)
    if not h.title:
        raise IngestError("policy document has no title in its header", source=doc.name)
    dn = h.doc_number
    node = iri("policy", dn)
    b.extracted(node, IPRG.PolicyDocument)
    b.add(node, IPRG.docNumber, Literal(dn))
    b.add(node, DCTERMS.identifier, Literal(dn))
    b.zh(node, IPRG.title, h.title)
    b.zh(node, RDFS.label, h.title)
    if h.issuer:
        b.add(node, IPRG.issuer, b.court(h.issuer, corpus))
    if h.date and len(h.date) == 10:
        b.add(node, DCTERMS.issued, Literal(h.date, datatype=XSD.date))
    b.zh(node, IPRG.text, doc.original)
    b.add(node, IPRG.textLength, Literal(len(doc.original), datatype=XSD.integer))
    rules_by = {}
    for r in item.rules:
        rules_by.setdefault(r.measure, []).append(r)
    containers: list[tuple[int, int, URIRef]] = []

    def measure(m, parent: URIRef) -> None:
        mn = iri("measure", dn, m.number)
        b.extracted(mn, IPRG.Measure)
        b.add(parent, IPRG.hasPart, mn)
        b.add(mn, IPRG.number, Literal(m.number, datatype=XSD.integer))
        b.zh(mn, IPRG.title, m.title)
        b.zh(mn, RDFS.label, f"{m.number}. {m.title}")
        b.zh(mn, IPRG.text, m.text)
        for t in item.topics.get(m.number, ()):
            b.add(mn, IPRG.aboutTopic, iri("topic", t))
        b.links(mn, _span_linked(item.linked, m.start, m.end))
        containers.append((m.start, m.end, mn))
        for r in rules_by.get(m.number, []):
            rn = iri("rule", dn, m.number, r.k)
            b.extracted(rn, IPRG.Rule)
            b.add(mn, IPRG.hasPart, rn)
            b.add(rn, IPRG.number, Literal(r.k, datatype=XSD.integer))
            b.zh(rn, IPRG.text, r.text)
            b.zh(rn, RDFS.label, f"{m.number}.{r.k} {r.text[:40]}")
            b.add(rn, IPRG.modality, MODALITY[r.modality])
            for t in r.topics:
                b.add(rn, IPRG.aboutTopic, iri("topic", t))
            b.links(rn, _span_linked(item.linked, r.start, r.end))
            containers.append((r.start, r.end, rn))

    if doc.sections:
        for s in doc.sections:
            sn = iri("section", dn, s.number)
            b.extracted(sn, IPRG.Section)
            b.add(node, IPRG.hasPart, sn)
            b.add(sn, IPRG.number, Literal(s.number, datatype=XSD.integer))
            b.zh(sn, IPRG.title, s.title)
            b.zh(sn, RDFS.label, f"{s.label}{s.title}")
            b.zh(sn, IPRG.text, "\n".join([s.title, *(f"{m.label}{m.text}" for m in s.measures)]))
            for m in s.measures:
                measure(m, sn)
    else:
        for m in doc.measures:
            measure(m, node)
    for ln in item.linked:
        b.new_node(ln, corpus)
        # innermost container: rule inside measure inside document
        target = node
        best = None
        for s, e, c in containers:
            if s <= ln.mention.start and ln.mention.end <= e and (best is None or e - s < best):
                target, best = c, e - s
        b.mention(ln, target, node)
    cited = {ln.iri for ln in item.linked if ln.node_kind in ("statute", "article")}
    for c in sorted(cited):
        b.add(node, IPRG.cites, c)


def _judgment(b: _Builder, item: Ingested, corpus: Corpus, index: LinkIndex) -> None:
    j: Judgment = item.doc  # type: ignore[assignment]
    from ingest.link import norm_number

    number = j.case_number
    if not number:
        raise IngestError("judgment has no 案号", source=j.name)
    cid = index.cases.get(norm_number(number))
    node = iri("case", cid) if cid else iri("case", norm_number(number))
    if cid is None:
        if not j.court:
            raise IngestError("judgment names no court", source=j.name)
        b.extracted(node, IPRG.Case)
        b.add(node, IPRG.court, b.court(j.court, corpus))
        b.add(node, IPRG.caseNumber, Literal(norm_number(number)))
        b.add(node, IPRG.verified, Literal("no"))
        plaintiffs = [p.name for p in j.parties if p.role in ("原告", "上诉人", "再审申请人", "申请人")]
        defendants = [p.name for p in j.parties if p.role in ("被告", "被上诉人", "被申请人")]
        label = f"{'、'.join(plaintiffs) or '?'}诉{'、'.join(defendants) or '?'}{j.cause or ''}案"
        b.zh(node, RDFS.label, label)
        b.zh(node, IPRG.cause, j.cause)
        for p in plaintiffs:
            b.zh(node, IPRG.plaintiff, p)
        for d in defendants:
            b.zh(node, IPRG.defendant, d)
        if j.date:
            b.add(node, IPRG.decided, Literal(j.date))
        for o in j.outcome:
            b.zh(node, IPRG.outcome, o)
        for a in {a.value for a in j.amounts}:
            b.add(node, IPRG.amount, Literal(Decimal(a), datatype=XSD.decimal))
        courts = [ln.mention for ln in item.linked if ln.node_kind == "court"]
        for ref in j.case_numbers:
            other = norm_number(ref.text)
            if ref.role != "一审" or other == norm_number(number):
                continue
            if other in index.cases:
                b.add(node, IPRG.relatedCase, iri("case", index.cases[other]))
                continue
            # the lower court's judgment, named as "…法院（2023）…号": a Case of its own
            court = next((c for c in courts if 0 <= ref.start - c.end <= 2), None)
            if court is None:
                continue
            first = iri("case", other)
            b.extracted(first, IPRG.Case)
            b.add(first, IPRG.court, b.court(court.attrs["court"], corpus))
            b.add(first, IPRG.caseNumber, Literal(other))
            b.add(first, IPRG.verified, Literal("no"))
            b.zh(first, RDFS.label, other)
            b.add(node, IPRG.relatedCase, first)
            b.add(node, IPRG.appealOf, first)
    b.zh(node, IPRG.text, j.clean.original)
    b.add(node, IPRG.textLength, Literal(len(j.clean.original), datatype=XSD.integer))
    b.links(node, [ln for ln in item.linked if ln.iri != node])
    for ln in item.linked:
        if ln.iri == node:
            continue
        if ln.node_kind == "case" and ln.new:
            b.new_node(ln, corpus)
        elif ln.new:
            b.new_node(ln, corpus)
        b.mention(ln, node, node)


def build_graph(items: Sequence[Ingested], corpus: Corpus, *, started: datetime | None = None,
                index: LinkIndex | None = None, include_vocabulary: bool = True) -> Graph:
    """RDF for the ingested documents + the curated records + the ontology and vocabulary."""
    started = started or datetime.now(UTC)
    run = iri("ingestion", started.strftime("%Y%m%dT%H%M%S%fZ"))
    b = _Builder(run)
    b.add(run, RDF.type, IPRG.Ingestion)
    b.add(run, RDF.type, PROV.Activity)
    b.add(run, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime))
    b.add(run, IPRG.extractorVersion, Literal(EXTRACTOR_VERSION, datatype=XSD.string))
    b.zh(run, RDFS.label, f"导入 {started.isoformat(timespec='seconds')}")
    index = index or LinkIndex.from_corpus(corpus)
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item.doc, PolicyDocument):
            dn = item.doc.header.doc_number or ""
            if dn in seen:
                raise IngestError(f"文号 {dn} is also the number of {seen[dn]}", source=item.doc.name)
            seen[dn] = item.doc.name
            _policy(b, item, corpus)
        else:
            _judgment(b, item, corpus, index)
    g = b.g
    g += corpus_graph(corpus)
    if include_vocabulary:
        from ontology import path

        for name in ("iprg.ttl", "vocabulary.ttl"):
            p = path(name)
            if p.exists():
                g.parse(p, format="turtle")
    return g


def validate(g: Graph) -> None:
    """SHACL-validate against ``ontology/shapes.ttl`` (skipped if the file is absent)."""
    from ontology import path

    shapes = path("shapes.ttl")
    if not shapes.exists():
        return
    from pyshacl import validate as shacl

    sg = Graph().parse(shapes, format="turtle")
    conforms, report, _text = shacl(g, shacl_graph=sg, inference="none", advanced=True, allow_warnings=True)
    if conforms:
        return
    from rdflib.namespace import SH

    lines = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        if (r, SH.resultSeverity, SH.Violation) not in report:
            continue
        focus = report.value(r, SH.focusNode)
        msgs = [str(m) for m in report.objects(r, SH.resultMessage) if getattr(m, "language", None) in (None, "en")]
        lines.append(f"{focus}: {msgs[0] if msgs else report.value(r, SH.sourceShape)}")
    if not lines:
        return
    shown = "; ".join(sorted(lines)[:5])
    raise IngestError(f"graph fails SHACL validation ({len(lines)} violations): {shown}")


def ingest_documents(paths: Sequence[Path], corpus: Corpus, *, n_process: int = 1,
                     vocabulary: Vocabulary | None = None) -> list[Ingested]:
    """Parse, extract and link files (no graph, no store)."""
    docs = [parse_file(Path(p)) for p in paths]
    vocab = vocabulary or load_vocabulary()
    index = LinkIndex.from_corpus(corpus)
    all_mentions = extract_many([d.clean for d in docs], n_process=n_process)
    return [analyse(d, ms, index, vocab) for d, ms in zip(docs, all_mentions, strict=True)]


def run_ingest(paths: Sequence[Path] | None, store: GraphStore, *, n_process: int = 1,
               with_bundled: bool = False) -> IngestReport:
    """Ingest ``paths`` with the curated records, validate, and atomically replace the store's
    graph. Any failure raises IngestError before the store is touched.

    ``paths`` may mix files and folders of documents (.txt/.md/.html) and the user's own YAML
    case/statute records. None = the bundled corpus. Given documents replace the bundled policy
    texts unless ``with_bundled``; records alone are added to the bundled corpus.
    """
    t0 = time.perf_counter()
    started = datetime.now(UTC)
    try:
        corpus = load_corpus()
        bundled = [p.path for p in corpus.policies]
        if paths is None:
            documents = bundled
        else:
            inputs = collect(list(paths))
            corpus = with_records(corpus, inputs.case_files, inputs.statute_files)
            documents = list(inputs.documents)
            if with_bundled or not documents:
                documents = bundled + [d for d in documents if d not in bundled]
    except CorpusError as e:
        raise IngestError(f"corpus: {e}") from None
    paths = documents
    if not paths:
        raise IngestError("nothing to ingest: no input files")
    items = ingest_documents(list(paths), corpus, n_process=n_process)
    g = build_graph(items, corpus, started=started)
    validate(g)
    store.replace(g, derive=derive)   # with what the explorer precomputes per generation
    policies = [i for i in items if isinstance(i.doc, PolicyDocument)]
    return IngestReport(
        documents=tuple(i.doc.name for i in items),
        measures=sum(len(i.doc.measures) for i in policies),
        rules=sum(len(i.rules) for i in items),
        mentions=sum(len(i.linked) for i in items),
        new_nodes=len({ln.iri for i in items for ln in i.linked if ln.new}),
        triples=len(g),
        seconds=time.perf_counter() - t0,
        validated=True,
    )
