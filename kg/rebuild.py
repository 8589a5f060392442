"""Build the graph, validate it, and replace the stored graph: the one caller that writes.

Why here and not in ``ingest``: the pipeline (``ingest.pipeline.build``) returns a graph and
never opens the store (ARCHITECTURE P3); deciding to keep a graph is the caller's. Any failure
— a file that cannot be read, a graph that breaks the SHACL shapes — raises before
``GraphStore.replace`` is called, so users keep the last good graph, never a half-written one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ingest.collect import collect
from ingest.corpus import CorpusError, load_corpus, with_records
from ingest.models import IngestError, IngestReport
from ingest.pipeline import build, report
from kg.explorer.derive import derive
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
    store.replace(built.graph, derive=derive)   # with what the explorer precomputes per generation
    return report(built, time.perf_counter() - t0, validated=True)
