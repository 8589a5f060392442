"""The CLI's errors: one line naming the cause for an error the user can act on (an IprgError),
its traceback with ``--debug``; the same kinds the API maps to 400/404/503."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kg.console import ConsoleError, QueryTimeout
from kg.errors import BadInput, IprgError, NotFound, TooBusy, Unavailable
from kg.store import StoreError

REPO = Path(__file__).resolve().parents[1]


def _kg(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "IPRG_DATA_DIR": str(tmp)}
    env.pop("NEO4J_URI", None)
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_one_line_for_the_user_traceback_with_debug(tmp_path):
    plain = _kg("query", "ASK { ?s ?p ?o }", tmp=tmp_path)
    assert plain.returncode == 1
    lines = plain.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg query: StoreError: no graph has been built in")
    debug = _kg("--debug", "query", "ASK { ?s ?p ?o }", tmp=tmp_path)
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1] == lines[0]


def test_no_neo4j_is_one_line_naming_both_fixes(tmp_path):
    run = _kg("query", "--lang", "cypher", "MATCH (n) RETURN n LIMIT 1", tmp=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "NEO4J_URI" in run.stderr and "kg neo4j start" in run.stderr


def test_errors_carry_their_status():
    assert (BadInput.status, NotFound.status, TooBusy.status, Unavailable.status) == (400, 404, 429, 503)
    assert issubclass(StoreError, Unavailable) and issubclass(ConsoleError, BadInput)
    assert QueryTimeout.status == 503 and issubclass(QueryTimeout, ConsoleError)
    assert not issubclass(ValueError, IprgError)   # a plain ValueError is a bug: 500, a traceback
