"""The embedded, persistent RDF store: Oxigraph on disk behind rdflib's API.

Why generations: a rebuild must never leave readers with a half-written graph. Each
``replace`` loads the new graph into a fresh Oxigraph directory, flushes it, and only then
swings the ``CURRENT`` pointer with an atomic ``os.replace``. A crash or a failed validation
before that point leaves the previous generation untouched; readers notice the new pointer on
their next query and reopen.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import BNode, Literal, URIRef

from kg import config
from kg import export as exporter
from kg.errors import BadInput, NotFound, Unavailable
from kg.ns import PREFIXES
from kg.terms import from_ox, to_ox

CURRENT = "CURRENT"
PARTIAL = ".partial-"
KEEP_GENERATIONS = 2

#: Export formats: name → (file suffix, media type).
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": (".ttl", "text/turtle"),
    "nt": (".nt", "application/n-triples"),
    "jsonld": (".jsonld", "application/ld+json"),
    "graphml": (".graphml", "application/graphml+xml"),
    "csv": (".zip", "application/zip"),
}


class StoreError(Unavailable):
    """The store is missing, locked or unreadable; the message says which and where."""


@dataclass(frozen=True)
class ReplaceReport:
    generation: str
    triples: int
    seconds: float


def to_ox_triples(graph: Iterable[tuple]) -> Iterator[ox.Quad]:
    for s, p, o in graph:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o))


#: ``derive(triples, generation, folder)`` → quads (s, p, o, named graph) stored beside the
#: triples in the same generation: data computed from the graph (the explorer's,
#: kg.explorer.derive), which may also leave files in ``folder`` (see GraphStore.derived_dir).
Derive = Callable[[Iterable[tuple], str, Path], Iterable[tuple]]
DERIVED_SUFFIX = ".derived"


def _bound(graph: Graph) -> Graph:
    """The project's prefixes bound on ``graph``, so its Turtle and JSON-LD read well."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


