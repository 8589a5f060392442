"""Explorer latency: p50/p95 per question, SPARQL (Oxigraph) vs Cypher (Neo4j), 1×, 100×, 1000×.

The 100× graph is the real built graph plus 99 copies of every case record (same courts,
topics, citations and illustrated measures; copies relate to copies, 案号 made unique), so the
questions that fan out over cases get the load they would with a hundred times the case law.
Neo4j: NEO4J_URI… when set, else the bundled launcher started in a temporary folder.
The explorers are the raw backends (no answer cache: that is kg.explorer.cache's job in the
server), so the figures are the cost of computing each answer on a generation built with its
derived data (kg.explorer.derive). Prints one JSON object: p50/p95 per question, backend and
scale, the machine's 1-minute load average around each scale's timings, and ``growth``: each
question's p50 at every scale divided by its p50 at the smallest, counted as at least 1 ms (the
goal is ≤ 3× at 100×; see :func:`growth`), with ``growth_p95_raw`` (p95 over p95) beside it.
100 timed runs per question by default: with 20, the "p95" is the slowest run (index 19 of 20),
i.e. one garbage collection in Python or Neo4j's JVM.

    python bench/query.py [--scales 1 100 1000] [--repeat 100]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import RDF  # noqa: E402

from kg.ns import IPRG, iri  # noqa: E402

POLICY = "厦中法发〔2025〕18号"
CASE_PREFIX = str(iri("case", "x"))[:-1]


def scaled(graph: Graph, factor: int) -> Graph:
    """The graph with ``factor - 1`` extra copies of every case (and nothing else)."""
    if factor <= 1:
        return graph
    out = Graph()
    for t in graph:
        out.add(t)
    cases = set(graph.subjects(RDF.type, IPRG.Case))
    for k in range(1, factor):
        def copy(node, k=k):
            return URIRef(f"{node}-x{k}") if node in cases else node
        for c in cases:
            for p, o in graph.predicate_objects(c):
                if p in (IPRG.caseNumber, IPRG.caseNumberUnverified):
                    o = Literal(f"{o}#{k}")
                out.add((copy(c), p, copy(o)))
    return out


def questions(case: str, article: str, statute: str):
    return {
        "topics": lambda e: e.topics(),
        "rules_by_topic": lambda e: e.rules_by_topic("trade_secrets"),
        "measure": lambda e: e.measure(15),
        "case": lambda e: e.case(case),
        "article": lambda e: e.article(article),
        "statute": lambda e: e.statute(statute),
        "cases_filtered": lambda e: e.cases(topic="data_rights", year=2020, limit=20),
        "cases_page": lambda e: e.cases(offset=20, limit=20),
        "search_zh": lambda e: e.search("商业秘密"),
        "search_en": lambda e: e.search("FRAND"),
        "neighbourhood_2": lambda e: e.neighbourhood(case, 2, limit=200),
        "shortest_path": lambda e: e.shortest_path(case, article),
        "matrix": lambda e: e.topic_measure_matrix(),
        "centrality": lambda e: e.centrality(50),
    }


def timings(explorer, qs, repeat: int) -> dict[str, dict[str, float]]:
    out = {}
    for name, ask in qs.items():
        ask(explorer)  # warm caches and plans
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            ask(explorer)
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        out[name] = {"p50_ms": round(statistics.median(samples), 2),
                     "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 2)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 100, 1000])
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()

    from kg import config, mirror, neo4j_server
    from kg.explorer import CypherExplorer, SparqlExplorer
    from kg.explorer.derive import derive
    from kg.rebuild import run_ingest
    from kg.store import GraphStore

    tmp = Path(tempfile.mkdtemp(prefix="iprg-bench-query-"))
    store = GraphStore(tmp / "store")
    run_ingest(None, store)
    base = store.to_graph()

    info = None
    settings = config.settings()
    if settings.neo4j_uri:
        uri, user, password = settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password or ""
    else:
        info = neo4j_server.start(home=tmp / "neo4j", heap="2g", page_cache="1g")   # 1000×: ~480k relationships
        uri, user, password = info.uri, info.user, info.password
    case = str(iri("case", "tencent_v_soudao"))
    article = str(iri("article", "prc_aucl_2019", "9"))
    statute = str(iri("statute", "prc_aucl_2019"))
    qs = questions(case, article, statute)
    result: dict[str, object] = {"repeat": args.repeat, "scales": {}}
    try:
        with mirror.open_driver(uri, user, password) as driver:
            for factor in args.scales:
                g = scaled(base, factor)
                store.replace(g, derive=derive)
                t = time.perf_counter()
                mirror.sync(store, driver, full=True)
                sync_s = time.perf_counter() - t
                load_before = os.getloadavg()[0]
                entry = {
                    "triples": len(g),
                    "cases": len(set(g.subjects(RDF.type, IPRG.Case))),
                    "mirror_sync_s": round(sync_s, 2),
                    "sparql": timings(SparqlExplorer(store), qs, args.repeat),
                    "cypher": timings(CypherExplorer(driver, "neo4j"), qs, args.repeat),
                }
                # the 1-minute load average around the timings: on a shared machine, figures
                # taken while something else runs are not comparable with quiet ones
                entry["loadavg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
                result["scales"][f"{factor}x"] = entry
    finally:
        if info is not None:
            neo4j_server.stop(info)
    result["growth"] = growth(result["scales"])
    result["growth_p95_raw"] = growth(result["scales"], "p95_ms", 0.01)
    print(json.dumps(result, ensure_ascii=False, indent=2))


#: Below this a timing is cheaper than one Neo4j round trip: growth divides by at least this.
GROWTH_FLOOR_MS = 1.0


def growth(scales: dict, stat: str = "p50_ms", floor: float = GROWTH_FLOOR_MS) -> dict:
    """Each question's cost at each scale over its cost at the first, per backend.

    The cost is the median (p50; the p95 is tail latency: one pause of Python's or the JVM's
    garbage collector in 100 runs), and a first-scale figure under ``floor`` ms counts as
    ``floor``: 0.04 ms for the one data_rights case of 2020 at 1× against 0.44 ms for a full
    page of 20 at 100× is a ratio of 11 between answers of different sizes, each far under a
    millisecond. ``growth(scales, "p95_ms", 0.01)`` is the raw p95 ratio, printed beside it."""
    names = list(scales)
    if len(names) < 2:
        return {}
    base = scales[names[0]]
    out: dict = {}
    for name in names[1:]:
        for backend in ("sparql", "cypher"):
            out.setdefault(f"{names[0]}→{name}", {})[backend] = {
                q: round(v[stat] / max(base[backend][q][stat], floor), 2)
                for q, v in scales[name][backend].items()}
    return out


if __name__ == "__main__":
    main()
