"""Settings a server is started with (README "Configuration"): API keys and the SPARQL row limit.

One real `kg serve` with ``IPRG_API_KEYS`` and ``IPRG_QUERY_MAX_ROWS`` set in its environment,
as an operator would start it.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import httpx
import pytest
from conftest import copy_store, http_client, kg_serve

KEYS = {"X-API-Key": "beta"}
ROWS = 5
MEASURES = "SELECT ?m WHERE { ?m a <https://w3id.org/iprg/Measure> } ORDER BY ?m"


@pytest.fixture(scope="module")
def client(bundled_store_root, tmp_path_factory):
    store = copy_store(bundled_store_root, tmp_path_factory.mktemp("api-settings") / "store")
    with kg_serve(store, IPRG_API_KEYS="alpha, beta", IPRG_QUERY_MAX_ROWS=str(ROWS)) as srv, http_client(srv) as c:
        yield c


def test_api_and_sparql_need_a_key(client):
    assert client.get("/api/v1/topics").status_code == 401
    assert client.get("/api/v1/topics", headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.get("/sparql", params={"query": MEASURES}).status_code == 401
    assert client.get("/api/v1/topics", headers={"X-API-Key": "beta"}).status_code == 200
    assert client.get("/sparql", params={"query": MEASURES}, headers={"X-API-Key": "alpha"}).status_code == 200


def test_the_ui_and_health_stay_open(client):
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200


def _rows(r: httpx.Response) -> int:
    media = r.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        return len(r.json()["results"]["bindings"])
    if media == "text/csv":
        return len(list(csv.reader(io.StringIO(r.text)))) - 1
    if media == "text/tab-separated-values":
        return len(r.text.rstrip("\n").split("\n")) - 1
    root = ET.fromstring(r.content)
    return len(list(root.iter("{http://www.w3.org/2005/sparql-results#}result")))


@pytest.mark.parametrize("accept", [
    "application/sparql-results+json", "text/csv", "text/tab-separated-values", "application/sparql-results+xml",
])
def test_sparql_row_limit_in_every_result_format(client, accept):
    r = client.get("/sparql", params={"query": MEASURES}, headers={**KEYS, "Accept": accept})
    assert r.status_code == 200
    assert _rows(r) == ROWS
    assert r.headers.get("X-IPRG-Truncated") == "true"
