"""Shared fixtures: the real Neo4j, the shared reference folder, an output folder.

Neo4j: ``NEO4J_URI`` (+ ``NEO4J_USER``/``NEO4J_PASSWORD``) when set, else the bundled launcher
on a free port, started once per session and stopped at the end. With ``CI=true`` a Neo4j that
cannot be had fails the run; elsewhere the tests that need it skip, saying why.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
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
def seed_text(shared_dir: Path) -> str:
    return (shared_dir / "seeds" / "000_3fc82d178ebf71f0.txt").read_text(encoding="utf-8")


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
