"""Every UI string lives in kg/web/static/ui_text.json, and every key the code asks for is there.

The check walks the code (``ast``): a ``t("key", …)`` or ``label("key", …)`` call whose key is
missing would raise at the moment a user opens that view, so it is caught here instead; and no
Chinese text is left in the web layer's code (it belongs in the string table).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kg.web.text import ui_text

WEB = Path(__file__).resolve().parents[1] / "kg" / "web"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _calls(name: str) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(WEB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.append((path.name, node.lineno, node.args[0].value))
    return found


def test_every_text_key_exists_in_both_languages():
    table = ui_text()["text"]
    missing = [c for c in _calls("t") if c[2] not in table]
    assert missing == []
    assert len(_calls("t")) > 40
    assert all(set(v) == {"zh", "en"} and v["zh"] and v["en"] for v in table.values())


def test_every_label_key_exists():
    labels = ui_text()["labels"]
    assert [c for c in _calls("label") if c[2] not in labels] == []


def test_no_chinese_text_in_the_web_code():
    strings = []
    for path in sorted(WEB.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        strings += [(path.name, n.lineno, n.value) for n in ast.walk(tree)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
                    and HAN.search(n.value)]
    assert strings == []
