"""Mirror throughput: our sync vs rdflib-neo4j (Neo4j Labs) on the same Turtle, same server.

For each scale (1×, 10×, 100×, 300× the corpus; bench/gen_corpus.py adds realistic generated
cases; 300× is written chunk by chunk, the same generator) the database is emptied (data,
constraints, indexes), then, each in a fresh Python process of its own (so that its peak RSS is
its own):

* ours: parse the Turtle with pyoxigraph's parser (``pyoxigraph.parse``; the same terms the
  project's store hands ``kg mirror``), ``kg.mirror.sync`` (first sync into the empty database:
  the bundled launcher's bulk loader, ``"loader": "bulk"``; including the cjk full-text index,
  which rdflib-neo4j does not build: the figures are given with and without that phase), then a
  no-change resync (must write nothing);
* rdflib-neo4j 1.1 (``pip install rdflib-neo4j``, the ``bench`` extra; it works with the
  installed neo4j 6 driver, no separate venv needed): ``Graph(store=Neo4jStore(...)).parse(ttl)``
  with batching, the setup its README recommends;
* with ``--cypher``, ours again with ``bulk=False``: the Cypher path any other Neo4j (a remote
  server, a cluster, Aura) gets.

Both timings run from reading the same Turtle file to the data committed, on the same server.
Before the first scale each side runs once on the 1× file, not counted (the server's JIT and
query caches are warm for both; otherwise whichever runs first pays the JVM's warm-up). Prints
one JSON document: seconds and triples/s for each, ours per phase, peak RSS of each process, the
ratio rdflib-neo4j/ours per scale, and the 1-minute load average around each run (the machine is
shared: compare ratios within one run). Uses NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD when set, else
starts the bundled launcher on a temporary folder (heap 2 GiB, page cache 1 GiB; both use it).

    python bench/mirror.py [--scales 1 10 100 300] [--batch-size 10000] [--cypher]

Figures (README, "Benchmarks"): see the JSON of a plain run; the docstring of the commit that
recorded them names the load average.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]  # bench/ingest.py shadows ingest
sys.path.insert(0, str(_HERE.parent))

#: Above this scale the Turtle is written chunk by chunk (gen_corpus.write_scaled).
STREAM_ABOVE = 100


def _gen_corpus():
    spec = importlib.util.spec_from_file_location("gen_corpus", _HERE / "gen_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = module
    spec.loader.exec_module(module)
    return module


def _clear(driver) -> None:
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        for rec in list(session.run("SHOW CONSTRAINTS YIELD name RETURN name")):
            session.run(f"DROP CONSTRAINT `{rec['name']}`").consume()
        for rec in list(session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")):
            session.run(f"DROP INDEX `{rec['name']}`").consume()


def _counts(driver) -> dict[str, int]:
    records, _, _ = driver.execute_query(
        "MATCH (n:Resource) WITH count(n) AS nodes "
        "OPTIONAL MATCH (:Resource)-[r]->(:Resource) RETURN nodes, count(r) AS rels")
    return {"nodes": records[0]["nodes"], "relationships": records[0]["rels"]}


def _peak_rss_mb() -> int:
    """This process's peak resident set (VmHWM: ru_maxrss would start from the parent's peak,
    which Linux copies into a forked child)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


# --- the measured runs, each in its own process ------------------------------------------------

def _driver():
    from kg import mirror

    return mirror.open_driver(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                              os.environ.get("NEO4J_PASSWORD", ""), retry_time=60)


def run_ours(ttl: Path, batch_size: int, bulk: bool) -> dict:
    import pyoxigraph as ox

    from kg import mirror

    def triples():
        """The parser runs lazily inside the projection's pass (parse time is in "project")."""
        return ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE)

    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    with _driver() as driver:
        t0 = time.perf_counter()
        report = mirror.sync(triples(), driver, database=database, batch_size=batch_size, bulk=bulk)
        total = time.perf_counter() - t0
        t1 = time.perf_counter()
        again = mirror.sync(triples(), driver, database=database, batch_size=batch_size)
        resync = time.perf_counter() - t1
    n = report.triples
    index = report.phases.get("fulltext", 0.0)
    return {
        "loader": report.loader,
        "seconds": round(total, 2), "seconds_without_fulltext_index": round(total - index, 2),
        "phases": report.phases,
        "triples_per_second": round(n / total),
        "triples_per_second_without_fulltext_index": round(n / (total - index)),
        "resync_seconds": round(resync, 2), "resync_triples_per_second": round(n / resync),
        "resync_writes": again.writes, "resync_phases": again.phases,
        "peak_rss_mb": _peak_rss_mb(),
    }


