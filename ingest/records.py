"""Emit the curated corpus (cases, statutes, their courts, issuers and places) as RDF.

Why separate from ``build.py``: curated records carry facts that were checked by people (案号,
courts, verification state), while ``build.py`` emits what the pipeline extracted from text. Both
mint IRIs through :mod:`kg.ns`, so a statute cited in a judgment's text and the same statute's
curated record meet on one node.

Pure function: a :class:`~ingest.corpus.Corpus` in, an ``rdflib.Graph`` out; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ingest.corpus import (
    Bilingual,
    CaseRecord,
    Corpus,
    CourtRef,
    Gazetteer,
    Place,
    StatuteRecord,
    StatuteRef,
    article_label,
)
from kg.ns import IPRG, PREFIXES, hashed, iri

__all__ = ["corpus_graph", "court_level", "court_places", "court_iri", "unknown_statute_iri"]


def court_iri(name_zh: str) -> URIRef:
    return iri("court", name_zh)


def unknown_statute_iri(citation: str) -> URIRef:
    """IRI of a statute known only by the citation text a case gives (no curated record)."""
    return hashed("statute", citation)


def court_level(name_zh: str, gazetteer: Gazetteer) -> str | None:
    """supreme / high / intermediate / specialised / basic, by the gazetteer's ordered rules."""
    for needle, level in gazetteer.court_levels:
        if needle in name_zh:
            return level
    return None


def parent_court(name_zh: str) -> str | None:
    """最高人民法院知识产权法庭 → 最高人民法院: a 法庭 named after the court it sits in."""
    if name_zh.endswith("法庭"):
        cut = name_zh.rfind("法院")
        if cut > 0:
            return name_zh[: cut + 2]
    return None


def court_places(name_zh: str, gazetteer: Gazetteer) -> list[Place]:
    """The places a court's name spells out, from the widest to the narrowest.

    Reads the name from the left: a province (full name or short form, 北京知识产权法院), then a
    city, then a district, each only if it is known to the gazetteer. Nothing is guessed from
    names the gazetteer lacks, so an unknown city simply ends the chain.
    """
    rest, found = name_zh, []
    for rank in ("province", "city", "district"):
        candidates = [p for p in gazetteer.places if p.rank == rank]
        for place in sorted(candidates, key=lambda p: -len(p.name)):
            for form in (place.name, place.short):
                if form and rest.startswith(form):
                    found.append(place)
                    rest = rest[len(form):]
                    break
            else:
                continue
            break
    if found:
        # Fill in the parents the name leaves out (杭州铁路运输法院 → 浙江省 > 杭州市).
        chain = [found[-1]]
        while chain[0].parent and gazetteer.place(chain[0].parent):
            chain.insert(0, gazetteer.place(chain[0].parent))
        return chain
    return []


