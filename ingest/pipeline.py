"""The ingest pipeline: files → rdflib.Graph. It never opens the store.

``build_graph(paths, corpus)`` is the whole pipeline (ARCHITECTURE P3): read, decode, clean and
segment each file by its genre; find mentions and citations (these per-document steps run in
worker processes when ``n_process`` > 1); learn what the run holds (the statute versions its
texts are, the cases its 案号 name); link every mention and citation; emit RDF for the
documents, the curated records and the ontology. Callers validate the graph and replace the
store (``kg.rebuild``); a failure anywhere raises :class:`IngestError` before they do.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import yaml
from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF, RDFS, XSD

from ingest.align import align
from ingest.cite import find_citations
from ingest.clean import clean, decode, html_to_text
from ingest.corpus import Corpus
from ingest.emit import (
    Analysed,
    Sink,
    emit_case,
    emit_judgment,
    emit_policy,
    emit_statute,
    emit_versions,
    policy_iri,
)
from ingest.emit_records import CASE_TIERS, NORM_TIERS, TIER_IRI, corpus_graph
from ingest.extract import (
    EXTRACTOR_VERSION,
    Vocabulary,
    extract,
    load_vocabulary,
    mentions_in,
    modality,
    split_rules,
)
from ingest.iris import article_iri
from ingest.link import LinkIndex, Own, Version, link, norm_number, topics_for
from ingest.models import (
    CaseReport,
    Citation,
    Header,
    IngestError,
    IngestReport,
    Judgment,
    Mention,
    PolicyDocument,
    Rule,
    StatuteText,
)
from ingest.segment import Document, segment
from kg.ns import IPRG, hashed, iri

_TIER_RANK = {TIER_IRI[t]: r for t, r in {**CASE_TIERS, **NORM_TIERS}.items()}

#: Keys a ``NAME.meta.yaml`` sidecar may give (supply or correct what the text lacks).
META_KEYS = ("genre", "doc_number", "issuer", "date", "title", "effective", "kind")
#: Provenance keys a sidecar may also hold (the bundled corpus records where a text came from).
META_NOTES = ("source", "licence", "note")


@dataclass(frozen=True)
class Parsed:
    """One document after the per-document steps (segment, extract, cite)."""

    doc: Document
    mentions: tuple[Mention, ...]
    citations: tuple[Citation, ...]


# ----------------------------------------------------------------------------- reading


def read_meta(path: Path) -> dict:
    """The ``NAME.meta.yaml`` beside ``NAME.txt`` (empty when there is none)."""
    meta_path = path.with_name(path.stem + ".meta.yaml")
    if not meta_path.is_file():
        return {}
    try:
        data = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise IngestError(f"cannot read sidecar: {e}", source=meta_path) from None
    if not isinstance(data, dict):
        raise IngestError("sidecar must be a mapping of " + ", ".join(META_KEYS), source=meta_path)
    unknown = sorted(set(data) - set(META_KEYS) - set(META_NOTES))
    if unknown:
        raise IngestError(f"unknown sidecar field(s) {unknown}; expected {', '.join(META_KEYS)}", source=meta_path)
    return {k: str(v) for k, v in data.items() if v is not None and k in META_KEYS}


def apply_meta(doc: Document, meta: dict) -> Document:
    """Let a sidecar supply or override 文号, issuer, dates, title and kind."""
    if not meta:
        return doc
    if isinstance(doc, PolicyDocument):
        h = doc.header
        header = Header(meta.get("issuer", h.issuer), meta.get("doc_number", h.doc_number),
                        meta.get("date", h.date), meta.get("title", h.title), h.addressees)
        return replace(doc, header=header)
    if isinstance(doc, StatuteText):
        return replace(doc, title=meta.get("title", doc.title), issuer=meta.get("issuer", doc.issuer),
                       doc_number=meta.get("doc_number", doc.doc_number), kind=meta.get("kind", doc.kind),
                       version_date=meta.get("date", doc.version_date), effective=meta.get("effective", doc.effective))
    if isinstance(doc, CaseReport):
        return replace(doc, title=meta.get("title", doc.title), date=meta.get("date", doc.date),
                       issuer=meta.get("issuer", doc.issuer))
    return replace(doc, date=meta.get("date", doc.date))


def parse_file(path: Path) -> Document:
    """Read, decode, clean and segment one file (errors name the file)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(f"cannot read file: {e.strerror or e}", source=path) from None
    meta = read_meta(path)
    text = decode(data, path)
    if path.suffix.lower() in {".html", ".htm"}:
        # Offsets then index the page's text content, which is what a reader sees.
        text = html_to_text(text)
    doc = segment(clean(text), str(path), expect=meta.get("genre"))  # type: ignore[arg-type]
    return apply_meta(doc, meta)


