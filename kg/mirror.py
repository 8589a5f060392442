"""Mirror the RDF graph into Neo4j as a diff, check parity, and read it back as RDF.

Why hashes on the nodes: a rerun on an unchanged graph must write nothing, and a sync killed
halfway must be finishable by simply running it again. Each node carries ``_hash`` (labels and
properties) written in the same transaction as its data, and ``_ehash`` (its outgoing
relationships) written in the same transaction as those relationships. A partial sync therefore
leaves "some nodes up to date" and nothing inconsistent; the next run reads the hashes, and
writes only nodes whose hash differs, deletes nodes that are gone, and rewrites the outgoing
relationships of nodes whose edge hash differs. ``full=True`` ignores the hashes and rewrites
everything (it also repairs edits made directly in Neo4j).

Writes are batched ``UNWIND … MERGE`` statements in managed transactions
(``session.execute_write``), at most ``batch_size`` rows each. Labels and relationship types use
5.26's dynamic labels/types (``SET n:$(row.labels)``, ``CREATE (a)-[:$(e[0])]->(b)``), and are
only names that passed :data:`kg.pg.IDENT` (they come from ontology local names, never from user
text). A :class:`kg.store.GraphStore` is read straight from Oxigraph (``GraphStore.quads``), never
copied into rdflib first. The mapping that makes the projection reversible is stored on one
``:_IprgMapping`` node, which has no ``Resource`` label and so is in no count.

The projection streams (:class:`kg.pg.ProjectionStream`): one pass over the triples fixes the
names, then nodes are built as the write batches go out, so Neo4j writes batch n while batch n+1
is built and hashed, and a node is dropped once written (kept only for a parity check).

The first sync into a database without mirror nodes is a bulk load when the server is the
bundled launcher: its ``iprg.mirror`` procedures (tools/neo4j-server, ``MirrorLoader.java``)
write the same nodes, hashes and relationships through Neo4j's kernel API, in the same batches
and transactions (so a crash leaves the same consistent state), relationships between node ids
instead of index seeks. Two node batches are in flight (new nodes cannot conflict, so two
server threads commit while this process builds the next), and the ``uri`` uniqueness constraint
is created after the nodes: one index build instead of an index update and uniqueness check per
node (a load killed before that point is finished by the Cypher path, which creates the
constraint first). Any other Neo4j (a remote server, a cluster, Aura) has no such procedures and
gets the Cypher path; both write the identical graph (tests/test_mirror.py).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph

from kg import config, pg
from kg.errors import Unavailable
from kg.ns import local_name

CONSTRAINT = "iprg_resource_uri"
FULLTEXT_INDEX = "iprg_text"
#: The bundled launcher's bulk loader (tools/neo4j-server, MirrorLoader.java) and the payload
#: version this module speaks; any other server is written through Cypher.
LOADER_PROCEDURE = "iprg.mirror.loader"
LOADER_VERSION = 1
#: Node batches the bulk load keeps in flight: new nodes do not conflict, so two transactions
#: commit on two server threads while this process builds the next batch (the node phase was
#: bound by one server thread; see README, Benchmarks).
NODE_BATCHES_IN_FLIGHT = 2
#: Local names of the predicates whose text the full-text index covers (every language).
TEXT_PREDICATES = frozenset(
    {"label", "title", "shortTitle", "text", "prefLabel", "altLabel", "hiddenLabel", "definition",
     "holding", "gist", "cause", "outcome", "exact", "articleLabel", "caseNumber", "docNumber"}
)
PARITY_ALL_NODES_UP_TO = 50_000
PARITY_SAMPLE = 5_000
MAX_LISTED_MISMATCHES = 200

_COUNTER_FIELDS = (
    "nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
    "properties_set", "labels_added", "labels_removed", "indexes_added", "indexes_removed",
    "constraints_added", "constraints_removed",
)


class MirrorError(Unavailable):
    """Neo4j is unreachable, died mid-sync or refused a statement; the message says which."""


@dataclass(frozen=True)
class ParityReport:
    ok: bool
    labels_rdf: dict[str, int]
    labels_neo4j: dict[str, int]
    types_rdf: dict[str, int]
    types_neo4j: dict[str, int]
    nodes_checked: int
    sampled: bool
    mismatch_count: int
    mismatches: list[str]


@dataclass(frozen=True)
class SyncReport:
    ok: bool
    uri: str
    database: str
    full: bool
    triples: int
    nodes: int
    relationships: int
    nodes_written: int          # created or changed
    nodes_deleted: int
    edge_sets_written: int      # nodes whose outgoing relationships were rewritten
    batches: int
    writes: int                 # sum of Neo4j's update counters: 0 means nothing was written
    counters: dict[str, int]
    seconds: float
    triples_per_second: float
    fulltext_index: str
    fulltext_properties: list[str]
    #: Seconds per phase: where the time goes. project = one pass over the triples (parsing
    #: included) and the names; nodes = building, hashing and writing the nodes; read_hashes,
    #: delete, edges; fulltext = waiting for the index (created before the edges are written,
    #: it populates meanwhile).
    phases: dict[str, float] = field(default_factory=dict)
    #: "bulk" (the launcher's loader, first sync into an empty database) or "cypher"
    loader: str = "cypher"
    parity: ParityReport | None = None
    mismatches: list[str] = field(default_factory=list)


# --- connection ---------------------------------------------------------------------------------

def _address(driver) -> str:
    addr = getattr(driver, "address", None) or getattr(driver, "_address", None)
    scheme = "bolt"
    return f"{scheme}://{addr}" if addr else "the configured Neo4j"


def _is_connection_error(exc: BaseException) -> bool:
    from neo4j.exceptions import ServiceUnavailable, SessionExpired

    return isinstance(exc, (ServiceUnavailable, SessionExpired, ConnectionError, OSError))


def _one_line(exc: BaseException | None) -> str:
    return " ".join(str(exc).split())


def connect(driver, attempts: int = 4, backoff: float = 0.5, database: str = "neo4j") -> None:
    """Check that Neo4j answers, retrying with exponential backoff (``backoff``·2ⁿ seconds)."""
    from neo4j.exceptions import AuthError, Neo4jError

    last: BaseException | None = None
    for attempt in range(max(1, attempts)):
        try:
            driver.verify_connectivity()
            return
        except AuthError as exc:
            raise MirrorError(f"Neo4j at {_address(driver)} refused the credentials: {exc.message}") from exc
        except Neo4jError as exc:
            raise MirrorError(f"Neo4j at {_address(driver)} refused the connection: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - the driver raises several types for "down"
            last = exc
            if attempt + 1 < attempts:
                time.sleep(backoff * 2**attempt)
    raise MirrorError(
        f"Neo4j at {_address(driver)} is not reachable: {_one_line(last)} "
        f"(tried {attempts} times; start it with `kg neo4j start` or check NEO4J_URI)"
    )


#: What a committed batch hands back: one list of record values per statement.
Values = list[list[list[Any]]]


class _Writer:
    """Runs write batches in managed transactions and adds up Neo4j's update counters."""

    def __init__(self, driver, database: str) -> None:
        self.driver = driver
        self.database = database
        self.counters: Counter[str] = Counter()
        self.batches = 0

    def _commit(self, statements: list[tuple[str, dict[str, Any]]]) -> tuple[Counter[str], Values]:
        def work(tx) -> tuple[Counter[str], Values]:
            got: Counter[str] = Counter()
            values: Values = []
            for query, params in statements:
                result = tx.run(query, params)
                values.append(result.values())
                counters = result.consume().counters
                for name in _COUNTER_FIELDS:
                    got[name] += getattr(counters, name)
            return got, values

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write(self, statements: list[tuple[str, dict[str, Any]]],
              then: Callable[[Values], None] | None = None) -> None:
        self.flush()
        self._done(self._commit(statements), then)

    def _done(self, outcome: tuple[Counter[str], Values], then: Callable[[Values], None] | None) -> None:
        counters, values = outcome
        self.counters.update(counters)
        if then is not None:
            then(values)
        self.batches += 1
        self._committed()

    # Batches in flight: Neo4j commits batch n while this thread hashes and builds batch n+1.
    # With ``in_flight`` 1 (the default) batches commit one after another, in order, each in its
    # own transaction, so what a crash leaves behind is the same as with plain ``write``; ``flush``
    # before anything that needs the earlier batches committed (relationships need their nodes).
    # The bulk node phase raises it to 2: its batches touch disjoint new nodes, so their order does
    # not matter, and two server threads commit while this one builds (see :func:`_bulk_nodes`).
    _pool = None
    _pending: deque | None = None
    in_flight = 1
    _committed: Callable[[], None] = staticmethod(lambda: None)

    def submit(self, statements: list[tuple[str, dict[str, Any]]],
               then: Callable[[Values], None] | None = None) -> None:
        """Commit ``statements`` in the background; ``then(values)`` runs in this thread once
        they are committed (at a later ``submit`` or ``flush``)."""
        if self._pending is None:
            self._pending = deque()
        while len(self._pending) >= self.in_flight:
            self._settle(self._pending.popleft())
        if self._pool is None:      # threads for the most batches ever in flight; submit bounds it
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=NODE_BATCHES_IN_FLIGHT, thread_name_prefix="iprg-mirror-write")
        self._pending.append((self._pool.submit(self._commit, statements), then))

    def _settle(self, pending: tuple[Future, Callable[[Values], None] | None]) -> None:
        future, then = pending
        try:
            outcome = future.result()
        except BaseException:
            # let every other batch in flight finish (commit or fail) before the error is raised:
            # nothing of this sync is still writing once the caller sees it
            wait([other for other, _ in self._pending or ()])
            self._pending = None
            raise
        self._done(outcome, then)

    def flush(self) -> None:
        """Wait for the batches in flight, in order; an error (if any) is raised here, in the caller."""
        while self._pending:
            self._settle(self._pending.popleft())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def schema(self, query: str, **params: Any) -> None:
        summary = self.driver.execute_query(query, params, database_=self.database).summary
        for name in _COUNTER_FIELDS:
            self.counters[name] += getattr(summary.counters, name)

    def read(self, query: str, **params: Any) -> list:
        records, _, _ = self.driver.execute_query(query, params, database_=self.database, routing_="r")
        return records

    def stream(self, query: str, **params: Any) -> Iterator:
        with self.driver.session(database=self.database, default_access_mode="READ") as session:
            yield from session.run(query, params)