class GraphStore:
    """One on-disk graph with atomic, generation-based replacement.

    ``root`` defaults to ``$IPRG_STORE`` or ``$IPRG_DATA_DIR/store``. Generations are opened
    read-only, so any number of processes can read one; one writer (``replace``) at a time.
    """

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else config.store_dir()
        self._lock = threading.RLock()
        self._local = threading.local()
        self._open_gen: str | None = None
        self._store: ox.Store | None = None
        self._pointer: tuple[tuple[int, int, int], str | None] | None = None

    # -- generations ---------------------------------------------------------------------------
    @property
    def generations_dir(self) -> Path:
        return self.root / "generations"

    def current_generation(self) -> str | None:
        """The generation CURRENT names. Re-read only when the file changed (``replace`` swaps
        in a new file, so its inode changes): a question reads this ~30 times, and reading the
        file each time cost ~0.5 ms on a loaded machine, a stat a few µs."""
        pointer = self.root / CURRENT
        try:
            st = os.stat(pointer)
        except FileNotFoundError:
            return None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        cached = self._pointer
        if cached is not None and cached[0] == key:
            return cached[1]
        name = pointer.read_text(encoding="utf-8").strip() or None
        self._pointer = (key, name)
        return name

    def derived_dir(self, generation: str | None = None) -> Path | None:
        """The folder of files derived with the current (or the given) generation, if any."""
        gen = generation or self.current_generation()
        path = self.generations_dir / f"{gen}{DERIVED_SUFFIX}" if gen else None
        return path if path is not None and path.is_dir() else None

    def generation_path(self) -> Path:
        """The folder of the current generation (what a query worker opens read-only)."""
        gen = self.current_generation()
        if gen is None or not (self.generations_dir / gen).is_dir():
            raise StoreError(f"no graph has been built in {self.root}: run `kg ingest` first")
        return self.generations_dir / gen

    def exists(self) -> bool:
        gen = self.current_generation()
        return gen is not None and (self.generations_dir / gen).is_dir()

    def read_generation(self) -> str | None:
        """The generation this thread reads: the pinned one inside :meth:`pinned`, else the current."""
        pinned = getattr(self._local, "generation", None)
        return pinned if pinned is not None else self.current_generation()

    @contextmanager
    def pinned(self) -> Iterator[str | None]:
        """Within the block, this thread reads one generation however often ``kg ingest`` swaps
        the pointer: an answer built from several queries comes from one graph. Yields the
        generation (None when there is no graph yet)."""
        if getattr(self._local, "store", None) is not None:   # nested: already pinned
            yield self._local.generation
            return
        try:
            store = self.ox()
        except StoreError:
            yield None
            return
        self._local.store, self._local.generation = store, self._open_gen
        try:
            yield self._local.generation
        finally:
            self._local.store = self._local.generation = None

    def ox(self) -> ox.Store:
        """The Oxigraph store of the current generation (reopened when the pointer moves)."""
        pinned = getattr(self._local, "store", None)
        if pinned is not None:
            return pinned
        with self._lock:
            gen = self.current_generation()
            if gen is None:
                raise StoreError(
                    f"no graph has been built in {self.root}: run `kg ingest` first"
                )
            if gen != self._open_gen or self._store is None:
                path = self.generations_dir / gen
                if not path.is_dir():
                    raise StoreError(f"store generation {gen} is missing under {self.root}")
                try:
                    # read-only: a written generation never changes, and read-only handles can be
                    # open in many processes at once (server workers, query workers, kg query)
                    self._store = ox.Store.read_only(str(path))
                except OSError as exc:
                    raise StoreError(f"cannot open the RDF store at {path}: {exc}") from exc
                self._open_gen = gen
            return self._store

    def rdflib_graph(self) -> Graph:
        """The current graph through rdflib's API (oxrdflib), for rdflib-based tools (pySHACL…)."""
        from oxrdflib import OxigraphStore

        return _bound(Graph(store=OxigraphStore(store=self.ox())))

    def to_graph(self) -> Graph:
        """An in-memory rdflib copy of the current graph (for diffing and validation): the
        default graph, without derived named graphs."""
        graph = _bound(Graph())
        for quad in self.ox().quads_for_pattern(None, None, None, ox.DefaultGraph()):
            graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
        return graph

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the current generation straight from Oxigraph (no rdflib terms), the
        derived named graph included: what the Neo4j mirror projects, ~10× faster than going
        through :meth:`to_graph`."""
        return self.ox().quads_for_pattern(None, None, None, None)

    def __len__(self) -> int:
        """Triples of the graph (the default graph; data derived from it is not counted)."""
        if not self.exists():
            return 0
        return int(next(iter(self.ox().query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)

    def replace(self, graph: Graph | Iterable[tuple], derive: Derive | None = None) -> ReplaceReport:
        """Load ``graph`` into a new generation and make it current in one atomic step.

        ``derive(graph, generation)`` adds quads computed from the graph (in named graphs) to the
        same generation before it becomes current, so readers never see one without the other."""
        started = time.perf_counter()
        if derive is not None and not isinstance(graph, Graph):
            graph = list(graph)     # read twice
        with self._lock:
            self.generations_dir.mkdir(parents=True, exist_ok=True)
            # names sort in build order (pruning keeps the newest by name): microseconds after
            # the second, so two builds within one second are ordered too; then a random tail
            now = time.time()
            gen = (time.strftime("%Y%m%dT%H%M%S", time.localtime(now)) + "-"
                   + f"{int(now % 1 * 1_000_000):06d}" + uuid.uuid4().hex[:6])
            path = self.generations_dir / gen
            # built under a name readers and pruning ignore, renamed when complete: a build killed
            # half-way (kill -9) leaves only a ".partial-…" folder, removed by the next build
            partial = self.generations_dir / (PARTIAL + gen)
            try:
                new = ox.Store(str(partial))
                new.bulk_extend(to_ox_triples(graph))
                count = len(new)
                if derive is not None:
                    folder = self.generations_dir / f"{gen}{DERIVED_SUFFIX}"
                    folder.mkdir()
                    new.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))
                                    for s, p, o, g in derive(graph, gen, folder))
                new.flush()
                del new
                os.rename(partial, path)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                shutil.rmtree(self.generations_dir / f"{gen}{DERIVED_SUFFIX}", ignore_errors=True)
                raise
            tmp = self.root / f".{CURRENT}.{gen}.tmp"
            tmp.write_text(gen, encoding="utf-8")
            os.replace(tmp, self.root / CURRENT)
            self._prune(keep=gen)
        return ReplaceReport(generation=gen, triples=count, seconds=time.perf_counter() - started)

    def _prune(self, keep: str) -> None:
        for stale in self.generations_dir.glob(PARTIAL + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        gens = sorted(p.name for p in self.generations_dir.iterdir() if p.is_dir() and "." not in p.name)
        old = [g for g in gens if g != keep and g != self._open_gen]
        for name in old[: max(0, len(old) - (KEEP_GENERATIONS - 1))]:
            shutil.rmtree(self.generations_dir / name, ignore_errors=True)
            shutil.rmtree(self.generations_dir / f"{name}{DERIVED_SUFFIX}", ignore_errors=True)
        for derived in self.generations_dir.glob("*" + DERIVED_SUFFIX):   # left by a killed build
            gen = derived.name[: -len(DERIVED_SUFFIX)]
            if not (self.generations_dir / gen).is_dir() and not (self.generations_dir / (PARTIAL + gen)).exists():
                shutil.rmtree(derived, ignore_errors=True)

    # -- reading -------------------------------------------------------------------------------
    def query(self, sparql: str, bindings: dict[str, object] | None = None):
        """Run a read-only SPARQL query. ``bindings`` are substituted as RDF terms, never as text.

        Oxigraph's ``query`` accepts only query forms, so UPDATE is refused by construction.
        """
        subs = None
        if bindings:
            try:
                subs = {ox.Variable(k): to_ox(v if isinstance(v, (URIRef, BNode, Literal)) else Literal(v))
                        for k, v in bindings.items()}
            except ValueError as exc:   # a user's "IRI" that is not one names no node of the graph
                raise NotFound(f"no node {sorted(map(str, bindings.values()))} in the graph: {exc}") from exc
        prefixes = {k: str(v) for k, v in PREFIXES.items()}
        return self.ox().query(sparql, prefixes=prefixes, substitutions=subs)

    def select(self, sparql: str, bindings: dict[str, object] | None = None) -> list[dict]:
        """SELECT rows as dicts of rdflib terms (unbound variables omitted)."""
        result = self.query(sparql, bindings)
        names = [v.value for v in result.variables]
        rows = []
        for sol in result:
            row = {}
            for name in names:
                val = sol[name]
                if val is not None:
                    row[name] = from_ox(val)
            rows.append(row)
        return rows

    # -- export --------------------------------------------------------------------------------
    def export(self, fmt: str, dest: Path) -> Path:
        """Write the current graph to ``dest`` in one of :data:`EXPORT_FORMATS`."""
        if fmt not in EXPORT_FORMATS:
            raise BadInput(f"unknown export format {fmt!r}; choose one of {sorted(EXPORT_FORMATS)}")
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "nt":
            self.ox().dump(str(dest), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        elif fmt == "turtle":
            self.to_graph().serialize(destination=str(dest), format="turtle")
        elif fmt == "jsonld":
            graph = self.to_graph()
            context = {k: str(v) for k, v in PREFIXES.items()}
            graph.serialize(destination=str(dest), format="json-ld", context=context, auto_compact=True)
        else:
            graph = self.to_graph()
            if fmt == "graphml":
                exporter.write_graphml(graph, dest)
            else:
                exporter.write_csv_zip(graph, dest)
        return dest
