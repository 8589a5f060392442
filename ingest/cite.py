"""Find statute citations: 《title》, short names and 本法, the version they name, their articles.

Why a step of its own (eyecite's "find"): a citation is more than a title mention. It may carry
a version (《…》（2019年修正）, 2010年修正的《…》, 法释〔2001〕33号), an alias it defines
(（以下简称反不正当竞争法）), and a chain of provisions (第九条第一款第（三）项、第十七条第三款,
第五项至第十七项, 第（一）（二）项) in Chinese or Arabic numerals. This module reads the printed
form only; which ``Statute`` node and which version it names is decided by
:mod:`ingest.link` from the citing document's date and the statute versions it knows.

All patterns come from ``ingest/lang/patterns.yaml``; offsets returned are ORIGINAL offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ingest.lang import compiled, load
from ingest.lang.numerals import cn_to_int
from ingest.lang.text import article_number, iso_date
from ingest.models import ArticleRef, Citation, CleanText, VersionHint

_MAX_RANGE = 60
_PREFIX_WINDOW = 30


@lru_cache(maxsize=1)
def _source_words() -> tuple[str, ...]:
    return tuple(load("citations")["statute_title_words"])


def is_source(title: str) -> bool:
    """A 《title》 that names a legal source (law, interpretation, treaty, opinion), not a book,
    report or contract: judged by how the title ends, once notes in brackets are set aside."""
    bare = re.sub(r"[（(][^（）()]*[）)]$", "", title.strip())
    return bare.endswith(_source_words())


def version_hint(note: str) -> VersionHint | None:
    """（2019年修正） / （2019年4月23日修正） / （法释〔2001〕33号，2019年修正） → a hint."""
    doc = compiled("doc_number_parts").search(note)
    doc_number = doc.group(0).replace(" ", "") if doc else None
    m = None
    for cand in compiled("version_note").finditer(note):
        if cand["date"]:
            m = cand
    if m is None and doc_number is None:
        return None
    year = date = event = None
    if m is not None:
        year = int(m["date"][:4])
        date = iso_date(m["date"]) if "月" in m["date"] else None
        if date is not None and len(date) < 10:
            date = None
        event = load("words")["event_words"].get(m["event"]) if m["event"] else None
        if m["event"] is None and doc is not None and m.start() >= doc.start() and m.end() <= doc.end():
            year = None  # the year inside 法释〔2001〕33号 is the series year, not a version
    if year is None and date is None and doc_number is None:
        return None
    return VersionHint(year=year, date=date, event=event, doc_number=doc_number)


def _numbers(text: str) -> list[int]:
    return [cn_to_int(n) for n in compiled("numbers").findall(text)]


class _Chain:
    """Reads 第A条[之B][第C款][第D项] lists and ranges from one position of a text."""

    def __init__(self, text: str):
        self.text = text
        self.refs: list[tuple[str, int | None, int | None, int, int]] = []
        self.article: str | None = None
        self.paragraph: int | None = None

    def _at(self, name: str, pos: int) -> re.Match | None:
        return compiled(name).match(self.text, pos)

    def read(self, pos: int) -> int:
        """Consume the chain starting at ``pos``; returns where it ends (``pos`` if none)."""
        end = pos
        first = True
        while True:
            at = end
            if not first:
                sep = self._at("chain_range", at)
                if sep and self._range(sep.end()):
                    end = self.range_end
                    continue
                sep = self._at("chain_sep", at)
                if not sep:
                    break
                at = sep.end()
            got = self._token(at, first)
            if got is None:
                break
            end = got
            first = False
        return end

    def _token(self, at: int, first: bool) -> int | None:
        m = self._at("chain_article", at)
        if m:
            self._close()
            self.article = article_number(m.group(0))
            self.paragraph = None
            self._pending = (m.start(), m.end())
            return self._details(m.end())
        if first or self.article is None:
            return None
        m = self._at("chain_paragraph", at)
        if m:
            self._close()
            self.paragraph = _numbers(m.group(0))[0]
            self._pending = (m.start(), m.end())
            return self._items(m.end())
        m = self._at("chain_items", at)
        if m:
            self._items_from(m)
            return m.end()
        return None

    def _details(self, pos: int) -> int:
        m = self._at("chain_paragraph", pos)
        if m:
            self.paragraph = _numbers(m.group(0))[0]
            self._pending = (self._pending[0], m.end())
            pos = m.end()
        return self._items(pos)

    def _items(self, pos: int) -> int:
        m = self._at("chain_items", pos)
        if m:
            self._items_from(m, extend=True)
            return m.end()
        return pos

    def _items_from(self, m: re.Match, extend: bool = False) -> None:
        start = self._pending[0] if extend and self._pending else m.start()
        for n in _numbers(m.group(0)):
            self.refs.append((self.article or "", self.paragraph, n, start, m.end()))
        self._pending = None

    def _close(self) -> None:
        pending = getattr(self, "_pending", None)
        if pending is not None and self.article is not None:
            self.refs.append((self.article, self.paragraph, None, pending[0], pending[1]))
        self._pending = None

    def _range(self, pos: int) -> bool:
        """第A条至第B条 / 第五项至第十七项 / 第二款至第四款 after the last token."""
        if not self.refs and getattr(self, "_pending", None) is None:
            return False
        m = self._at("chain_article", pos)
        if m and self.article is not None:
            lo, hi = int(self.article.split("-")[0]), int(article_number(m.group(0)).split("-")[0])
            if 0 < hi - lo <= _MAX_RANGE:
                self._close()
                for n in range(lo + 1, hi):
                    self.refs.append((str(n), None, None, m.start(), m.end()))
                self.article, self.paragraph = str(hi), None
                self._pending = (m.start(), m.end())
                self.range_end = self._details(m.end())
                return True
            return False
        m = self._at("chain_items", pos)
        if m and self.refs and self.refs[-1][2] is not None:
            art, para, lo, s, _e = self.refs[-1]
            hi = _numbers(m.group(0))[-1]
            if 0 < hi - lo <= _MAX_RANGE:
                for n in range(lo + 1, hi + 1):
                    self.refs.append((art, para, n, m.start(), m.end()))
                self.range_end = m.end()
                return True
            return False
        m = self._at("chain_paragraph", pos)
        if m and self.paragraph is not None:
            hi = _numbers(m.group(0))[0]
            lo = self.paragraph
            if 0 < hi - lo <= _MAX_RANGE:
                self._close()
                for n in range(lo + 1, hi):
                    self.refs.append((self.article or "", n, None, m.start(), m.end()))
                self.paragraph = hi
                self._pending = (m.start(), m.end())
                self.range_end = self._items(m.end())
                return True
        return False

    def result(self) -> list[tuple[str, int | None, int | None, int, int]]:
        self._close()
        seen, out = set(), []
        for r in self.refs:
            key = r[:3]
            if key not in seen:
                seen.add(key)
                out.append(r)
        return out


@lru_cache(maxsize=64)
def _names_regex(names: frozenset[str]) -> re.Pattern | None:
    if not names:
        return None
    alts = sorted(names, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in alts))


def _prefix_hint(text: str, start: int) -> tuple[VersionHint | None, bool, int]:
    """A version named before the title (2010年修正的《…》, 本案适用的是…): hint, declared, start."""
    window = text[max(0, start - _PREFIX_WINDOW):start]
    m = compiled("version_prefix").search(window)
    declared = bool(compiled("declaration").search(window))
    if not m:
        return None, declared, start
    year = int(m["date"][:4])
    date = iso_date(m["date"]) if "日" in m["date"] else None
    event = load("words")["event_words"].get(m["event"])
    hint = VersionHint(year=None if event == "effective" else year, date=date, event=event)
    return hint, declared or bool(m["declared"]), start - (len(window) - m.start())


def aliases(text: str) -> dict[str, str]:
    """Names a text defines for a statute: 《…》（以下简称反不正当竞争法） → {alias: title}."""
    out: dict[str, str] = {}
    title_rx = compiled("title")
    for m in title_rx.finditer(text):
        note = compiled("note_after_title").match(text, m.end())
        if not note:
            continue
        a = compiled("alias_note").match(note["note"])
        if a and is_source(m["title"]):
            alias = a["alias"].strip()
            out[alias] = m["title"]
            if alias.startswith("《") and alias.endswith("》"):
                out[alias[1:-1]] = m["title"]
    return out


def find_citations(ct: CleanText, short_names: Iterable[str] = (), start: int = 0,
                   end: int | None = None) -> tuple[Citation, ...]:
    """Statute citations in ``ct.text[start:end]`` (spans in the ORIGINAL text)."""
    text = ct.text
    end = len(text) if end is None else end
    defined = aliases(text)
    anchors: list[tuple[int, int, str | None, bool]] = []   # start, end, title, self_ref
    taken: list[tuple[int, int]] = []
    for m in compiled("title").finditer(text, start, end):
        taken.append((m.start(), m.end()))
        title = m["title"]
        if title in defined:
            title = defined[title]
        if is_source(title):
            anchors.append((m.start(), m.end(), title, False))
    names = frozenset(n for n in (*short_names, *defined) if n and not n.startswith("《"))
    rx = _names_regex(names)
    if rx is not None:
        for m in rx.finditer(text, start, end):
            if any(s <= m.start() < e for s, e in taken):
                continue
            if not compiled("chain_article").match(text, m.end()):
                continue
            anchors.append((m.start(), m.end(), defined.get(m.group(0), m.group(0)), False))
            taken.append((m.start(), m.end()))
    for m in compiled("self_reference").finditer(text, start, end):
        if any(s <= m.start() < e for s, e in taken):
            continue
        anchors.append((m.start(), m.end(), m["noun"], True))
    anchors.sort()
    out: list[Citation] = []
    consumed = -1
    for a_start, a_end, title, self_ref in anchors:
        if a_start < consumed:          # inside the note of the citation before (以下简称《…》)
            continue
        pos = a_end
        hint = None
        note = compiled("note_after_title").match(text, pos)
        if note and not self_ref:
            if not compiled("alias_note").match(note["note"]):
                hint = version_hint(note["note"])
            if hint is not None or compiled("alias_note").match(note["note"]):
                pos = note.end()
        prefix_hint, declared, c_start = (None, False, a_start) if self_ref else _prefix_hint(text, a_start)
        hint = hint or prefix_hint
        chain = _Chain(text)
        chain_end = chain.read(pos)
        refs = chain.result()
        consumed = max(consumed, pos, chain_end)
        if not refs:
            chain_end = a_end
        os_, oe = ct.span_to_original(c_start if prefix_hint else a_start, chain_end)
        articles = tuple(
            ArticleRef(art, para, item, *ct.span_to_original(s, e)) for art, para, item, s, e in refs if art
        )
        out.append(Citation(
            text=text[c_start if prefix_hint else a_start:chain_end], start=os_, end=oe,
            title=title, self_ref=self_ref, version=hint, articles=articles, declared=declared,
        ))
    return tuple(out)


def parse_reference(text: str) -> Citation:
    """One citation written on its own, as curated records do: ``专利法（2008年）第十一条``,
    ``民事诉讼法第六十七条（谁主张谁举证）``. The title is what comes before the first 第X条
    (less a trailing remark in brackets that names no version); its version note is read."""
    ct = _plain(text.strip())
    t = ct.text
    first = compiled("chain_article").search(t)
    title = t[: first.start()] if first else t
    title = title.strip(" 、，,")
    hint = None
    while True:
        note = _TRAILING_NOTE.search(title)
        if not note:
            break
        h = version_hint(note.group(0)[1:-1])
        if h is not None:
            hint = h
            break
        if first:
            break
        title = title[: note.start()].strip()
    refs: list = []
    if first:
        chain = _Chain(t)
        chain.read(first.start())
        refs = chain.result()
    articles = tuple(ArticleRef(art, para, item, s, e) for art, para, item, s, e in refs if art)
    return Citation(t, 0, len(t), title.strip("《》") or None, False, hint, articles)


_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


def _plain(text: str) -> CleanText:
    return CleanText(text, text, tuple(range(len(text) + 1)))
