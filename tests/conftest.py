"""Shared fixtures: the real Neo4j, the shared reference folder, the bundled graph, a real
server, an output folder.

Neo4j: ``NEO4J_URI`` (+ ``NEO4J_USER``/``NEO4J_PASSWORD``) when set, else the bundled launcher
on a free port, started once per session and stopped at the end. With ``CI=true`` a Neo4j that
cannot be had fails the run; elsewhere the tests that need it skip, saying why.

The bundled graph is built once per session by the ``kg ingest`` command (the public way in),
into a folder nobody opens; each user gets its own copy, because an Oxigraph store is opened by
one process at a time. Servers are started as users start them (``kg serve``) and spoken to
over HTTP, so tests do not depend on where the web code lives.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import live_server
import pytest
from live_server import Server

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"
#: The seed as the project bundles it (byte-identical to ../shared/seeds/, checked in test_corpus).
SEED = REPO / "ingest" / "corpus" / "policies" / "xiamen-2025-18.txt"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI: a missing real component is never silently fine there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class Neo4jConn:
    uri: str
    user: str
    password: str
    version: str
    info: object | None  # kg.neo4j_server.ServerInfo when the launcher runs it

    def driver(self):
        from neo4j import GraphDatabase

        return GraphDatabase.driver(self.uri, auth=(self.user, self.password))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    need(SHARED.is_dir(), f"the shared reference folder {SHARED} is missing")
    return SHARED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# --- the command line, the bundled graph, a real server ----------------------------------------

def cli_env(**extra: str) -> dict[str, str]:
    """The environment a ``kg`` subprocess runs in (tests/live_server.py)."""
    return live_server.cli_env(extra)


def kg(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
       stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run ``kg ARGS…`` (as ``python -m kg.cli``) and return the finished process."""
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=REPO, env=env or cli_env(),
                          input=stdin, capture_output=True, text=True, timeout=timeout)


def kg_ok(*args: str, **kwargs) -> subprocess.CompletedProcess:
    done = kg(*args, **kwargs)
    assert done.returncode == 0, f"kg {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done


def store_fingerprint(store) -> tuple[str | None, int, str]:
    """(generation, triple count, hash of the sorted N-Triples) of a GraphStore, or of the store
    folder at a path (not open elsewhere), read through the store's public methods."""
    from kg.store import GraphStore

    if not isinstance(store, GraphStore):
        store = GraphStore(store)
    lines = sorted(str(q.triple) for q in store.quads())
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return store.current_generation(), len(lines), digest


@pytest.fixture(scope="session")
def bundled_store_root(tmp_path_factory) -> Path:
    """A store holding what `kg ingest` builds from the bundled corpus. Never open it: copy it
    with :func:`copy_store` (one process per Oxigraph store)."""
    root = tmp_path_factory.mktemp("bundled") / "store"
    done = kg_ok("--store", str(root), "ingest")
    (root.parent / "ingest-report.json").write_text(done.stdout, encoding="utf-8")
    return root


def copy_store(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest)
    return dest


@pytest.fixture(scope="session")
def bundled_store(bundled_store_root, tmp_path_factory):
    """A GraphStore on this process's own copy of the bundled graph (shared by the session)."""
    from kg.store import GraphStore

    return GraphStore(copy_store(bundled_store_root, tmp_path_factory.mktemp("bundled-copy") / "store"))


@contextlib.contextmanager
def http_client(server: Server) -> Iterator:
    """An httpx client on a running server (relative URLs, a minute per request)."""
    import httpx

    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


@contextlib.contextmanager
def kg_serve(store: Path, timeout: float = 300, **env: str) -> Iterator[Server]:
    """``kg --store STORE serve`` with the settings ``env`` (tests/live_server.py)."""
    with live_server.kg_serve(store, env=env, timeout=timeout) as server:
        yield server


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave artefacts (screenshots, exports) for people to look at."""
    out = Path(os.environ.get("IPRG_TEST_OUTPUT", REPO / "test-output"))
    out.mkdir(parents=True, exist_ok=True)
    return out


_SERVER_ERROR: list[str] = []


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jConn]:
    """A live Neo4j over Bolt for the whole session."""
    from kg import neo4j_server as srv

    uri = os.environ.get("NEO4J_URI")
    if uri:
        user = os.environ.get("NEO4J_USER", "neo4j")
        password = os.environ.get("NEO4J_PASSWORD", "")
        try:
            version = srv.server_version(uri, user, password)
        except srv.LauncherError as exc:
            need(False, str(exc))
        yield Neo4jConn(uri, user, password, version, None)
        return
    if _SERVER_ERROR:
        need(False, _SERVER_ERROR[0])
    home = Path(tempfile.mkdtemp(prefix="iprg-neo4j-"))
    try:
        info = srv.start(home=home)
    except Exception as exc:  # build or start failure: report its cause
        _SERVER_ERROR.append(f"the Neo4j launcher could not start: {exc}")
        need(False, _SERVER_ERROR[0])
    version = srv.server_version(info.uri, info.user, info.password)
    print(f"\n[neo4j] started {version} at {info.uri} (pid {info.pid})")
    try:
        yield Neo4jConn(info.uri, info.user, info.password, version, info)
    finally:
        srv.stop(info)


def wipe(driver) -> None:
    """Delete every node and relationship (constraints and indexes stay).

    CALL … IN TRANSACTIONS needs an auto-commit transaction (session.run), not execute_query.
    """
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture()
def neo4j_clean(neo4j_server: Neo4jConn) -> Iterator[Neo4jConn]:
    """The session's Neo4j, emptied before the test (data only; constraints stay)."""
    with neo4j_server.driver() as drv:
        wipe(drv)
    yield neo4j_server