class _Emitter:
    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.g = Graph()
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns)
        self.statutes = {s.id: s for s in corpus.statutes}
        self._index = None  # ingest.link.LinkIndex, built on the first unversioned citation
        self.court_en: dict[str, str] = {}
        for case in sorted(corpus.cases, key=lambda c: c.id):
            for court in case.courts:
                if court.en and court.zh not in self.court_en:
                    self.court_en[court.zh] = court.en

    # -- helpers
    def add(self, s: URIRef, p: URIRef, o) -> None:
        self.g.add((s, p, o))

    def text(self, s: URIRef, p: URIRef, value: Bilingual | None) -> None:
        if value is None:
            return
        self.add(s, p, Literal(value.zh, lang="zh"))
        if value.en:
            self.add(s, p, Literal(value.en, lang="en"))

    def label(self, s: URIRef, zh: str, en: str | None) -> None:
        self.text(s, RDFS.label, Bilingual(zh, en))

    # -- places, courts, organisations
    def place(self, place: Place) -> URIRef:
        node = iri("place", place.name)
        if (node, RDF.type, IPRG.Place) not in self.g:
            self.add(node, RDF.type, IPRG.Place)
            self.label(node, place.name, place.en)
            parent = self.corpus.gazetteer.place(place.parent) if place.parent else None
            if parent is not None:
                self.add(node, IPRG.locatedIn, self.place(parent))
        return node

    def court(self, ref: CourtRef | str) -> URIRef:
        zh = ref if isinstance(ref, str) else ref.zh
        node = court_iri(zh)
        if (node, RDF.type, IPRG.Court) in self.g:
            return node
        gaz = self.corpus.gazetteer
        self.add(node, RDF.type, IPRG.Court)
        self.label(node, zh, self.court_en.get(zh) or _known_court_en(zh))
        parent = parent_court(zh)
        level = court_level(parent or zh, gaz)
        if level:
            self.add(node, IPRG.courtLevel, Literal(level))
        if parent:
            self.add(node, IPRG.parentCourt, self.court(parent))
        places = court_places(zh, gaz)
        if places:
            self.add(node, IPRG.locatedIn, self.place(places[-1]))
        return node

    def issuer(self, who: Bilingual) -> URIRef:
        if who.zh.endswith("法院"):
            node = self.court(who.zh)
            if who.en and not any(o.language == "en" for o in self.g.objects(node, RDFS.label)):
                self.add(node, RDFS.label, Literal(who.en, lang="en"))
            return node
        node = iri("org", who.zh)
        if (node, RDF.type, IPRG.Organisation) not in self.g:
            self.add(node, RDF.type, IPRG.Organisation)
            self.label(node, who.zh, who.en)
        return node

    # -- statutes and articles
    def statute(self, s: StatuteRecord) -> URIRef:
        node = iri("statute", s.id)
        self.add(node, RDF.type, IPRG.Statute)
        self.label(node, s.short_title.zh, s.short_title.en)
        self.text(node, IPRG.title, s.title)
        self.add(node, IPRG.shortTitle, Literal(s.short_title.zh, lang="zh"))
        for alias in s.aliases:
            self.add(node, IPRG.shortTitle, Literal(alias, lang="zh"))
        if s.doc_number:
            self.add(node, IPRG.docNumber, Literal(s.doc_number))
        self.add(node, IPRG.statuteKind, Literal(s.kind))
        self.add(node, IPRG.status, Literal(s.status))
        for prop, value in ((IPRG.adopted, s.adopted), (IPRG.effective, s.effective)):
            if value:
                self.add(node, prop, Literal(value, datatype=XSD.date))
        for who in s.issuers:
            self.add(node, IPRG.issuer, self.issuer(who))
        self.text(node, IPRG.gist, s.summary)
        if s.supersedes:
            self.add(node, DCTERMS.replaces, iri("statute", s.supersedes))
        if s.superseded_by:
            self.add(node, DCTERMS.isReplacedBy, iri("statute", s.superseded_by))
        self.add(node, IPRG.verified, Literal(s.verified))
        for url in s.sources:
            self.add(node, IPRG.source, Literal(url, datatype=XSD.anyURI))
        for article in s.articles:
            a = self.article(s, article.number)
            self.text(a, IPRG.gist, article.gist)
        for n in s.measures:
            self.add(self.measure(n), IPRG.cites, node)
        return node

    def article(self, s: StatuteRecord, number: str) -> URIRef:
        node = iri("article", s.id, number)
        if (node, RDF.type, IPRG.Article) in self.g:
            return node
        known = s.article(number)
        label = known.label if known else article_label(number)
        statute = iri("statute", s.id)
        self.add(node, RDF.type, IPRG.Article)
        self.label(node, s.short_title.zh + label, f"{s.short_title.en or s.title.en}, Article {number}")
        self.add(node, IPRG.articleNumber, Literal(number))
        self.add(node, IPRG.articleLabel, Literal(label, lang="zh"))
        self.add(node, IPRG.articleOf, statute)
        self.add(statute, IPRG.hasPart, node)
        return node

    def cited(self, ref: StatuteRef, decided: str | None = None) -> list[URIRef]:
        """Nodes a case's statute reference points at (none for a non-statutory source)."""
        if ref.statute is not None:
            record = self.statutes[ref.statute]
            if ref.article:
                return [self.article(record, ref.article)]
            return [iri("statute", record.id)]
        citation = parse_citation(ref.citation or "")
        if not citation.is_source:
            return []
        if not citation.versioned:
            # 商标法第十三条 with no year: the version in force when the case was decided.
            from ingest.link import LinkIndex  # link imports this module; import here

            if self._index is None:
                self._index = LinkIndex.from_corpus(self.corpus)
            record = self._index.statute(citation.title, decided)
            if record is not None:
                if not citation.articles:
                    return [iri("statute", record.id)]
                return [self.article(record, n) for n in citation.articles]
        node = unknown_statute_iri(citation.title)
        if (node, RDF.type, IPRG.Statute) not in self.g:
            self.add(node, RDF.type, IPRG.Statute)
            self.add(node, IPRG.title, Literal(citation.title, lang="zh"))
            self.add(node, RDFS.label, Literal(citation.title, lang="zh"))
        if not citation.articles:
            return [node]
        out = []
        for n in citation.articles:
            art = hashed("article", citation.title, n)
            if (art, RDF.type, IPRG.Article) not in self.g:
                label = article_label(n)
                self.add(art, RDF.type, IPRG.Article)
                self.add(art, RDFS.label, Literal(citation.title + label, lang="zh"))
                self.add(art, IPRG.articleNumber, Literal(n))
                self.add(art, IPRG.articleLabel, Literal(label, lang="zh"))
                self.add(art, IPRG.articleOf, node)
                self.add(node, IPRG.hasPart, art)
            out.append(art)
        return out

    def measure(self, n: int) -> URIRef:
        return iri("measure", self.corpus.measures_policy, n)

    # -- cases
    def case(self, c: CaseRecord) -> URIRef:
        node = iri("case", c.id)
        self.add(node, RDF.type, IPRG.Case)
        self.text(node, RDFS.label, c.name)
        for number in c.case_numbers:
            self.add(node, IPRG.caseNumber, Literal(number))
        for number in c.case_numbers_unverified:
            self.add(node, IPRG.caseNumberUnverified, Literal(number))
        for court in c.courts:
            self.add(node, IPRG.court, self.court(court))
        if c.decided:
            # An interval (2021/2022: the instances span those dates) is stored as its end, the
            # date of the last decision, since iprg:decided holds one ISO date, month or year.
            self.add(node, IPRG.decided, Literal(c.decided.split("/")[-1]))
        self.add(node, IPRG.cause, Literal(c.cause, lang="zh"))
        _each(self, node, IPRG.plaintiff, c.plaintiffs)
        _each(self, node, IPRG.defendant, c.defendants)
        self.text(node, IPRG.holding, c.holding)
        self.text(node, IPRG.outcome, c.outcome)
        _each(self, node, IPRG.honour, c.honours)
        self.add(node, IPRG.verified, Literal(c.verified))
        for url in c.sources:
            self.add(node, IPRG.source, Literal(url, datatype=XSD.anyURI))
        for topic in c.topics:
            self.add(node, IPRG.aboutTopic, iri("topic", topic))
        for n in c.measures:
            self.add(node, IPRG.illustrates, self.measure(n))
        for ref in c.statutes:
            for target in self.cited(ref, c.decided.split("/")[-1] if c.decided else None):
                self.add(node, IPRG.cites, target)
        for rel in c.related:
            self.add(node, IPRG.relatedCase, iri("case", rel.case))
        if c.appeal_of:
            self.add(node, IPRG.appealOf, iri("case", c.appeal_of))
        return node