def _chunks(items: Iterable[Any], size: int, weight: Callable[[Any], int] = lambda _: 1) -> Iterator[list[Any]]:
    batch: list[Any] = []
    total = 0
    for item in items:
        batch.append(item)
        total += max(1, weight(item))
        if total >= size:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


# --- schema -------------------------------------------------------------------------------------

def _ensure_constraint(w: _Writer) -> None:
    rows = w.read(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
        "WHERE type IN ['UNIQUENESS', 'NODE_KEY'] AND labelsOrTypes = ['Resource'] AND properties = ['uri'] "
        "RETURN count(*) AS n"
    )
    if rows[0]["n"] == 0:
        w.schema(f"CREATE CONSTRAINT {CONSTRAINT} IF NOT EXISTS FOR (n:Resource) REQUIRE n.uri IS UNIQUE")


def text_properties(mapping: pg.Mapping) -> list[str]:
    """The property keys the full-text index covers: string columns of the text predicates."""
    return sorted(k for k, c in mapping.columns.items()
                  if local_name(c.predicate) in TEXT_PREDICATES and c.encoding in ("str", "lexical"))


def _ensure_fulltext(w: _Writer, props: list[str]) -> bool:
    """(Re)create ``iprg_text`` (cjk analyzer) when its property list differs; True if changed."""
    rows = w.read(
        "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties, options WHERE name = $name "
        "RETURN labelsOrTypes, properties, options", name=FULLTEXT_INDEX,
    )
    if rows:
        row = rows[0]
        analyzer = row["options"].get("indexConfig", {}).get("fulltext.analyzer")
        if row["labelsOrTypes"] == ["Resource"] and sorted(row["properties"]) == props and analyzer == "cjk":
            return False
        w.schema(f"DROP INDEX {FULLTEXT_INDEX} IF EXISTS")
    if not props:
        return False
    for key in props:  # keys go into Cypher text: only plain identifiers, backquoted
        if not pg.IDENT.match(key):
            raise MirrorError(f"property key {key!r} is not an identifier; cannot index it")
    fields = ", ".join(f"n.`{k}`" for k in props)
    w.schema(
        f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS FOR (n:Resource) ON EACH [{fields}] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"
    )
    return True


