"""The layout rules of ARCHITECTURE.md, checked by walking the code (``ast``), not by reading it.

* Project modules are imported at module level only, so the direction of every import is
  visible; only heavy third-party modules (gradio, neo4j, uvicorn…) may be imported inside a
  function.
* Imports inside ``kg`` flow one way: leaves (ns, terms, errors, config) import no other layer;
  the core (store, pg, mirror, explorer, console, context…) never imports the web layer or the
  CLI; there is no cycle; only ``kg.rebuild`` imports ``ingest`` and only the CLI and the web
  startup import ``kg.rebuild``.
* ``import kg.explorer`` loads no web or UI module (the explorer is usable without a server).
* README's configuration table lists every declared setting, and only those.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from kg import config

REPO = Path(__file__).resolve().parents[1]
PROJECT = ("kg", "ingest", "ontology")
LEAVES = {"kg", "kg.ns", "kg.terms", "kg.errors", "kg.config"}
TOP = ("kg.web", "kg.cli")


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _kg_files() -> list[Path]:
    return sorted(REPO.glob("kg/**/*.py")) + [REPO / "ui.py"]


def _imports(tree: ast.AST, *, in_functions: bool) -> list[tuple[int, str]]:
    """(line, module) of project imports at module level, or only those inside functions."""
    found = []
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner.update(id(sub) for sub in ast.walk(node) if sub is not node)
    for node in ast.walk(tree):
        if (id(node) in inner) != in_functions:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in PROJECT:
                found.append((node.lineno, name))
    return found


def _graph() -> dict[str, set[str]]:
    """kg module → the kg modules it imports at module level."""
    files = {_module(p): p for p in _kg_files()}
    known = set(files)
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        targets = set()
        for _, name in _imports(ast.parse(path.read_text(encoding="utf-8")), in_functions=False):
            # "from kg.web import viz" names kg.web.viz; "from kg.explorer import X" names kg.explorer
            while name and name not in known and "." in name:
                name = name.rsplit(".", 1)[0]
            if name in known or name.split(".")[0] != "kg":
                targets.add(name)
        graph[mod] = targets - {mod}
    return graph


def test_no_project_imports_inside_functions():
    hidden = [f"{p.relative_to(REPO)}:{line} imports {name}"
              for p in _kg_files() for line, name in _imports(ast.parse(p.read_text(encoding="utf-8")), in_functions=True)]
    assert hidden == []


def test_imports_flow_one_way():
    graph = _graph()
    wrong = []
    for mod, targets in graph.items():
        for target in targets:
            if mod in LEAVES and target.split(".")[0] == "kg" and target not in LEAVES:
                wrong.append(f"leaf {mod} imports {target}")
            if not mod.startswith(TOP) and mod != "ui" and target.startswith(TOP):
                wrong.append(f"core {mod} imports {target}")
            # kg.rebuild is the one bridge (build → validate → store.replace); only the CLI
            # and the web startup may call it
            if target.split(".")[0] == "ingest" and mod != "kg.rebuild":
                wrong.append(f"{mod} imports {target} (only kg.rebuild may)")
            if target == "kg.rebuild" and mod != "kg.cli" and not mod.startswith(TOP):
                wrong.append(f"{mod} imports {target} (only kg.cli and kg.web may)")
    assert wrong == []


def test_no_import_cycles():
    full = _graph()
    graph = {m: {t for t in ts if t in full} for m, ts in full.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_importing_the_explorer_loads_no_web_module():
    probe = ("import sys, kg.explorer; print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('gradio', 'fastapi', 'starlette', 'uvicorn', 'pyvis') or m.startswith(('kg.web', 'kg.cli'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_readme_configuration_table_lists_every_setting():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]+)`", section, flags=re.M))
    declared = {s.env for s in config.SETTINGS}
    assert documented == declared
