"""The real graph for explorer tests: the bundled corpus ingested once per session."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def built_store():
    """A GraphStore holding the graph `kg ingest` builds from the bundled corpus."""
    from kg.rebuild import run_ingest
    from kg.store import GraphStore

    store = GraphStore(Path(tempfile.mkdtemp(prefix="iprg-explorer-")) / "store")
    run_ingest(None, store)
    return store