def _stored_mapping(w: _Writer) -> pg.Mapping | None:
    rows = w.read(f"MATCH (m:{pg.MAPPING_LABEL} {{id: 'mapping'}}) RETURN m.json AS json")
    return pg.Mapping.from_json(rows[0]["json"]) if rows else None


def _write_mapping(w: _Writer, mapping: pg.Mapping) -> None:
    stored = _stored_mapping(w)
    if stored is not None:
        # keep names still present in Neo4j from earlier runs readable; new names win
        merged = pg.Mapping(
            {**stored.columns, **mapping.columns},
            {**stored.rel_types, **mapping.rel_types},
            {**stored.labels, **mapping.labels},
        )
        if merged.to_json() == stored.to_json():
            return
        mapping = merged
    w.write([(f"MERGE (m:{pg.MAPPING_LABEL} {{id: 'mapping'}}) SET m.json = $json",
              {"json": mapping.to_json()})])


# --- the sync -----------------------------------------------------------------------------------

_UPSERT = (
    "UNWIND $rows AS row "
    "MERGE (n:Resource {uri: row.uri}) "
    "WITH n, row, [l IN labels(n) WHERE l <> 'Resource' AND NOT l IN row.labels] AS drop "
    "REMOVE n:$(drop) "
    "SET n = row.props, n:$(row.labels)"
)
_CREATE = "UNWIND $rows AS row CREATE (n:Resource) SET n = row.props, n:$(row.labels)"
_DELETE = "UNWIND $uris AS u MATCH (n:Resource {uri: u}) DETACH DELETE n"
_DROP_STALE_EDGES = (
    "UNWIND $rows AS row MATCH (a:Resource {uri: row.uri})-[r]->(b:Resource) "
    "WHERE NOT (type(r) + ' ' + b.uri) IN row.keep DELETE r"
)


