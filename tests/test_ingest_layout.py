"""The shape of the ingest package (ARCHITECTURE P3, P4): Chinese patterns only in ingest/lang/,
the pipeline never reaches the store, no import cycle inside ingest, one 第X条 pattern."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ingest.lang import load
from ingest.lang.text import has_han

REPO = Path(__file__).resolve().parents[1]
INGEST = REPO / "ingest"
_RE_FUNCS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}


def _modules() -> list[Path]:
    return sorted(p for p in INGEST.rglob("*.py") if "lang" not in p.relative_to(INGEST).parts)


def _han_regex_literals(source: str) -> list[tuple[int, str]]:
    """String literals with Han characters passed as the pattern of a ``re`` call."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr in _RE_FUNCS and isinstance(f.value, ast.Name) and f.value.id == "re":
            arg = node.args[0]
            parts = [arg] if isinstance(arg, ast.Constant) else list(ast.walk(arg))
            for p in parts:
                if isinstance(p, ast.Constant) and isinstance(p.value, str) and has_han(p.value):
                    out.append((node.lineno, p.value))
    return out


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_chinese_regex_outside_lang(path: Path) -> None:
    assert _han_regex_literals(path.read_text(encoding="utf-8")) == []


def test_the_check_catches_a_chinese_regex() -> None:
    assert _han_regex_literals('import re\nX = re.compile(r"第(\\d+)条")\n') == [(2, "第(\\d+)条")]
    assert _han_regex_literals('import re\nre.sub("[，,]", "", t)\n') == []


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def _module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def test_ingest_imports_only_the_kg_leaves() -> None:
    """ingest may use kg.ns (IRIs) and kg.errors, never the store or anything above it."""
    for path in INGEST.rglob("*.py"):
        kg = {m for m in _imports(path) if m == "kg" or m.startswith("kg.")}
        assert kg <= {"kg.ns", "kg.errors"}, (path, kg)


def test_no_import_cycle_inside_ingest() -> None:
    graph = {}
    for path in INGEST.rglob("*.py"):
        graph[_module_name(path)] = {m for m in _imports(path) if m.startswith("ingest")}
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " → ".join([*stack[stack.index(nxt):], nxt]))
            if nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for mod in graph:
        if mod not in state:
            visit(mod, [mod])
    assert "ingest.link" not in graph["ingest.emit_records"] or "ingest.emit_records" not in graph["ingest.link"]


def test_one_article_pattern() -> None:
    """第X条 is written once, as the ARTICLE fragment; every table composes it."""
    texts = [p.read_text(encoding="utf-8") for p in (INGEST / "lang").glob("*.yaml")]
    written = sum(t.count("条(?:之") for t in texts)
    assert written == 1
    assert load("patterns")["fragments"]["ARTICLE"].count("条") == 1
