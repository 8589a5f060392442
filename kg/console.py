"""The one runner for user-typed SPARQL and Cypher: the consoles, ``/sparql`` and ``kg query``.

Why one module: a query a person types is hostile until proven otherwise. Every door that
accepts one (the UI's SPARQL and Cypher consoles, the SPARQL 1.1 Protocol endpoint, ``kg
query``) goes through the same read-only checks, the same limits and the same serialisers here,
so a write refused at one door is refused at all of them.

* SPARQL: only query forms pass :func:`check_sparql` (the SPARQL Update detector skips
  comments, strings and IRIs); Oxigraph's ``query`` refuses updates as well.
* Cypher: write clauses, admin commands and unknown procedures are refused from the text
  (:func:`check_cypher`), and the query runs in a READ transaction with a server-side timeout,
  so a write that slips past the text check is refused by the server.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg import config
from kg.errors import BadInput
from kg.ns import PREFIXES
from kg.store import GraphStore
from kg.terms import from_ox
from kg.terms import py_value as _py

SPARQL_JSON = "application/sparql-results+json"


class ConsoleError(BadInput):
    """A console query was refused (write clause, bad syntax, timeout); the message says why."""


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
        raise ConsoleError(f"the SPARQL console is read-only: {word} (SPARQL Update) is not allowed")
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
            raise ConsoleError(f"the Cypher console is read-only: {w} is not allowed")
    if re.search(r"\bLOAD\s+CSV\b", upper):
        raise ConsoleError("the Cypher console is read-only: LOAD CSV is not allowed")
    if re.search(r"\bIN\s+(?:\d+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS\b", upper):
        raise ConsoleError("the Cypher console is read-only: CALL { … } IN TRANSACTIONS is not allowed")
    for m in re.finditer(r"\bCALL\s*(?!\s*[{(])([A-Za-z_][\w.]*)", bare, flags=re.IGNORECASE):
        name = m.group(1).lower()
        if name not in _CYPHER_READ_PROCEDURES:
            raise ConsoleError(f"the Cypher console may not call the procedure {m.group(1)}: only "
                               f"{', '.join(sorted(_CYPHER_READ_PROCEDURES))} are allowed")


def _json_sparql(term: Any) -> Any:
    if term is None:
        return None
    value = from_ox(term)
    if isinstance(value, URIRef):
        return str(value)
    if isinstance(value, Literal):
        return _py(value)
    return "_:" + str(value)


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
        raise ConsoleError(f"the query ran longer than the {timeout_s:g} s time limit and was stopped")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _sparql_console(store, text: str, limit: int, timeout_s: float) -> ConsoleResult:
    started = time.perf_counter()

    def work(stop: threading.Event) -> ConsoleResult:
        try:
            result = store.query(text)
        except (SyntaxError, ValueError, OSError) as exc:
            raise ConsoleError(f"SPARQL error: {exc}") from exc
        if isinstance(result, (bool, ox.QueryBoolean)):
            return ConsoleResult(("ask",), ((bool(result),),), False, 0.0)
        rows: list[tuple[Any, ...]] = []
        truncated = False
        if isinstance(result, ox.QuerySolutions):
            columns = tuple(v.value for v in result.variables)
            for sol in result:
                if stop.is_set():
                    break
                if len(rows) >= limit:
                    truncated = True
                    break
                rows.append(tuple(_json_sparql(sol[c]) for c in columns))
        else:
            columns = ("subject", "predicate", "object")
            for triple in result:
                if stop.is_set():
                    break
                if len(rows) >= limit:
                    truncated = True
                    break
                rows.append((_json_sparql(triple.subject), _json_sparql(triple.predicate),
                             _json_sparql(triple.object)))
        return ConsoleResult(columns, tuple(rows), truncated, 0.0)

    res = _with_deadline(work, timeout_s)
    return ConsoleResult(res.columns, res.rows, res.truncated, round((time.perf_counter() - started) * 1000, 3))


def run_cypher(driver, text: str, limit: int, timeout_s: float, database: str,
                    check: bool = True) -> ConsoleResult:
    """Run ``text`` in a READ transaction with a server-side timeout. ``check=False`` skips the
    text check (tests use it to prove the READ mode alone refuses writes)."""
    import neo4j
    from neo4j.exceptions import ClientError, Neo4jError

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
            except ClientError as exc:
                code = exc.code or ""
                if "AccessMode" in code or "Forbidden" in code or "WriteOnReadOnlyAccessDbException" in code:
                    raise ConsoleError(f"the Cypher console is read-only; the server refused a write: {exc.message}") from exc
                if "TransactionTimedOut" in code or "Terminated" in code:
                    raise ConsoleError(f"the query ran longer than the {timeout_s:g} s time limit: {exc.message}") from exc
                raise ConsoleError(f"Cypher error: {exc.message}") from exc
            except Neo4jError as exc:
                raise ConsoleError(f"Cypher error: {exc.message}") from exc

    res = _with_deadline(run, timeout_s + 1.0)
    return ConsoleResult(res.columns, res.rows, res.truncated, round((time.perf_counter() - started) * 1000, 3))


def run_console(
    lang: str,
    text: str,
    store=None,
    driver=None,
    limit: int = 1000,
    timeout_s: float = 10,
    database: str | None = None,
) -> ConsoleResult:
    """Run a read-only SPARQL or Cypher query typed by a user (row- and time-limited).

    SPARQL: only query forms (Oxigraph's ``query`` refuses updates as well). Cypher: write
    clauses, admin commands and unknown procedures are refused from the text (comments and
    strings stripped first), and the query runs in a READ transaction with a server timeout, so a
    write that slips past the text check is refused by the server.
    """
    if not text or not text.strip():
        raise ConsoleError("the query is empty")
    if limit <= 0:
        raise ConsoleError("the row limit must be positive")
    if lang == "sparql":
        check_sparql(text)
        if store is None:
            store = GraphStore()
        return _sparql_console(store, text, limit, timeout_s)
    if lang == "cypher":
        own = driver is None
        drv = config.neo4j_driver() if own else driver
        try:
            return run_cypher(drv, text, limit, timeout_s, database or config.settings().neo4j_database)
        finally:
            if own:
                drv.close()
    raise ConsoleError(f"unknown query language {lang!r}; choose 'sparql' or 'cypher'")


# ----------------------------------------------------------------------------- SPARQL protocol results

class ReadOnlyError(BadInput):
    """A write was sent to a read-only endpoint."""


def is_update(text: str) -> bool:
    """True when ``text`` holds a SPARQL Update keyword (outside comments, strings and IRIs)."""
    return sparql_update_keyword(text) is not None


READ_ONLY_MSG = ("this SPARQL endpoint is read-only: SPARQL UPDATE (INSERT, DELETE, LOAD, CLEAR, "
                  "DROP, CREATE, ADD, MOVE, COPY) is not accepted; rebuild the graph with `kg ingest`")


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _term_csv(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def _term_tsv(term: Any) -> str:
    return "" if term is None else str(term)


_SELECT_TYPES = {
    SPARQL_JSON: "json", "application/json": "json", "text/csv": "csv",
    "text/tab-separated-values": "tsv", "application/sparql-results+xml": "xml",
}
_GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _negotiate(accept: str, offered: list[str], default: str) -> str:
    """The offered media type the client prefers (q-values, then order); ``default`` for */*."""
    prefs = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        prefs.append((q, -i, bits[0].lower()))
    for q, _i, mt in sorted(prefs, reverse=True):
        if q <= 0:
            continue
        if mt in offered:
            return mt
        if mt == "*/*":
            return default
        if mt.endswith("/*"):
            for cand in [default, *offered]:
                if cand.startswith(mt[:-1]):
                    return cand
    return default


def run_sparql(store: GraphStore, text: str, accept: str, max_rows: int = 10_000) -> tuple[bytes, str, bool]:
    """Evaluate a read-only query; returns (body, media type, truncated)."""
    if is_update(text):
        raise ReadOnlyError(READ_ONLY_MSG)
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise BadInput(f"SPARQL syntax error: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        mt = _negotiate(accept, [SPARQL_JSON, "application/json", "text/csv"], SPARQL_JSON)
        if mt == "text/csv":
            return (b"_askResult\r\n" + (b"true" if bool(result) else b"false") + b"\r\n"), "text/csv; charset=utf-8", False
        return json.dumps({"head": {}, "boolean": bool(result)}).encode(), SPARQL_JSON, False
    if isinstance(result, ox.QueryTriples):
        mt = _negotiate(accept, list(_GRAPH_TYPES), "text/turtle")
        triples = []
        truncated = False
        for t in result:
            if len(triples) >= max_rows:
                truncated = True
                break
            triples.append(t)
        fmt = _GRAPH_TYPES[mt]
        prefixes = {k: str(v) for k, v in PREFIXES.items()} if fmt in (ox.RdfFormat.TURTLE,) else None
        body = ox.serialize(triples, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fmt)
        ctype = mt + ("; charset=utf-8" if mt.startswith("text/") else "")
        return body, ctype, truncated
    names = [v.value for v in result.variables]
    mt = _negotiate(accept, list(_SELECT_TYPES), SPARQL_JSON)
    kind = _SELECT_TYPES[mt]
    rows = []
    truncated = False
    for sol in result:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([sol[n] for n in names])
    if kind == "json":
        bindings = [{n: _term_json(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows]
        doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8"), SPARQL_JSON, truncated
    if kind == "xml":
        # Rare; let Oxigraph write it from a re-run (results are small when asked this way).
        body = store.query(text).serialize(format=ox.QueryResultsFormat.XML)
        return body, "application/sparql-results+xml", False
    buf = io.StringIO()
    if kind == "csv":
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([_term_csv(t) for t in row])
        return buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8", truncated
    buf.write("\t".join("?" + n for n in names) + "\n")
    for row in rows:
        buf.write("\t".join(_term_tsv(t) for t in row) + "\n")
    return buf.getvalue().encode("utf-8"), "text/tab-separated-values; charset=utf-8", truncated
