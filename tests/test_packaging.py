"""A non-editable install works outside the checkout: `kg --help`, ontology data found."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import facts

REPO = Path(__file__).resolve().parents[1]


def test_non_editable_install_outside_checkout(tmp_path: Path):
    env_dir = tmp_path / "venv"
    # System site-packages give the dependencies; the project itself is installed fresh, --no-deps.
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    # outside the checkout means without it on the path, too (a developer's PYTHONPATH=$PWD)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    build = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(REPO)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, env=env,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    helped = subprocess.run([str(env_dir / "bin" / "kg"), "--help"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert helped.returncode == 0, helped.stderr
    for command in ("ingest", "mirror", "serve", "query", "export", "validate", "neo4j"):
        assert command in helped.stdout
    probe = (
        "import ontology, kg, pathlib, sys;"
        "print(pathlib.Path(kg.__file__).resolve());"
        "print(all(ontology.path(n).exists() for n in ontology.FILES));"
        "from ingest.corpus import load_corpus; c = load_corpus();"
        "print(len(c.cases), len(c.statutes), len(c.policies))"
    )
    where = subprocess.run([str(py), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert where.returncode == 0, where.stderr
    kg_file, found, cases, statutes, policies = where.stdout.split()
    assert not kg_file.startswith(str(REPO)), "the installed package, not the checkout, must be imported"
    assert found == "True"
    # The bundled corpus travels with the package: the main job works from an installed copy.
    assert (int(cases), int(statutes), int(policies)) == (facts.CASES, facts.STATUTES, 1)
    assert sys.version_info >= (3, 11)
