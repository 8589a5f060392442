"""SPARQL (embedded Oxigraph) and Cypher (Neo4j mirror) answer every question identically.

The graph is the real one built from the bundled corpus, mirrored with ``kg.mirror.sync`` into
the session's real Neo4j. Each question is asked of both explorers and the answers compared as
plain dicts, so a difference shows as a readable diff; each row also checks that the answer is
the substantial one the corpus fixes (tests/facts.py), so an empty or default answer from both
backends cannot pass.
"""

from __future__ import annotations

from dataclasses import asdict

import facts
import pytest
from conftest import wipe
from facts import POLICY, node

from kg import mirror
from kg.explorer import compare, get_explorer, outline, similar, versions
from kg.ns import iri

pytestmark = pytest.mark.neo4j

CASE = str(iri("case", "tencent_v_soudao"))
ARTICLE = str(iri("article", "prc_aucl_2019", "9"))
STATUTE = str(iri("statute", "prc_aucl_2019"))


@pytest.fixture(scope="module")
def explorers(neo4j_server, bundled_store):
    with neo4j_server.driver() as drv:
        wipe(drv)
        report = mirror.sync(bundled_store, drv, verify=True)
        assert report.parity is None or report.parity.ok, report.parity
        yield get_explorer("sparql", store=bundled_store), get_explorer("cypher", driver=drv, database="neo4j")


def _ids(items) -> list[str]:
    return [x.iri.rsplit("/", 1)[-1] for x in items]


def _total(spec: str):
    return lambda page: page.total == len(page.items) == facts.CASES_BY_FILTER[spec]


