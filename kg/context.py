"""The one core object every entry point shares: settings, store, explorer, Neo4j driver.

Why (as Datasette's ``Datasette`` object): the CLI builds one :class:`Context` and hands it to
the REST API, the UI and the console, so they answer from the same store and the same explorer
and resolve Neo4j the same way. The explorer and the driver are made on first use: a server on
the embedded store never needs Neo4j, and ``kg --help`` opens nothing.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from kg import config
from kg.explorer import Explorer, get_explorer
from kg.explorer.cache import CachedExplorer
from kg.store import EXPORT_FORMATS, GraphStore

ExplorerFactory = Callable[[GraphStore], Explorer]


class Context:
    """Settings, the store (which follows rebuilds itself), a lazy explorer and a lazy driver."""

    def __init__(self, settings: config.Settings | None = None, store_root: Path | str | None = None,
                 explorer_factory: ExplorerFactory | None = None) -> None:
        self.settings = settings or config.settings()
        root = Path(store_root) if store_root else config.store_dir(self.settings)
        self.store = GraphStore(root)
        self._factory = explorer_factory
        self._explorer: Explorer | None = None
        self._driver = None
        self._lock = threading.Lock()
        self.export_dir = Path(tempfile.mkdtemp(prefix="iprg-export-"))

    @property
    def explorer(self) -> Explorer | CachedExplorer:
        with self._lock:
            if self._explorer is None:
                if self._factory is not None:
                    explorer = self._factory(self.store)
                else:
                    explorer = get_explorer("sparql", store=self.store)
                # answers kept per store generation (kg.explorer.cache)
                self._explorer = CachedExplorer(explorer)
            return self._explorer

    def driver(self):
        """The Neo4j driver (:func:`kg.config.neo4j_driver`), opened once; Unavailable if none."""
        with self._lock:
            if self._driver is None:
                self._driver = config.neo4j_driver(self.settings)
            return self._driver

    def export_file(self, fmt: str) -> Path:
        """The export of the current generation in ``fmt``, written once and reused."""
        if fmt not in EXPORT_FORMATS:
            # the store names the formats in its error
            return self.store.export(fmt, self.export_dir / "refused")
        gen = self.store.current_generation() or "none"
        dest = self.export_dir / f"iprg-graph-{gen}{EXPORT_FORMATS[fmt][0]}"
        if not dest.exists():
            tmp = dest.with_name("." + dest.name + ".tmp")
            self.store.export(fmt, tmp)
            os.replace(tmp, dest)
        return dest

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None