def run_rdflib_neo4j(ttl: Path) -> dict:
    import contextlib
    import io

    from rdflib import Graph
    from rdflib_neo4j import HANDLE_VOCAB_URI_STRATEGY, Neo4jStore, Neo4jStoreConfig

    config = Neo4jStoreConfig(
        auth_data={"uri": os.environ["NEO4J_URI"], "database": os.environ.get("NEO4J_DATABASE", "neo4j"),
                   "user": os.environ.get("NEO4J_USER", "neo4j"), "pwd": os.environ.get("NEO4J_PASSWORD", "")},
        handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.IGNORE, batching=True)
    with contextlib.redirect_stdout(io.StringIO()):   # it prints per batch
        t0 = time.perf_counter()
        graph = Graph(store=Neo4jStore(config=config))
        graph.parse(str(ttl), format="turtle")
        graph.close(True)
        seconds = time.perf_counter() - t0
    return {"seconds": round(seconds, 2), "peak_rss_mb": _peak_rss_mb()}


def _child(args: argparse.Namespace) -> None:
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)
    logging.getLogger("rdflib_neo4j").setLevel(logging.ERROR)
    ttl = Path(args.ttl)
    if args.child == "rdflib-neo4j":
        result = run_rdflib_neo4j(ttl)
    else:
        result = run_ours(ttl, args.batch_size, bulk=args.child == "ours")
    print(json.dumps(result))


def _measure(kind: str, ttl: Path, args: argparse.Namespace, env: dict[str, str], driver,
             triples: int) -> dict:
    """Empty the database, run ``kind`` in a fresh process, add counts and the load average."""
    _clear(driver)
    load_before = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--ttl", str(ttl),
         "--batch-size", str(args.batch_size)],
        env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["triples_per_second"] = round(triples / result["seconds"])
    result["load_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result.update(_counts(driver))
    return result


def _write_ttl(gc, scale: float, base, dest: Path) -> int:
    if scale > STREAM_ABOVE:
        return gc.write_scaled(scale, dest, base=base)
    graph = gc.scaled_graph(scale, base=base)
    graph.serialize(destination=str(dest), format="turtle")
    return len(graph)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100, 300])
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--cypher", action="store_true",
                        help="also time ours through Cypher (bulk=False): the path of any other Neo4j")
    parser.add_argument("--child", choices=["ours", "ours-cypher", "rdflib-neo4j"], help=argparse.SUPPRESS)
    parser.add_argument("--ttl", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)

    from kg import config, mirror
    from kg import neo4j_server as srv

    info = None
    settings = config.settings()
    uri, user, password = settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password or ""
    if not uri:
        info = srv.start(home=Path(tempfile.mkdtemp(prefix="iprg-bench-neo4j-")), heap="2g", page_cache="1g")
        uri, user, password = info.uri, info.user, info.password
    env = dict(os.environ, NEO4J_URI=uri, NEO4J_USER=user, NEO4J_PASSWORD=password,
               PYTHONPATH=os.pathsep.join(filter(None, [str(_HERE.parent), os.environ.get("PYTHONPATH")])))
    gc = _gen_corpus()
    base = gc.corpus_graph()
    results = []
    workdir = Path(tempfile.mkdtemp(prefix="iprg-bench-mirror-"))
    kinds = ["ours", "rdflib-neo4j"] + (["ours-cypher"] if args.cypher else [])
    try:
        with mirror.open_driver(uri, user, password, retry_time=60) as driver:
            warm = workdir / "warm-up-1x.ttl"
            triples = _write_ttl(gc, 1, base, warm)
            warmup = {kind: _measure(kind, warm, args, env, driver, triples)["seconds"] for kind in kinds}
            print(json.dumps({"warm_up_seconds": warmup}), file=sys.stderr, flush=True)
            for scale in args.scales:
                ttl = workdir / f"corpus-{scale:g}x.ttl"
                triples = _write_ttl(gc, scale, base, ttl)
                runs = {kind: _measure(kind, ttl, args, env, driver, triples) for kind in kinds}
                ours, theirs = runs["ours"], runs["rdflib-neo4j"]
                row = {"scale": scale, "triples": triples, "ours": ours, "rdflib_neo4j": theirs,
                       "ratio_full_sync": round(theirs["seconds"] / ours["seconds"], 2),
                       "ratio_full_sync_without_fulltext_index":
                           round(theirs["seconds"] / ours["seconds_without_fulltext_index"], 2),
                       "ratio_resync": round(theirs["seconds"] / ours["resync_seconds"], 2)}
                if "ours-cypher" in runs:
                    row["ours_cypher"] = runs["ours-cypher"]
                    row["ratio_full_sync_cypher"] = round(theirs["seconds"] / runs["ours-cypher"]["seconds"], 2)
                results.append(row)
                print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
                ttl.unlink()
    finally:
        if info is not None:
            srv.stop(info)
    print(json.dumps({
        "benchmark": "Neo4j mirror: kg.mirror.sync vs rdflib-neo4j (same Turtle, same server)",
        "neo4j": uri if info is None else f"bundled launcher {info.version}",
        "note": "ratio = rdflib-neo4j seconds / ours (>1 means ours is faster); both include parsing "
                "the Turtle; only ours builds a full-text index (ratio given with and without it); "
                "each run in its own process after one uncounted warm-up run of each on 1×",
        "warm_up_seconds": warmup,
        "results": results,
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
