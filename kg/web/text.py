"""Every UI string, from one file: ``kg/web/static/ui_text.json``.

Why a data file: the UI is bilingual (Chinese first, English beside it) and its wording changes
for reasons code does not; keeping all of it in one JSON file (as spaCy keeps language data
apart from code) lets a reader review or translate it without reading Python.

* ``text``: strings shown in the chosen language, ``{name}`` placeholders filled by :func:`t`;
* ``labels``: the fixed bilingual labels of the layout (tabs, buttons), :func:`label`;
* ``kinds``, ``relations``, ``verified``, ``viz``: names of node kinds, case relations,
  verification states and the graph page's texts.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).resolve().parent / "static"


@lru_cache(maxsize=1)
def ui_text() -> dict[str, Any]:
    """The whole string table."""
    return json.loads((STATIC_DIR / "ui_text.json").read_text(encoding="utf-8"))


def t(key: str, lang: str, **values: Any) -> str:
    """The ``text`` entry ``key`` in ``lang`` ("zh" or "en"), placeholders filled from ``values``."""
    entry = ui_text()["text"][key]
    template = entry["en" if lang == "en" else "zh"]
    return template.format(**values) if values else template


def label(key: str, **values: Any) -> str:
    """The fixed bilingual layout label ``key``."""
    template = ui_text()["labels"][key]
    return template.format(**values) if values else template


def kind_label(kind: str, lang: str) -> str:
    """The name of a node kind (``case``, ``measure``…) in ``lang``."""
    return ui_text()["kinds"].get(kind, {}).get(lang, kind or "?")


def relation_label(relation: str, lang: str) -> str:
    """How a related case relates (``appealOf``…), in ``lang``."""
    entry = ui_text()["relations"].get(relation)
    return entry["en" if lang == "en" else "zh"] if entry else relation
