"""The one runner for user-typed SPARQL and Cypher: the consoles, ``/sparql`` and ``kg query``.

Why one module: a query a person types is hostile until proven otherwise. Every door that
accepts one (the UI's SPARQL and Cypher consoles, the SPARQL 1.1 Protocol endpoint, ``kg
query``) goes through the same read-only checks, the same limits and the same serialisers here,
so a write refused at one door is refused at all of them, and a query past its limit is stopped
at all of them.

* SPARQL: only query forms pass :func:`check_sparql` (the SPARQL Update detector skips
  comments, strings and IRIs); Oxigraph's ``query`` refuses updates as well. The query runs in
  a worker process of a reused pool (:class:`QueryRunner`), which opens the store's current
  generation read-only. Oxigraph cannot be interrupted from outside, so a query past its time
  limit (or whose HTTP client went away) is stopped by killing its worker: its CPU and memory
  are given back at once, and the pool starts a fresh worker. At most ``max_rows`` rows and
  ``max_bytes`` of values come back; at most ``workers`` queries run at once per server
  process, and one more is refused with :class:`~kg.errors.TooBusy` (429), never queued.
* Cypher: write clauses, admin commands and unknown procedures are refused from the text
  (:func:`check_cypher`), and the query runs in a READ transaction with a server-side
  transaction timeout, so a write that slips past the text check is refused by the server and
  a slow query is ended by Neo4j itself.
"""

from __future__ import annotations

import asyncio
import csv
import ctypes
import io
import json
import multiprocessing
import multiprocessing.context
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import CancelledError, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pebble
import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg import config
from kg.errors import BadInput, TooBusy, Unavailable
from kg.ns import PREFIXES
from kg.store import GraphStore
from kg.terms import XSD_STRING
from kg.terms import py_value as _py

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
#: What each kind of SPARQL answer can be written as (media type → writer), first = default.
SELECT_TYPES = (SPARQL_JSON, "application/json", "text/csv", "text/tab-separated-values", SPARQL_XML)
BOOLEAN_TYPES = (SPARQL_JSON, "application/json", "text/csv", SPARQL_XML)
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
READ_ONLY_MSG = ("this SPARQL endpoint is read-only: SPARQL UPDATE (INSERT, DELETE, LOAD, CLEAR, "
                 "DROP, CREATE, ADD, MOVE, COPY) is not accepted; rebuild the graph with `kg ingest`")


class ConsoleError(BadInput):
    """A console query was refused (write clause, bad syntax, timeout); the message says why."""


class ReadOnlyError(ConsoleError):
    """A write was sent to a read-only door."""


class QueryTimeout(ConsoleError, Unavailable):
    """The query ran past its time limit and was stopped (503, not the user's syntax)."""

    status = 503


@dataclass(frozen=True)
class ConsoleResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]   # plain JSON values; nodes as {"uri":…, "labels":…, …}
    truncated: bool                     # row limit reached (more rows were available)
    elapsed_ms: float


# ----------------------------------------------------------------------------- read-only checks

_SPARQL_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_CYPHER_WRITE_WORDS = ("CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH",
                       "GRANT", "REVOKE", "DENY", "ALTER", "RENAME", "START", "STOP", "TERMINATE",
                       "ENABLE", "DEALLOCATE", "REALLOCATE", "USE")
#: Procedures the Cypher console may CALL (all read-only); everything else is refused.
_CYPHER_READ_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "db.index.fulltext.querynodes",
    "db.index.fulltext.queryrelationships", "db.info", "dbms.components",
})


