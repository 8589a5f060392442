"""Language data (patterns, cue words, numeral tables) kept apart from code, as spaCy does.

Why YAML files: a linguist can correct a cue word or add a court's 文号 style without touching
the pipeline, and the same tables serve clean, segment, extract and link.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load(name: str) -> Any:
    """Parsed ``ingest/lang/<name>.yaml`` (cached; callers must not mutate it)."""
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def expand(pattern: str, table: dict[str, Any]) -> str:
    """Substitute ``{CN}`` (Chinese numeral class) and ``{CNUM}`` (Chinese or Arabic number)."""
    cn = table.get("cn_numeral_class", "[零〇○一二两三四五六七八九十百千]")
    return pattern.replace("{CNUM}", f"(?:{cn}+|\\d+)").replace("{CN}", cn)