# (name, question, what the answer must be on this graph)
QUESTIONS = [
    ("topics", lambda e: e.topics(),
     lambda a: {t.id: (t.measures, t.rules, t.cases) for t in a} == facts.TOPIC_COUNTS),
    ("rules_by_topic trade_secrets", lambda e: e.rules_by_topic("trade_secrets"),
     lambda a: [m.number for m in a.measures] == facts.TOPIC_MEASURES["trade_secrets"]
     and _ids(a.cases) == facts.TOPIC_CASES["trade_secrets"] and len(a.rules) == facts.TOPIC_COUNTS["trade_secrets"][1]),
    ("rules_by_topic frand_sep", lambda e: e.rules_by_topic("frand_sep"),
     lambda a: _ids(a.cases) == facts.TOPIC_CASES["frand_sep"] and len(a.rules) == facts.TOPIC_COUNTS["frand_sep"][1]),
    ("rules_by_topic data_rights", lambda e: e.rules_by_topic("data_rights"),
     lambda a: (len(a.measures), len(a.rules), len(a.cases)) == facts.TOPIC_COUNTS["data_rights"]),
    ("measure 5", lambda e: e.measure(5),
     lambda a: a.number == 5 and a.rules and a.mentions and a.cases and a.topics),
    ("measure 15 by IRI", lambda e: e.measure(str(iri("measure", POLICY, 15))),
     lambda a: {"rules": len(a.rules), "mentions": len(a.mentions), "cases": len(a.cases),
                "citations": len(a.citations)} == facts.MEASURE15),
    ("case", lambda e: e.case(CASE),
     lambda a: a.summary.iri == CASE and a.summary.case_numbers and len(a.citations) == 2 and a.related),
    ("case vanillin", lambda e: e.case(str(iri("case", "vanillin"))),
     lambda a: "(2020)最高法知民终1667号" in a.summary.case_numbers and a.citations and a.measures),
    ("article", lambda e: e.article(ARTICLE), lambda a: a.statute.iri == STATUTE and a.cases),
    ("statute", lambda e: e.statute(STATUTE), lambda a: ARTICLE in {x.iri for x in a.articles} and a.cases),
    ("cases all", lambda e: e.cases(limit=100), lambda a: a.total == len(a.items) == facts.CASES),
    ("cases page 2", lambda e: e.cases(offset=5, limit=5), lambda a: a.total == facts.CASES and len(a.items) == 5),
    ("cases topic", lambda e: e.cases(topic="trade_secrets"), _total("topic=trade_secrets")),
    ("cases year", lambda e: e.cases(year=2020), _total("year=2020")),
    ("cases court", lambda e: e.cases(court="最高人民法院知识产权法庭", limit=100), _total("court=最高人民法院知识产权法庭")),
    ("cases statute", lambda e: e.cases(statute=STATUTE), _total("statute=prc_aucl_2019")),
    ("cases article", lambda e: e.cases(statute=ARTICLE), _total("statute=prc_aucl_2019/9")),
    ("cases measure", lambda e: e.cases(measure=15, limit=100), _total("measure=15")),
    ("cases combined", lambda e: e.cases(topic="data_rights", statute=STATUTE, year=2020),
     _total("topic=data_rights&statute=prc_aucl_2019&year=2020")),
    ("cases frand 2020 tie", lambda e: e.cases(topic="frand_sep", year=2020),
     lambda a: _ids(a.items) == ["huawei_v_conversant_asi", "xiaomi_v_interdigital_asi"]),
    ("search FRAND", lambda e: e.search("FRAND", limit=100),
     lambda a: len(a) == facts.SEARCH_TOTAL["FRAND"] and [h.iri for h in a[:6]] == [node(x) for x in facts.SEARCH_TOP["FRAND"]]),
    ("search trade secret", lambda e: e.search("trade secret", limit=100), lambda a: len(a) == facts.SEARCH_TOTAL["trade secret"]),
    ("search 商业秘密", lambda e: e.search("商业秘密", limit=100),
     lambda a: len(a) == facts.SEARCH_TOTAL["商业秘密"] and [h.iri for h in a[:8]] == [node(x) for x in facts.SEARCH_TOP["商业秘密"]]),
    ("search data rights", lambda e: e.search("data rights", limit=100), lambda a: len(a) == facts.SEARCH_TOTAL["data rights"]),
    ("search 案号", lambda e: e.search("(2019)浙8601民初1987号", limit=100), lambda a: [h.iri for h in a] == [CASE]),
    ("search mixed", lambda e: e.search("AI 生成", limit=100), lambda a: len(a) == facts.SEARCH_TOTAL["AI 生成"]),
    ("search one char", lambda e: e.search("秘", limit=100), lambda a: len(a) == facts.SEARCH_TOTAL["秘"]),
    ("search injection 1", lambda e: e.search('商业秘密") } ; DROP GRAPH <x> #', limit=100), lambda a: a == ()),
    ("search injection 2", lambda e: e.search('FRAND\\" OR "a"="a', limit=100),
     lambda a: len(a) == facts.SEARCH_TOTAL["FRAND"]),
    ("search injection 3", lambda e: e.search("商业秘密') RETURN n //", limit=100),
     lambda a: len(a) == 0),
    ("neighbourhood 1", lambda e: e.neighbourhood(CASE, 1),
     lambda a: (len(a.nodes), len(a.edges)) == facts.NEIGHBOURHOOD_TENCENT_1),
    ("neighbourhood 2", lambda e: e.neighbourhood(CASE, 2, limit=80), lambda a: len(a.nodes) == 80 and a.truncated),
    ("neighbourhood 3", lambda e: e.neighbourhood(str(iri("measure", POLICY, 5)), 3, limit=150),
     lambda a: len(a.nodes) == 150 and a.edges),
    ("shortest path", lambda e: e.shortest_path(CASE, ARTICLE), lambda a: a is not None and len(a.nodes) == 4),
    ("shortest path measure-topic", lambda e: e.shortest_path(str(iri("measure", POLICY, 5)), str(iri("case", "vanillin"))),
     lambda a: a is not None and [n.iri for n in a.nodes] == [node("measure/5"), node("case/vanillin")]),
    ("matrix", lambda e: e.topic_measure_matrix(),
     lambda a: len([c for c in a.cells if c.count]) == facts.MATRIX_NONZERO and sum(c.count for c in a.cells) == facts.MATRIX_SUM),
    ("centrality", lambda e: e.centrality(50), lambda a: len(a) == 50 and a[0].degree > a[-1].degree),
    # the newer questions (kg.explorer.versions, similar, compare, outline), over the same primitives
    ("versions article as of", lambda e: versions.history(e, ARTICLE, "2026-01-01"), bool),
    ("versions statute", lambda e: versions.history(e, STATUTE, "2020-01-01"), bool),
    ("case versions", lambda e: versions.case_versions(e, str(iri("case", "vanillin"))), bool),
    ("topic as of", lambda e: versions.topic_as_of(e, "trade_secrets", "2021-06-01"), bool),
    ("rule as of", lambda e: versions.rule_as_of(e, str(iri("rule", POLICY, 5, 1)), "2026-01-01"), bool),
    ("similar case", lambda e: similar.similar(e, case=CASE), bool),
    ("similar measure", lambda e: similar.similar(e, node=str(iri("measure", POLICY, 5)), limit=50), bool),
    ("compare side by side", lambda e: compare.side_by_side(e, "trade_secrets"), bool),
    ("compare matrix", lambda e: compare.topic_document_matrix(e), bool),
    ("outline", lambda e: outline.outline(e), bool),
]


