"""Small readers of Chinese text shared by every stage: dates, 文号/court-name prefixes, CJK.

Why here: segment (headers, judgments), extract (mentions) and cite (citations) must read a
date or a court's name the same way; ARCHITECTURE P4 found them done twice with different
logic. Data (patterns, word lists) stays in the YAML tables beside this module.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.lang import compiled, expand, load
from ingest.lang.numerals import cn_to_int


@lru_cache(maxsize=1)
def _tables() -> dict:
    c = load("citations")
    places = load("gazetteer")
    names = set()
    for section in ("provinces", "cities", "districts"):
        for name, info in (places.get(section) or {}).items():
            names.add(name)
            if isinstance(info, dict) and info.get("short"):
                names.add(info["short"])
    return {
        "date": compiled("date_parts"),
        "stop": set(load("patterns")["prefix_stop_chars"]),
        "court_stop": tuple(sorted(c["court_stop_prefixes"], key=len, reverse=True)),
        "court_generic": tuple(c["court_generic_names"]),
        "court_generic_starts": tuple(c["court_generic_starts"]),
        "supreme": c["supreme_court"],
        "places": tuple(sorted((n for n in names if len(n) >= 2), key=len, reverse=True)),
    }


def iso_date(text: str) -> str | None:
    """``2025年4月24日`` / ``二〇二五年四月二十四日`` → ``2025-04-24`` (month precision if no day)."""
    m = _tables()["date"].search(text)
    if not m:
        return None
    try:
        y, mo = cn_to_int(m["year"]), cn_to_int(m["month"])
        d = cn_to_int(m["day"]) if m["day"] else None
    except ValueError:
        return None
    if not (1 <= mo <= 12) or (d is not None and not 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}" if d else f"{y:04d}-{mo:02d}"


def trim_prefix(text: str, stop: set[str] | None = None) -> str:
    """Cut a greedy CJK prefix after the last function character (根据法释 → 法释)."""
    stop = _tables()["stop"] if stop is None else stop
    cut = max((i for i, c in enumerate(text) if c in stop), default=-1)
    return text[cut + 1:]


def court_name(raw: str) -> str | None:
    """The court a matched run of characters names, or None for a generic reference.

    A court's name is the SPC's, or starts with a place: a place the gazetteer knows (北京知识产权
    法院, 浙江省…) or a name with its unit (…省, …市, …县, …区). Words before it (联合, 上诉至,
    向…) are cut; ``第一条人民法院``, ``住所地人民法院``, ``各级人民法院``, ``本院`` name no court.
    """
    t = _tables()
    name = raw
    if t["supreme"] in name:
        name = name[name.index(t["supreme"]):]
        return name if name not in t["court_generic"] else None
    name = trim_prefix(name)
    for w in t["court_stop"]:
        if name.startswith(w):
            name = name[len(w):]
            break
    at = next((i for i in range(len(name)) if name.startswith(t["places"], i)), None)
    if at is not None:
        name = name[at:]
    if not name or name in t["court_generic"] or name.startswith(t["court_generic_starts"]):
        return None
    if not name.startswith(t["places"]) and compiled("admin_place").match(name) is None:
        return None
    return name


def is_cjk(c: str) -> bool:
    """A Chinese character or full-width punctuation mark (what needs no space beside it)."""
    o = ord(c)
    return 0x4E00 <= o < 0xA000 or 0x3000 <= o < 0x3040 or 0xFF00 <= o < 0xFF10 or 0xFF1A <= o < 0xFF21 \
        or 0x3400 <= o < 0x4DC0 or c in "“”‘’《》（）〔〕【】…—，。、；：！？"


def has_han(text: str) -> bool:
    """True when ``text`` contains a Han character (used by the no-Han-in-code test)."""
    return any(0x3400 <= ord(c) < 0xA000 for c in text)


def compact(text: str) -> str:
    """``text`` without any whitespace (titles broken over lines compare equal)."""
    return re.sub(r"\s+", "", text)


def bare_title(title: str) -> str:
    """A title without the notes in brackets at its end (…若干规定（二） → …若干规定)."""
    t = compact(title)
    while True:
        new = _TRAILING_NOTE.sub("", t)
        if new == t:
            return t
        t = new


_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


def article_number(label: str) -> str:
    """``第十条之一`` → ``"10-1"``; ``第6条`` → ``"6"`` (raises ValueError for no number)."""
    nums = compiled("numbers").findall(label)
    if not nums:
        raise ValueError(f"no article number in {label!r}")
    main = cn_to_int(nums[0])
    return f"{main}-{cn_to_int(nums[1])}" if len(nums) > 1 else str(main)


@lru_cache(maxsize=8)
def _anchor(name: str) -> tuple[re.Pattern, int, re.Pattern]:
    spec = load("patterns")["anchored"][name]
    return re.compile(expand(spec["anchor"])), int(spec["back"]), re.compile(spec["gap"] + "$")


def anchored(text: str, name: str) -> list[tuple[int, int]]:
    """Spans of the anchored pattern ``name``: each anchor match, extended backwards over up to
    ``back`` Chinese characters (after an optional gap such as spaces), never into the span
    before. Equal to the lazy-prefix regex's matches, at the cost of finding the anchors."""
    rx, back, gap = _anchor(name)
    out: list[tuple[int, int]] = []
    last = 0
    for m in rx.finditer(text):
        if m.start() < last:
            continue
        g = gap.search(text, last, m.start())
        at = g.start() if g else m.start()
        start = at
        while start > last and at - start < back and 0x4E00 <= ord(text[start - 1]) <= 0x9FFF:
            start -= 1
        out.append((start, m.end()))
        last = m.end()
    return out


def court_spans(text: str) -> list[tuple[str, int, int]]:
    """Courts named in ``text``: (name, start, end), generic references left out."""
    out = []
    for s, e in anchored(text, "court"):
        name = court_name(text[s:e])
        if name:
            out.append((name, e - len(name), e))
    return out
