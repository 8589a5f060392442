"""4d — Neo4j stopped under load: the server answers 503 naming Neo4j, and recovers when it returns.

A launcher of its own (the session's Neo4j is shared by other tests) is mirrored, served with
``kg serve --backend cypher``, put under read load, stopped, and started again on the same
folder, port and password. While it is down every read is a 503 whose message names Neo4j
(never a 500, never a hang past the client's timeout); once it is back, reads answer 200 again
without restarting the server.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from live_server import kg_serve
from test_load import _load, _result

from kg import mirror
from kg import neo4j_server as srv

pytestmark = pytest.mark.neo4j

PASSWORD = "fault-test-password"


def _wait_for(url: str, status: int, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if httpx.get(url, timeout=10).status_code == status:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer {status} within {timeout:.0f}s")


def test_4d_neo4j_stopped_under_load_gives_503_and_recovers(neo4j_server, bundled_store, tmp_path: Path, output_dir: Path):
    home = tmp_path / "neo4j"
    info = srv.start(home=home, password=PASSWORD)
    try:
        with mirror.open_driver(info.uri, info.user, info.password) as drv:
            mirror.sync(bundled_store, drv)
        env = {"NEO4J_URI": info.uri, "NEO4J_USER": info.user, "NEO4J_PASSWORD": info.password}
        with kg_serve(tmp_path / "no-store", tmp_path / "server.log", env, args=("--backend", "cypher")) as server:
            topics = server.url + "/api/v1/topics"
            assert httpx.get(topics, timeout=60).status_code == 200
            load = _load(server.url, "--clients", "10", "--seconds", "40", "--timeline")
            time.sleep(8)
            srv.stop(info)                                   # Neo4j goes away under load
            stopped = time.monotonic()
            down = httpx.get(topics, timeout=30)
            waited = time.monotonic() - stopped
            assert down.status_code == 503, down.text
            assert "Neo4j is not reachable" in down.json()["detail"]
            assert waited < 15, waited                       # a bounded wait, then a clear answer
            time.sleep(5)
            info = srv.start(home=home, port=info.port, password=PASSWORD)   # back on the same address
            recovered_in = _wait_for(topics, 200, timeout=120)
            result = _result(load, timeout=300)
            after = httpx.get(server.url + "/api/v1/measures/15", timeout=60)
            log = server.output()
    finally:
        srv.stop(info)
    result["recovered_s_after_restart"] = round(recovered_in, 1)
    (output_dir / "load-4d.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    statuses = {s for e in result["endpoints"].values() for s in e["status"]}
    assert statuses <= {"200", "503"}, (statuses, result["error_samples"])   # never a 500 or a dropped request
    assert "503" in statuses and "200" in statuses
    assert all("Neo4j" in body for key, body in result["error_samples"].items() if key.endswith(" 503"))
    assert after.status_code == 200 and after.json()["number"] == 15         # the same server, recovered
    assert "Traceback" not in log
