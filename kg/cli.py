"""``kg``: one command line over the same core the web UI and the API use (as Datasette does).

Every subcommand is a thin shell: parse arguments, call one function of the core, print a
result or a one-line error naming the cause. Exit codes: 0 ok, 1 failure, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kg import config


class CliError(Exception):
    """A failure to report as one line on stderr, without a traceback."""


def _store(args: argparse.Namespace):
    from kg.store import GraphStore

    return GraphStore(Path(args.store) if getattr(args, "store", None) else None)


# --- neo4j ------------------------------------------------------------------------------------

def cmd_neo4j(args: argparse.Namespace) -> int:
    from kg import neo4j_server as srv

    if args.action == "build":
        path = srv.build(force=True)
        print(f"built the Neo4j launcher in {path}")
    elif args.action == "start":
        info = srv.cli_start(port=args.port)
        print(f"Neo4j {info.version} running: {info.uri} (pid {info.pid}, log {info.log})")
        print(f"export NEO4J_URI={info.uri} NEO4J_USER={info.user}   # password in {srv._state_file()}")
    elif args.action == "status":
        settings = config.neo4j_settings()
        if settings.configured:
            uri, user, password, origin = settings.uri, settings.user, settings.password, "NEO4J_URI"
        else:
            info = srv.cli_state()
            if info is None:
                print("no launcher started by `kg neo4j start` and NEO4J_URI is not set")
                return 1
            uri, user, password, origin = info.uri, info.user, info.password, f"launcher pid {info.pid}"
        version = srv.server_version(uri, user, password)
        print(f"live: {version} at {uri} ({origin})")
    elif args.action == "stop":
        info = srv.cli_stop()
        print("no launcher was running" if info is None else f"stopped Neo4j pid {info.pid}")
    return 0


# --- graph ------------------------------------------------------------------------------------

def cmd_ingest(args: argparse.Namespace) -> int:
    from kg.rebuild import run_ingest

    paths = [Path(p) for p in args.paths] or None
    report = run_ingest(paths, _store(args), with_bundled=args.with_bundled)
    print(json.dumps(_jsonable(report), ensure_ascii=False, indent=2))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ontology.validate import validate

    store = _store(args)
    validate(store.to_graph())  # raises IngestError with the SHACL report on violations
    print(f"valid: the stored graph ({len(store)} triples) conforms to ontology/shapes.ttl")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kg.store import EXPORT_FORMATS

    store = _store(args)
    suffix = EXPORT_FORMATS[args.format][0]
    dest = Path(args.output) if args.output else Path(f"iprg-graph{suffix}")
    store.export(args.format, dest)
    print(f"wrote {args.format} to {dest}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from kg import explorer

    text = args.query if args.query != "-" else sys.stdin.read()
    result = explorer.run_console(args.lang, text, store=_store(args), limit=args.limit)
    print(json.dumps(_jsonable(result), ensure_ascii=False, indent=2))
    return 0


def cmd_mirror(args: argparse.Namespace) -> int:
    from kg import mirror

    report = mirror.sync_from_env(_store(args), verify=args.verify, full=args.full)
    print(json.dumps(_jsonable(report), ensure_ascii=False, indent=2))
    return 0 if getattr(report, "ok", True) else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from kg import api

    api.serve(host=args.host, port=args.port, store_root=args.store)
    return 0


def _jsonable(obj: object) -> object:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    return obj


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="IP Rule Graph: build, mirror, query and serve a knowledge graph of Chinese IP judicial rules.",
    )
    parser.add_argument("--store", help="RDF store folder (default $IPRG_DATA_DIR/store)")
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
    p.add_argument("--format", "-f", choices=["turtle", "jsonld", "nt", "graphml", "csv"], default="turtle")
    p.add_argument("--output", "-o", help="output file (default iprg-graph.<ext>)")
    p = add("query", cmd_query, "Run a read-only SPARQL or Cypher query (time- and row-limited).")
    p.add_argument("--lang", choices=["sparql", "cypher"], default="sparql")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("query", help="the query text, or - for stdin")
    p = add("mirror", cmd_mirror, "Mirror the RDF graph into Neo4j (NEO4J_URI…) as a diff; --verify checks parity.")
    p.add_argument("--verify", action="store_true", help="check counts and properties on both sides after the sync")
    p.add_argument("--full", action="store_true", help="rewrite everything instead of applying a diff")
    p = add("serve", cmd_serve, "Serve the Gradio UI, the REST API (/api/v1) and the SPARQL endpoint in one server.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
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
    except Exception as exc:  # every failure becomes one line naming its cause
        name = type(exc).__name__
        print(f"kg {args.command}: {name}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