def _checked_type(rtype: str) -> str:
    """Relationship types reach Cypher as dynamic types; still only validated identifiers."""
    if not pg.IDENT.match(rtype):
        raise MirrorError(f"relationship type {rtype!r} is not an identifier")
    return rtype


# One row per source node: its edge hash is set in the same statement (and transaction) as its
# outgoing relationships, and the source is looked up once, not once per relationship. Measured
# at 100× the corpus against one row per relationship plus a separate ``_ehash`` statement:
# 8.9 s vs 10.7 s; one statement per relationship type with static type text was slower (19 s),
# so the type stays dynamic (5.26 ``$(...)``), fed only validated identifiers.
_EDGES_OF = (
    "UNWIND $rows AS row MATCH (a:Resource {uri: row.uri}) SET a._ehash = row.h "
    "WITH a, row UNWIND row.out AS e MATCH (b:Resource {uri: e[1]}) "
)
_CREATE_EDGES = _EDGES_OF + "CREATE (a)-[:$(e[0])]->(b)"
_MERGE_EDGES = _EDGES_OF + "MERGE (a)-[:$(e[0])]->(b)"


def _source_of(graph_or_store):
    """What to project: an rdflib Graph as is; a GraphStore's quads straight from Oxigraph (no
    rdflib copy); any other iterable of rdflib or pyoxigraph triples as is."""
    if isinstance(graph_or_store, Graph):
        return graph_or_store
    if hasattr(graph_or_store, "quads"):
        return graph_or_store.quads()
    if hasattr(graph_or_store, "__iter__"):
        return graph_or_store
    raise TypeError("sync needs an rdflib Graph, a kg.store.GraphStore or an iterable of triples")


