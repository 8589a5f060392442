"""The newer questions answer alike on SPARQL and on the Neo4j mirror, on the AUCL example graph
(versions and correspondences exist only there): law as of a date, similar cases (also from a
description of facts), 对照 and the document outline."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from conftest import wipe
from features_graph import AUCL19_9, AUCL19_17, AUCL25, AUCL25_22, CASE_2026, MEASURE5, aucl_store

from kg import mirror
from kg.explorer import CypherExplorer, SparqlExplorer, compare, outline, similar, versions
from kg.explorer.similar import Facts

pytestmark = pytest.mark.neo4j

FACTS = Facts("事实", "2026-03-01", articles=(str(AUCL25_22),), statutes=(AUCL25,),
              concepts=("https://w3id.org/iprg/id/concept/trade_secret",),
              topics=("https://w3id.org/iprg/id/topic/trade_secrets",))


@pytest.fixture(scope="module")
def explorers(neo4j_server, shared_dir):
    store = aucl_store(shared_dir)
    with neo4j_server.driver() as drv:
        wipe(drv)
        report = mirror.sync(store, drv, verify=True)
        assert report.parity is None or report.parity.ok, report.parity
        yield SparqlExplorer(store), CypherExplorer(drv, "neo4j")


QUESTIONS = [
    ("history 2019 art 9 in 2026", lambda e: versions.history(e, AUCL19_9, "2026-01-01")),
    ("history 2025 art 22 in 2020", lambda e: versions.history(e, AUCL25_22, "2020-01-01")),
    ("history 2019 art 17", lambda e: versions.history(e, AUCL19_17)),
    ("case versions 2026", lambda e: versions.case_versions(e, CASE_2026)),
    ("case versions carbomer", lambda e: versions.case_versions(e, "https://w3id.org/iprg/id/case/carbomer")),
    ("topic as of 2026", lambda e: versions.topic_as_of(e, "trade_secrets", "2026-06-01")),
    ("cited as of", lambda e: versions.cited_as_of(e, MEASURE5, "2026-01-01")),
    ("similar 2026 case", lambda e: similar.similar(e, case=CASE_2026, limit=100)),
    ("similar facts", lambda e: similar.similar(e, facts=FACTS, as_of="2026-03-01")),
    ("side by side", lambda e: compare.side_by_side(e, "trade_secrets", limit=8)),
    ("matrix", lambda e: compare.topic_document_matrix(e)),
    ("outline", lambda e: outline.outline(e)),
]


@pytest.mark.parametrize("name,ask", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_same_answer(explorers, name, ask):
    sparql, cypher = explorers
    a, b = ask(sparql), ask(cypher)
    as_dict = (lambda x: [asdict(i) for i in x]) if isinstance(a, tuple) else asdict
    assert as_dict(a) == as_dict(b)
    assert a
