"""The REST API, the SPARQL endpoint and the graph pages, on a graph built from the bundled corpus.

One store is built per session in a temporary folder (``run_ingest`` on the bundled corpus);
every request goes through FastAPI's TestClient, i.e. the real app with the real explorer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.ns import IPRG, iri

MEASURE5 = str(iri("measure", "厦中法发〔2025〕18号", 5))
VANILLIN = str(iri("case", "vanillin"))
AUCL9 = str(iri("article", "prc_aucl_2019", "9"))


@pytest.fixture(scope="session")
def store_root(tmp_path_factory) -> Path:
    from ingest.build import run_ingest
    from kg.store import GraphStore

    root = tmp_path_factory.mktemp("api-store")
    report = run_ingest(None, GraphStore(root))
    assert report.triples > 1000
    return root


@pytest.fixture(scope="session")
def client(store_root):
    from fastapi.testclient import TestClient

    from kg import config
    from kg.context import Context
    from kg.web.app import create_app

    # no rate limit here: this module sends many requests from one client (tests/test_limits.py
    # checks the limit itself)
    ctx = Context(config.settings().but(rate_limit=""), store_root=store_root)
    with TestClient(create_app(ctx=ctx)) as c:
        yield c


def test_topics_lead_with_the_users_topics(client):
    r = client.get("/api/v1/topics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    by_id = {t["id"]: t for t in r.json()["items"]}
    for tid in ("data_rights", "trade_secrets", "frand_sep"):
        assert by_id[tid]["iri"] == str(iri("topic", tid))
        assert by_id[tid]["cases"] > 0 and by_id[tid]["label_zh"]


def test_topic_rules_trade_secrets(client):
    r = client.get("/api/v1/topics/trade_secrets/rules")
    assert r.status_code == 200
    body = r.json()
    numbers = {m["number"] for m in body["measures"]}
    assert {5, 6} <= numbers
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
    assert total > 10 and len(first["items"]) == 5 and first["prev"] is None
    assert "offset=5" in first["next"]
    seen = [c["iri"] for c in first["items"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [c["iri"] for c in page["items"]]
    assert len(seen) == total == len(set(seen))

    ts = client.get("/api/v1/cases", params={"topic": "trade_secrets", "limit": 100}).json()
    assert 0 < ts["total"] < total and VANILLIN in {c["iri"] for c in ts["items"]}
    by_measure = client.get("/api/v1/cases", params={"measure": 5, "limit": 100}).json()
    assert VANILLIN in {c["iri"] for c in by_measure["items"]}
    by_statute = client.get("/api/v1/cases", params={"statute": "prc_aucl_2019", "limit": 100}).json()
    assert VANILLIN in {c["iri"] for c in by_statute["items"]}
    by_year = client.get("/api/v1/cases", params={"year": 2021, "limit": 100}).json()
    assert by_year["items"] and all(str(c["decided"]).startswith("2021") for c in by_year["items"])
    by_court = client.get("/api/v1/cases", params={"court": "最高人民法院知识产权法庭", "limit": 100}).json()
    assert VANILLIN in {c["iri"] for c in by_court["items"]}
    assert client.get("/api/v1/cases", params={"limit": 0}).status_code == 422


@pytest.mark.parametrize("q, expect", [
    ("FRAND", "/measure/"),
    ("商业秘密", MEASURE5),
    ("trade secret", "/case/"),
])
def test_search_chinese_and_english(client, q, expect):
    r = client.get("/api/v1/search", params={"q": q})
    assert r.status_code == 200
    assert any(h["iri"] == expect or (expect.startswith("/") and expect in h["iri"]) for h in r.json()["items"])


def test_graph_neighbourhood_path_matrix_centrality(client):
    sub = client.get("/api/v1/graph/neighbourhood", params={"iri": VANILLIN, "depth": 1}).json()
    iris = {n["iri"] for n in sub["nodes"]}
    assert VANILLIN in iris and AUCL9 in iris
    path = client.get("/api/v1/graph/path", params={"from": VANILLIN, "to": MEASURE5}).json()
    assert path["nodes"][0]["iri"] == VANILLIN and path["nodes"][-1]["iri"] == MEASURE5
    matrix = client.get("/api/v1/matrix").json()
    assert any(c["topic"] == "trade_secrets" and c["measure"] == MEASURE5 and c["count"] > 0 for c in matrix["cells"])
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


def test_api_keys_when_configured(client, monkeypatch):
    monkeypatch.setenv("IPRG_API_KEYS", "alpha, beta")
    assert client.get("/api/v1/topics").status_code == 401
    assert client.get("/api/v1/topics", headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.get("/sparql", params={"query": SELECT}).status_code == 401
    assert client.get("/api/v1/topics", headers={"X-API-Key": "beta"}).status_code == 200
    assert client.get("/sparql", params={"query": SELECT}, headers={"X-API-Key": "alpha"}).status_code == 200
    monkeypatch.delenv("IPRG_API_KEYS")
    assert client.get("/api/v1/topics").status_code == 200


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


HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)>'


def test_viz_escapes_hostile_names():
    from kg.explorer import GraphEdge, GraphNode, SubGraph
    from kg.web import viz

    a, b = "https://w3id.org/iprg/id/case/evil", "https://w3id.org/iprg/id/concept/x"
    sub = SubGraph(nodes=(GraphNode(a, HOSTILE, "Case", "<b>en</b>"), GraphNode(b, "概念", "Concept", "c")),
                   edges=(GraphEdge(a, "CONCEPT", b),))
    for lib in ("/viz/lib", None):
        page = viz.render_html(sub, center=a, lib_url=lib)
        # the name survives only as escaped text: no tag from it reaches the HTML parser
        assert "<script>alert" not in page and "<img" not in page and "<b>en</b>" not in page
        data = re.search(r"var NODES = (\[.*?\]);\n", page).group(1)
        assert any(n["full_zh"] == HOSTILE for n in json.loads(data))  # kept as text, not lost
        assert "https://cdn" not in page
    frame = viz.iframe_srcdoc(viz.render_html(sub, lib_url=None))
    assert "<script>alert" not in frame


def test_ui_views_escape_hostile_names():
    from kg.explorer import CaseSummary, NodeRef, SearchHit
    from kg.web.ui import views

    hit = SearchHit("https://w3id.org/iprg/id/case/evil", "Case", HOSTILE, HOSTILE, ("label_zh",),
                    (NodeRef("https://w3id.org/iprg/id/topic/x", "Topic", HOSTILE, None),))
    out = views.search_view(HOSTILE, [hit], "zh")
    assert "<script>" not in out and "<img" not in out and "&lt;script&gt;" in out
    case = CaseSummary("https://w3id.org/iprg/id/case/evil", HOSTILE, None, (HOSTILE,), (HOSTILE,),
                       (NodeRef("https://w3id.org/iprg/id/court/x", "Court", HOSTILE, None),), HOSTILE, "no", HOSTILE, None)
    table = views.cases_table([case], "zh")
    assert "<script>" not in table and "<img" not in table and "⚠" in table
