"""The Neo4j mirror against the real Neo4j 5.26: full sync, no-op resync, diff sync, parity,
read-back isomorphism, full-text search, and faults (down before, killed during a sync)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import facts
import pytest
from conftest import need, wipe
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD
from test_pg import sample_graph

from kg import mirror, pg
from kg.ns import IPRG, iri
from kg.terms import from_ox

pytestmark = pytest.mark.neo4j


def _driver(conn):
    return mirror.open_driver(conn.uri, conn.user, conn.password, retry_time=2.0)


def big_graph(cases: int) -> Graph:
    """Synthetic but shaped like the corpus: cases citing articles, about topics, in courts."""
    g = Graph()
    topics = [iri("topic", t) for t in ("trade_secrets", "data_rights", "aigc", "patent", "trademark")]
    courts = [iri("court", name) for name in ("最高人民法院", "浙江省高级人民法院", "厦门市中级人民法院")]
    for c in courts:
        g.add((c, RDF.type, IPRG.Court))
    for i in range(cases):
        case = iri("case", f"gen-{i}")
        g.add((case, RDF.type, IPRG.Case))
        g.add((case, RDFS.label, Literal(f"第{i}号商业秘密纠纷案", lang="zh")))
        g.add((case, IPRG.caseNumber, Literal(f"(2024)浙01民初{i}号")))
        g.add((case, IPRG.holding, Literal("经营者不得实施侵犯商业秘密的行为。" * 3, lang="zh")))
        g.add((case, IPRG.court, courts[i % len(courts)]))
        g.add((case, IPRG.aboutTopic, topics[i % len(topics)]))
        g.add((case, IPRG.cites, iri("article", "prc_aucl_2019", str(i % 30 + 1))))
    return g


def dump(drv) -> tuple[list, list]:
    """Everything in the database: nodes (labels, every property, the mirror's hashes too) and
    relationships (endpoints' uri, type, properties), sorted, as comparable text."""
    records, _, _ = drv.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    nodes = sorted(repr((sorted(r["l"]), sorted(r["p"].items()))) for r in records)
    records, _, _ = drv.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS t, b.uri AS b, properties(r) AS p")
    return nodes, sorted(repr(tuple(r.values())) for r in records)


def mixed_graph() -> Graph:
    """The sample graph, 300 generated cases (several batches at batch size 100), and lists of
    every native type (int, float, bool, date) so each value kind crosses both write paths."""
    g = sample_graph() + big_graph(300)
    s = iri("case", "lists")
    for number in (1, 2):
        g.add((s, IPRG.number, Literal(number)))
    for amount in ("1.5", "2.25"):
        g.add((s, IPRG.amount, Literal(amount, datatype=XSD.decimal)))
    for day in ("2021-02-01", "2019-04-23"):
        g.add((s, IPRG.effective, Literal(day, datatype=XSD.date)))
    for flag in (True, False):
        g.add((s, IPRG.sealed, Literal(flag)))
    g.add((s, IPRG.cites, iri("case", "gen-7")))
    return g


def _constraints(drv) -> list[tuple]:
    records = drv.execute_query("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
                                "RETURN name, type, labelsOrTypes, properties").records
    return [tuple(r.values()) for r in records]


def test_bulk_first_load_and_cypher_write_the_same_graph(neo4j_clean):
    """The launcher's bulk loader and the Cypher path: same nodes, properties (hashes included),
    relationships, counters and batches; both pass parity, read back isomorphic, resync to 0."""
    graph = mixed_graph()
    seen = {}
    with _driver(neo4j_clean) as drv:
        need(mirror.loader_version(drv) == mirror.LOADER_VERSION,
             "the Neo4j under test has no iprg.mirror bulk loader (not the bundled launcher)")
        for bulk in (True, False):
            wipe(drv)
            report = mirror.sync(graph, drv, batch_size=100, verify=True, bulk=bulk)
            assert report.ok, report.mismatches[:5]
            assert report.loader == ("bulk" if bulk else "cypher")
            assert isomorphic(mirror.read_back(drv), graph)
            again = mirror.sync(graph, drv, batch_size=100)
            assert again.writes == 0 and again.loader == "cypher"
            # the bulk load creates the uri constraint after its nodes (one index build, not an
            # index update per node), the Cypher path before: either way it is there at the end
            assert _constraints(drv) == [(mirror.CONSTRAINT, "UNIQUENESS", ["Resource"], ["uri"])]
            data = {k: v for k, v in report.counters.items()    # the schema exists after the first
                    if not k.startswith(("constraints", "indexes"))}
            seen[report.loader] = (dump(drv), data, report.batches, report.nodes_written,
                                   report.edge_sets_written)
        records, _, _ = drv.execute_query(
            "MATCH (n:Resource {uri: $u}) RETURN n.number AS n, n.amount AS a, n.effective AS e, "
            "n.sealed AS s", u=str(iri("case", "lists")))
    assert seen["bulk"] == seen["cypher"]
    (nodes, rels), counters, batches, _, _ = seen["bulk"]
    assert len(nodes) == len(pg.project(graph).nodes) + 1 and len(rels) == len(pg.project(graph).edges)
    assert batches > 6 and counters["nodes_created"] == len(nodes)
    row = records[0]
    assert (row["n"], row["a"], row["s"]) == ([1, 2], [1.5, 2.25], [False, True])
    assert [d.iso_format() for d in row["e"]] == ["2019-04-23", "2021-02-01"]


def test_full_sync_then_parity_and_read_back(neo4j_clean):
    graph = sample_graph()
    projection = pg.project(graph)
    with _driver(neo4j_clean) as drv:
        report = mirror.sync(graph, drv, verify=True)
        assert report.ok, report.mismatches
        assert report.nodes == report.nodes_written == len(projection.nodes) == 13
        assert report.relationships == len(projection.edges) == 19
        assert report.counters["nodes_created"] == 13 + 1          # + the mapping node
        assert report.counters["relationships_created"] == 19
        assert report.parity.labels_neo4j == projection.label_counts()
        assert report.parity.types_neo4j == projection.type_counts()
        assert report.parity.nodes_checked == 13 and not report.parity.sampled
        records, _, _ = drv.execute_query(
            "MATCH (c:Case {caseNumber: $n})-[:CITES]->(a:Article) RETURN c.label_zh AS l, "
            "c.honour_zh AS h, c.amount AS amt, collect(a.number) AS nums",
            n="(2020)最高法知民终1667号")
        assert records[0]["l"] == "香兰素案"
        assert records[0]["h"] == ["十大影响力案件", "技术类典型案例"]
        assert records[0]["amt"] == 159000000.0
        assert sorted(records[0]["nums"]) == [9, 17]
        back = mirror.read_back(drv)
    assert len(back) == len(graph)
    assert isomorphic(back, graph)


def test_unchanged_graph_resync_writes_nothing(neo4j_clean):
    graph = sample_graph()
    with _driver(neo4j_clean) as drv:
        first = mirror.sync(graph, drv)
        assert first.writes > 0
        again = mirror.sync(sample_graph(), drv)
        assert again.writes == 0 and again.counters == {}
        assert again.batches == 0 and again.nodes_written == again.nodes_deleted == again.edge_sets_written == 0


def test_diff_sync_applies_additions_changes_and_removals(neo4j_clean):
    graph = sample_graph()
    with _driver(neo4j_clean) as drv:
        mirror.sync(graph, drv)
        case, art17 = iri("case", "vanillin"), iri("article", "prc_aucl_2019", "17")
        new_case = iri("case", "weibo_v_maimai")
        # change: a property value and a language variant removed
        graph.set((case, IPRG.verified, Literal("yes")))
        graph.remove((case, IPRG.holding, Literal("Use of all technical secrets is presumed.", lang="en")))
        # remove: article 17 entirely (its triples and every triple pointing at it)
        graph.remove((art17, None, None))
        graph.remove((None, None, art17))
        # add: a new case with relationships to existing nodes, and a new label on an old node
        graph.add((new_case, RDF.type, IPRG.Case))
        graph.add((new_case, RDFS.label, Literal("微博诉脉脉案", lang="zh")))
        graph.add((new_case, IPRG.aboutTopic, iri("topic", "trade_secrets")))
        graph.add((new_case, IPRG.relatedCase, case))
        graph.add((iri("case", "geely_v_weima"), RDF.type, IPRG.Organisation))
        report = mirror.sync(graph, drv, verify=True)
        assert report.ok, report.mismatches
        # vanillin (props), geely (label), new case; statute loses an edge, not a property
        assert report.nodes_written == 3
        assert report.nodes_deleted == 1
        # vanillin, statute (lost HAS_PART to art17), new case
        assert report.edge_sets_written == 3
        assert report.counters["nodes_deleted"] == 1
        assert report.counters["relationships_created"] == 2
        assert report.counters["labels_added"] == 3    # Resource + Case on the new node, Organisation
        records, _, _ = drv.execute_query(
            "MATCH (c:Resource {uri: $u}) RETURN c.verified AS v, c.holding_en AS en, c.holding_zh AS zh",
            u=str(case))
        assert records[0]["v"] == "yes" and records[0]["en"] is None and records[0]["zh"]
        # a label removed again is removed in Neo4j too
        graph.remove((iri("case", "geely_v_weima"), RDF.type, IPRG.Organisation))
        report = mirror.sync(graph, drv, verify=True)
        assert report.ok and report.nodes_written == 1 and report.counters["labels_removed"] == 1
        assert isomorphic(mirror.read_back(drv), graph)


def test_parity_catches_a_node_tampered_in_neo4j_and_full_sync_repairs_it(neo4j_clean):
    graph = sample_graph()
    case = str(iri("case", "vanillin"))
    with _driver(neo4j_clean) as drv:
        assert mirror.sync(graph, drv, verify=True).ok
        drv.execute_query("MATCH (n:Resource {uri: $u}) SET n.label_zh = '篡改'", u=case)
        drv.execute_query("MATCH (n:Resource {uri: $u})-[r:CITES]->() WITH r LIMIT 1 DELETE r", u=case)
        report = mirror.sync(graph, drv, verify=True)          # hashes unchanged: writes nothing
        assert report.writes == 0
        assert not report.ok
        assert f"node {case}: property label_zh is '香兰素案' in RDF, '篡改' in Neo4j" in report.mismatches
        assert "relationship type CITES: 3 in RDF, 2 in Neo4j" in report.mismatches
        assert any(m.startswith(f"node {case}: outgoing relationships differ") for m in report.mismatches)
        repaired = mirror.sync(graph, drv, verify=True, full=True)
        assert repaired.ok, repaired.mismatches
        assert repaired.counters["relationships_created"] == 1


def test_fulltext_index_answers_chinese_queries(neo4j_clean):
    with _driver(neo4j_clean) as drv:
        report = mirror.sync(sample_graph(), drv)
        assert {"label_zh", "label_en", "prefLabel_zh", "altLabel_zh", "holding_zh", "holding_en",
                "text_zh", "title_zh", "gist_zh"} <= set(report.fulltext_properties)
        records, _, _ = drv.execute_query(
            "CALL db.index.fulltext.queryNodes('iprg_text', $q) YIELD node, score "
            "RETURN node.uri AS uri ORDER BY score DESC", q="商业秘密")
        found = {r["uri"] for r in records}
        assert str(iri("topic", "trade_secrets")) in found                # prefLabel_zh
        assert str(iri("measure", "厦中法发〔2025〕18号", 5)) in found      # text_zh
        assert str(iri("article", "prc_aucl_2019", "9")) in found          # gist_zh
        assert str(iri("court", "最高人民法院知识产权法庭")) not in found
        records, _, _ = drv.execute_query(
            "CALL db.index.fulltext.queryNodes('iprg_text', $q) YIELD node RETURN node.uri AS uri",
            q="技术秘密")
        assert str(iri("topic", "trade_secrets")) in {r["uri"] for r in records}   # altLabel list


def test_unreachable_neo4j_is_a_clear_error_after_retries():
    from kg.neo4j_server import free_port

    port = free_port()
    with mirror.open_driver(f"bolt://127.0.0.1:{port}", "neo4j", "x", connection_timeout=1) as drv:
        with pytest.raises(mirror.MirrorError, match=rf"Neo4j at bolt://127.0.0.1:{port} is not reachable: .*tried 3 times"):
            mirror.sync(sample_graph(), drv, attempts=3, backoff=0.01)


def test_wrong_password_is_a_clear_error(neo4j_server):
    with mirror.open_driver(neo4j_server.uri, neo4j_server.user, neo4j_server.password + "-x") as drv:
        with pytest.raises(mirror.MirrorError, match="refused the credentials"):
            mirror.sync(sample_graph(), drv, attempts=1)


def test_sync_from_env_needs_neo4j_uri(monkeypatch, tmp_path):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("IPRG_DATA_DIR", str(tmp_path))
    with pytest.raises(mirror.MirrorError, match=r"NEO4J_URI is not set.*kg neo4j start"):
        mirror.sync_from_env(sample_graph())


def test_sync_from_env_mirrors_the_store(neo4j_clean, monkeypatch, tmp_path):
    from kg.store import GraphStore

    store = GraphStore(tmp_path / "store")
    store.replace(sample_graph())
    monkeypatch.setenv("NEO4J_URI", neo4j_clean.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password)
    report = mirror.sync_from_env(store, verify=True)
    assert report.ok and report.triples == len(sample_graph()) and report.nodes_written == 13
    assert mirror.sync_from_env(store).writes == 0


@pytest.mark.parametrize("loader", ["bulk", "cypher"])
def test_killed_mid_sync_then_rerun_completes_with_parity(loader):
    """A second server on its own folder is SIGKILLed while the sync is writing batches: through
    the bulk loader, and through Cypher on a launcher without it (the fallback any other Neo4j
    gets, chosen by itself)."""
    from kg import neo4j_server as srv

    try:
        srv.build()
    except srv.LauncherError as exc:
        need(False, f"the Neo4j launcher cannot be built: {exc}")
    home = Path(tempfile.mkdtemp(prefix="iprg-neo4j-kill-"))
    env = {"IPRG_NEO4J_LOADER": "on" if loader == "bulk" else "off"}
    info = srv.start(home=home, extra_env=env)
    graph = big_graph(6000)
    total = len(pg.project(graph).nodes)
    killed = []

    def kill_after_three(batches: int) -> None:
        if batches == 3 and not killed:
            srv.kill(info)
            killed.append(batches)

    try:
        with mirror.open_driver(info.uri, info.user, info.password, retry_time=1.0, connection_timeout=2) as drv:
            assert mirror.loader_version(drv) == (mirror.LOADER_VERSION if loader == "bulk" else None)
            with pytest.raises(mirror.MirrorError, match=r"lost the connection to Neo4j at bolt://127\.0\.0\.1:\d+ during the sync after \d+ committed batches"):
                mirror.sync(graph, drv, batch_size=1000, on_batch=kill_after_three)
        assert killed == [3]
        # a new password: the launcher refuses to ALTER USER to the password it already has
        info = srv.start(home=home, port=info.port, password=info.password + "-2", extra_env=env)
        with mirror.open_driver(info.uri, info.user, info.password) as drv:
            # whole batches only: the mapping and at least two node batches of 1,000 committed;
            # the bulk load keeps two node batches in flight, and the one in flight at the kill
            # may or may not have committed
            survived = drv.execute_query("MATCH (n:Resource) RETURN count(n) AS n").records[0]["n"]
            assert survived % 1000 == 0 and 2000 <= survived <= (4000 if loader == "bulk" else 2000)
            report = mirror.sync(graph, drv, batch_size=1000, verify=True)
            assert report.ok, report.mismatches[:5]
            assert report.loader == "cypher"          # the database is not empty any more
            # the committed node batches were not redone
            assert report.nodes_written == total - survived
            assert _constraints(drv) == [(mirror.CONSTRAINT, "UNIQUENESS", ["Resource"], ["uri"])]
            assert mirror.sync(graph, drv, batch_size=1000).writes == 0
    finally:
        srv.stop(info)


def test_the_corpus_graph_mirrors_with_parity(neo4j_clean, bundled_store):
    """The graph `kg ingest` builds from the bundled corpus, mirrored from the store."""
    with _driver(neo4j_clean) as drv:
        report = mirror.sync(bundled_store, drv, verify=True)
        assert report.ok, report.mismatches[:10]
        assert (report.triples, report.nodes, report.relationships) == (
            facts.MIRROR_TRIPLES, facts.MIRROR_NODES, facts.PG_RELATIONSHIPS)
        assert report.counters["nodes_created"] == facts.MIRROR_NODES + 1      # + the mapping node
        assert report.counters["relationships_created"] == facts.PG_RELATIONSHIPS
        assert report.parity.nodes_checked == facts.MIRROR_NODES and not report.parity.sampled
        assert mirror.sync(bundled_store, drv).writes == 0
        # the mirror holds the source facts and the generation's derived data (one graph in Neo4j)
        stored = Graph()
        for q in bundled_store.quads():
            stored.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        assert len(stored) == facts.MIRROR_TRIPLES
        assert isomorphic(mirror.read_back(drv), stored)
        records, _, _ = drv.execute_query(
            "CALL db.index.fulltext.queryNodes('iprg_text', '商业秘密') YIELD node RETURN count(node) AS n")
        assert records[0]["n"] > 0
        records, _, _ = drv.execute_query("MATCH (c:Case) RETURN count(c) AS n")
        assert records[0]["n"] == facts.CASES