def sync(
    graph_or_store,
    driver,
    database: str = "neo4j",
    batch_size: int = 5000,
    verify: bool = False,
    full: bool = False,
    *,
    attempts: int = 4,
    backoff: float = 0.5,
    on_batch: Callable[[int], None] | None = None,
    bulk: bool = True,
) -> SyncReport:
    """Bring Neo4j in line with the graph (a diff unless ``full``); ``verify`` checks parity.

    Raises :class:`MirrorError` when Neo4j is unreachable (after ``attempts`` tries with
    exponential backoff from ``backoff`` seconds) or dies during the sync; rerunning after it is
    back completes the sync. ``on_batch(n)`` is called after each committed write batch.

    A first sync into a database without mirror nodes uses the launcher's bulk loader when the
    server has it (``bulk=False`` always writes through Cypher); ``SyncReport.loader`` says which.
    """
    started = time.perf_counter()
    stream = pg.ProjectionStream(_source_of(graph_or_store))     # one pass: the names are known
    projected = time.perf_counter()
    connect(driver, attempts=attempts, backoff=backoff, database=database)
    w = _Writer(driver, database)
    uri = _address(driver)
    seen = _Seen(stream, keep_nodes=verify)
    try:
        with pg.no_gc():    # building, hashing and row building make ~10⁶ acyclic containers
            try:
                stats = _apply(w, seen, batch_size, full, on_batch, bulk)
            finally:
                w.close()
        stats["phases"] = {"project": round(projected - started, 3), **stats["phases"]}
    except MirrorError:
        raise
    except Exception as exc:
        if _is_connection_error(exc):
            raise MirrorError(
                f"lost the connection to Neo4j at {uri} during the sync after {w.batches} committed "
                f"batches: {_one_line(exc)}. Committed batches are consistent; run the sync again once Neo4j "
                "is back and it finishes the rest"
            ) from exc
        from neo4j.exceptions import Neo4jError

        if isinstance(exc, Neo4jError):
            raise MirrorError(f"Neo4j at {uri} refused a mirror statement: {exc}") from exc
        raise
    parity = None
    if verify:
        try:
            parity = check_parity(driver, seen.projection(), database=database)
        except Exception as exc:
            if _is_connection_error(exc):
                raise MirrorError(f"lost the connection to Neo4j at {uri} during the parity check: {exc}") from exc
            raise
    seconds = time.perf_counter() - started
    counters = {k: v for k, v in sorted(w.counters.items()) if v}
    return SyncReport(
        ok=parity.ok if parity else True,
        uri=uri,
        database=database,
        full=full,
        triples=stream.triples,
        nodes=len(seen.uris),
        relationships=seen.relationships,
        nodes_written=stats["nodes_written"],
        nodes_deleted=stats["nodes_deleted"],
        edge_sets_written=stats["edge_sets_written"],
        batches=w.batches,
        writes=sum(w.counters.values()),
        counters=counters,
        seconds=round(seconds, 3),
        triples_per_second=round(stream.triples / seconds, 1) if seconds > 0 else 0.0,
        fulltext_index=FULLTEXT_INDEX,
        fulltext_properties=stats["fulltext"],
        phases=stats["phases"],
        loader=stats["loader"],
        parity=parity,
        mismatches=list(parity.mismatches) if parity else [],
    )


def loader_version(driver_or_writer, database: str = "neo4j") -> int | None:
    """The bulk-load payload version the server's ``iprg.mirror`` procedures speak, or None when
    it has none (any Neo4j but the bundled launcher) or the user may not list procedures."""
    from neo4j.exceptions import ClientError

    w = driver_or_writer if isinstance(driver_or_writer, _Writer) else _Writer(driver_or_writer, database)
    try:
        if not w.read("SHOW PROCEDURES YIELD name WHERE name = $name RETURN count(*) AS n",
                      name=LOADER_PROCEDURE)[0]["n"]:
            return None
        return int(w.read(f"CALL {LOADER_PROCEDURE}() YIELD version RETURN version")[0]["version"])
    except ClientError:
        return None


class _Seen:
    """The projection's nodes as the node phase consumes them (a stream is read once), keeping
    what the later phases and the report need: every uri in order, the outgoing relationships,
    and, for a parity check, the nodes themselves."""

    def __init__(self, stream: pg.ProjectionStream, keep_nodes: bool) -> None:
        self.stream = stream
        self.mapping = stream.mapping
        self.uris: list[str] = []
        self.out: dict[str, list[pg.Edge]] = {}
        self.relationships = 0
        self.nodes: dict[str, pg.Node] | None = {} if keep_nodes else None

    def __iter__(self) -> Iterator[tuple[pg.Node, list[pg.Edge]]]:
        for node, edges in self.stream:
            self.uris.append(node.uri)
            if edges:
                self.out[node.uri] = edges
                self.relationships += len(edges)
            if self.nodes is not None:
                self.nodes[node.uri] = node
            yield node, edges

    def projection(self) -> pg.PropertyGraph:
        edges = [e for u in self.uris for e in self.out.get(u, ())]
        return pg.PropertyGraph(self.nodes or {}, edges, self.mapping, self.stream.triples)


