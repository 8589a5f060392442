"""The real Neo4j the tests start: reachable over Bolt, writable, and the CLI can manage one."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

pytestmark = pytest.mark.neo4j


def test_server_reports_community_5_26(neo4j_server, capsys):
    with capsys.disabled():
        print(f"\n[neo4j] version string: {neo4j_server.version}")
    assert neo4j_server.version.startswith("Neo4j Kernel 5.26")
    assert "community" in neo4j_server.version or os.environ.get("NEO4J_URI")


def test_write_read_delete_through_the_official_driver(neo4j_server):
    token = uuid.uuid4().hex
    with neo4j_server.driver() as drv:
        drv.execute_query("CREATE (:ProbeNode {token: $t, label_zh: $zh})", t=token, zh="商业秘密")
        records, _, _ = drv.execute_query(
            "MATCH (n:ProbeNode {token: $t}) RETURN n.label_zh AS zh", t=token
        )
        assert [r["zh"] for r in records] == ["商业秘密"]
        summary = drv.execute_query("MATCH (n:ProbeNode {token: $t}) DELETE n", t=token).summary
        assert summary.counters.nodes_deleted == 1
        records, _, _ = drv.execute_query("MATCH (n:ProbeNode {token: $t}) RETURN n", t=token)
        assert records == []


def test_wrong_password_is_refused(neo4j_server):
    from kg.neo4j_server import LauncherError, server_version

    with pytest.raises(LauncherError, match="no Neo4j answering"):
        server_version(neo4j_server.uri, neo4j_server.user, neo4j_server.password + "-wrong")


def test_cli_start_status_stop(tmp_path):
    """`kg neo4j start|status|stop` manage a second, independent server."""
    env = dict(os.environ, IPRG_DATA_DIR=str(tmp_path))
    env.pop("NEO4J_URI", None)
    kg = [sys.executable, "-m", "kg.cli"]
    started = subprocess.run([*kg, "neo4j", "start"], env=env, capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr
    try:
        assert "running: bolt://127.0.0.1:" in started.stdout
        status = subprocess.run([*kg, "neo4j", "status"], env=env, capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stderr
        assert "live: Neo4j Kernel 5.26" in status.stdout
    finally:
        stopped = subprocess.run([*kg, "neo4j", "stop"], env=env, capture_output=True, text=True, timeout=120)
    assert "stopped Neo4j pid" in stopped.stdout
    after = subprocess.run([*kg, "neo4j", "status"], env=env, capture_output=True, text=True, timeout=60)
    assert after.returncode == 1


def test_restart_on_same_data_folder_keeps_data(tmp_path):
    """stop → start on the same home with the same password: the server comes back with its data."""
    from kg import neo4j_server as srv

    first = srv.start(home=tmp_path, password="restart-pass-1")
    try:
        from neo4j import GraphDatabase

        with GraphDatabase.driver(first.uri, auth=("neo4j", first.password)) as drv:
            drv.execute_query("CREATE (:Kept {v: 1})")
    finally:
        srv.stop(first)
    second = srv.start(home=tmp_path, password="restart-pass-1", timeout=120)
    try:
        with GraphDatabase.driver(second.uri, auth=("neo4j", second.password)) as drv:
            records, _, _ = drv.execute_query("MATCH (n:Kept) RETURN n.v AS v")
        assert [r["v"] for r in records] == [1]
    finally:
        srv.stop(second)
