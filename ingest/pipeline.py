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
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from ingest.align import align
from ingest.cite import find_citations
from ingest.clean import clean, decode, html_to_text, markdown_to_text
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
from ingest.english import add_english
from ingest.extract import (
    EXTRACTOR_VERSION,
    Vocabulary,
    extract,
    load_vocabulary,
    mentions_in,
    modality,
    ruler,
    split_rules,
)
from ingest.iris import article_iri
from ingest.link import LinkIndex, Own, Version, link, norm_number, topics_for
from ingest.models import (
    CaseReport,
    Citation,
    CleanText,
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
from ontology import path

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
    elif path.suffix.lower() == ".md":
        text = markdown_to_text(text)
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
        starts = [m.start for m in mentions]          # extract returns them in text order
        for a in doc.articles:
            inside = mentions[bisect_left(starts, a.start):bisect_left(starts, a.end)]
            topics[a.number] = topics_for([m for m in inside if m.end <= a.end], a.text, vocab)
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
    stats: tuple = ()


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


@dataclass(frozen=True)
class Identity:
    """What the run must know of a document before linking any: the statute version a text is,
    the 案号 of a case, the key of a policy document (small enough to send between processes)."""

    name: str
    genre: str
    key: str | None = None                             # a policy's 文号 or title
    statute: StatuteText | None = None                 # without its text arrays
    instances: tuple[tuple[str, str], ...] = ()        # (案号, stage)
    title: str | None = None


def identity(doc: Document) -> Identity:
    if isinstance(doc, PolicyDocument):
        return Identity(doc.name, "policy", key=doc.header.doc_number or doc.header.title or doc.name)
    if isinstance(doc, StatuteText):
        return Identity(doc.name, "statute", statute=replace(doc, clean=_NO_TEXT))
    return Identity(doc.name, doc.genre, instances=tuple((i.case_number, i.stage) for i in doc.instances),
                    title=getattr(doc, "title", None))


_NO_TEXT = CleanText("", "", (0,))


@dataclass
class RunState:
    """The run's documents as the linker must know them: statute versions and case IRIs."""

    versions: dict[int, Version]
    case_iris: dict[int, URIRef]
    record_cases: frozenset[URIRef]


def run_state(ids: Sequence[Identity], index: LinkIndex, corpus: Corpus) -> RunState:
    """Register the run's statute texts and cases in ``index``; refuse duplicate policies."""
    seen_policies: dict[str, str] = {}
    versions: dict[int, Version] = {}
    case_docs: list[int] = []
    for k, ident in enumerate(ids):
        if ident.genre == "policy":
            if ident.key in seen_policies:
                raise IngestError(f"文号 {ident.key} is also the number of {seen_policies[ident.key]}", source=ident.name)
            seen_policies[ident.key] = ident.name
        elif ident.genre == "statute":
            versions[k] = index.add_text(ident.statute)  # type: ignore[arg-type]
        else:
            case_docs.append(k)
    case_iris = dict(zip(case_docs, index.add_cases([ids[k].instances for k in case_docs]), strict=True))
    for k in case_docs:
        if case_iris[k] is None:           # a case report that prints no 案号: known by its title
            case_iris[k] = hashed("case", ids[k].title or ids[k].name)
    return RunState(versions, case_iris, frozenset(iri("case", c.id) for c in corpus.cases))


@dataclass(frozen=True)
class DocStats:
    """What one document contributed, for the report (items are not kept across processes)."""

    name: str
    measures: int
    rules: int
    mentions: int
    articles: int
    genre: str
    new: frozenset[URIRef]
    used: frozenset[URIRef]


def emit_document(sink: Sink, k: int, p: Parsed, index: LinkIndex, vocab: Vocabulary, state: RunState) -> Analysed:
    """Link one document and emit its RDF into ``sink``."""
    item = analyse(p, index, vocab, _own(p, index, state.case_iris, k, state.versions))
    doc = item.doc
    if isinstance(doc, PolicyDocument):
        emit_policy(sink, item)
    elif isinstance(doc, StatuteText):
        emit_statute(sink, item, state.versions[k], index)
    elif isinstance(doc, CaseReport):
        emit_case(sink, item, state.case_iris[k], state.case_iris[k] in state.record_cases)
    elif isinstance(doc, Judgment):
        emit_judgment(sink, item, state.case_iris[k], state.case_iris[k] in state.record_cases)
    return item


def stats_of(item: Analysed) -> DocStats:
    doc = item.doc
    used = {ln.iri for ln in item.linked if ln.node_kind == "statute"} | \
           {ln.parent for ln in item.linked if ln.parent is not None}
    return DocStats(doc.name, len(doc.measures) if isinstance(doc, PolicyDocument) else 0, len(item.rules),
                    len(item.linked), len(doc.articles) if isinstance(doc, StatuteText) else 0, doc.genre,
                    frozenset(ln.iri for ln in item.linked if ln.new), frozenset(used))


def build(paths: Sequence[Path], corpus: Corpus, *, n_process: int = 1, started: datetime | None = None,
          include_vocabulary: bool = True, vocabulary: Vocabulary | None = None,
          index: LinkIndex | None = None, keep_items: bool = False) -> Built:
    """The whole pipeline; see the module docstring. Pure with respect to the store.

    With ``n_process`` > 1 the documents are split into that many shards, each parsed, linked
    and emitted by its own forked process (the run's statute versions and cases are settled
    between the two halves); only the triples come back. ``Built.items`` (the analysed
    documents, for tests and tools) is kept only with ``keep_items`` and one process."""
    started = started or datetime.now(UTC)
    vocab = vocabulary or load_vocabulary()
    index = index or LinkIndex.from_corpus(corpus)
    run = iri("ingestion", started.strftime("%Y%m%dT%H%M%S%fZ"))
    sink = Sink(run, corpus)
    paths = list(paths)
    if n_process > 1 and len(paths) > 1:
        stats = _build_sharded(paths, corpus, index, vocab, sink, n_process)
        items: list[Analysed] = []
    else:
        names = index.short_names
        parsed = [analyse_file(Path(p), names) for p in paths]
        state = run_state([identity(p.doc) for p in parsed], index, corpus)
        items = []
        stats = []
        for k in range(len(parsed)):
            item = emit_document(sink, k, parsed[k], index, vocab, state)
            stats.append(stats_of(item))
            if keep_items:
                items.append(item)
            parsed[k] = None               # type: ignore[call-overload]  # memory stays per document
    used = set().union(*(s.used for s in stats)) if stats else set()
    corr = correspondences(sink, index)
    g = sink.graph()
    g += corpus_graph(corpus, index)
    emit_versions_into(g, sink, index, used | set(g.subjects(RDF.type, IPRG.Statute)))
    _highest_authority(g)
    add_english(g, corpus, paths)          # bilingual tables beside the documents; statute names
    _run_node(g, run, started)
    if include_vocabulary:
        for name in ("iprg.ttl", "vocabulary.ttl"):
            p = path(name)
            if p.exists():
                g.parse(p, format="turtle")
    return Built(g, tuple(items), corr, index, tuple(stats))


def _shard(conn, shard: list[tuple[int, str]], names: tuple[str, ...], corpus: Corpus, vocab: Vocabulary,
           run: URIRef) -> None:
    """One worker: parse its documents, report their identities, receive the run's index and
    state, link and emit, send back the triples, the versions it minted and the stats."""
    try:
        parsed = [(k, analyse_file(Path(p), names)) for k, p in shard]
        conn.send(("ids", [(k, identity(p.doc)) for k, p in parsed]))
        index, state = conn.recv()
        before = {v.iri for f in index.families.values() for v in f.versions}
        sink = Sink(run, corpus)
        stats = [stats_of(emit_document(sink, k, p, index, vocab, state)) for k, p in parsed]
        minted = [(f.key, f, new) for f in index.families.values()
                  if (new := [v for v in f.versions if v.iri not in before])]
        conn.send(("done", sink.export(), minted, stats))
    except IngestError as e:
        conn.send(("error", str(e), None, None))
    except Exception as e:  # noqa: BLE001 - reported to the parent with its type
        conn.send(("crash", f"{type(e).__name__}: {e}", None, None))
    finally:
        conn.close()


def _build_sharded(paths: list[Path], corpus: Corpus, index: LinkIndex, vocab: Vocabulary, sink: Sink,
                   n_process: int) -> list[DocStats]:
    ctx = mp.get_context("fork")
    ruler()                                   # load the vocabulary's automaton once, before forking
    names = index.short_names
    shards = [[(k, str(p)) for k, p in enumerate(paths) if k % n_process == w] for w in range(n_process)]
    workers = []
    for shard in shards:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_shard, args=(child, shard, names, corpus, vocab, sink.run), daemon=True)
        proc.start()
        child.close()
        workers.append((proc, parent))
    try:
        ids: dict[int, Identity] = {}
        for _proc, conn in workers:
            kind, payload, *_ = conn.recv()
            if kind != "ids":
                raise IngestError(payload) if kind == "error" else RuntimeError(payload)
            ids.update(payload)
        state = run_state([ids[k] for k in range(len(paths))], index, corpus)
        for _proc, conn in workers:
            conn.send((index, state))
        stats: list[DocStats] = []
        for _proc, conn in workers:
            kind, triples, minted, part = conn.recv()
            if kind != "done":
                raise IngestError(triples) if kind == "error" else RuntimeError(triples)
            sink.absorb(triples)
            stats.extend(part)
            for key, fam, versions in minted:      # versions a citation named, no text describes
                have = index.families.get(key)
                if have is None:
                    index.families[key] = fam
                    index.keys.setdefault(key, key)
                else:
                    known = {v.iri for v in have.versions}
                    have.versions.extend(v for v in versions if v.iri not in known)
    finally:
        for proc, conn in workers:
            conn.close()
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    return stats


def emit_versions_into(g: Graph, sink: Sink, index: LinkIndex, used: set) -> None:
    extra = Sink(sink.run, sink.corpus)
    emit_versions(extra, index, used)
    g += extra.graph()


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
    st = built.stats
    return IngestReport(
        documents=tuple(x.name for x in st),
        measures=sum(x.measures for x in st),
        rules=sum(x.rules for x in st),
        mentions=sum(x.mentions for x in st),
        new_nodes=len(set().union(*(x.new for x in st))) if st else 0,
        triples=len(built.graph),
        seconds=seconds,
        validated=validated,
        statutes=sum(1 for x in st if x.genre == "statute"),
        articles=sum(x.articles for x in st),
        cases=sum(1 for x in st if x.genre in ("case", "judgment")),
    )


def ingest_documents(paths: Sequence[Path], corpus: Corpus, *, n_process: int = 1) -> list[Analysed]:
    """Parse, extract, cite and link files (no graph): for tests and tools."""
    return list(build(paths, corpus, n_process=n_process, include_vocabulary=False, keep_items=True).items)


__all__ = ["Built", "Parsed", "analyse", "analyse_file", "build", "build_graph", "doc_date",
           "ingest_documents", "parse_file", "report"]