def _apply(w: _Writer, seen: _Seen, batch_size: int, full: bool,
           on_batch: Callable[[int], None] | None, bulk: bool) -> dict[str, Any]:
    phases: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(now - clock[0], 3)
        clock[0] = now

    stored: dict[str, tuple[str | None, str | None]] = {
        rec["uri"]: (rec["h"], rec["e"])
        for rec in w.stream("MATCH (n:Resource) RETURN n.uri AS uri, n._hash AS h, n._ehash AS e")
    }
    loader = "bulk" if bulk and not stored and loader_version(w) == LOADER_VERSION else "cypher"
    if loader != "bulk":
        _ensure_constraint(w)
    _write_mapping(w, seen.mapping)
    lap("read_hashes")

    def tick() -> None:
        if on_batch:
            on_batch(w.batches)

    w._committed = tick
    props = text_properties(seen.mapping)
    # nodes are built from the projection as the batches go out (phase "nodes" includes that)
    if loader == "bulk":
        ids = _bulk_nodes(w, seen, batch_size)
        written, gone = len(seen.uris), []
        lap("nodes")
        _ensure_constraint(w)
        lap("constraint")
        phases["delete"] = 0.0
        # populates in the background while the relationships are written; awaited below
        fulltext_changed = _ensure_fulltext(w, props)
        edge_sets = _bulk_edges(w, seen, ids, batch_size)
        lap("edges")
    else:
        written = _cypher_nodes(w, seen, stored, batch_size, full)
        lap("nodes")
        gone = sorted(set(stored).difference(seen.uris))
        for batch in _chunks(gone, batch_size):
            w.write([(_DELETE, {"uris": batch})])
        lap("delete")
        fulltext_changed = _ensure_fulltext(w, props)
        edge_sets = _cypher_edges(w, seen, stored, batch_size, full)
        lap("edges")

    # the full-text index over the text properties this projection has
    if fulltext_changed:
        w.read("CALL db.awaitIndex($name, 300)", name=FULLTEXT_INDEX)
    lap("fulltext")
    return {"nodes_written": written, "nodes_deleted": len(gone), "edge_sets_written": edge_sets,
            "fulltext": props, "phases": phases, "loader": loader}


def _cypher_nodes(w: _Writer, seen: _Seen, stored: dict[str, tuple[str | None, str | None]],
                  batch_size: int, full: bool) -> int:
    """Labels + properties + ``_hash`` of every new or changed node, one statement per batch."""
    def node_rows() -> Iterator[dict[str, Any]]:
        for node, edges in seen:
            uri = node.uri
            h = pg.node_hash(node)
            old = stored.get(uri)
            if not full and old is not None and old[0] == h:
                continue
            props = dict(node.props, uri=uri, _hash=h)
            if old is not None and old[1] is not None:
                props["_ehash"] = old[1]          # the edge phase decides about edges
            elif old is None and not edges:
                props["_ehash"] = pg.EMPTY_EDGES_HASH
            yield {"uri": uri, "labels": list(node.labels), "props": props}

    written = 0
    for batch in _chunks(node_rows(), batch_size):
        new = [row for row in batch if row["uri"] not in stored]      # known absent: CREATE
        old = [row for row in batch if row["uri"] in stored]
        w.submit([(q, {"rows": rows}) for q, rows in ((_CREATE, new), (_UPSERT, old)) if rows])
        written += len(batch)
    w.flush()
    return written


def _cypher_edges(w: _Writer, seen: _Seen, stored: dict[str, tuple[str | None, str | None]],
                  batch_size: int, full: bool) -> int:
    """The outgoing relationships of every node whose edge hash differs, with the hash."""
    out = seen.out

    def edge_nodes() -> Iterator[tuple[str, str]]:
        for uri in seen.uris:
            edges = out.get(uri, ())
            h = pg.edges_hash(edges)
            old = stored.get(uri)
            effective = old[1] if old is not None else (None if edges else pg.EMPTY_EDGES_HASH)
            if full or effective != h:
                yield uri, h

    edge_sets = 0
    for batch in _chunks(edge_nodes(), batch_size, weight=lambda item: len(out.get(item[0], ()))):
        statements: list[tuple[str, dict[str, Any]]] = []
        existing = [(u, h) for u, h in batch if u in stored]
        if existing:   # only nodes that were there before can have stale relationships
            statements.append((_DROP_STALE_EDGES, {"rows": [
                {"uri": u, "keep": [f"{e.type} {e.dst}" for e in out.get(u, ())]} for u, _ in existing]}))
        for create in (True, False):
            rows = [{"uri": u, "h": h, "out": [[_checked_type(e.type), e.dst] for e in out.get(u, ())]}
                    for u, h in batch if (u not in stored) == create]
            if rows:
                statements.append((_CREATE_EDGES if create else _MERGE_EDGES, {"rows": rows}))
        w.submit(statements)
        edge_sets += len(batch)
    w.flush()
    return edge_sets


