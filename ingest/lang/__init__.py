"""Language data (patterns, cue words, numeral tables, places) kept apart from code, as spaCy does.

Why YAML files: a linguist can correct a cue word or add a court's 文号 style without touching
the pipeline, and the same tables serve clean, segment, extract, cite and link. Every regular
expression is composed from the named fragments of ``patterns.yaml`` ({CN}, {NUM}, {ARTICLE},
{DOC_NUMBER}, {CASE_NUMBER}, {COURT}, {DATE}); the full expressions code uses are named in its
``regexes`` table and compiled once by :func:`compiled`. A test fails when a module of
``ingest/`` outside this folder compiles a pattern with Chinese characters in it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

_NAME = re.compile(r"\{([A-Z_]+)\}")


@cache
def load(name: str) -> Any:
    """Parsed ``ingest/lang/<name>.yaml`` (cached; callers must not mutate it)."""
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def expand(pattern: str, table: dict[str, Any] | None = None) -> str:
    """Replace every ``{NAME}`` by the fragment of that name (fragments may use fragments).

    ``table`` is accepted for old callers and ignored: the fragments have one home.
    """
    fragments = load("patterns")["fragments"]
    for _ in range(8):
        new = _NAME.sub(lambda m: fragments.get(m.group(1), m.group(0)), pattern)
        if new == pattern:
            return new
        pattern = new
    return pattern


@cache
def compiled(name: str) -> re.Pattern:
    """The named regular expression of ``patterns.yaml``'s ``regexes`` table, compiled."""
    return re.compile(expand(load("patterns")["regexes"][name]))


@cache
def words(name: str) -> tuple[str, ...]:
    """A word list of ``words.yaml`` (longest first, so a prefix never hides a longer word)."""
    return tuple(sorted(load("words")[name], key=len, reverse=True))
