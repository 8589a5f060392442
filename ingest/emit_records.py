"""Emit the curated corpus (cases, statutes, their courts, issuers and places) as RDF.

Why separate from ``emit.py``: curated records carry facts that were checked by people (案号,
courts, verification state), while ``emit.py`` emits what the pipeline extracted from text. Both
mint IRIs through :mod:`kg.ns` and :mod:`ingest.iris`, and a record's free-text citation is
resolved by the same :class:`~ingest.link.LinkIndex` as a citation in a text, so a statute
version cited in a judgment and in a record meet on one node.

Pure function: a :class:`~ingest.corpus.Corpus` in, an ``rdflib.Graph`` out; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ingest.cite import is_source, parse_reference
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
from ingest.iris import article_iri, unknown_statute_iri
from ingest.lang import load
from ingest.link import LinkIndex
from kg.ns import IPRG, PREFIXES, iri

__all__ = ["corpus_graph", "court_level", "court_places", "court_iri", "unknown_statute_iri", "parse_citation",
           "authority_of_case", "CASE_TIERS", "NORM_TIERS"]

#: Authority tiers (DESIGN "Authority of sources"), rank 1 = weighs most. Cases: guiding case >
#: SPC typical / gazette case > high court reference case > other. Norms: law > regulation >
#: judicial interpretation > court policy document.
CASE_TIERS = {"guiding_case": 1, "typical_case": 2, "reference_case": 3, "other_case": 4}
NORM_TIERS = {"law": 1, "regulation": 2, "judicial_interpretation": 3, "policy_document": 4}


TIER_IRI = {
    "guiding_case": IPRG.GuidingCaseAuthority, "typical_case": IPRG.TypicalCaseAuthority,
    "reference_case": IPRG.ReferenceCaseAuthority, "other_case": IPRG.OtherCaseAuthority,
    "law": IPRG.LawAuthority, "regulation": IPRG.RegulationAuthority,
    "judicial_interpretation": IPRG.JudicialInterpretationAuthority,
    "policy_document": IPRG.PolicyDocumentAuthority,
}


def authority_of_case(honours: Iterable[str], courts: Iterable[str]) -> str:
    """The tier of a case from how it was honoured (指导性案例, 典型案例, 公报案例, 参考案例)."""
    series = load("words")["case_series"]
    tiers = {"guiding": "guiding_case", "typical": "typical_case", "reference": "reference_case"}
    found = [tiers[kind] for h in honours for word, kind in series.items() if word in h]
    if found:
        return min(found, key=lambda t: CASE_TIERS[t])
    return "other_case"


def norm_tier(kind: str) -> str:
    """statuteKind → tier id (treaties and other kinds rank with laws/regulations)."""
    return {"law": "law", "treaty": "law", "judicial_interpretation": "judicial_interpretation",
            "spc_opinion": "policy_document", "policy": "policy_document"}.get(kind, "regulation")


def court_iri(name_zh: str) -> URIRef:
    return iri("court", name_zh)


@dataclass(frozen=True)
class CourtFacts:
    """What a court's name tells: its level, the court it sits in, the place it is in."""

    level: str | None
    parent: str | None
    place: Place | None


