"""The SPARQL and Cypher consoles are read-only, row-limited and time-limited.

Cypher is checked twice: by the text check (write clauses refused before anything runs) and by
the server (the query runs in a READ transaction, so a write that slips past the text check is
still refused — proved by switching the public text check off and seeing the server refuse).
"""

from __future__ import annotations

import json
from dataclasses import asdict

import facts
import pytest
from conftest import wipe

from kg import mirror
from kg.console import ConsoleError, check_cypher, run_console, run_cypher


@pytest.fixture(scope="module")
def store(bundled_store):
    return bundled_store


# --- SPARQL -------------------------------------------------------------------------------------

def test_sparql_select_with_row_limit(store):
    res = run_console("sparql", "SELECT ?m WHERE { ?m a iprg:Measure } ORDER BY ?m", store=store, limit=5)
    assert res.columns == ("m",) and len(res.rows) == 5 and res.truncated
    full = run_console("sparql", "SELECT ?m WHERE { ?m a iprg:Measure }", store=store, limit=1000)
    assert len(full.rows) == facts.MEASURES and not full.truncated
    json.dumps(asdict(full), ensure_ascii=False)


def test_sparql_ask_and_construct(store):
    assert run_console("sparql", "ASK { ?m a iprg:Measure }", store=store).rows == ((True,),)
    res = run_console("sparql", "CONSTRUCT { ?m a iprg:Measure } WHERE { ?m a iprg:Measure }", store=store)
    assert res.columns == ("subject", "predicate", "object") and len(res.rows) == facts.MEASURES


@pytest.mark.parametrize("text", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "delete where { ?s ?p ?o }",
    "PREFIX x: <urn:x#>\nCLEAR ALL",
    "LOAD <http://example.org/x.ttl>",
    "DROP GRAPH <urn:g>",
    "# a comment\n  insert { ?s ?p ?o } where { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p ?o }",
])
def test_sparql_update_refused(store, text):
    before = len(store)
    with pytest.raises(ConsoleError, match="read-only|queries only"):
        run_console("sparql", text, store=store)
    assert len(store) == before


def test_sparql_keywords_inside_strings_and_iris_are_fine(store):
    res = run_console("sparql", 'SELECT ?s WHERE { ?s rdfs:label "DELETE INSERT"@zh } # drop', store=store)
    assert res.rows == ()


def test_sparql_syntax_error_is_a_clear_error(store):
    with pytest.raises(ConsoleError, match="SPARQL error"):
        run_console("sparql", "SELECT ?s WHERE { ?s ", store=store)


def test_sparql_time_limit(store):
    with pytest.raises(ConsoleError, match="time limit"):
        # a count must see the whole product (10^12 rows) before its one row: it cannot end
        # early on the row or byte limit, only on the time limit
        run_console("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", store=store,
                    limit=10**9, timeout_s=0.5)


def test_unknown_language_and_empty_query(store):
    with pytest.raises(ConsoleError):
        run_console("gremlin", "g.V()", store=store)
    with pytest.raises(ConsoleError, match="empty"):
        run_console("sparql", "  ", store=store)


# --- Cypher: the text check -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "CREATE (n:Evil {uri: 'x'})",
    "MATCH (n) DETACH DELETE n",
    "match (n) delete n",
    "MERGE (n:Resource {uri: 'x'}) RETURN n",
    "MATCH (n) SET n.x = 1",
    "MATCH (n) REMOVE n.uri",
    "MATCH (n) /* harmless */ WITH n cReAtE (m)",
    "MATCH (n)\n// comment\nDETACH\nDELETE n",
    "DROP INDEX iprg_text",
    "LOAD CSV FROM 'file:///x' AS row RETURN row",
    "MATCH (n) CALL (n) { RETURN n } IN TRANSACTIONS OF 10 ROWS RETURN n",
    "MATCH (n) CALL { WITH n RETURN n } IN TRANSACTIONS RETURN 1",
    "CALL dbms.security.createUser('x', 'y', false)",
    "CALL db.createLabel('X')",
    "CALL apoc.create.node(['X'], {})",
    "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})",
    "FOREACH (x IN [1] | CREATE (:X))",
    "USE system SHOW USERS",
])
def test_cypher_write_clauses_refused_by_text(text):
    with pytest.raises(ConsoleError, match="read-only|may not call"):
        check_cypher(text)


