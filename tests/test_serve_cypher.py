"""``kg serve --backend cypher --workers 2``: the UI, the REST API and the consoles answer from Neo4j.

The server is started on an empty store folder, against the launcher the session started, with
two worker processes behind one port: the API answers exactly what the embedded store answers
(the graph was mirrored first), both workers answer, ``/sparql`` says clearly that it is off,
and the Gradio page works in Chromium without Gradio's per-process queue (every event is one
plain request that either worker can answer).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import httpx
import pytest
from conftest import need, wipe
from live_server import kg_serve

from kg import mirror
from kg.explorer import SparqlExplorer
from kg.ns import iri

pytestmark = [pytest.mark.neo4j, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CASE_NO = re.compile(r"\(\d{4}\)[^\s()]{2,30}号")


@pytest.fixture(scope="module")
def cypher_server(neo4j_server, bundled_store, tmp_path_factory):
    store = bundled_store
    with neo4j_server.driver() as drv:
        wipe(drv)
        mirror.sync(store, drv)
    env = {"NEO4J_URI": neo4j_server.uri, "NEO4J_USER": neo4j_server.user, "NEO4J_PASSWORD": neo4j_server.password}
    tmp = tmp_path_factory.mktemp("cypher-serve")
    with kg_serve(tmp / "no-store", tmp / "server.log", env, args=("--backend", "cypher", "--workers", "2")) as server:
        yield server


def test_api_answers_from_neo4j_as_the_store_would(cypher_server, bundled_store):
    sparql = SparqlExplorer(bundled_store)
    url = cypher_server.url
    topics = httpx.get(url + "/api/v1/topics", timeout=60).json()["items"]
    assert topics == [asdict(t) for t in sparql.topics()]
    m15 = httpx.get(url + "/api/v1/measures/15", timeout=60).json()
    # the API adds where its first page of cases goes on (none at 1×: every case fits)
    assert m15.pop("cases_next") is None
    assert json.loads(json.dumps(asdict(sparql.measure(15)))) == m15
    hits = httpx.get(url + "/api/v1/search", params={"q": "FRAND"}, timeout=60).json()["items"]
    assert str(iri("measure", "厦中法发〔2025〕18号", 15)) in {h["iri"] for h in hits}
    assert "X-IPRG-Generation" not in httpx.get(url + "/api/v1/topics", timeout=60).headers   # no store generation
    off = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert off.status_code == 503 and "SPARQL endpoint is off" in off.json()["detail"]


def test_two_workers_answer(cypher_server):
    pids = set()
    for _ in range(40):
        with httpx.Client(timeout=30) as fresh:   # a new connection each time: the kernel spreads them
            pids.add(fresh.get(cypher_server.url + "/healthz").json()["pid"])
        if len(pids) == 2:
            break
    assert len(pids) == 2, pids
    health = httpx.get(cypher_server.url + "/healthz", timeout=30).json()
    assert health["backend"] == "cypher"


def test_ui_in_chromium_over_two_workers(cypher_server, output_dir):
    need(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60000)
        page.on("request", lambda r: requests.append(r.url))
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(cypher_server.url + "/", wait_until="load")
        page.wait_for_selector("#topic-view a[data-iri]")
        header = page.inner_text("#graph-header")
        assert "厦中法发〔2025〕18号" in header and "措施 20 项" in header
        page.get_by_role("tab", name="检索 Search").click()
        page.fill("#search-box textarea", "FRAND")
        page.click("#search-btn")
        page.wait_for_selector("#search-results a[data-iri*='/measure/']")
        page.locator("#search-results a[data-iri*='/measure/']", has_text="15").first.click()
        page.wait_for_function(
            "() => { const h = document.querySelector('#detail-view h2'); return h && h.textContent.includes('15'); }")
        assert CASE_NO.search(page.inner_text("#detail-view"))
        page.click("#to-graph")   # needs the node the detail tab remembers: kept in the page, not a worker
        frame = page.wait_for_selector("#graph-view iframe").content_frame()
        frame.wait_for_function("() => document.body && document.body.getAttribute('data-drawn') === '1'")
        page.get_by_role("tab", name="查询台 Consoles").click()
        page.get_by_label("Cypher").check()
        page.wait_for_function("() => document.querySelector('#console-text').innerText.includes('MATCH')")
        page.click("#console-run")
        page.wait_for_function("() => document.querySelector('#console-status').innerText.includes('rows')")
        assert "Measure" in page.inner_text("#console-table") or "measure" in page.inner_text("#console-table")
        page.screenshot(path=str(output_dir / "ui-cypher-workers.png"), full_page=True)
        browser.close()
    assert not [u for u in requests if "/queue/join" in u or "/queue/data" in u], "events went through Gradio's queue"
    assert refused == []   # the CSP let the page do all of the above
    assert any("/run/" in u or "/api/" in u for u in requests if "gradio_api" in u)
