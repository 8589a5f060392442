"""Decode and normalise source text, keeping a map back to the original offsets.

Why a map rather than a cleaned copy: every mention the graph stores is an offset into the
text as the court published it, so the UI can highlight the source paragraph. PDF extraction
breaks lines inside words (``标准必要\\n\\n专利``); matching runs on the cleaned text and
:meth:`CleanText.span_to_original` turns the match back into the printed span.

Line joining is decided by layout, not by vocabulary: a hard-wrapped PDF has lines of nearly
equal display width; a line that is full, or has an unclosed 《“（, continues on the next
line; a short line, a line ending with sentence-final punctuation, or a line followed by a
numbered heading ends a paragraph.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.lang import expand, load
from ingest.models import CleanText, IngestError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_TEXT_CONTROLS = set("\n\r\t\f\v")


def _plausible(ch: str) -> bool:
    """Characters real Chinese legal text is made of; GB18030 decodes random bytes into rare
    ideographs and private-use characters, which is how binary is told apart."""
    o = ord(ch)
    return (
        0x20 <= o < 0x7F or ch in _TEXT_CONTROLS or 0xA0 <= o < 0x250
        or 0x2000 <= o < 0x2070 or 0x2100 <= o < 0x2200 or 0x2460 <= o < 0x2500
        or 0x3000 <= o < 0x3040 or 0x4E00 <= o < 0xA000 or 0xFF00 <= o < 0xFFF0
        or 0x2E80 <= o < 0x2FE0 or ch in "\u3105\ufeff·×÷"
    )


# The same judgements as _plausible and unicodedata's "Cc" category, counted by the regex
# engine in C (a Python loop over every character was a tenth of the pipeline's time).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_IMPLAUSIBLE = re.compile(
    r"[^\x20-\x7e\n\r\t\f\v\xa0-\u024f\u2000-\u206f\u2100-\u21ff\u2460-\u24ff"
    r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2e80-\u2fdf\u3105\ufeff\u00b7\u00d7\u00f7]"
)


def decode(data: bytes, name: str | Path = "<bytes>") -> str:
    """Bytes of a court document → str: UTF-8 (with or without BOM), UTF-16/32 with BOM,
    GB18030 (a superset of GBK and GB2312, common in Chinese court files).

    Raises IngestError naming the file for empty input, binary data and undecodable bytes.
    """
    if not data:
        raise IngestError("empty file (0 bytes)", source=name)
    text: str | None = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise IngestError(f"invalid {enc} after a byte-order mark at byte {e.start}: {e.reason}", source=name) from None
            if enc.startswith("utf-16") or enc.startswith("utf-32"):
                text = text.lstrip("\ufeff")
            break
    if text is None:
        if b"\x00" in data:
            nul = data.index(0)
            raise IngestError(f"binary data: NUL byte at offset {nul} (not a text document)", source=name)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            if e.reason == "unexpected end of data" and e.start >= len(data) - 3:
                raise IngestError(
                    f"truncated file: it ends inside a UTF-8 character at byte {e.start}", source=name
                ) from None
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as e2:
                raise IngestError(
                    f"undecodable bytes: not UTF-8 (byte {e.start}: {e.reason}) nor GB18030/GBK "
                    f"(byte {e2.start}: {e2.reason})", source=name
                ) from None
    if not text.strip():
        raise IngestError("empty document (only whitespace)", source=name)
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200):
        raise IngestError(f"binary data: {controls} control characters in {len(text)} characters", source=name)
    odd = len(_IMPLAUSIBLE.findall(text))
    if odd > max(3, len(text) // 20):
        raise IngestError(
            f"binary or wrongly encoded data: {odd} of {len(text)} characters are outside Chinese/Latin text",
            source=name,
        )
    return text


# ----------------------------------------------------------------------------- cleaning


@dataclass(frozen=True)
class _Line:
    start: int            # original offset of the first kept character
    end: int              # original offset after the last kept character
    text: str             # original characters start..end
    page_top: bool
    sep_end: int          # original offset of the line break after it (or len(text))


@lru_cache(maxsize=1)
def _rules() -> dict:
    s = load("structure")
    heads = [re.compile(expand(p, s)) for p in s["headings"].values()]
    return {
        "final": set(s["paragraph_final"]),
        "closers": set(s["closers"]),
        "brackets": s["brackets"],
        "headings": heads,
        "page_numbers": [re.compile(p) for p in s["page_number_lines"]],
        "running_min": int(s["running_header_min_pages"]),
    }


_NARROW = re.compile(r"[\x00-\x7f\uff61-\uffdc\uffe8-\uffee]")


def _width(s: str) -> float:
    """Display width in Chinese cells: ideographs, full-width and ambiguous marks (“”…) are one
    cell, Latin letters and digits half a cell, as a Chinese PDF renders them. (ASCII and the
    half-width forms are the narrow characters of real court texts; counted by the regex
    engine rather than unicodedata per character.)"""
    return len(s) - 0.5 * len(_NARROW.findall(s))


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return 0x4E00 <= o < 0xA000 or 0x3000 <= o < 0x3040 or 0xFF00 <= o < 0xFF10 or 0xFF1A <= o < 0xFF21 \
        or 0x3400 <= o < 0x4DC0 or c in "“”‘’《》（）〔〕【】…—，。、；：！？"


def _half(c: str) -> str:
    """Full-width ASCII letters, digits, space and ．→ half width; Chinese punctuation stays."""
    o = ord(c)
    if c == "\u3000":
        return " "
    if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A or c in "．＋－％／＠＃＆":
        return chr(o - 0xFEE0)
    return c


def _lines(original: str) -> list[_Line]:
    lines: list[_Line] = []
    blank_sep = original.count("\n\n") >= max(3, original.count("\n") // 4)
    pos, prev_nonblank = 0, False
    after_ff = True
    for m in re.finditer(r"([^\n\f]*)(\n|\f|$)", original):
        raw, sep = m.group(1), m.group(2)
        if m.start() == len(original) and not raw:
            break
        pos = m.start()
        stripped = raw.strip(" \t\r\u3000\xa0\ufeff")
        if stripped:
            lead = len(raw) - len(raw.lstrip(" \t\r\u3000\xa0\ufeff"))
            page_top = after_ff or (blank_sep and prev_nonblank and raw[:1] == " ")
            start = pos + lead
            lines.append(_Line(start, start + len(stripped), stripped, page_top, m.end(1)))
            after_ff = False
        prev_nonblank = bool(stripped)
        if sep == "\f":
            after_ff = True
    return lines


def _unbalanced(text: str, brackets: dict[str, str]) -> bool:
    for o, c in brackets.items():
        if o == c:
            continue
        if text.count(o) > text.count(c):
            return True
    return False


def _drop_furniture(lines: list[_Line]) -> list[_Line]:
    """Drop page numbers and running headers (page-top lines repeated on several pages)."""
    r = _rules()
    tops = Counter(ln.text.replace(" ", "") for ln in lines if ln.page_top)
    running = {t for t, n in tops.items() if n >= r["running_min"] and len(t) <= 40}
    kept = []
    for ln in lines:
        compact = ln.text.replace(" ", "")
        if any(p.match(ln.text) for p in r["page_numbers"]):
            continue
        if ln.page_top and compact in running:
            continue
        kept.append(ln)
    return kept


def _is_heading(text: str) -> bool:
    return any(h.match(text) for h in _rules()["headings"])


def _joins(a: _Line, b: _Line, full: float | None) -> bool:
    """Does line ``a`` continue on line ``b`` (same paragraph)?"""
    r = _rules()
    tail = a.text.rstrip("".join(r["closers"]))
    if tail and tail[-1] in r["final"]:
        return False
    if _is_heading(b.text):
        return False
    if _unbalanced(a.text, r["brackets"]):
        return True
    if full is None:
        return False
    # a full line continues; 3 cells of slack for line-breaking rules (no 。 at a line start)
    return _width(a.text) >= full - 3.0


def _full_width(lines: list[_Line]) -> float | None:
    """Display width of a full line when the text is hard-wrapped, else None."""
    if len(lines) < 5:
        return None
    widths = sorted(_width(ln.text) for ln in lines)
    w = widths[int(0.9 * (len(widths) - 1))]
    near = sum(1 for x in widths if w - 3.0 <= x <= w + 0.5)
    return w if near >= max(3, 0.3 * len(widths)) else None


_HALF = {o: o - 0xFEE0 for o in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_HALF.update({ord(c): ord(c) - 0xFEE0 for c in "．＋－％／＠＃＆"})
_HALF[0x3000] = ord(" ")
_SPACES = re.compile("[ \t\xa0]+")


def _line_chars(line: str, start: int, prv: str) -> tuple[str, range | list[int]]:
    """One line's clean characters and their original offsets: full-width letters and digits
    folded (the same table as :func:`_half`); a run of spaces kept as one space only between
    two non-CJK characters (``prv`` is the character before the line, when it was joined)."""
    t = line.translate(_HALF)
    if not _SPACES.search(t):
        return t, range(start, start + len(t))
    parts: list[str] = []
    offs: list[int] = []
    pos = 0
    for m in _SPACES.finditer(t):
        s, e = m.span()
        parts.append(t[pos:s])
        offs.extend(range(start + pos, start + s))
        before = t[s - 1] if s > 0 else prv
        after = t[e] if e < len(t) else ""
        if before and after and before != " " and not _is_cjk(before) and not _is_cjk(after):
            parts.append(" ")
            offs.append(start + e - 1)
        pos = e
    parts.append(t[pos:])
    offs.extend(range(start + pos, start + len(t)))
    return "".join(parts), offs


def clean(text: str) -> CleanText:
    """Normalise a decoded document: join PDF-wrapped lines, drop page furniture, fold
    full-width letters/digits, remove stray spaces next to Chinese characters; paragraphs are
    separated by a single ``\\n``."""
    lines = _drop_furniture(_lines(text))
    full = _full_width(lines)
    out: list[str] = []
    offs: list[int] = []
    for i, ln in enumerate(lines):
        if i:
            prev = lines[i - 1]
            if not _joins(prev, ln, full):
                out.append("\n")
                offs.append(prev.sep_end)
            elif out and out[-1].isascii() and out[-1].isalnum() and ln.text[0].isascii() and ln.text[0].isalnum():
                out.append(" ")
                offs.append(prev.sep_end)
        prv = out[-1] if out and out[-1] != "\n" else ""
        chars, where = _line_chars(ln.text, ln.start, prv)
        out.extend(chars)
        offs.extend(where)
    offs.append(len(text))
    # a machine-integer array: the map has one entry per character and Python ints would
    # make it the largest object of a parsed document (~36 bytes each instead of 8)
    return CleanText("".join(out), text, array("q", offs))


def paragraphs(ct: CleanText) -> list[tuple[int, int]]:
    """Clean-text ``(start, end)`` of each paragraph."""
    spans, pos = [], 0
    for part in ct.text.split("\n"):
        if part:
            spans.append((pos, pos + len(part)))
        pos += len(part) + 1
    return spans


_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "table", "ul", "ol", "pre", "blockquote", "title", "header", "footer",
})


def html_to_text(markup: str) -> str:
    """Text content of an HTML judgment page, block elements as line breaks.

    Why the standard library's parser: court sites publish judgments as simple HTML; scripts
    and styles are dropped, entities decoded, and no markup can reach the graph.
    """
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self._skip = 0

        def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001
            if tag in {"script", "style", "noscript", "template"}:
                self._skip += 1
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in {"script", "style", "noscript", "template"}:
                self._skip = max(0, self._skip - 1)
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self._skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n[ \t\u3000]*\n(?:[ \t\u3000]*\n)+", "\n\n", text).strip() + "\n"


_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M)
_MD_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_RULE = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.M)


def markdown_to_text(text: str) -> str:
    """The text a reader of a Markdown document sees: heading marks (``## 一、…``), block
    quotes, bold and horizontal rules removed, line by line.

    Why: a policy document kept as .md marks its sections as headings; left in, ``## 一、``
    no longer starts with 一、 and the structure is lost. Lines are kept (offsets then index
    the text a reader sees, as for HTML)."""
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_RULE.sub("", text)
    return _MD_STRONG.sub(r"\2", text)