def court_facts(name_zh: str, gazetteer: Gazetteer) -> CourtFacts:
    parent = parent_court(name_zh)
    places = court_places(name_zh, gazetteer)
    return CourtFacts(court_level(parent or name_zh, gazetteer), parent, places[-1] if places else None)


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
    def __init__(self, corpus: Corpus, index: LinkIndex | None = None):
        self.corpus = corpus
        self.g = Graph()
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns)
        self.statutes = {s.id: s for s in corpus.statutes}
        self._index = index
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
        self.add(node, RDF.type, IPRG.Court)
        self.label(node, zh, self.court_en.get(zh) or _known_court_en(zh))
        facts = court_facts(zh, self.corpus.gazetteer)
        if facts.level:
            self.add(node, IPRG.courtLevel, Literal(facts.level))
        if facts.parent:
            self.add(node, IPRG.parentCourt, self.court(facts.parent))
        if facts.place:
            self.add(node, IPRG.locatedIn, self.place(facts.place))
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
        tier = norm_tier(s.kind)
        self.add(node, IPRG.authority, TIER_IRI[tier])
        self.add(node, IPRG.authorityRank, Literal(NORM_TIERS[tier], datatype=XSD.integer))
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
        node = article_iri(iri("statute", s.id), number)
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
        citation = parse_reference(ref.citation or "")
        if not citation.title or not is_source(citation.title):
            return []
        if self._index is None:
            self._index = LinkIndex.from_corpus(self.corpus)
        # 商标法第十三条 with no year: the version in force when the case was decided;
        # 反不正当竞争法（1993年）: that version, a node of its own when no record describes it.
        fam = self._index.family(citation.title, citation.version) or \
            self._index.unknown(citation.title, citation.version)
        version = self._index.pick(fam, citation.version, decided)
        node = version.iri
        if (node, RDF.type, IPRG.Statute) not in self.g and not version.known:
            self.add(node, RDF.type, IPRG.Statute)
            self.add(node, IPRG.title, Literal(fam.title, lang="zh"))
            self.add(node, RDFS.label, Literal(version.label, lang="zh"))
            if version.effective:
                self.add(node, IPRG.effective, Literal(version.effective, datatype=XSD.date))
        if not citation.articles:
            return [node]
        out = []
        for a in dict.fromkeys(x.article for x in citation.articles):
            art = article_iri(node, a)
            if (art, RDF.type, IPRG.Article) not in self.g and version.record is None:
                label = article_label(a)
                self.add(art, RDF.type, IPRG.Article)
                self.add(art, RDFS.label, Literal(version.label + label, lang="zh"))
                self.add(art, IPRG.articleNumber, Literal(a))
                self.add(art, IPRG.articleLabel, Literal(label, lang="zh"))
                self.add(art, IPRG.articleOf, node)
                self.add(node, IPRG.hasPart, art)
            elif version.record is not None:
                art = self.article(version.record, a)
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
        tier = authority_of_case(c.honours, (ct.zh for ct in c.courts))
        self.add(node, IPRG.authority, TIER_IRI[tier])
        self.add(node, IPRG.authorityRank, Literal(CASE_TIERS[tier], datatype=XSD.integer))
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
class RecordCitation:
    """A free-text statute reference of a case record, read into its parts."""

    title: str                  # 专利法（2008年）, the version kept when the text gives one
    articles: tuple[str, ...]   # "11", "65", "10-1"
    versioned: bool             # the title names a version (a year in brackets)
    is_source: bool             # the title names a legal source, not a doctrine (FRAND承诺)


def parse_citation(text: str) -> RecordCitation:
    """``专利法（2008年）第十一条、第六十五条`` → title 专利法（2008年）, articles 11 and 65.

    Parsed by the shape of Chinese citations (:func:`ingest.cite.parse_reference`), not by a
    list of laws: the title is what comes before the first 第…条; 第A条至第B条 is a range; a
    title that does not end like a legal source (法, 条例, 规定, 解释, 公约 …) is a doctrine or a
    private commitment and cites no statute.
    """
    c = parse_reference(text)
    title = c.title or ""
    return RecordCitation(
        title=title,
        articles=tuple(dict.fromkeys(a.article for a in c.articles)),
        versioned=c.version is not None and (c.version.year is not None or c.version.date is not None),
        is_source=bool(title) and is_source(title),
    )


def _each(em: _Emitter, node: URIRef, prop: URIRef, values: Iterable[str]) -> None:
    for v in values:
        em.add(node, prop, Literal(v, lang="zh"))


_COURT_EN = {"最高人民法院": "Supreme People's Court"}


def _known_court_en(zh: str) -> str | None:
    return _COURT_EN.get(zh)


def corpus_graph(corpus: Corpus, index: LinkIndex | None = None) -> Graph:
    """The corpus as RDF: every case, statute, article, court, organisation and place.

    Statutes come first so that article nodes carry their curated gists; cases then cite those
    nodes (an article a case cites but the record does not list still gets a node with its
    number and label). Citations that name no statute record become statutes of their own with
    a hashed IRI and the citation text as title.
    """
    em = _Emitter(corpus, index)
    for s in corpus.statutes:
        em.statute(s)
    for c in corpus.cases:
        em.case(c)
    return em.g