def analyse_file(path: Path, short_names: Sequence[str] = ()) -> Parsed:
    """The per-document steps: parse, find mentions, find citations."""
    doc = parse_file(path)
    return Parsed(doc, extract(doc.clean), find_citations(doc.clean, short_names))


# ----------------------------------------------------------------------------- analysis


def doc_date(doc: Document) -> str | None:
    """The date a document's citations speak from."""
    if isinstance(doc, PolicyDocument):
        return doc.header.date
    return doc.date


def _holdings(doc: CaseReport, mentions: Sequence[Mention], vocab: Vocabulary) -> tuple[Rule, ...]:
    out = []
    for h in doc.holdings:
        inside = mentions_in(mentions, h.start, h.end)
        mod, cue = modality(h.text, [(m.start - h.start, m.end - h.start) for m in inside if m.kind == "concept"])
        out.append(Rule(0, h.number, h.text, h.start, h.end, mod, cue, topics_for(inside, h.text, vocab), inside))
    return tuple(out)


def analyse(parsed: Parsed, index: LinkIndex, vocab: Vocabulary, own: Own | None) -> Analysed:
    """Link mentions and citations, split rules, assign topics: everything but RDF."""
    doc = parsed.doc
    mentions = parsed.mentions
    linked = link(mentions, doc.clean.original, index, vocab, date=doc_date(doc), own=own,
                  citations=parsed.citations)
    rules: list[Rule] = []
    topics: dict = {}
    if isinstance(doc, PolicyDocument):
        for m in doc.measures:
            inside = mentions_in(mentions, m.start, m.end)
            rs = split_rules(m, inside, doc.clean, lambda ms, text: topics_for(ms, text, vocab))
            rules.extend(rs)
            t = set(topics_for(inside, m.text, vocab))
            for r in rs:
                t.update(r.topics)
            topics[m.number] = tuple(sorted(t))
    elif isinstance(doc, StatuteText):
        for a in doc.articles:
            topics[a.number] = topics_for(mentions_in(mentions, a.start, a.end), a.text, vocab)
    elif isinstance(doc, CaseReport):
        rules.extend(_holdings(doc, mentions, vocab))
        focus = [s for s in doc.sections if s.name in ("关键词", "裁判要点")]
        t: set[str] = set()
        for s in focus:
            t.update(topics_for(mentions_in(mentions, s.start, s.end), s.text, vocab))
        topics["case"] = tuple(sorted(t))
    else:
        topics["case"] = topics_for(mentions, doc.reasoning or "", vocab)
    return Analysed(doc, mentions, linked, tuple(rules), topics, own)


# ----------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Built:
    """A built graph and what went into it (for the caller's report)."""

    graph: Graph
    items: tuple[Analysed, ...]
    correspondences: int
    index: LinkIndex


_WORKER_NAMES: tuple[str, ...] = ()


def _init_worker(names: tuple[str, ...]) -> None:
    global _WORKER_NAMES
    _WORKER_NAMES = names


def _work(path: str) -> Parsed | IngestError:
    try:
        return analyse_file(Path(path), _WORKER_NAMES)
    except IngestError as e:
        return e


