"""The limits in front of the app and around user-typed queries, on the real app (TestClient).

Each limit is set low through the settings the README documents, so the tests are quick: a query
past its time limit is stopped (its worker process killed and replaced), one query too many at
once answers 429 with Retry-After, a body too large 413, too many requests 429, an undeclared
method 405; every answer carries the security headers, and with API keys set the graph pages
and exports need a key or a signature the UI made.
"""

from __future__ import annotations

import threading
import time

import httpx
import psutil
import pytest
from fastapi.testclient import TestClient
from live_server import kg_serve

from kg import config
from kg.console import QueryRunner
from kg.context import Context
from kg.ns import iri
from kg.web import guard
from kg.web.app import create_app

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
VANILLIN = str(iri("case", "vanillin"))


def _client(store, **changes) -> tuple[TestClient, Context]:
    settings = config.settings().but(**{"rate_limit": "", **changes})
    ctx = Context(settings, store_root=store.root, runner=QueryRunner(settings))
    return TestClient(create_app(ctx=ctx, with_ui=False)), ctx


@pytest.fixture(scope="module")
def quick(bundled_store):
    """Queries stopped after 1 s, one at a time, bodies of at most 2 kB."""
    client, ctx = _client(bundled_store, query_timeout=1.0, query_workers=1, max_body=2048)
    with client:
        yield client, ctx
    ctx.close()


def _workers(ctx: Context) -> list[psutil.Process]:
    """The query workers: children of the forkserver the pool forks them from."""
    servers = [p for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]
    return [w for s in servers for w in s.children()]


def test_a_query_past_its_limit_is_stopped_and_its_worker_killed(quick):
    client, ctx = quick
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    before = {p.pid for p in _workers(ctx)}
    started = time.monotonic()
    r = client.get("/sparql", params={"query": HEAVY})
    took = time.monotonic() - started
    assert r.status_code == 503 and "1 s time limit" in r.json()["detail"]
    assert took < 2.0, took                       # the limit (1 s) plus less than a second
    time.sleep(0.5)
    after = {p.pid for p in _workers(ctx)}
    assert before and before.isdisjoint(after)    # the worker that ran it is gone (replaced)
    cpu = sum(p.cpu_percent(interval=None) for p in _workers(ctx))
    time.sleep(0.5)
    cpu = sum(p.cpu_percent(interval=None) for p in _workers(ctx))
    assert cpu < 20, cpu                          # nothing is still running for the dead request
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_one_query_too_many_answers_429_with_retry_after(quick):
    client, ctx = quick
    future = ctx.runner.submit_sparql(ctx.store, HEAVY)   # takes the one slot
    try:
        r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert "at once" in r.json()["detail"]
    finally:
        future.cancel()
    time.sleep(0.3)
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_row_limit_marks_truncation(quick, bundled_store):
    client, _ = _client(bundled_store, query_max_rows=3)
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a iprg:Case }"})
    assert r.status_code == 200 and r.headers["X-IPRG-Truncated"] == "true"
    assert len(r.json()["results"]["bindings"]) == 3


def test_body_size_limit(quick):
    client, _ = quick
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 3000
    r = client.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and "IPRG_MAX_BODY" in r.json()["detail"]

    def chunks():   # no Content-Length: counted as it streams
        for _ in range(4):
            yield b"#" + b"x" * 1000

    r = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    ok = client.post("/sparql", content=b"ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"})
    assert ok.status_code == 200


def test_undeclared_methods_answer_405_with_allow(quick):
    client, _ = quick
    for method, path in (("POST", "/api/v1/topics"), ("DELETE", "/api/v1/cases/vanillin"), ("PUT", "/sparql")):
        r = client.request(method, path)
        assert r.status_code == 405, (method, path, r.status_code)
        assert "GET" in r.headers["Allow"]
    assert client.get("/api/v1/no-such-route").status_code == 404