@pytest.mark.parametrize("text", [
    "MATCH (n:Measure) RETURN n.uri ORDER BY n.uri",
    "MATCH (n) WHERE n.label_zh = 'CREATE DELETE' RETURN n",
    "MATCH (n) WHERE n.`SET` IS NULL RETURN count(n)",
    "// CREATE in a comment\nMATCH (n) RETURN count(n)",
    "CALL db.labels() YIELD label RETURN label",
    "CALL db.index.fulltext.queryNodes('iprg_text', '商业秘密') YIELD node RETURN node.uri",
    "MATCH (n) CALL (n) { RETURN 1 AS one } RETURN count(one)",
])
def test_cypher_reads_pass_the_text_check(text):
    check_cypher(text)


# --- Cypher on the real server ------------------------------------------------------------------

@pytest.fixture(scope="module")
def mirrored(neo4j_server, store):
    with neo4j_server.driver() as drv:
        wipe(drv)
        mirror.sync(store, drv)
        yield drv


def _count(drv) -> int:
    records, _, _ = drv.execute_query("MATCH (n) RETURN count(n) AS n")
    return records[0]["n"]


@pytest.mark.neo4j
def test_cypher_console_returns_json_rows_with_node_dicts(mirrored):
    res = run_console("cypher", "MATCH (m:Measure) RETURN m, m.number AS n ORDER BY n", driver=mirrored, limit=3)
    assert res.columns == ("m", "n") and len(res.rows) == 3 and res.truncated
    node, number = res.rows[0]
    assert number == 1 and node["uri"].startswith("https://w3id.org/iprg/id/measure/")
    assert "Measure" in node["labels"] and node["label_zh"].startswith("1.")
    json.dumps(asdict(res), ensure_ascii=False)


@pytest.mark.neo4j
@pytest.mark.parametrize("text", [
    "CREATE (n:Evil {uri: 'evil'})",
    "MATCH (n) DETACH DELETE n",
    "MERGE (n:Resource {uri: 'evil'})",
    "MATCH (n:Measure) SET n.hacked = true",
])
def test_writes_slipping_past_the_text_check_are_refused_by_read_mode(mirrored, text):
    before = _count(mirrored)
    # "the server refused": the READ transaction stopped it, not the (switched-off) text check
    with pytest.raises(ConsoleError, match="server refused a write"):
        run_cypher(mirrored, text, 100, 10, "neo4j", check=False)
    assert _count(mirrored) == before
    records, _, _ = mirrored.execute_query("MATCH (n) WHERE n.hacked IS NOT NULL OR n.uri = 'evil' RETURN count(n) AS n")
    assert records[0]["n"] == 0


@pytest.mark.neo4j
def test_cypher_console_refuses_before_running(mirrored):
    before = _count(mirrored)
    with pytest.raises(ConsoleError, match="read-only"):
        run_console("cypher", "MATCH (n) DETACH DELETE n", driver=mirrored)
    assert _count(mirrored) == before


@pytest.mark.neo4j
def test_cypher_time_limit(mirrored):
    with pytest.raises(ConsoleError, match="time limit"):
        run_console("cypher", "MATCH (a), (b), (c) WHERE a.uri < b.uri AND b.uri < c.uri RETURN count(*)", driver=mirrored, timeout_s=1)


@pytest.mark.neo4j
def test_cypher_syntax_error_is_a_clear_error(mirrored):
    with pytest.raises(ConsoleError, match="Cypher error"):
        run_console("cypher", "MATCH (n RETURN n", driver=mirrored)
