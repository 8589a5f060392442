"""Resolve mentions to node IRIs; give measures and rules their topics.

Why a separate step: finding a span (extract) and deciding which node it names are different
questions — ``反不正当竞争法`` names the 2019 law in a 2024 document and the 2025 revision in
a 2026 one; ``第九条`` names an article only through the 《title》 printed before it. Statutes
and cases come from the curated corpus (:func:`ingest.corpus.load_corpus`); a statute or case
the corpus does not know becomes a new node (minted IRI, ``Linked.new``), never a dropped
mention, so the graph shows what the courts cite even before a record is written for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rdflib import URIRef

from ingest.corpus import Corpus, StatuteRecord
from ingest.extract import Vocabulary
from ingest.lang import load
from ingest.models import Linked, Mention
from ingest.records import unknown_statute_iri
from kg.ns import hashed, iri, normalise_identifier

_PARENS = re.compile(r"[（(][^（）()]*[）)]")
_BETWEEN = re.compile(
    r"^(?:[、，,和及与]|以及|第[零〇一二两三四五六七八九十百千\d]+[条款项]|之[一二三四五六七八九十\d]+|[（(][一二三四五六七八九十\d]+[）)]|\s)*$"
)
_PRC = "中华人民共和国"


def _keys(title: str) -> set[str]:
    """Ways a statute title is written: full, without （2020年修正）, without 中华人民共和国."""
    out = set()
    for t in re.split(r"[；;]", title):
        t = t.strip()
        if not t:
            continue
        bare = _PARENS.sub("", t).strip()
        for x in (t, bare):
            out.add(x)
            if x.startswith(_PRC):
                out.add(x[len(_PRC):])
    return {k for k in out if len(k) >= 2}


@dataclass(frozen=True)
class LinkIndex:
    """Lookup tables built once from the corpus."""

    statutes: dict[str, tuple[StatuteRecord, ...]]     # title key → candidate records
    by_doc_number: dict[str, StatuteRecord]
    cases: dict[str, str]                              # normalised 案号 → case id
    short_titles: tuple[str, ...]                      # bare statute names to find in running text

    @classmethod
    def from_corpus(cls, corpus: Corpus) -> LinkIndex:
        statutes: dict[str, list[StatuteRecord]] = {}
        for s in corpus.statutes:
            names = {s.title.zh, s.short_title.zh, *s.aliases}
            for n in names:
                for k in _keys(n):
                    statutes.setdefault(k, []).append(s)
        by_doc = {}
        for s in corpus.statutes:
            for dn in (s.doc_number, s.doc_number_unverified):
                if dn:
                    by_doc[norm_number(dn)] = s
        cases = {}
        for c in corpus.cases:
            for n in (*c.case_numbers, *c.case_numbers_unverified):
                cases[norm_number(n)] = c.id
        shorts = sorted({k for k in statutes if k.endswith(("法", "条例", "法典")) and len(k) >= 3}, key=len, reverse=True)
        return cls(
            statutes={k: tuple(dict.fromkeys(v)) for k, v in statutes.items()},
            by_doc_number=by_doc, cases=cases, short_titles=tuple(shorts),
        )

    def statute(self, title: str, date: str | None = None) -> StatuteRecord | None:
        """The record a title names; among versions, the one in force on ``date``."""
        cands: list[StatuteRecord] = []
        for k in _keys(title):
            cands.extend(self.statutes.get(k, ()))
        cands = list(dict.fromkeys(cands))
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0]
        dated = sorted(cands, key=lambda s: s.effective or "0000")
        if date:
            valid = [s for s in dated if (s.effective or "0000") <= date]
            if valid:
                return valid[-1]
            return dated[0]
        return dated[-1]


def norm_number(text: str) -> str:
    """案号 / 文号 compared without brackets style or spaces: （2018） == (2018), 〔〕 == ()."""
    return normalise_identifier(text)


@lru_cache(maxsize=1)
def _topic_cues() -> dict[str, re.Pattern]:
    return {t: re.compile("|".join(re.escape(c) for c in cues)) for t, cues in load("topics")["cues"].items()}


def topics_for(mentions: Sequence[Mention], text: str, vocab: Vocabulary) -> tuple[str, ...]:
    """Topics of a text: from the (outermost) concepts mentioned, through the topic scheme's
    skos:related links, plus the cue table in ``lang/topics.yaml``."""
    found: set[str] = set()
    for m in mentions:
        if m.kind == "concept" and not m.attrs.get("nested"):
            found.update(vocab.topics_of.get(m.attrs["concept"], ()))
    for topic, rx in _topic_cues().items():
        if rx.search(text):
            found.add(topic)
    return tuple(sorted(t for t in found if not vocab.topic_ids or t in vocab.topic_ids))


def statute_mentions(original: str, mentions: Sequence[Mention], index: LinkIndex) -> tuple[Mention, ...]:
    """Statute names printed without 《》 (依照专利法第六条): spans of known short titles in the
    original text, outside any 《title》 mention. Line breaks inside the name are allowed."""
    titles = [(m.start, m.end) for m in mentions if m.kind == "title"]
    out = []
    taken: list[tuple[int, int]] = []
    for name in index.short_titles:
        pat = re.compile(r"\s*".join(map(re.escape, name)))
        for m in pat.finditer(original):
            s, e = m.start(), m.end()
            if any(ts <= s and e <= te for ts, te in titles) or any(ts < e and s < te for ts, te in taken):
                continue
            taken.append((s, e))
            out.append(Mention("LAW", name, s, e, "statute", {"title": name}))
    return tuple(out)


def _article_title(m: Mention, anchors: Sequence[Mention], original: str) -> str | None:
    """The statute title an article reference belongs to: the nearest 《title》 or bare statute
    name before it, with only other article references in between."""
    best = None
    for a in anchors:
        if a.end <= m.start and (best is None or a.end > best.end):
            best = a
    if best is None or m.start - best.end > 60:
        return None
    if not _BETWEEN.match(original[best.end:m.start]):
        return None
    return best.attrs.get("title")


def link(mentions: Iterable[Mention], original: str, index: LinkIndex, vocab: Vocabulary,
         date: str | None = None, self_ref: tuple[str | None, str | None, URIRef] | None = None,
         ) -> tuple[Linked, ...]:
    """Mentions → IRIs. Money and dates are values, not nodes, and are left out.

    ``self_ref`` = (title, 文号 or 案号, IRI) of the document itself, so that a notice naming the
    measures it issues (印发《…若干措施》) points at the document, not at a new statute.
    """
    own_title, own_number, own_iri = self_ref or (None, None, None)
    mentions = sorted(mentions, key=lambda m: (m.start, -m.end))
    anchors = [m for m in mentions if m.kind in ("title", "statute")]
    out: list[Linked] = []
    for m in mentions:
        k = m.kind
        if k == "concept":
            out.append(Linked(m, iri("concept", m.attrs["concept"]), "concept"))
        elif k in ("title", "statute"):
            title = m.attrs["title"]
            rec = index.statute(title, date)
            if own_title and own_iri is not None and title.endswith(own_title):
                out.append(Linked(m, own_iri, "policy"))
            elif rec is not None:
                out.append(Linked(m, iri("statute", rec.id), "statute"))
            elif k == "title" and _is_source(title):
                out.append(Linked(m, unknown_statute_iri(title), "statute", new=True, label=title))
        elif k == "article":
            title = _article_title(m, anchors, original)
            if title is None:
                continue
            num = m.attrs["article"]
            rec = index.statute(title, date)
            if rec is not None:
                known = rec.article(num) is not None
                out.append(Linked(m, iri("article", rec.id, num), "article", new=not known,
                                  label=f"{rec.short_title.zh or rec.title.zh} 第{num}条",
                                  parent=iri("statute", rec.id), number=num))
            elif _is_source(title):
                out.append(Linked(m, hashed("article", title, num), "article", new=True,
                                  label=f"{title} 第{num}条", parent=unknown_statute_iri(title), number=num))
        elif k == "case_number":
            n = norm_number(m.attrs["case_number"])
            cid = index.cases.get(n)
            if cid:
                out.append(Linked(m, iri("case", cid), "case"))
            else:
                out.append(Linked(m, iri("case", n), "case", new=True, label=m.attrs["case_number"]))
        elif k == "doc_number":
            rec = index.by_doc_number.get(norm_number(m.attrs["doc_number"]))
            if own_number and own_iri is not None and norm_number(own_number) == norm_number(m.attrs["doc_number"]):
                out.append(Linked(m, own_iri, "policy"))
            elif rec is not None:
                out.append(Linked(m, iri("statute", rec.id), "statute"))
            else:
                out.append(Linked(m, iri("policy", m.attrs["doc_number"]), "policy", new=True,
                                  label=m.attrs["doc_number"]))
        elif k == "court":
            out.append(Linked(m, iri("court", m.attrs["court"]), "court", new=True, label=m.attrs["court"]))
    return tuple(out)


@lru_cache(maxsize=1)
def _source_words() -> tuple[str, ...]:
    return tuple(load("citations")["statute_title_words"])


def _is_source(title: str) -> bool:
    """A 《title》 that names a legal source (law, interpretation, treaty, opinion), not a book."""
    bare = _PARENS.sub("", title)
    return bare.endswith(_source_words())