# The bulk first load (an empty database and the launcher's ``iprg.mirror`` procedures): the
# same nodes, properties, hashes and relationships as the Cypher path, batch for batch in the
# same order and transactions, but written through the embedded API. The procedures' writes do
# not show in Neo4j's statement counters, so the counters are added up here, the way the Cypher
# statements would report them.
_BULK_NODES = f"CALL {LOADER_PROCEDURE.rsplit('.', 1)[0]}.createNodes($rows) YIELD ids RETURN ids"
_BULK_EDGES = (f"CALL {LOADER_PROCEDURE.rsplit('.', 1)[0]}.createRelationships($types, $rows) "
               "YIELD relationships RETURN relationships")


def _bulk_nodes(w: _Writer, seen: _Seen, batch_size: int) -> dict[str, int]:
    """Create every node; returns node ids by uri (what the relationship batches refer to)."""
    ids: dict[str, int] = {}

    def rows() -> Iterator[list[Any]]:
        empty = pg.EMPTY_EDGES_HASH
        for node, edges in seen:
            yield [node.uri, node.labels, node.props, pg.node_hash(node), None if edges else empty]

    def created(batch: list[list[Any]]) -> Callable[[Values], None]:
        def then(values: Values) -> None:
            ids.update(zip([row[0] for row in batch], values[0][0][0], strict=True))
            w.counters.update({
                "nodes_created": len(batch),
                "labels_added": sum(1 + len(row[1]) for row in batch),
                "properties_set": sum(len(row[2]) + 2 + (row[4] is not None) for row in batch),
            })
        return then

    w.in_flight = NODE_BATCHES_IN_FLIGHT
    try:
        for batch in _chunks(rows(), batch_size):
            w.submit([(_BULK_NODES, {"rows": batch})], then=created(batch))
        w.flush()
    finally:
        w.in_flight = 1
    return ids


