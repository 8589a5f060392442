"""Helpers every genre's segmenter shares: paragraphs, sentences, article numbers, 文号.

Why one module: a 第X条 label, a 文号 or a sentence is read the same way in a policy document,
a statute and a case report; each genre module then only knows its own layout.
"""

from __future__ import annotations

import re

from ingest.lang import compiled, load, words
from ingest.lang.text import trim_prefix
from ingest.models import CleanText, Provision, Sentence

_SENT = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;]+[”’」』）)]*|$)|[^。！？!?\n]*[。！？!?]+[”’」』）)]*")


def article_sort_key(number: str) -> tuple[int, int]:
    main, _, sub = number.partition("-")
    return int(main), int(sub or 0)


def doc_numbers(text: str) -> list[tuple[str, int, int]]:
    """文号 in ``text`` as (normalised text, start, end) in ``text`` offsets."""
    stop = set(load("patterns")["prefix_stop_chars"])
    out = []
    for m in compiled("doc_number_parts").finditer(text):
        prefix = trim_prefix(m["prefix"], stop)
        if not prefix:
            continue
        start = m.start("prefix") + len(m["prefix"]) - len(prefix)
        out.append((text[start:m.end()].replace(" ", ""), start, m.end()))
    return out


def sentences(ct: CleanText, start: int, end: int) -> tuple[Sentence, ...]:
    out = []
    for m in _SENT.finditer(ct.text, start, end):
        s, e = m.start(), m.end()
        while s < e and ct.text[s] in " \n":
            s += 1
        while e > s and ct.text[e - 1] in " \n":
            e -= 1
        if e > s:
            os_, oe = ct.span_to_original(s, e)
            out.append(Sentence(ct.text[s:e], os_, oe))
    return tuple(out)


def numbered_points(ct: CleanText, spans: list[tuple[int, int]]) -> tuple[Provision, ...]:
    """Paragraphs numbered 1. 2. … as items; unnumbered text continues the item before it.

    A block with no numbered paragraph is one item (a guiding case's single 裁判要点)."""
    rx = compiled("point_heading")
    items: list[list] = []
    for s, e in spans:
        t = ct.text[s:e]
        m = rx.match(t)
        if m and (not items or items[-1][0] + 1 == int(m["num"])) and int(m["num"]) == len(items) + 1:
            items.append([int(m["num"]), s + m.end(), e])
        elif items:
            items[-1][2] = e
        else:
            items.append([0, s, e])
    out = []
    for k, (_n, s, e) in enumerate(items, start=1):
        os_, oe = ct.span_to_original(s, e)
        out.append(Provision(k, ct.text[s:e], os_, oe))
    return tuple(out)


def event_kind(text: str) -> str | None:
    """The event a date in a header line is followed by (…会议通过 → adopted, 《关于修改…的决定》
    第一次修订 → revised): the first event word after the date outside the 《》 titles."""
    table = load("words")["event_words"]
    bare = compiled("title").sub(lambda m: "□" * len(m.group(0)), text)
    best, at = None, len(bare) + 1
    for word in words("event_words"):
        i = bare.find(word)
        if 0 <= i < at:
            best, at = table[word], i
    return best
