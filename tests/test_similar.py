"""类案检索 through the REST API on the AUCL 2019 ↔ 2025 example graph, and its report files."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from docx import Document
from features_graph import (
    AUCL19_9,
    AUCL19_17,
    AUCL25_10,
    AUCL25_22,
    CARBOMER,
    CASE_2026,
    MEASURE5,
    VANILLIN,
    aucl_fixtures,
)

FACTS_2026 = "原告的前员工违反保密义务，将原告的技术秘密披露给被告使用，违反反不正当竞争法第十条，请求赔偿。"


store, client = aucl_fixtures()


def _hits(body: dict) -> dict[str, dict]:
    return {h["case"]["iri"]: h for h in body["hits"]}


def _path_connects(reason: dict) -> bool:
    """Every edge joins two consecutive nodes of the path (in either direction)."""
    nodes = [n["iri"] for n in reason["path"]]
    pairs = {(a, b) for a, b in zip(nodes, nodes[1:], strict=False)}
    return len(reason["edges"]) == len(nodes) - 1 and all(
        (e["source"], e["target"]) in pairs or (e["target"], e["source"]) in pairs for e in reason["edges"])


def test_a_2026_case_finds_2019_cases_through_corresponding_articles(client):
    body = client.get("/api/v1/similar", params={"case": CASE_2026}).json()
    assert body["query"]["kind"] == "case" and body["query"]["iri"] == CASE_2026
    hits = _hits(body)
    assert {VANILLIN, CARBOMER} <= set(hits)
    reasons = [r for r in hits[VANILLIN]["reasons"] if r["kind"] == "corresponding_article"]
    named = {(r["nodes"][0]["iri"], r["nodes"][1]["iri"]) for r in reasons}
    assert named == {(AUCL25_10, AUCL19_9), (AUCL25_22, AUCL19_17)}
    for r in reasons:
        assert [n["iri"] for n in r["path"]][0] == CASE_2026 and r["path"][-1]["iri"] == VANILLIN
        assert {e["type"] for e in r["edges"]} == {"CITES", "CORRESPONDS_TO"}
        assert _path_connects(r)
    shared = {n["iri"] for n in hits[VANILLIN]["shared"]}
    assert {AUCL25_10, AUCL19_9} <= shared


def test_ranking_puts_authority_first_then_what_is_shared(client):
    body = client.get("/api/v1/similar", params={"case": "vanillin", "limit": 200}).json()
    keys = [(h["tier_rank"], -h["score"]) for h in body["hits"]]
    assert keys == sorted(keys) and body["total"] == len(body["hits"])
    assert keys[0][0] == 1             # a guiding case shares enough with the vanillin case to lead
    assert all(h["score"] >= 2 and h["reasons"] for h in body["hits"])
    for h in body["hits"]:
        assert h["score"] == pytest.approx(sum(r["weight"] for r in h["reasons"]))
        assert all(_path_connects(r) and r["path"][0]["iri"] == VANILLIN for r in h["reasons"])
    assert VANILLIN not in _hits(body)
    assert CARBOMER in _hits(body)
    strict = client.get("/api/v1/similar", params={"case": "vanillin", "min_score": 10, "limit": 200}).json()
    assert 0 < len(strict["hits"]) < len(body["hits"]) and all(h["score"] >= 10 for h in strict["hits"])


def test_by_measure_and_by_facts(client):
    by_measure = client.get("/api/v1/similar", params={"measure": "5"}).json()
    assert by_measure["query"]["iri"] == MEASURE5
    hit = _hits(by_measure)[VANILLIN]
    assert any(r["kind"] == "measure" and r["nodes"][0]["iri"] == MEASURE5 for r in hit["reasons"])
    facts = client.get("/api/v1/similar", params={"text": FACTS_2026, "as_of": "2026-03-01"}).json()
    assert facts["query"]["kind"] == "facts" and AUCL25_10 in {f["iri"] for f in facts["query"]["features"]}
    reason = next(r for r in _hits(facts)[VANILLIN]["reasons"] if r["kind"] == "corresponding_article")
    assert [n["iri"] for n in reason["nodes"]] == [AUCL25_10, AUCL19_9]
    assert reason["path"][0]["kind"] == "Query"
    # the same words read on a 2023 date cite the 2019 text directly
    # read on a 2023 date, the same words cite the 2019 text's art. 10 (prize promotions), and
    # its art. 9 is cited by its own number: the 2019 cases share it directly
    old = client.get("/api/v1/similar", params={"text": FACTS_2026, "as_of": "2023-03-01"}).json()
    assert AUCL19_9.replace("/9", "/10") in {f["iri"] for f in old["query"]["features"]}
    old = client.get("/api/v1/similar", params={"text": FACTS_2026.replace("第十条", "第九条"), "as_of": "2023-03-01"}).json()
    assert AUCL19_9 in {f["iri"] for f in old["query"]["features"]}
    assert any(r["kind"] == "article" for r in _hits(old)[VANILLIN]["reasons"])
    assert all(h["case"]["decided"] <= "2023-03-01" for h in old["hits"])


@pytest.mark.parametrize("params, status", [
    ({}, 400), ({"case": "vanillin", "measure": "5"}, 400), ({"case": "no_such_case"}, 404),
    ({"measure": "99"}, 404), ({"text": "   "}, 400), ({"rule": "not an iri"}, 400),
    ({"case": "vanillin", "limit": 0}, 422), ({"case": "vanillin", "as_of": "2026-13-01"}, 400),
])
def test_bad_queries(client, params, status):
    assert client.get("/api/v1/similar", params=params).status_code == status


def test_markdown_report(client):
    r = client.get("/api/v1/similar.md", params={"case": CASE_2026, "lang": "zh"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert "attachment" in r.headers["content-disposition"]
    text = r.text
    body = client.get("/api/v1/similar", params={"case": CASE_2026}).json()
    assert text.startswith("# 类案检索报告")
    for h in body["hits"]:
        for n in h["case"]["case_numbers"]:
            assert n in text
    assert "反不正当竞争法（2025）第十条 与 反不正当竞争法（2019）第九条" in text
    assert "(2020)最高法知民终1667号" in text and "典型案例" in text       # 案号 and tier of the vanillin case


def test_docx_report_opens_and_holds_the_hits_with_reasons(client, output_dir):
    r = client.get("/api/v1/similar.docx", params={"case": CASE_2026, "lang": "en"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    (output_dir / "similar-report-2026-case.docx").write_bytes(r.content)
    doc = Document(io.BytesIO(r.content))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    body = client.get("/api/v1/similar", params={"case": CASE_2026}).json()
    assert len(doc.tables) == len(body["hits"]) > 1
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert [h.split(". ", 1)[0] for h in heads] == [str(i) for i in range(1, len(body["hits"]) + 1)]
    vanillin = next(i for i, h in enumerate(body["hits"]) if h["case"]["iri"] == VANILLIN)
    table = doc.tables[vanillin]
    fields = {row.cells[0].text: row.cells[1].text for row in table.rows}
    assert "(2020)最高法知民终1667号" in fields["Case no."] and fields["Authority"] == "typical or gazette case"
    assert fields["Date"] == "2021-02" and "Supreme People" in fields["Court"] and fields["Holding"].startswith("Where an infringer")
    assert any("corresponds to Anti-Unfair Competition Law (2019), Article 9" in p for p in paragraphs)
    assert any("Graph path:" in p and "—cites→" in p for p in paragraphs)
    assert "Case no." in cells


def test_rule_query_by_iri(client):
    rule = MEASURE5.replace("/measure/", "/rule/") + "/1"
    body = client.get(f"/api/v1/similar?rule={quote(rule, safe='')}").json()
    assert body["query"]["kind"] == "rule" and body["query"]["iri"] == rule
    assert body["hits"] and all(h["reasons"] for h in body["hits"])