@dataclass(frozen=True)
class Citation:
    """A free-text statute reference of a case record, read into its parts."""

    title: str                  # 专利法（2008年）, the version kept when the text gives one
    articles: tuple[str, ...]   # "11", "65", "10-1"
    versioned: bool             # the title names a version (a year in brackets)
    is_source: bool             # the title names a legal source, not a doctrine (FRAND承诺)


_ARTICLE = re.compile(r"第([〇零一二三四五六七八九十百千两\d]+)条(?:之([一二三四五六七八九十]+))?")
_RANGE = re.compile(_ARTICLE.pattern + r"至" + _ARTICLE.pattern)
_VERSION = re.compile(r"[（(]\d{4}年[^）)]*[）)]")
_NOTE = re.compile(r"[（(][^）)]*[）)]$")


def parse_citation(text: str) -> Citation:
    """``专利法（2008年）第十一条、第六十五条`` → title 专利法（2008年）, articles 11 and 65.

    Parsed by the shape of Chinese citations, not by a list of laws: the title is what comes
    before the first 第…条 (or the whole text less a trailing remark in brackets); 第A条至第B条
    is a range; a title that does not end like a legal source (法, 条例, 规定, 解释, 公约 …) is a
    doctrine or a private commitment and cites no statute.
    """
    from ingest.lang.numerals import cn_to_int
    from ingest.link import _is_source

    text = text.strip()
    first = _ARTICLE.search(text)
    title = text[: first.start()] if first else text
    title = title.strip(" 、，,")
    while not first and _NOTE.search(title) and not _VERSION.search(_NOTE.search(title).group(0)):
        title = title[: _NOTE.search(title).start()].strip()
    numbers: list[str] = []

    def number(main: str, sub: str | None) -> str:
        n = str(cn_to_int(main))
        return f"{n}-{cn_to_int(sub)}" if sub else n

    covered: list[tuple[int, int]] = []
    for m in _RANGE.finditer(text):
        lo, hi = cn_to_int(m.group(1)), cn_to_int(m.group(3))
        if 0 < hi - lo <= 50:
            numbers.extend(str(n) for n in range(lo, hi + 1))
            covered.append(m.span())
    for m in _ARTICLE.finditer(text):
        if not any(a <= m.start() < b for a, b in covered):
            numbers.append(number(m.group(1), m.group(2)))
    return Citation(
        title=title,
        articles=tuple(dict.fromkeys(numbers)),
        versioned=bool(_VERSION.search(title)),
        is_source=bool(title) and _is_source(title),
    )


def _each(em: _Emitter, node: URIRef, prop: URIRef, values: Iterable[str]) -> None:
    for v in values:
        em.add(node, prop, Literal(v, lang="zh"))


_COURT_EN = {"最高人民法院": "Supreme People's Court"}


def _known_court_en(zh: str) -> str | None:
    return _COURT_EN.get(zh)


def corpus_graph(corpus: Corpus) -> Graph:
    """The corpus as RDF: every case, statute, article, court, organisation and place.

    Statutes come first so that article nodes carry their curated gists; cases then cite those
    nodes (an article a case cites but the record does not list still gets a node with its
    number and label). Citations that name no statute record become statutes of their own with
    a hashed IRI and the citation text as title.
    """
    em = _Emitter(corpus)
    for s in corpus.statutes:
        em.statute(s)
    for c in corpus.cases:
        em.case(c)
    return em.g
