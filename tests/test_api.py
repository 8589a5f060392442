"""The REST API, the SPARQL endpoint and the graph pages of a real `kg serve`, over HTTP.

The server runs on this module's own copy of the bundled graph (built once per session by
`kg ingest`); exact figures come from tests/facts.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import facts
import pytest
from conftest import copy_store, http_client, kg_serve
from facts import node
from rdflib import Graph, Literal, URIRef

from kg.ns import IPRG, iri

MEASURE5 = str(iri("measure", facts.POLICY, 5))
VANILLIN = str(iri("case", "vanillin"))
AUCL9 = str(iri("article", "prc_aucl_2019", "9"))
SPARQL_NS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def server(bundled_store_root, tmp_path_factory):
    with kg_serve(copy_store(bundled_store_root, tmp_path_factory.mktemp("api") / "store")) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server):
    with http_client(server) as c:
        yield c


def test_topics_lead_with_the_users_topics(client):
    r = client.get("/api/v1/topics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    by_id = {t["id"]: t for t in r.json()["items"]}
    for tid in ("data_rights", "trade_secrets", "frand_sep"):
        assert by_id[tid]["iri"] == str(iri("topic", tid))
        assert by_id[tid]["label_zh"]
    assert {t: (v["measures"], v["rules"], v["cases"]) for t, v in by_id.items()} == facts.TOPIC_COUNTS


def test_topic_rules_trade_secrets(client):
    r = client.get("/api/v1/topics/trade_secrets/rules")
    assert r.status_code == 200
    body = r.json()
    assert [m["number"] for m in body["measures"]] == facts.TOPIC_MEASURES["trade_secrets"]
    assert [c["iri"] for c in body["cases"]] == [node("case/" + c) for c in facts.TOPIC_CASES["trade_secrets"]]
    assert any(c["case_numbers"] for c in body["cases"])
    assert all(rule["modality"] in {"obligation", "permission", "prohibition", "exploration", "encouragement", None}
               for rule in body["rules"])
    assert client.get("/api/v1/topics/no_such_topic/rules").status_code == 404


def test_measure_by_number(client):
    r = client.get("/api/v1/measures/5")
    assert r.status_code == 200
    m = r.json()
    assert m["iri"] == MEASURE5 and m["number"] == 5 and "商业秘密" in m["text_zh"]
    assert client.get("/api/v1/measures/99").status_code == 404
    assert client.get("/api/v1/measures/five").status_code == 422


def test_case_statute_article_and_resource(client):
    case = client.get("/api/v1/cases/vanillin").json()
    assert case["summary"]["iri"] == VANILLIN
    assert "(2020)最高法知民终1667号" in case["summary"]["case_numbers"]
    assert "(2018)浙民初25号" in case["summary"]["case_numbers_unverified"]
    statute = client.get("/api/v1/statutes/prc_aucl_2019").json()
    assert statute["kind"] == "Statute" and AUCL9 in {a["iri"] for a in statute["articles"]}
    article = client.get("/api/v1/articles/prc_aucl_2019/9").json()
    assert article["kind"] == "Article" and VANILLIN in {c["iri"] for c in article["cases"]}
    res = client.get("/api/v1/resource", params={"iri": MEASURE5}).json()
    assert res["number"] == 5
    assert client.get("/api/v1/cases/no-such-case").status_code == 404


def test_cases_filters_and_pagination(client):
    first = client.get("/api/v1/cases", params={"limit": 5}).json()
    total = first["total"]
    assert total == facts.CASES and len(first["items"]) == 5 and first["prev"] is None
    assert "offset=5" in first["next"]
    seen = [c["iri"] for c in first["items"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [c["iri"] for c in page["items"]]
    assert len(seen) == total == len(set(seen))

    ts = client.get("/api/v1/cases", params={"topic": "trade_secrets", "limit": 100}).json()
    assert ts["total"] == facts.CASES_BY_FILTER["topic=trade_secrets"] and VANILLIN in {c["iri"] for c in ts["items"]}
    by_measure = client.get("/api/v1/cases", params={"measure": 5, "limit": 100}).json()
    assert VANILLIN in {c["iri"] for c in by_measure["items"]}
    by_statute = client.get("/api/v1/cases", params={"statute": "prc_aucl_2019", "limit": 100}).json()
    assert VANILLIN in {c["iri"] for c in by_statute["items"]}
    by_year = client.get("/api/v1/cases", params={"year": 2021, "limit": 100}).json()
    assert by_year["items"] and all(str(c["decided"]).startswith("2021") for c in by_year["items"])
    by_court = client.get("/api/v1/cases", params={"court": "最高人民法院知识产权法庭", "limit": 100}).json()
    assert VANILLIN in {c["iri"] for c in by_court["items"]}
    assert client.get("/api/v1/cases", params={"limit": 0}).status_code == 422


def test_readme_cases_example_orders_the_same_year_by_court(client):
    """README: /api/v1/cases?topic=frand_sep&year=2020 — the SPC tribunal's case before Wuhan's."""
    body = client.get("/api/v1/cases?topic=frand_sep&year=2020&offset=0&limit=10").json()
    assert [c["iri"] for c in body["items"]] == [node("case/huawei_v_conversant_asi"), node("case/xiaomi_v_interdigital_asi")]
    assert body["total"] == facts.CASES_BY_FILTER["topic=frand_sep&year=2020"] and body["next"] is None


@pytest.mark.parametrize("q, expect", [
    ("FRAND", "/measure/"),
    ("商业秘密", MEASURE5),
    ("trade secret", "/case/"),
])
def test_search_chinese_and_english(client, q, expect):
    r = client.get("/api/v1/search", params={"q": q})
    assert r.status_code == 200
    assert any(h["iri"] == expect or (expect.startswith("/") and expect in h["iri"]) for h in r.json()["items"])


@pytest.mark.parametrize("q", sorted(facts.SEARCH_TOP))
def test_search_ranking(client, q):
    top = facts.SEARCH_TOP[q]
    items = client.get("/api/v1/search", params={"q": q, "limit": 200}).json()["items"]
    assert len(items) == facts.SEARCH_TOTAL[q]
    assert [h["iri"] for h in items[:len(top)]] == [node(x) for x in top]
    first = client.get("/api/v1/search", params={"q": q, "limit": 2}).json()["items"]
    assert first == items[:2]


def test_graph_neighbourhood_path_matrix_centrality(client):
    sub = client.get("/api/v1/graph/neighbourhood", params={"iri": VANILLIN, "depth": 1}).json()
    iris = {n["iri"] for n in sub["nodes"]}
    assert VANILLIN in iris and AUCL9 in iris
    path = client.get("/api/v1/graph/path", params={"from": VANILLIN, "to": MEASURE5}).json()
    assert path["nodes"][0]["iri"] == VANILLIN and path["nodes"][-1]["iri"] == MEASURE5
    matrix = client.get("/api/v1/matrix").json()
    nonzero = [c for c in matrix["cells"] if c["count"]]
    assert len(nonzero) == facts.MATRIX_NONZERO and sum(c["count"] for c in nonzero) == facts.MATRIX_SUM
    assert {c["count"] for c in nonzero if c["topic"] == "trade_secrets" and c["measure"] == MEASURE5} == {facts.MATRIX_TRADE_SECRETS[5]}
    cent = client.get("/api/v1/centrality", params={"limit": 5}).json()["items"]
    assert len(cent) == 5 and cent[0]["degree"] >= cent[-1]["degree"]


def test_jsonld_is_linked_data(client):
    for r in (client.get("/api/v1/cases/vanillin", headers={"Accept": "application/ld+json"}),
              client.get("/api/v1/cases/vanillin", params={"format": "jsonld"})):
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
        doc = r.json()
        assert "@context" in doc
        g = Graph().parse(data=r.text, format="json-ld")
        case = URIRef(VANILLIN)
        assert (case, IPRG.caseNumber, Literal("(2020)最高法知民终1667号")) in g
        assert (case, IPRG.caseNumberUnverified, Literal("(2018)浙民初25号")) in g
    plain = client.get("/api/v1/cases/vanillin", headers={"Accept": "application/json"})
    assert "@context" not in plain.json()


@pytest.mark.parametrize("fmt, media", [
    ("turtle", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
    ("graphml", "application/graphml+xml"), ("csv", "application/zip"),
])
def test_export_formats(client, fmt, media):
    r = client.get(f"/api/v1/export/{fmt}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert len(r.content) > 1000
    if fmt == "nt":
        assert f"<{VANILLIN}>" in r.text
    assert client.get("/api/v1/export/xls").status_code == 422


SELECT = "SELECT ?n WHERE { <" + VANILLIN + "> <https://w3id.org/iprg/caseNumber> ?n }"
CONSTRUCT = "CONSTRUCT { <" + VANILLIN + "> ?p ?o } WHERE { <" + VANILLIN + "> ?p ?o }"


def test_sparql_get_json_and_csv(client):
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    values = {b["n"]["value"] for b in r.json()["results"]["bindings"]}
    assert "(2020)最高法知民终1667号" in values
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["n"] and ["(2020)最高法知民终1667号"] in rows
    ask = client.get("/sparql", params={"query": "ASK { ?s a <https://w3id.org/iprg/Case> }"})
    assert ask.json()["boolean"] is True


def test_sparql_tsv_and_xml_results(client):
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/tab-separated-values"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/tab-separated-values")
    lines = r.text.rstrip("\n").split("\n")
    assert lines[0] == "?n"
    assert '"(2020)最高法知民终1667号"' in lines[1:]          # TSV writes RDF terms: a quoted literal
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+xml")
    root = ET.fromstring(r.content)
    assert [v.get("name") for v in root.iter(SPARQL_NS + "variable")] == ["n"]
    values = [b.findtext(SPARQL_NS + "literal") for b in root.iter(SPARQL_NS + "binding")]
    assert "(2020)最高法知民终1667号" in values and len(values) == len(lines) - 1
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    tsv = client.get("/sparql", params={"query": count}, headers={"Accept": "text/tab-separated-values"}).text
    assert tsv.split("\n")[1].startswith(f'"{facts.TRIPLES}"^^')


def test_sparql_post_form_and_body_and_turtle(client):
    r = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["results"]["bindings"]
    r = client.post("/sparql", content=CONSTRUCT.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(VANILLIN), IPRG.caseNumber, Literal("(2020)最高法知民终1667号")) in g


@pytest.mark.parametrize("how", ["get-update", "get-query", "post-form-update", "post-body-update", "post-query"])
def test_sparql_update_refused(client, how):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def triples() -> int:
        return int(client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"])

    before = triples()
    upd = 'PREFIX x: <http://x/> INSERT DATA { x:a x:b "c" }'
    if how == "get-update":
        r = client.get("/sparql", params={"update": upd})
    elif how == "get-query":
        r = client.get("/sparql", params={"query": upd})
    elif how == "post-form-update":
        r = client.post("/sparql", data={"update": upd})
    elif how == "post-body-update":
        r = client.post("/sparql", content=upd.encode(), headers={"Content-Type": "application/sparql-update"})
    else:
        r = client.post("/sparql", data={"query": "# comment\nDROP ALL"})
    assert r.status_code == 400
    assert "read-only" in r.json()["detail"]
    assert triples() == before


def test_sparql_syntax_error_is_400(client):
    r = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert r.status_code == 400 and "syntax" in r.json()["detail"].lower()


def test_openapi_docs(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/cases", "/api/v1/search", "/sparql", "/api/v1/graph/neighbourhood"):
        assert path in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_viz_page_is_local_and_escapes_labels(client):
    r = client.get("/viz/neighbourhood", params={"iri": VANILLIN})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    srcs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert srcs and all(s.startswith("/viz/lib/") for s in srcs), srcs
    assert client.get("/viz/lib/vis-network.min.js").status_code == 200
    assert client.get("/viz/lib/../api.py").status_code == 404


def test_healthz_names_the_generation_and_size(client, server):
    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    current = (Path(server.store) / "CURRENT").read_text(encoding="utf-8").strip()
    assert body == {"ok": True, "backend": "sparql", "generation": current, "triples": facts.TRIPLES,
                    "pid": server.proc.pid}


def test_context_jsonld_expands_answers_to_ontology_terms(client):
    r = client.get("/api/v1/context.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    context = r.json()["@context"]
    assert context["iprg"] == "https://w3id.org/iprg/"
    # the plain JSON of a case, read as JSON-LD with this context, is the case's RDF
    plain = client.get("/api/v1/cases/vanillin", headers={"Accept": "application/json"}).json()
    doc = {"@context": context, **plain}
    g = Graph().parse(data=json.dumps(doc, ensure_ascii=False), format="json-ld")
    assert (URIRef(VANILLIN), IPRG.caseNumber, Literal("(2020)最高法知民终1667号")) in g


def test_viz_path_draws_the_shortest_path(client):
    path = client.get("/api/v1/graph/path", params={"from": VANILLIN, "to": MEASURE5}).json()
    r = client.get("/viz/path", params={"from": VANILLIN, "to": MEASURE5})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    drawn = json.loads(re.search(r"var NODES = (\[.*?\]);\n", r.text).group(1))
    assert {n["iri"] for n in drawn} == {n["iri"] for n in path["nodes"]} and len(drawn) == len(path["nodes"])
    srcs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert srcs and all(s.startswith("/viz/lib/") for s in srcs), srcs
    unknown = "https://w3id.org/iprg/id/case/no_such_case"
    none = client.get("/viz/path", params={"from": VANILLIN, "to": unknown})
    assert none.status_code == 404 and unknown in none.json()["detail"]


def test_export_nt_holds_the_whole_graph(client):
    r = client.get("/api/v1/export/nt")
    g = Graph().parse(data=r.text, format="nt")
    assert len(g) == facts.TRIPLES