def _strip(text: str, lang: str) -> str:
    """The query with comments, string literals (and, for SPARQL, IRIs; for Cypher, backquoted
    names) blanked out, so that a keyword inside them is not mistaken for a clause."""
    out, i, n = [], 0, len(text)
    quotes = ("'", '"', "`") if lang == "cypher" else ("'", '"')
    while i < n:
        ch = text[i]
        if lang == "cypher" and text.startswith("//", i) or lang == "sparql" and ch == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            out.append(" ")
        elif lang == "cypher" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif lang == "sparql" and ch == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            j = text.index(">", i)
            out.append("<>")
            i = j + 1
        elif ch in quotes:
            long = lang == "sparql" and text.startswith(ch * 3, i)
            end = ch * 3 if long else ch
            j = i + len(end)
            while j < n and not text.startswith(end, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(end)
            out.append(" '' ")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _sparql_keywords(text: str) -> list[str]:
    bare = _strip(text, "sparql")
    return [w.upper() for w in re.findall(r"(?<![?$:\w])[A-Za-z_]+(?![\w:])", bare)]


def sparql_update_keyword(text: str) -> str | None:
    """The first SPARQL Update keyword outside comments, strings and IRIs, or None.

    One detector for every read-only door (the consoles here, ``/sparql`` in kg.api).
    """
    return next((w for w in _sparql_keywords(text) if w in _SPARQL_UPDATE_WORDS and w != "WITH"), None)


def check_sparql(text: str) -> None:
    """Refuse anything but a SELECT/ASK/CONSTRUCT/DESCRIBE query (SPARQL Update is refused)."""
    word = sparql_update_keyword(text)
    if word is not None:
        raise ReadOnlyError(f"the SPARQL console is read-only: {word} (SPARQL Update) is not allowed")
    upper = _sparql_keywords(text)
    forms = [w for w in upper if w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")]
    if not forms:
        raise ConsoleError("the SPARQL console runs queries only: write SELECT, ASK, CONSTRUCT or DESCRIBE")


def check_cypher(text: str) -> None:
    """Refuse write clauses, admin commands and procedures that are not known to be read-only."""
    bare = _strip(text, "cypher")
    upper = bare.upper()
    for w in _CYPHER_WRITE_WORDS:
        if re.search(rf"(?<![\w$.]){w}(?![\w])", upper):
            raise ReadOnlyError(f"the Cypher console is read-only: {w} is not allowed")
    if re.search(r"\bLOAD\s+CSV\b", upper):
        raise ConsoleError("the Cypher console is read-only: LOAD CSV is not allowed")
    if re.search(r"\bIN\s+(?:\d+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS\b", upper):
        raise ConsoleError("the Cypher console is read-only: CALL { … } IN TRANSACTIONS is not allowed")
    for m in re.finditer(r"\bCALL\s*(?!\s*[{(])([A-Za-z_][\w.]*)", bare, flags=re.IGNORECASE):
        name = m.group(1).lower()
        if name not in _CYPHER_READ_PROCEDURES:
            raise ConsoleError(f"the Cypher console may not call the procedure {m.group(1)}: only "
                               f"{', '.join(sorted(_CYPHER_READ_PROCEDURES))} are allowed")


# ----------------------------------------------------------------------------- SPARQL in a worker

#: A term as it travels back from a worker: ("uri", iri) | ("bnode", id) | ("literal", lexical,
#: language or "", datatype IRI). Plain tuples pickle cheaply and need no Oxigraph to read.
Term = tuple


@dataclass(frozen=True)
class SparqlTable:
    """A SPARQL answer, bounded: ``kind`` "select" (``columns``, ``rows``), "boolean"
    (``boolean``) or "graph" (rows of subject, predicate, object)."""

    kind: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    truncated: bool = False
    boolean: bool | None = None


def _plain(term: Any) -> Term | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    return ("literal", term.value, term.language or "", term.datatype.value)


def _size(row: tuple[Term | None, ...]) -> int:
    return sum(len(t[1]) + 16 for t in row if t is not None)


_OPEN: dict[str, ox.Store] = {}


def _generation_store(path: str) -> ox.Store:
    """The worker's read-only handle on one store generation (the last one stays open)."""
    store = _OPEN.get(path)
    if store is None:
        _OPEN.clear()
        store = _OPEN[path] = ox.Store.read_only(path)
    return store


def evaluate_sparql(path: str, text: str, max_rows: int, max_bytes: int) -> SparqlTable:
    """Run ``text`` on the generation at ``path`` and read at most ``max_rows`` rows and about
    ``max_bytes`` of values. Runs in a worker process (any exception must pickle)."""
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    try:
        result = _generation_store(path).query(text, prefixes=prefixes)
        if isinstance(result, ox.QueryBoolean):
            return SparqlTable("boolean", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            columns = tuple(v.value for v in result.variables)
            items = (tuple(_plain(sol[c]) for c in columns) for sol in result)
            kind = "select"
        else:
            columns = ("subject", "predicate", "object")
            items = ((_plain(t.subject), _plain(t.predicate), _plain(t.object)) for t in result)
            kind = "graph"
        rows: list[tuple[Term | None, ...]] = []
        used, truncated = 0, False
        for row in items:
            used += _size(row)
            if len(rows) >= max_rows or used > max_bytes:
                truncated = True
                break
            rows.append(row)
        return SparqlTable(kind, columns, tuple(rows), truncated)
    except SyntaxError as exc:
        raise ConsoleError(f"SPARQL error (syntax): {exc}") from None
    except (ValueError, OSError) as exc:
        raise ConsoleError(f"SPARQL error: {exc}") from None


#: The pid of the process that runs the query pool, in the environment its fork server and
#: workers inherit, so that they know whose death must end them.
_SERVER_PID = "IPRG_QUERY_SERVER_PID"


def _die_with_parent() -> None:
    """Have Linux SIGKILL this process when its parent dies (``prctl(PR_SET_PDEATHSIG)``).

    Why: the deadline of a query is kept by the server; a worker busy inside Oxigraph notices
    nothing. A server killed with ``kill -9`` (or by the OOM killer) would otherwise leave its
    fork server and every worker in the middle of a heavy query running for as long as the query
    does (seen: two workers at full CPU for 15 minutes after their server was gone). The kernel
    signal needs no Python code to run in the busy worker.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # 1 = PR_SET_PDEATHSIG


def _server_gone() -> bool:
    pid = os.environ.get(_SERVER_PID, "")
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


if os.environ.get(_SERVER_PID) == str(os.getppid()):
    # This process is the fork server the query pool started (it imports this module first):
    # it ends with its server, and its workers (below) end with it.
    _die_with_parent()
    if _server_gone():   # the server died before the line above took effect
        os._exit(0)


def _worker_init() -> None:
    _die_with_parent()
    if _server_gone():
        os._exit(0)
    # A worker busy inside Oxigraph runs no Python signal handler, so the pool's SIGTERM must
    # end it by the default action, at once (pebble would otherwise wait 3 s and SIGKILL).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A user's query yields the CPU to the server's own answers (the explorer's questions).
    os.nice(10)


def _context() -> multiprocessing.context.BaseContext:
    """Workers are forked from a small server process that has this module (and the program's
    main module, which every multiprocessing child re-runs) loaded already, so a worker killed
    at a deadline is replaced in milliseconds without importing anything again, and is never
    forked from the multi-threaded web server itself. (Measured: without the main module
    preloaded, each replacement re-imported ``kg.cli`` and the ingest stack, 2–8 s of CPU.)"""
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    preload = ["__main__", "kg.console"] + ([name] if name and name not in ("__main__", "__mp_main__") else [])
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(preload)
    return ctx


class QueryRunner:
    """Runs user-typed queries within their limits: a reused pool of SPARQL worker processes
    (killed at the deadline) and a cap on how many queries run at once."""

    def __init__(self, settings: config.Settings | None = None) -> None:
        self.settings = settings or config.settings()
        self._slots = threading.BoundedSemaphore(self.settings.query_workers)
        self._pool: pebble.ProcessPool | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> pebble.ProcessPool:
        with self._lock:
            if self._pool is None or not self._pool.active:
                os.environ[_SERVER_PID] = str(os.getpid())
                self._pool = pebble.ProcessPool(
                    max_workers=self.settings.query_workers, max_tasks=200, initializer=_worker_init,
                    context=_context())
            return self._pool

    def start(self) -> None:
        """Start the workers now (a server does this at startup, so no request waits for them)."""
        self._get_pool()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.stop()
                self._pool.join(timeout=5)
                self._pool = None

    def _slot(self) -> None:
        if not self._slots.acquire(blocking=False):
            raise TooBusy(f"too many queries are running ({self.settings.query_workers} at once); "
                          "try again in a moment", retry_after=2)

    def submit_sparql(self, store: GraphStore, text: str, max_rows: int | None = None,
                      timeout: float | None = None) -> Future:
        """Check ``text`` and start it in a worker; the future gives a :class:`SparqlTable`."""
        if not text or not text.strip():
            raise ConsoleError("the query is empty")
        check_sparql(text)
        path = str(store.generation_path())
        rows = min(max_rows or self.settings.query_max_rows, self.settings.query_max_rows)
        self._slot()
        try:
            future = self._get_pool().schedule(
                evaluate_sparql, args=(path, text, rows, self.settings.query_max_bytes),
                timeout=timeout or self.settings.query_timeout)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _f: self._slots.release())
        return future

    def _outcome(self, future: Future, timeout: float) -> SparqlTable:
        try:
            return future.result()
        except TimeoutError as exc:
            raise QueryTimeout(f"the query ran longer than the {timeout:g} s time limit and was stopped") from exc
        except pebble.ProcessExpired as exc:
            raise Unavailable(f"the query's worker process ended abnormally (exit code {exc.exitcode}); "
                              "the query was probably too large") from exc
        except BrokenProcessPool as exc:
            self.close()   # the next query starts a fresh pool
            raise Unavailable(f"the query workers could not start: {exc}") from exc

    def sparql(self, store: GraphStore, text: str, max_rows: int | None = None,
               timeout: float | None = None) -> SparqlTable:
        """Run ``text`` and wait for its bounded answer (the CLI and the UI console)."""
        limit = timeout or self.settings.query_timeout
        return self._outcome(self.submit_sparql(store, text, max_rows, limit), limit)

    async def sparql_async(self, store: GraphStore, text: str, gone: Callable[[], Awaitable[bool]],
                           max_rows: int | None = None, timeout: float | None = None) -> SparqlTable:
        """As :meth:`sparql`, without blocking the event loop; when ``gone()`` says the client
        left, the query is cancelled (its worker killed) instead of running on for nobody."""
        limit = timeout or self.settings.query_timeout
        future = self.submit_sparql(store, text, max_rows, limit)
        waiting = asyncio.wrap_future(future)
        while not future.done():
            await asyncio.wait({waiting}, timeout=0.25)
            if not future.done() and await gone():
                future.cancel()
                raise ClientGone("the client closed the connection; the query was stopped")
        try:
            return self._outcome(future, limit)
        except CancelledError as exc:
            raise ClientGone("the query was cancelled") from exc

    def cypher(self, driver, text: str, limit: int, timeout: float | None = None,
               database: str | None = None) -> ConsoleResult:
        """Run Cypher (read-only, server-side timeout) under the same cap."""
        self._slot()
        try:
            return run_cypher(driver, text, min(limit, self.settings.query_max_rows),
                              timeout or self.settings.query_timeout,
                              database or self.settings.neo4j_database)
        finally:
            self._slots.release()


class ClientGone(Unavailable):
    """The HTTP client went away before its query finished."""


_RUNNERS: dict[int, QueryRunner] = {}


def default_runner() -> QueryRunner:
    """This process's runner (one pool per process), made on first use."""
    runner = _RUNNERS.get(0)
    if runner is None:
        runner = _RUNNERS[0] = QueryRunner()
    return runner


# ----------------------------------------------------------------------------- writing answers

def _rdflib(term: Term):
    if term[0] == "uri":
        return URIRef(term[1])
    if term[2]:
        return Literal(term[1], lang=term[2])
    if term[3] == XSD_STRING:
        return Literal(term[1])
    return Literal(term[1], datatype=URIRef(term[3]))


def _json_value(term: Term | None) -> Any:
    """A term as a plain JSON value for the consoles (literals typed: ints, floats, dates…)."""
    if term is None:
        return None
    if term[0] == "bnode":
        return "_:" + term[1]
    if term[0] == "uri":
        return term[1]
    return _py(_rdflib(term))


def to_console(table: SparqlTable, elapsed_ms: float) -> ConsoleResult:
    """A SPARQL answer as the consoles show it."""
    if table.kind == "boolean":
        return ConsoleResult(("ask",), ((bool(table.boolean),),), False, elapsed_ms)
    rows = tuple(tuple(_json_value(t) for t in row) for row in table.rows)
    return ConsoleResult(table.columns, rows, table.truncated, elapsed_ms)


def _term_json(term: Term) -> dict[str, str]:
    if term[0] == "uri":
        return {"type": "uri", "value": term[1]}
    if term[0] == "bnode":
        return {"type": "bnode", "value": term[1]}
    out = {"type": "literal", "value": term[1]}
    if term[2]:
        out["xml:lang"] = term[2]
    elif term[3] != XSD_STRING:
        out["datatype"] = term[3]
    return out


def _term_csv(term: Term | None) -> str:
    if term is None:
        return ""
    return "_:" + term[1] if term[0] == "bnode" else term[1]


def _term_tsv(term: Term | None) -> str:
    if term is None:
        return ""
    if term[0] == "uri":
        return f"<{term[1]}>"
    if term[0] == "bnode":
        return "_:" + term[1]
    lexical = json.dumps(term[1], ensure_ascii=False)
    if term[2]:
        return f"{lexical}@{term[2]}"
    return lexical if term[3] == XSD_STRING else f"{lexical}^^<{term[3]}>"


def _term_xml(name: str, term: Term) -> str:
    if term[0] == "uri":
        inner = f"<uri>{escape(term[1])}</uri>"
    elif term[0] == "bnode":
        inner = f"<bnode>{escape(term[1])}</bnode>"
    elif term[2]:
        inner = f"<literal xml:lang={quoteattr(term[2])}>{escape(term[1])}</literal>"
    elif term[3] != XSD_STRING:
        inner = f"<literal datatype={quoteattr(term[3])}>{escape(term[1])}</literal>"
    else:
        inner = f"<literal>{escape(term[1])}</literal>"
    return f"<binding name={quoteattr(name)}>{inner}</binding>"


def _ox_term(term: Term):
    if term[0] == "uri":
        return ox.NamedNode(term[1])
    if term[0] == "bnode":
        return ox.BlankNode(term[1])
    if term[2]:
        return ox.Literal(term[1], language=term[2])
    return ox.Literal(term[1], datatype=ox.NamedNode(term[3]))


def serialise(table: SparqlTable, media: str) -> bytes:
    """A SPARQL answer in ``media`` (one of :data:`SELECT_TYPES`, :data:`BOOLEAN_TYPES` or
    :data:`GRAPH_TYPES` for its kind), as the SPARQL 1.1 result formats define them."""
    if table.kind == "graph":
        fmt = GRAPH_TYPES[media]
        triples = [ox.Triple(*(_ox_term(t) for t in row)) for row in table.rows]
        if fmt == ox.RdfFormat.TURTLE:
            return ox.serialize(triples, format=fmt, prefixes={k: str(v) for k, v in PREFIXES.items()})
        return ox.serialize(triples, format=fmt)
    xml_head = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
    if table.kind == "boolean":
        if media == "text/csv":
            return b"_askResult\r\n" + (b"true" if table.boolean else b"false") + b"\r\n"
        if media == SPARQL_XML:
            return f"{xml_head}<head/><boolean>{str(bool(table.boolean)).lower()}</boolean></sparql>".encode()
        return json.dumps({"head": {}, "boolean": bool(table.boolean)}).encode()
    names = table.columns
    if media in (SPARQL_JSON, "application/json"):
        bindings = [{n: _term_json(t) for n, t in zip(names, row, strict=True) if t is not None}
                    for row in table.rows]
        return json.dumps({"head": {"vars": list(names)}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if media == SPARQL_XML:
        head = "".join(f"<variable name={quoteattr(n)}/>" for n in names)
        results = "".join("<result>" + "".join(_term_xml(n, t) for n, t in zip(names, row, strict=True)
                                                if t is not None) + "</result>" for row in table.rows)
        return f"{xml_head}<head>{head}</head><results>{results}</results></sparql>".encode()
    buf = io.StringIO()
    if media == "text/csv":
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        for row in table.rows:
            writer.writerow([_term_csv(t) for t in row])
    else:
        buf.write("\t".join("?" + n for n in names) + "\n")
        for row in table.rows:
            buf.write("\t".join(_term_tsv(t) for t in row) + "\n")
    return buf.getvalue().encode("utf-8")


# ----------------------------------------------------------------------------- Cypher

def _json_cypher(value: Any) -> Any:
    import neo4j.graph as g

    if isinstance(value, g.Node):
        props = dict(value)
        return {"uri": props.get("uri"), "labels": sorted(value.labels),
                "label_zh": _first(props.get("label_zh") or props.get("prefLabel_zh") or props.get("title_zh")),
                "label_en": _first(props.get("label_en") or props.get("prefLabel_en") or props.get("title_en"))}
    if isinstance(value, g.Relationship):
        return {"type": value.type,
                "start": dict(value.start_node).get("uri") if value.start_node else None,
                "end": dict(value.end_node).get("uri") if value.end_node else None,
                "properties": {k: _json_cypher(v) for k, v in dict(value).items()}}
    if isinstance(value, g.Path):
        return {"nodes": [_json_cypher(n) for n in value.nodes],
                "relationships": [_json_cypher(r) for r in value.relationships]}
    if isinstance(value, (list, tuple)):
        return [_json_cypher(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_cypher(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return _py(value) if not hasattr(value, "iso_format") else value.iso_format()


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _with_deadline(fn, timeout_s: float):
    """Run ``fn`` in a worker thread; give up waiting at the deadline (the worker is abandoned,
    it stops at its next row check)."""
    box: dict[str, Any] = {}
    stop = threading.Event()

    def work() -> None:
        try:
            box["value"] = fn(stop)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=work, name="iprg-console", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        stop.set()
        raise QueryTimeout(f"the query ran longer than the {timeout_s:g} s time limit and was stopped")
    if "error" in box:
        raise box["error"]
    return box["value"]


def run_cypher(driver, text: str, limit: int, timeout_s: float, database: str,
                    check: bool = True) -> ConsoleResult:
    """Run ``text`` in a READ transaction with a server-side timeout. ``check=False`` skips the
    text check (tests use it to prove the READ mode alone refuses writes)."""
    import neo4j
    from neo4j.exceptions import ClientError, Neo4jError, ServiceUnavailable, SessionExpired

    if check:
        check_cypher(text)
    started = time.perf_counter()

    @neo4j.unit_of_work(timeout=timeout_s)
    def work(tx, stop: threading.Event) -> ConsoleResult:
        result = tx.run(text)
        columns = tuple(result.keys())
        rows: list[tuple[Any, ...]] = []
        truncated = False
        for record in result:
            if stop.is_set():
                break
            if len(rows) >= limit:
                truncated = True
                break
            rows.append(tuple(_json_cypher(record[c]) for c in columns))
        return ConsoleResult(columns, tuple(rows), truncated, 0.0)

    def run(stop: threading.Event) -> ConsoleResult:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            try:
                return session.execute_read(work, stop)
            except (ServiceUnavailable, SessionExpired) as exc:
                raise Unavailable(f"Neo4j is not reachable: {exc}") from exc
            except ClientError as exc:
                code = exc.code or ""
                if "AccessMode" in code or "Forbidden" in code or "WriteOnReadOnlyAccessDbException" in code:
                    raise ConsoleError(f"the Cypher console is read-only; the server refused a write: {exc.message}") from exc
                if "TransactionTimedOut" in code or "Terminated" in code:
                    raise QueryTimeout(f"the query ran longer than the {timeout_s:g} s time limit: {exc.message}") from exc
                raise ConsoleError(f"Cypher error: {exc.message}") from exc
            except Neo4jError as exc:
                raise ConsoleError(f"Cypher error: {exc.message}") from exc

    res = _with_deadline(run, timeout_s + 1.0)
    return ConsoleResult(res.columns, res.rows, res.truncated, round((time.perf_counter() - started) * 1000, 3))



def run_console(
    lang: str,
    text: str,
    store: GraphStore | None = None,
    driver=None,
    limit: int = 1000,
    timeout_s: float | None = None,
    database: str | None = None,
    runner: QueryRunner | None = None,
) -> ConsoleResult:
    """Run a read-only SPARQL or Cypher query typed by a user (row- and time-limited): what the
    UI consoles and ``kg query`` call. ``driver`` None opens :func:`kg.config.neo4j_driver`."""
    if not text or not text.strip():
        raise ConsoleError("the query is empty")
    if limit <= 0:
        raise ConsoleError("the row limit must be positive")
    runner = runner or default_runner()
    if lang == "sparql":
        started = time.perf_counter()
        table = runner.sparql(store if store is not None else GraphStore(), text, limit, timeout_s)
        return to_console(table, round((time.perf_counter() - started) * 1000, 3))
    if lang == "cypher":
        check_cypher(text)
        own = driver is None
        drv = config.neo4j_driver() if own else driver
        try:
            return runner.cypher(drv, text, limit, timeout_s, database)
        finally:
            if own:
                drv.close()
    raise ConsoleError(f"unknown query language {lang!r}; choose 'sparql' or 'cypher'")