def test_security_headers_on_every_answer(quick):
    client, _ = quick
    for path in ("/api/v1/topics", "/docs", f"/viz/neighbourhood?iri={VANILLIN}"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        sources = [w for part in csp.split(";") for w in part.split()[1:]]
        assert all(w.startswith("'") or w in ("data:", "blob:") for w in sources), csp   # no other origin
    docs = client.get("/docs").text
    assert "cdn.jsdelivr" not in docs and "/static-offline-docs/swagger-ui-bundle.js" in docs


def test_rate_limit_per_client(bundled_store):
    client, _ = _client(bundled_store, rate_limit="3/minute")
    with client:
        codes = [client.get("/api/v1/context.jsonld").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = client.get("/api/v1/context.jsonld")
        assert int(r.headers["Retry-After"]) > 0 and "IPRG_RATE_LIMIT" in r.json()["detail"]
        # another client (an API key) has its own budget
        assert client.get("/api/v1/context.jsonld", headers={"X-API-Key": "k"}).status_code == 200


def test_keys_guard_api_sparql_viz_and_exports(monkeypatch, bundled_store):
    client, _ = _client(bundled_store)
    monkeypatch.setenv("IPRG_API_KEYS", "alpha,beta")
    viz = f"/viz/neighbourhood?iri={VANILLIN}"
    with client:
        for path in ("/api/v1/topics", "/sparql?query=ASK%7B%3Fs%3Fp%3Fo%7D", viz, "/api/v1/export/nt"):
            r = client.get(path)
            assert r.status_code == 401 and "alpha" not in r.text, path
            assert client.get(path, headers={"X-API-Key": "beta"}).status_code == 200, path
        assert client.get("/viz/lib/vis-network.min.js").status_code == 200   # a library, not data
        signed = guard.sign(viz, ("alpha", "beta"))
        assert client.get(signed).status_code == 200                           # the UI's own links
        assert client.get(signed.replace("vanillin", "tencent_v_soudao")).status_code == 401   # tampered
        assert client.get(guard.sign(viz, ("other",))).status_code == 401
        expired = guard.sign(viz, ("alpha", "beta"), ttl_s=-1)
        assert client.get(expired).status_code == 401
        assert client.get(guard.sign("/api/v1/topics", ("alpha", "beta"))).status_code == 401  # only pages, exports


def test_constant_time_key_check():
    assert guard.key_ok("beta", ("alpha", "beta")) and not guard.key_ok("bet", ("alpha", "beta"))
    assert not guard.key_ok(None, ("alpha",)) and not guard.key_ok("", ("alpha",))


def test_api_keys_never_reach_the_server_log(tmp_path, bundled_store):
    """A real server with keys set: answers say nothing of the keys, and its log holds none."""
    keys = ("k3y-alpha-7f1c9e", "k3y-beta-52aa0d")
    with kg_serve(bundled_store.root, tmp_path / "server.log", {"IPRG_API_KEYS": ",".join(keys)}) as server:
        for key in (keys[1], "wrong-" + keys[0], None):
            headers = {"X-API-Key": key} if key else {}
            r = httpx.get(server.url + "/api/v1/topics", headers=headers, timeout=60)
            assert r.status_code == (200 if key == keys[1] else 401)
            assert not any(k in r.text for k in keys)
        log = server.output()
    assert "GET /api/v1/topics" in log
    assert not any(k in log for k in keys)


def test_a_killed_server_leaves_no_query_running(tmp_path, bundled_store):
    """``kill -9`` of the server in the middle of a heavy query: its fork server and the worker
    running the query end with it (nothing is left burning CPU with no one to answer)."""
    with kg_serve(bundled_store.root, tmp_path / "server.log", {"IPRG_QUERY_TIMEOUT": "120"}) as server:
        heavy = threading.Thread(target=lambda: httpx.post(server.url + "/sparql", data={"query": HEAVY}, timeout=60),
                                 daemon=True)
        heavy.start()
        parent = psutil.Process(server.proc.pid)
        deadline = time.monotonic() + 60
        busy: list[psutil.Process] = []
        while time.monotonic() < deadline and not busy:   # the worker (a fork server's child) on it
            time.sleep(0.5)
            busy = [p for p in parent.children(recursive=True)
                    if p.ppid() != parent.pid and p.cpu_percent(interval=0.2) > 20]
        assert busy, "no query worker took the heavy query"
        family = parent.children(recursive=True)
        server.proc.kill()
        server.proc.wait(timeout=30)
        gone, alive = psutil.wait_procs(family, timeout=5)
        assert alive == [], [(p.pid, p.cmdline()[:3]) for p in alive]
