"""``kg``: one command line over the same core the web UI and the API use (as Datasette does).

Every subcommand is a thin shell: parse arguments, build the one :class:`~kg.context.Context`
(settings, store, explorer, Neo4j driver), call one function of the core, print a result.
Errors: an :class:`~kg.errors.IprgError` (bad input, not found, unavailable — the user can act
on it) is printed as one line naming its cause; anything else is a bug and prints its
traceback. ``--debug`` prints the traceback for every error. Exit codes: 0 ok, 1 failure,
2 usage error.

``kg serve`` hands uvicorn the import string of :func:`kg.web.app.app_from_env`, so one or
several worker processes (``--workers``) each build their app from the same settings, passed
on in the environment.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path

from kg import config, console, mirror, neo4j_server
from kg.context import Context
from kg.errors import IprgError, Unavailable
from kg.explorer.derive import VERSION as DERIVED_VERSION
from kg.explorer.derive import derive, stored_version
from kg.rebuild import run_ingest
from kg.store import EXPORT_FORMATS, GraphStore
from ontology.validate import validate


def _context(args: argparse.Namespace) -> Context:
    return Context(config.settings(), store_root=getattr(args, "store", None))


def _store(args: argparse.Namespace) -> GraphStore:
    return GraphStore(Path(args.store) if getattr(args, "store", None) else None)


def _jsonable(obj: object) -> object:
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    return obj


# --- neo4j ------------------------------------------------------------------------------------

def cmd_neo4j(args: argparse.Namespace) -> int:
    if args.action == "build":
        path = neo4j_server.build(force=True)
        print(f"built the Neo4j launcher in {path}")
    elif args.action == "start":
        info = neo4j_server.cli_start(port=args.port)
        print(f"Neo4j {info.version} running: {info.uri} (pid {info.pid}, log {info.log})")
        print(f"export NEO4J_URI={info.uri} NEO4J_USER={info.user}   # password in {neo4j_server.state_file()}")
    elif args.action == "status":
        target = config.neo4j_target()
        if target is None:
            print("no launcher started by `kg neo4j start` and NEO4J_URI is not set")
            return 1
        version = neo4j_server.server_version(target.uri, target.user, target.password)
        print(f"live: {version} at {target.uri} ({target.origin})")
    elif args.action == "stop":
        info = neo4j_server.cli_stop()
        print("no launcher was running" if info is None else f"stopped Neo4j pid {info.pid}")
    return 0


# --- graph ------------------------------------------------------------------------------------

def cmd_ingest(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or None
    report = run_ingest(paths, _store(args), with_bundled=args.with_bundled)
    print(json.dumps(_jsonable(report), ensure_ascii=False, indent=2))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    store = _store(args)
    validate(store.to_graph())  # raises IngestError with the SHACL report on violations
    print(f"valid: the stored graph ({len(store)} triples) conforms to ontology/shapes.ttl")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    store = _store(args)
    suffix = EXPORT_FORMATS[args.format][0]
    dest = Path(args.output) if args.output else Path(f"iprg-graph{suffix}")
    store.export(args.format, dest)
    print(f"wrote {args.format} to {dest}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    ctx = _context(args)
    text = args.query if args.query != "-" else sys.stdin.read()
    try:
        driver = ctx.driver() if args.lang == "cypher" else None
        result = console.run_console(args.lang, text, store=ctx.store, driver=driver, limit=args.limit,
                                     database=ctx.settings.neo4j_database, runner=ctx.runner)
    finally:
        ctx.close()
        ctx.runner.close()
    print(json.dumps(_jsonable(result), ensure_ascii=False, indent=2))
    return 0


def cmd_mirror(args: argparse.Namespace) -> int:
    report = mirror.sync_from_env(_store(args), verify=args.verify, full=args.full)
    print(json.dumps(_jsonable(report), ensure_ascii=False, indent=2))
    return 0 if getattr(report, "ok", True) else 1


def ensure_built(store: GraphStore) -> bool:
    """Build the graph from the bundled corpus when the store is empty. True if it built one.
    A graph built before the explorer derived data per generation gets it, graph unchanged."""
    if store.exists() and len(store) > 0:
        if store.derived_dir() is None or stored_version(store) != DERIVED_VERSION:
            print(f"[kg] the graph in {store.root} has no explorer statistics of this version "
                  f"({DERIVED_VERSION}): deriving them …", flush=True)
            store.replace(store.to_graph(), derive=derive)
        return False
    print(f"[kg] no graph in {store.root}: building it from the bundled corpus …", flush=True)
    report = run_ingest(None, store)
    print(f"[kg] built: {getattr(report, 'triples', '?')} triples", flush=True)
    return True


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn  # the server: loaded only by the command that serves

    settings = config.settings().but(host=args.host, port=args.port, backend=args.backend, workers=args.workers)
    store = _store(args)
    if settings.backend == "sparql":
        ensure_built(store)
    elif not store.exists():
        print(f"[kg] no embedded store at {store.root}: /sparql is off (it says so); the UI, the API and "
              "the consoles answer from Neo4j", flush=True)
    if settings.backend == "cypher":
        target = config.neo4j_target(settings)
        if target is None:
            raise Unavailable(f"--backend cypher: {config.NO_NEO4J}")
        print(f"[kg] answering from Neo4j at {target.uri} ({target.origin})", flush=True)
    elif config.neo4j_target(settings) is None:
        print("[kg] Neo4j not configured (set NEO4J_URI or run `kg neo4j start`): the Cypher console is off; "
              "everything else works.", flush=True)
    # the worker processes build their app from the environment (kg.web.app.app_from_env)
    os.environ.update({"IPRG_STORE": str(store.root), "IPRG_BACKEND": settings.backend,
                       "IPRG_WORKERS": str(settings.workers)})
    print(f"[kg] serving on http://{settings.host}:{settings.port}/  (API /api/v1, docs /docs, SPARQL /sparql; "
          f"{settings.workers} worker(s), backend {settings.backend})", flush=True)
    # uvicorn kills a worker that does not answer its health ping in time; building the app (Gradio)
    # on a busy machine took longer than the default 5 s, and a worker restarted mid-request drops it
    uvicorn.run("kg.web.app:app_from_env", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level="info", timeout_graceful_shutdown=5,
                timeout_worker_healthcheck=60)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="IP Rule Graph: build, mirror, query and serve a knowledge graph of Chinese IP judicial rules.",
    )
    parser.add_argument("--store", help="RDF store folder (default $IPRG_STORE or $IPRG_DATA_DIR/store)")
    parser.add_argument("--debug", action="store_true", help="print the traceback of every error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    p = add("ingest", cmd_ingest, "Build the graph from the bundled corpus, or from the given files/folders, and replace the stored graph atomically.")
    p.add_argument("paths", nargs="*", help="policy documents, judgments (.txt/.md/.html) or YAML case/statute records, files or folders")
    p.add_argument("--with-bundled", action="store_true", help="keep the bundled policy documents beside the given ones")
    add("validate", cmd_validate, "Validate the stored graph against ontology/shapes.ttl (SHACL).")
    p = add("export", cmd_export, "Export the stored graph (Turtle, JSON-LD, N-Triples, GraphML, CSV nodes/edges).")
    p.add_argument("--format", "-f", choices=sorted(EXPORT_FORMATS), default="turtle")
    p.add_argument("--output", "-o", help="output file (default iprg-graph.<ext>)")
    p = add("query", cmd_query, "Run a read-only SPARQL or Cypher query (time- and row-limited).")
    p.add_argument("--lang", choices=["sparql", "cypher"], default="sparql")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("query", help="the query text, or - for stdin")
    p = add("mirror", cmd_mirror, "Mirror the RDF graph into Neo4j (NEO4J_URI…) as a diff; --verify checks parity.")
    p.add_argument("--verify", action="store_true", help="check counts and properties on both sides after the sync")
    p.add_argument("--full", action="store_true", help="rewrite everything instead of applying a diff")
    p = add("serve", cmd_serve, "Serve the Gradio UI, the REST API (/api/v1) and the SPARQL endpoint in one server.")
    p.add_argument("--host", default=None, help="listen address (default $IPRG_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default $IPRG_PORT or 7860)")
    p.add_argument("--store", default=argparse.SUPPRESS, help="RDF store folder (as kg --store)")
    p.add_argument("--backend", choices=["sparql", "cypher"], default=None,
                   help="answer from the embedded store (sparql) or from Neo4j (cypher); default $IPRG_BACKEND or sparql")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes behind the one port (default $IPRG_WORKERS or 1)")
    p = add("neo4j", cmd_neo4j, "Build, start, stop or check the bundled Neo4j Community 5.26 launcher.")
    p.add_argument("action", choices=["start", "stop", "status", "build"])
    p.add_argument("--port", type=int, default=None, help="Bolt port for start (default: a free port)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # The driver reports "label does not exist yet" hints on a first sync as warnings; they are
    # expected on an empty database and would bury the one line the user needs.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug or not isinstance(exc, IprgError):   # a bug: show where
            traceback.print_exc()
        print(f"kg {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
