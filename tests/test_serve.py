"""`python ui.py` and `kg serve` start the whole app on the embedded store, no Neo4j configured.

A fresh data folder proves the first start builds the graph from the bundled corpus by itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kg.neo4j_server import free_port

REPO = Path(__file__).resolve().parents[1]


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = 240.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"server exited with {proc.returncode}:\n{out[-3000:]}")
        try:
            return httpx.get(url, timeout=5)
        except httpx.HTTPError:
            time.sleep(0.5)
    pytest.fail(f"no answer from {url} within {timeout:.0f}s")


@pytest.mark.parametrize("command", [["ui.py"], ["-m", "kg.cli", "serve"]], ids=["python ui.py", "kg serve"])
def test_server_starts_on_embedded_store_without_neo4j(command, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["IPRG_DATA_DIR"] = str(tmp_path)
    args = [sys.executable, *command, "--port", str(port)]
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/api/v1/topics", proc)
        assert health.status_code == 200
        ids = [t["id"] for t in health.json()["items"]]
        assert {"data_rights", "trade_secrets", "frand_sep"} <= set(ids)
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200 and "gradio" in page.text.lower()
        measure = httpx.get(f"http://127.0.0.1:{port}/api/v1/measures/15", timeout=30).json()
        assert "FRAND" in str(measure)
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "building it from the bundled corpus" in out
    assert "Neo4j not configured" in out
    assert (tmp_path / "store" / "CURRENT").exists()
