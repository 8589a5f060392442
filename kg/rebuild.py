"""Build the graph, validate it, and replace the stored graph: the one caller that writes.

Why here and not in ``ingest``: the pipeline (``ingest.pipeline.build``) returns a graph and
never opens the store (ARCHITECTURE P3); deciding to keep a graph is the caller's. Any failure
— a file that cannot be read, a graph that breaks the SHACL shapes — raises before
``GraphStore.replace`` is called, so users keep the last good graph, never a half-written one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from ingest.cite import find_citations
from ingest.clean import clean
from ingest.collect import collect
from ingest.corpus import Corpus, CorpusError, load_corpus, with_records
from ingest.extract import Vocabulary, extract, load_vocabulary
from ingest.link import LinkIndex, link, topics_for
from ingest.models import IngestError, IngestReport
from ingest.pipeline import build, report
from kg import changes
from kg.errors import BadInput
from kg.explorer.derive import derive
from kg.explorer.similar import Facts
from kg.ns import iri
from kg.store import GraphStore
from ontology.validate import ValidationError, validate


def run_ingest(paths: Sequence[Path] | None, store: GraphStore, *, n_process: int = 1,
               with_bundled: bool = False) -> IngestReport:
    """Ingest ``paths`` with the curated records, validate, and atomically replace the store.

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
    if not documents:
        raise IngestError("nothing to ingest: no input files")
    built = build(documents, corpus, n_process=n_process, started=started)
    try:
        validate(built.graph)
    except ValidationError as e:
        raise IngestError(str(e)) from None
    before = changes.snapshot(store)
    store.replace(built.graph, derive=derive)   # with what the explorer precomputes per generation
    changes.record(store, before)      # the change feed: what this generation changed
    return report(built, time.perf_counter() - t0, validated=True)


#: Longest description of facts :func:`read_facts` reads (a few paragraphs).
MAX_FACTS = 20_000
_FACTS_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _reading_tools() -> tuple[Corpus, Vocabulary]:
    return load_corpus(), load_vocabulary()


def read_facts(text: str, on: str | None = None) -> Facts:
    """A free-text description of facts (in Chinese) as graph nodes, for 类案检索: the articles
    and statutes it cites, each resolved to the version in force on ``on`` (default today) as
    ingest resolves them, and the concepts and topics it names. The same extraction and
    linking as ``kg ingest`` (ingest.extract, ingest.cite, ingest.link), without a graph."""
    text = (text or "").strip()
    if not text:
        raise BadInput("the description of facts is empty")
    if len(text) > MAX_FACTS:
        raise BadInput(f"the description of facts is longer than {MAX_FACTS} characters")
    on = on or date.today().isoformat()
    corpus, vocab = _reading_tools()
    with _FACTS_LOCK:       # one reading at a time: the index and the ruler are shared state
        index = LinkIndex.from_corpus(corpus)
        ct = clean(text)
        mentions = extract(ct)
        linked = link(mentions, ct.original, index, vocab, date=on, citations=find_citations(ct, index.short_names))
        topics = topics_for(mentions, ct.text, vocab)
    by_kind: dict[str, list[str]] = {}
    for ln in linked:
        by_kind.setdefault(ln.node_kind, []).append(str(ln.iri))
    return Facts(text=text, date=on, articles=tuple(dict.fromkeys(by_kind.get("article", ()))),
                 statutes=tuple(dict.fromkeys(by_kind.get("statute", ()))),
                 concepts=tuple(dict.fromkeys(by_kind.get("concept", ()))),
                 topics=tuple(str(iri("topic", t)) for t in dict.fromkeys(topics)))
