"""Mirror throughput: our diff sync vs rdflib-neo4j (Neo4j Labs) on the same Turtle, same server.

For each scale (1×, 10×, 100× the corpus; bench/gen_corpus.py adds realistic generated cases)
the database is emptied (data, constraints, indexes), then:

* ours: parse the Turtle with pyoxigraph's parser (``pyoxigraph.parse``; the same terms the
  project's store hands ``kg mirror``), ``kg.mirror.sync`` (full first sync, including the cjk
  full-text index, which rdflib-neo4j does not build: the figures are given with and without
  that phase), then a no-change resync (must write nothing);
* rdflib-neo4j 1.1 (``pip install rdflib-neo4j``, the ``bench`` extra; it works with the
  installed neo4j 6 driver, no separate venv needed): ``Graph(store=Neo4jStore(...)).parse(ttl)``
  with batching, the setup its README recommends.

Both timings run from reading the same Turtle file to the data committed, on the same server,
the database emptied (data, constraints, indexes) before each. Prints one JSON document:
triples/s for each, ours per phase, and the ratio rdflib-neo4j/ours per scale. Uses
NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD when set, else starts the bundled launcher on a temporary
folder (heap 2 GiB, page cache 1 GiB; both systems use it).

    python bench/mirror.py [--scales 1 10 100] [--batch-size 10000]

Measured on the 2-core dev machine (other jobs running; two runs, 1,034,496 triples at 100×):
ours 24.8 s / 39.1 s (20.3 s / 30.3 s without the full-text index) vs rdflib-neo4j 66.5 s /
63.5 s, ratio 2.68 / 1.62 (3.28 / 2.09 without the index). Per-phase times are in the JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]  # bench/ingest.py shadows ingest
sys.path.insert(0, str(_HERE.parent))

import pyoxigraph as ox  # noqa: E402
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


def _triples(ttl: Path):
    """The parser runs lazily inside the projection's single pass (parse time is in "project")."""
    return ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE)


def run_ours(ttl: Path, driver, batch_size: int) -> dict:
    t0 = time.perf_counter()
    report = mirror.sync(_triples(ttl), driver, batch_size=batch_size)
    total = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = mirror.sync(_triples(ttl), driver, batch_size=batch_size)
    resync = time.perf_counter() - t1
    n = report.triples
    index = report.phases.get("fulltext", 0.0)
    return {
        "seconds": round(total, 2), "seconds_without_fulltext_index": round(total - index, 2),
        "phases": report.phases,
        "triples_per_second": round(n / total),
        "triples_per_second_without_fulltext_index": round(n / (total - index)),
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
    parser.add_argument("--batch-size", type=int, default=10_000)
    args = parser.parse_args()
    import contextlib
    import io
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)
    logging.getLogger("rdflib_neo4j").setLevel(logging.ERROR)

    from kg import config
    from kg import neo4j_server as srv

    info = None
    settings = config.settings()
    uri, user, password = settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password or ""
    database = settings.neo4j_database
    if not uri:
        info = srv.start(home=Path(tempfile.mkdtemp(prefix="iprg-bench-neo4j-")), heap="2g", page_cache="1g")
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
                ours = run_ours(ttl, driver, args.batch_size)
                _clear(driver)
                with contextlib.redirect_stdout(io.StringIO()):   # it prints per batch
                    theirs = run_rdflib_neo4j(ttl, uri, user, password, database)
                theirs.update(triples_per_second=round(triples / theirs["seconds"]), **_counts(driver))
                row = {"scale": scale, "triples": triples, "ours": ours, "rdflib_neo4j": theirs,
                       "ratio_full_sync": round(theirs["seconds"] / ours["seconds"], 2),
                       "ratio_full_sync_without_fulltext_index":
                           round(theirs["seconds"] / ours["seconds_without_fulltext_index"], 2),
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
        "note": "ratio = rdflib-neo4j seconds / ours (>1 means ours is faster); both include parsing "
                "the Turtle; only ours builds a full-text index (ratio given with and without it)",
        "results": results,
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