def parse_all(paths: Sequence[Path], index: LinkIndex, n_process: int = 1) -> list[Parsed]:
    """The per-document steps for every file, in ``n_process`` worker processes (fork)."""
    names = index.short_names
    from ingest.extract import pipeline

    pipeline()                       # load the vocabulary once, before any fork
    if n_process <= 1 or len(paths) < 2:
        return [analyse_file(Path(p), names) for p in paths]
    ctx = mp.get_context("fork")
    with ctx.Pool(n_process, initializer=_init_worker, initargs=(names,)) as pool:
        out = pool.map(_work, [str(p) for p in paths], chunksize=max(1, len(paths) // (n_process * 8)))
    for r in out:
        if isinstance(r, IngestError):
            raise r
    return out  # type: ignore[return-value]


def _own(parsed: Parsed, index: LinkIndex, case_iris: dict[int, object], k: int,
         versions: dict[int, Version]) -> Own | None:
    doc = parsed.doc
    if isinstance(doc, PolicyDocument):
        numbers = frozenset({norm_number(doc.header.doc_number)} if doc.header.doc_number else set())
        return Own(policy_iri(doc), "policy", doc.header.title, doc.header.doc_number, numbers)
    if isinstance(doc, StatuteText):
        v = versions[k]
        numbers = frozenset({norm_number(doc.doc_number)} if doc.doc_number else set())
        return Own(v.iri, "statute", doc.title, doc.doc_number, numbers, v)
    node = case_iris.get(k)
    if node is None:
        return None
    numbers = frozenset(norm_number(i.case_number) for i in doc.instances)
    return Own(node, "case", None, None, numbers)  # type: ignore[arg-type]


def build(paths: Sequence[Path], corpus: Corpus, *, n_process: int = 1, started: datetime | None = None,
          include_vocabulary: bool = True, vocabulary: Vocabulary | None = None,
          index: LinkIndex | None = None) -> Built:
    """The whole pipeline; see the module docstring. Pure with respect to the store."""
    started = started or datetime.now(UTC)
    vocab = vocabulary or load_vocabulary()
    index = index or LinkIndex.from_corpus(corpus)
    parsed = parse_all(list(paths), index, n_process)

    # what the run holds: statute versions (texts) and cases (案号 of every instance)
    seen_policies: dict[str, str] = {}
    versions: dict[int, Version] = {}
    case_docs: list[int] = []
    for k, p in enumerate(parsed):
        doc = p.doc
        if isinstance(doc, PolicyDocument):
            key = doc.header.doc_number or doc.header.title
            if not key:
                raise IngestError("policy document has neither a 文号 nor a title in its header", source=doc.name)
            if key in seen_policies:
                raise IngestError(f"文号 {key} is also the number of {seen_policies[key]}", source=doc.name)
            seen_policies[key] = doc.name
        elif isinstance(doc, StatuteText):
            versions[k] = index.add_text(doc)
        else:
            case_docs.append(k)
    groups = [[(i.case_number, i.stage) for i in parsed[k].doc.instances] for k in case_docs]  # type: ignore[union-attr]
    case_iris = dict(zip(case_docs, index.add_cases(groups), strict=True))
    for k in case_docs:
        if case_iris[k] is None:           # a case report that prints no 案号: known by its title
            doc = parsed[k].doc
            case_iris[k] = hashed("case", getattr(doc, "title", None) or doc.name)

    run = iri("ingestion", started.strftime("%Y%m%dT%H%M%S%fZ"))
    sink = Sink(run, corpus)
    items = []
    record_cases = {iri("case", c.id) for c in corpus.cases}
    for k, p in enumerate(parsed):
        item = analyse(p, index, vocab, _own(p, index, case_iris, k, versions))
        items.append(item)
        doc = item.doc
        if isinstance(doc, PolicyDocument):
            emit_policy(sink, item)
        elif isinstance(doc, StatuteText):
            emit_statute(sink, item, versions[k], index)
        elif isinstance(doc, CaseReport):
            emit_case(sink, item, case_iris[k], case_iris[k] in record_cases)
        elif isinstance(doc, Judgment):
            emit_judgment(sink, item, case_iris[k], case_iris[k] in record_cases)
    used = {ln.iri for it in items for ln in it.linked if ln.node_kind == "statute"} | \
           {ln.parent for it in items for ln in it.linked if ln.parent is not None}
    corr = correspondences(sink, index)
    g = sink.graph()
    g += corpus_graph(corpus, index)
    emit_versions_into(g, sink, index, used)
    _highest_authority(g)
    _run_node(g, run, started)
    if include_vocabulary:
        from ontology import path

        for name in ("iprg.ttl", "vocabulary.ttl"):
            p = path(name)
            if p.exists():
                g.parse(p, format="turtle")
    return Built(g, tuple(items), corr, index)


def emit_versions_into(g: Graph, sink: Sink, index: LinkIndex, used: set) -> None:
    extra = Sink(sink.run, sink.corpus)
    emit_versions(extra, index, used)
    g.addN((s, p, o, g) for s, p, o in extra.t)


def correspondences(sink: Sink, index: LinkIndex) -> int:
    """Link the corresponding articles of consecutive versions of each statute whose texts the
    run holds (both directions, with the similarity as evidence)."""
    by_family: dict[str, list[tuple[Version, StatuteText]]] = {}
    for fam in index.families.values():
        for v in fam.versions:
            doc = index.texts.get(v.iri)
            if doc is not None and doc.articles:
                by_family.setdefault(fam.key, []).append((v, doc))
    n = 0
    for pairs in by_family.values():
        pairs.sort(key=lambda x: x[0].effective or x[0].adopted or "")
        for (v1, d1), (v2, d2) in zip(pairs, pairs[1:], strict=False):
            if v1.iri == v2.iri:
                continue
            for a, b, _score in align(d1.articles, d2.articles):
                x, y = article_iri(v1.iri, a), article_iri(v2.iri, b)
                sink.add(x, IPRG.correspondsTo, y)
                sink.add(y, IPRG.correspondsTo, x)
                sink.add(y, IPRG.previousVersion, x)
                n += 1
    return n


def _highest_authority(g: Graph) -> None:
    """A source told of by a record and a text (a curated case that is also a guiding case)
    keeps the higher of the two tiers."""
    ranks: dict = {}
    for node, rank in g.subject_objects(IPRG.authorityRank):
        ranks.setdefault(node, []).append(rank)
    for node, values in ranks.items():
        if len(values) < 2:
            continue
        best = min(values, key=lambda r: int(r))
        tiers = list(g.objects(node, IPRG.authority))
        keep = next((t for t in tiers if int(g.value(t, IPRG.rank) or _TIER_RANK.get(t, 9)) == int(best)), None)
        for r in values:
            if r != best:
                g.remove((node, IPRG.authorityRank, r))
        for t in tiers:
            if t != keep:
                g.remove((node, IPRG.authority, t))


def _run_node(g: Graph, run, started: datetime) -> None:
    g.add((run, RDF.type, IPRG.Ingestion))
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((run, IPRG.extractorVersion, Literal(EXTRACTOR_VERSION, datatype=XSD.string)))
    g.add((run, RDFS.label, Literal(f"导入 {started.isoformat(timespec='seconds')}", lang="zh")))


def build_graph(paths: Sequence[Path], corpus: Corpus, **kw) -> Graph:
    """Files (and the curated corpus) → the RDF graph; see :func:`build`."""
    return build(paths, corpus, **kw).graph


def report(built: Built, seconds: float, validated: bool) -> IngestReport:
    """What one build did, for ``kg ingest`` to print."""
    items = built.items
    g = built.graph
    return IngestReport(
        documents=tuple(i.doc.name for i in items),
        measures=sum(len(i.doc.measures) for i in items if isinstance(i.doc, PolicyDocument)),
        rules=sum(len(i.rules) for i in items),
        mentions=sum(len(i.linked) for i in items),
        new_nodes=len({ln.iri for i in items for ln in i.linked if ln.new}),
        triples=len(g),
        seconds=seconds,
        validated=validated,
        statutes=sum(1 for i in items if isinstance(i.doc, StatuteText)),
        articles=sum(len(i.doc.articles) for i in items if isinstance(i.doc, StatuteText)),
        cases=sum(1 for i in items if isinstance(i.doc, CaseReport | Judgment)),
    )


def ingest_documents(paths: Sequence[Path], corpus: Corpus, *, n_process: int = 1) -> list[Analysed]:
    """Parse, extract, cite and link files (no graph): for tests and tools."""
    return list(build(paths, corpus, n_process=n_process, include_vocabulary=False).items)


__all__ = ["Built", "Parsed", "analyse", "analyse_file", "build", "build_graph", "doc_date",
           "ingest_documents", "parse_file", "report", "time"]