def _bulk_edges(w: _Writer, seen: _Seen, ids: dict[str, int], batch_size: int) -> int:
    """Every node's outgoing relationships and ``_ehash``, between node ids (no index seeks)."""
    types = sorted(_checked_type(t) for t in seen.mapping.rel_types)
    index = {t: i for i, t in enumerate(types)}

    def rows() -> Iterator[list[Any]]:
        for uri, edges in seen.out.items():
            yield [ids[uri], pg.edges_hash(edges), [x for e in edges for x in (index[e[1]], ids[e[2]])]]

    def created(batch: list[list[Any]]) -> Callable[[Values], None]:
        def then(values: Values) -> None:
            w.counters.update({"relationships_created": values[0][0][0], "properties_set": len(batch)})
        return then

    edge_sets = 0
    for batch in _chunks(rows(), batch_size, weight=lambda row: len(row[2]) // 2):
        w.submit([(_BULK_EDGES, {"types": types, "rows": batch})], then=created(batch))
        edge_sets += len(batch)
    w.flush()
    return edge_sets


# --- parity and read-back -----------------------------------------------------------------------

def _sample(uris: list[str], limit: int, size: int) -> tuple[list[str], bool]:
    if len(uris) <= limit:
        return uris, False
    ranked = sorted(uris, key=lambda u: hashlib.sha1(u.encode("utf-8")).hexdigest())
    return sorted(ranked[:size]), True


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_parity(driver, projection: pg.PropertyGraph, database: str = "neo4j",
                 all_nodes_up_to: int = PARITY_ALL_NODES_UP_TO, sample: int = PARITY_SAMPLE) -> ParityReport:
    """Counts per label and relationship type on both sides, and nodes property by property
    (every node up to ``all_nodes_up_to`` nodes, else a deterministic sample of ``sample``)."""
    w = _Writer(driver, database)
    labels_neo = {r["l"]: r["n"] for r in w.read(
        "MATCH (n:Resource) UNWIND labels(n) AS l RETURN l, count(*) AS n")}
    types_neo = {r["t"]: r["n"] for r in w.read(
        "MATCH (:Resource)-[r]->(:Resource) RETURN type(r) AS t, count(*) AS n")}
    labels_rdf, types_rdf = projection.label_counts(), projection.type_counts()
    mismatches: list[str] = []
    for kind, left, right in (("label", labels_rdf, labels_neo), ("relationship type", types_rdf, types_neo)):
        for name in sorted(set(left) | set(right)):
            if left.get(name, 0) != right.get(name, 0):
                mismatches.append(f"{kind} {name}: {left.get(name, 0)} in RDF, {right.get(name, 0)} in Neo4j")

    uris, sampled = _sample(list(projection.nodes), all_nodes_up_to, sample)
    out = projection.out_edges()
    for batch in _chunks(uris, 2000):
        rows = w.read(
            "UNWIND $uris AS u OPTIONAL MATCH (n:Resource {uri: u}) "
            "RETURN u, n IS NOT NULL AS found, labels(n) AS labels, properties(n) AS props, "
            "[(n)-[r]->(m:Resource) | type(r) + ' ' + m.uri] AS out", uris=batch)
        for row in rows:
            u = row["u"]
            node = projection.nodes[u]
            if not row["found"]:
                mismatches.append(f"node {u}: missing in Neo4j")
                continue
            got_labels = tuple(sorted(label for label in row["labels"] if label != pg.RESOURCE))
            if got_labels != node.labels:
                mismatches.append(f"node {u}: labels {list(node.labels)} in RDF, {list(got_labels)} in Neo4j")
            props = {k: pg.normalise_value(v) for k, v in row["props"].items()
                     if k != "uri" and not k.startswith("_")}
            for key in sorted(set(props) | set(node.props)):
                want, got = node.props.get(key), props.get(key)
                if want != got or type(want) is not type(got):
                    mismatches.append(f"node {u}: property {key} is {_show(want)} in RDF, {_show(got)} in Neo4j")
            want_out = sorted(f"{e.type} {e.dst}" for e in out.get(u, ()))
            if sorted(row["out"]) != want_out:
                mismatches.append(f"node {u}: outgoing relationships differ ({len(want_out)} in RDF, "
                                  f"{len(row['out'])} in Neo4j)")
    return ParityReport(
        ok=not mismatches,
        labels_rdf=labels_rdf, labels_neo4j=dict(sorted(labels_neo.items())),
        types_rdf=types_rdf, types_neo4j=dict(sorted(types_neo.items())),
        nodes_checked=len(uris), sampled=sampled,
        mismatch_count=len(mismatches), mismatches=mismatches[:MAX_LISTED_MISMATCHES],
    )


def read_back(driver, database: str = "neo4j") -> Graph:
    """Neo4j → RDF through the stored mapping (isomorphic to the mirrored graph after a sync)."""
    w = _Writer(driver, database)
    mapping = _stored_mapping(w)
    if mapping is None:
        raise MirrorError(f"Neo4j at {_address(driver)} holds no mirror (no {pg.MAPPING_LABEL} node)")
    nodes = ((r["uri"], r["labels"], r["props"]) for r in w.stream(
        "MATCH (n:Resource) RETURN n.uri AS uri, labels(n) AS labels, properties(n) AS props"))
    graph = pg.pg_to_rdf(nodes, [], mapping)
    edges = ((r["s"], r["t"], r["o"]) for r in w.stream(
        "MATCH (a:Resource)-[r]->(b:Resource) RETURN a.uri AS s, type(r) AS t, b.uri AS o"))
    graph += pg.pg_to_rdf([], edges, mapping)
    return graph


# --- from the environment (the CLI) -------------------------------------------------------------

def open_driver(uri: str, user: str, password: str | None, *, retry_time: float = 15.0,
                connection_timeout: float = 10.0):
    from neo4j import GraphDatabase

    return GraphDatabase.driver(uri, auth=(user, password or ""), connection_timeout=connection_timeout,
                                max_transaction_retry_time=retry_time)


def sync_from_env(store, verify: bool = False, full: bool = False, **kwargs: Any) -> SyncReport:
    """Sync ``store`` into the Neo4j :func:`kg.config.neo4j_driver` resolves: NEO4J_URI/
    NEO4J_USER/NEO4J_PASSWORD/NEO4J_DATABASE, or the launcher started by ``kg neo4j start``."""
    settings = config.settings()
    try:
        driver = config.neo4j_driver(settings, max_transaction_retry_time=15.0)
    except Unavailable as exc:
        raise MirrorError(str(exc)) from exc
    with driver:
        return sync(store, driver, database=settings.neo4j_database, verify=verify, full=full, **kwargs)
