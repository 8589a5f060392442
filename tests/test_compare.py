"""对照 (topic × document, and one topic side by side) through the REST API, on the AUCL example."""

from __future__ import annotations

from features_graph import AUCL19, AUCL19_9, AUCL25, AUCL25_10, MEASURE5, VANILLIN, aucl_fixtures

from kg.ns import iri

POLICY_DOC = str(iri("policy", "厦中法发〔2025〕18号"))
TRADE_SECRET_JI = str(iri("statute", "spc_trade_secret_civil_provisions_2020"))


store, client = aucl_fixtures()


def test_trade_secrets_side_by_side(client):
    body = client.get("/api/v1/compare/trade_secrets").json()
    assert body["topic"]["id"] == "trade_secrets"
    cols = {c["document"]["iri"]: c for c in body["columns"]}
    assert {POLICY_DOC, TRADE_SECRET_JI, AUCL19, AUCL25} <= set(cols)
    # authority first: laws, then the judicial interpretation, then the court's measures
    ranks = [c["document"]["tier_rank"] for c in body["columns"]]
    assert ranks == sorted(ranks) and cols[POLICY_DOC]["document"]["tier_rank"] == 4
    items = {i["iri"]: i for c in body["columns"] for i in c["items"]}
    m5 = items[MEASURE5]
    assert m5["why"] == "about_topic" and VANILLIN in {c["iri"] for c in m5["cases"]}
    assert m5["text_en"] and "Fix the scope of the trade secret" in m5["text_en"]
    nine, ten = items[AUCL19_9], items[AUCL25_10]
    assert ten["iri"] in {c["iri"] for c in nine["corresponds"]} and nine["iri"] in {c["iri"] for c in ten["corresponds"]}
    assert VANILLIN in {c["iri"] for c in nine["cases"]}
    assert nine["text_zh"].startswith("经营者不得实施下列侵犯商业秘密的行为")
    ji = cols[TRADE_SECRET_JI]["items"]
    assert len(ji) >= 5 and all(i["why"] == "document_cited" and i["text_zh"] for i in ji)   # its gisted articles


def test_choosing_the_documents(client):
    body = client.get("/api/v1/compare/trade_secrets", params=[("document", AUCL25), ("document", POLICY_DOC)]).json()
    assert [c["document"]["iri"] for c in body["columns"]] == [AUCL25, POLICY_DOC]
    assert client.get("/api/v1/compare/trade_secrets", params={"document": str(iri("statute", "prc_seed_law_2021"))}).status_code == 404
    assert client.get("/api/v1/compare/no_such_topic").status_code == 404
    assert client.get("/api/v1/compare/trade_secrets", params={"limit": 0}).status_code == 422


def test_topic_by_document_matrix(client):
    m = client.get("/api/v1/compare").json()
    cells = {(c["topic"], c["document"]): c["count"] for c in m["cells"]}
    assert cells[("trade_secrets", POLICY_DOC)] == 3          # measures 5, 6 and 7
    assert cells[("trade_secrets", AUCL25)] >= 1 and cells[("trade_secrets", AUCL19)] >= 1
    assert cells[("frand_sep", POLICY_DOC)] >= 1
    docs = [d["iri"] for d in m["documents"]]
    assert len(docs) == len(set(docs)) and POLICY_DOC in docs
    assert all(n > 0 for n in cells.values())