def _plain(x):
    if isinstance(x, tuple):
        return [asdict(i) for i in x]
    return x if x is None else asdict(x)


@pytest.mark.parametrize("name,ask,check", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_same_answer(explorers, name, ask, check):
    sparql, cypher = explorers
    a, b = ask(sparql), ask(cypher)
    assert _plain(a) == _plain(b)
    assert a == b
    assert check(a), f"{name}: the answer is not the one the bundled corpus gives: {_plain(a)!r:.2000}"


def test_search_reaches_chinese_from_english_on_both(explorers):
    for e in explorers:
        hits = e.search("FRAND", limit=200)
        assert str(iri("measure", POLICY, 15)) in {h.iri for h in hits}, e.backend


# (field search reads, a query that matches a node through that field). Cypher finds search
# candidates through the mirror's full-text index, so a field missing from the index shows as a
# hit SPARQL has and Cypher lacks.
SEARCH_FIELDS = [
    ("label", "香兰素案"), ("prefLabel", "反不正当竞争法"), ("altLabel", "公平合理无歧视"),
    ("hiddenLabel", "第二条"), ("title", "维护公平诚信的市场竞争秩序"), ("text", "量身定做"),
    ("holding", "technical secrets"), ("gist", "technical secrets"), ("cause", "侵害技术秘密纠纷"),
    ("outcome", "三点四二亿元"), ("shortTitle", "海牙认证公约"), ("articleLabel", "第九条"),
    ("caseNumber", "(2019)浙8601民初1987号"), ("docNumber", "厦中法发〔2025〕18号"),
]


@pytest.mark.parametrize("field,q", SEARCH_FIELDS, ids=[f for f, _ in SEARCH_FIELDS])
def test_every_searched_field_is_found_through_the_mirror(explorers, field, q):
    sparql, cypher = explorers
    hits = sparql.search(q, limit=200)
    found = {f.rsplit("_", 1)[0] if f.endswith(("_zh", "_en")) else f for h in hits for f in h.fields}
    assert field in found, f"no hit for {q!r} through {field}: {sorted(found)}"
    assert cypher.search(q, limit=200) == hits


class _CountingDriver:
    """The real driver, counting how the explorer reaches it (sessions vs one-off queries)."""

    def __init__(self, driver) -> None:
        self.driver, self.sessions, self.one_off = driver, 0, 0

    def session(self, **kwargs):
        self.sessions += 1
        return self.driver.session(**kwargs)

    def execute_query(self, *args, **kwargs):
        self.one_off += 1
        return self.driver.execute_query(*args, **kwargs)


def test_a_cypher_answer_is_read_in_one_transaction(explorers):
    """Each question's 5–25 queries run in one read transaction (one snapshot, no BEGIN/COMMIT
    per query); nested questions (rules_by_topic asks topics) join it."""
    sparql, cypher = explorers
    counting = _CountingDriver(cypher.driver)
    explorer = get_explorer("cypher", driver=counting, database="neo4j")
    asks = [lambda e: e.measure(15), lambda e: e.case(CASE), lambda e: e.rules_by_topic("trade_secrets"),
            lambda e: e.search("商业秘密"), lambda e: e.shortest_path(CASE, ARTICLE)]
    for ask in asks:
        assert ask(explorer) == ask(sparql)
    assert (counting.sessions, counting.one_off) == (len(asks), 0)
    explorer.generation()                     # outside an answer: a query of its own
    assert (counting.sessions, counting.one_off) == (len(asks), 1)
