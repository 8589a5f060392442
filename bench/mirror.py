"""Mirror throughput: our diff sync vs rdflib-neo4j (Neo4j Labs) on the same Turtle, same server.

For each scale (1×, 10×, 100× the corpus; bench/gen_corpus.py adds realistic generated cases)
the database is emptied (data, constraints, indexes), then:

* ours: parse the Turtle with rdflib, ``kg.mirror.sync`` (full first sync), then a no-change
  resync (must write nothing);
* rdflib-neo4j 1.1 (``pip install rdflib-neo4j``, the ``bench`` extra; it works with the
  installed neo4j 6 driver, no separate venv needed): ``Graph(store=Neo4jStore(...)).parse(ttl)``
  with batching, the setup its README recommends.

Both timings include parsing the same Turtle file. Prints one JSON document: triples/s for each,
and the ratio ours/rdflib-neo4j per scale. Uses NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD when set,
else starts the bundled launcher on a temporary folder (heap 2 GiB).

    python bench/mirror.py [--scales 1 10 100]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]  # bench/ingest.py shadows ingest
sys.path.insert(0, str(_HERE.parent))

from rdflib import Graph  # noqa: E402

from kg import mirror  # noqa: E402


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


def run_ours(ttl: Path, driver) -> dict:
    t0 = time.perf_counter()
    graph = Graph().parse(ttl, format="turtle")
    parsed = time.perf_counter() - t0
    report = mirror.sync(graph, driver)
    total = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = mirror.sync(graph, driver)
    resync = time.perf_counter() - t1
    n = len(graph)
    return {
        "seconds": round(total, 2), "parse_seconds": round(parsed, 2), "sync_seconds": report.seconds,
        "triples_per_second": round(n / total), "sync_only_triples_per_second": round(n / report.seconds),
        "resync_seconds": round(resync, 2), "resync_triples_per_second": round(n / resync),
        "resync_writes": again.writes, **_counts(driver),
    }


def run_rdflib_neo4j(ttl: Path, uri: str, user: str, password: str, database: str) -> dict:
    from rdflib_neo4j import HANDLE_VOCAB_URI_STRATEGY, Neo4jStore, Neo4jStoreConfig

    config = Neo4jStoreConfig(
        auth_data={"uri": uri, "database": database, "user": user, "pwd": password},
        handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.IGNORE, batching=True)
    t0 = time.perf_counter()
    graph = Graph(store=Neo4jStore(config=config))
    graph.parse(str(ttl), format="turtle")
    graph.close(True)
    return {"seconds": round(time.perf_counter() - t0, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    import contextlib
    import io
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)
    logging.getLogger("rdflib_neo4j").setLevel(logging.ERROR)

    from kg import neo4j_server as srv

    info = None
    uri = os.environ.get("NEO4J_URI")
    user, password = os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    if not uri:
        info = srv.start(home=Path(tempfile.mkdtemp(prefix="iprg-bench-neo4j-")), heap="2g")
        uri, user, password = info.uri, info.user, info.password
    gc = _gen_corpus()
    base = gc.corpus_graph()
    results = []
    workdir = Path(tempfile.mkdtemp(prefix="iprg-bench-mirror-"))
    try:
        with mirror.open_driver(uri, user, password, retry_time=60) as driver:
            for scale in args.scales:
                graph = gc.scaled_graph(scale, base=base)
                ttl = workdir / f"corpus-{scale:g}x.ttl"
                graph.serialize(destination=str(ttl), format="turtle")
                triples = len(graph)
                del graph
                _clear(driver)
                ours = run_ours(ttl, driver)
                _clear(driver)
                with contextlib.redirect_stdout(io.StringIO()):   # it prints per batch
                    theirs = run_rdflib_neo4j(ttl, uri, user, password, database)
                theirs.update(triples_per_second=round(triples / theirs["seconds"]), **_counts(driver))
                row = {"scale": scale, "triples": triples, "ours": ours, "rdflib_neo4j": theirs,
                       "ratio_full_sync": round(theirs["seconds"] / ours["seconds"], 2),
                       "ratio_resync": round(theirs["seconds"] / ours["resync_seconds"], 2)}
                results.append(row)
                print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
                ttl.unlink()
    finally:
        if info is not None:
            srv.stop(info)
    print(json.dumps({
        "benchmark": "Neo4j mirror: kg.mirror.sync vs rdflib-neo4j (same Turtle, same server)",
        "neo4j": uri if info is None else f"bundled launcher {info.version}",
        "note": "ratio = rdflib-neo4j seconds / ours (>1 means ours is faster); both include parsing",
        "results": results,
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
