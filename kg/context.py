"""The one core object every entry point shares: settings, store, explorer, Neo4j driver, runner.

Why (as Datasette's ``Datasette`` object): the CLI builds one :class:`Context` and hands it to
the REST API, the UI and the console, so they answer from the same store and the same explorer,
resolve Neo4j the same way and share one pool of query workers. The explorer, the driver and
the pool are made on first use: a server on the embedded store never needs Neo4j, and
``kg --help`` opens nothing.

``settings.backend`` chooses what the explorer answers from: ``sparql`` (the embedded store) or
``cypher`` (Neo4j through :func:`kg.config.neo4j_driver`, any server, cluster or Aura).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from kg import config
from kg.console import QueryRunner, default_runner
from kg.explorer import Explorer, Overview, get_explorer
from kg.explorer.cache import CachedExplorer
from kg.store import EXPORT_FORMATS, GraphStore

ExplorerFactory = Callable[[GraphStore], Explorer]
#: How long a request waits for an unreachable Neo4j before it answers 503 (serving, not syncing).
NEO4J_CONNECT_S = 3.0
NEO4J_RETRY_S = 2.0


class Context:
    """Settings, the store (which follows rebuilds itself), and lazy explorer, driver and runner."""

    def __init__(self, settings: config.Settings | None = None, store_root: Path | str | None = None,
                 explorer_factory: ExplorerFactory | None = None, runner: QueryRunner | None = None) -> None:
        self.settings = settings or config.settings()
        root = Path(store_root) if store_root else config.store_dir(self.settings)
        self.store = GraphStore(root)
        self._factory = explorer_factory
        self._explorer: Explorer | None = None
        self._driver = None
        self._runner = runner
        self._lock = threading.RLock()

    @property
    def explorer(self) -> Explorer | CachedExplorer:
        with self._lock:
            if self._explorer is None:
                if self._factory is not None:
                    explorer = self._factory(self.store)
                elif self.settings.backend == "cypher":
                    explorer = get_explorer("cypher", driver=self.driver(),
                                            database=self.settings.neo4j_database)
                else:
                    explorer = get_explorer("sparql", store=self.store)
                # answers kept per store generation (kg.explorer.cache)
                self._explorer = CachedExplorer(explorer)
            return self._explorer

    @property
    def runner(self) -> QueryRunner:
        """The pool that runs user-typed queries (one per process)."""
        return self._runner or default_runner()

    def driver(self):
        """The Neo4j driver (:func:`kg.config.neo4j_driver`), opened once; Unavailable if none.
        A request waits at most a few seconds for a Neo4j that is down, then answers 503."""
        with self._lock:
            if self._driver is None:
                self._driver = config.neo4j_driver(self.settings, connection_timeout=NEO4J_CONNECT_S,
                                                   max_transaction_retry_time=NEO4J_RETRY_S)
            return self._driver

    def pinned(self) -> AbstractContextManager[str | None]:
        """Answer from one store generation (the embedded store); a no-op on Neo4j."""
        if self.settings.backend == "cypher" and self._factory is None:
            return nullcontext(None)
        return self.store.pinned()

    def overview(self) -> Overview | None:
        """What is in the graph (for headers and descriptions); None while it cannot be read."""
        try:
            return self.explorer.overview()
        except Exception:  # a description must never stop the server from starting  # noqa: BLE001
            return None

    def export_dir(self) -> Path:
        """Where exports are written: beside the store, shared by every worker process."""
        return self.store.root.parent / "exports"

    def export_file(self, fmt: str) -> Path:
        """The export of the current generation in ``fmt``, written once and reused (atomically,
        so workers writing the same export at once cannot see half a file)."""
        if fmt not in EXPORT_FORMATS:
            return self.store.export(fmt, self.export_dir() / "refused")   # the store names the formats
        gen = self.store.current_generation() or "none"
        dest = self.export_dir() / f"iprg-graph-{gen}{EXPORT_FORMATS[fmt][0]}"
        if not dest.exists():
            tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            self.store.export(fmt, tmp)
            os.replace(tmp, dest)
        return dest

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None
        self.runner.close()   # its workers; a later query starts them again
