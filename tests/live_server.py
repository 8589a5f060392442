"""Start ``kg serve`` as a real server process on a free loopback port, and stop it.

Load, fault and conformance tests talk HTTP to a separate process, as users do: its CPU can be
measured apart from the test's own, it can be killed, and a stopped server frees everything.
Every wait is bounded; a server that does not come up fails the test with its output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kg.neo4j_server import free_port

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path
    store: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"no answer from {url} within {timeout:.0f}s:\n{log.read_text(errors='replace')[-3000:]}")


def cli_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a ``kg`` subprocess runs in: this checkout first on the path, no Neo4j
    unless ``env`` gives one."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "IPRG_"))}
    full["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    full.update(env or {})
    return full


@contextmanager
def kg_serve(store: Path, log: Path | None = None, env: Mapping[str, str] | None = None,
             args: tuple[str, ...] = (), timeout: float = 300.0) -> Iterator[Server]:
    """``kg serve --store STORE`` with ``env`` on a free port until /healthz answers; stopped (and
    waited for) at the end. ``log``: where its output goes (a temporary file when None). No rate
    limit unless ``env`` sets one (tests send many requests from one client; tests/test_limits.py
    sets the limit it checks)."""
    port = free_port()
    with ExitStack() as stack:
        if log is None:
            log = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="iprg-serve-"))) / "server.log"
        full = cli_env({"IPRG_RATE_LIMIT": "off", **(env or {})})
        with open(log, "w", encoding="utf-8") as out:
            proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "--store", str(store), "serve",
                                     "--port", str(port), *args], cwd=REPO, env=full, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, proc, log, timeout)
            yield Server(url, proc, log, store)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
