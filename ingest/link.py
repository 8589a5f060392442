"""Resolve mentions and citations to node IRIs; give measures and rules their topics.

Why a separate step (eyecite's "resolve"): finding a span (extract, cite) and deciding which
node it names are different questions. ``反不正当竞争法第九条`` names the 2019 text's art. 9 in a
2023 judgment and the 2025 text's art. 9 in a 2026 one; ``（本案适用的是2019年修正的《反不正当
竞争法》第17条）`` names the 2019 version whatever the date; ``2010年修正的《著作权法》`` names a
version no record describes, which becomes a ``Statute`` node of its own. The versions come from
the curated records, ``corpus/versions.yaml`` and the statute texts ingested in the same run.

A case is one node whatever documents and records it arrives in: every 案号 of a record or of a
document's instances joins one group (union-find), whose IRI is the record's, else the earliest
instance's 案号, so it does not depend on which number a text prints first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import URIRef

from ingest.corpus import Corpus, StatuteRecord, article_label
from ingest.extract import Vocabulary
from ingest.iris import article_iri, title_key, unknown_statute_iri, version_iri
from ingest.lang import load
from ingest.lang.text import bare_title
from ingest.models import Citation, Linked, Mention, StatuteText, VersionHint
from kg.ns import iri, normalise_identifier

_STAGE_RANK = {"first_instance": 0, "second_instance": 1, "retrial_review": 2, "retrial": 3}


@dataclass
class Version:
    """One version of a statute as the linker knows it."""

    iri: URIRef
    year: int | None
    adopted: str | None
    effective: str | None
    label: str
    record: StatuteRecord | None = None
    doc_number: str | None = None
    known: bool = True            # a record or an ingested text describes it


@dataclass
class Family:
    """All known versions of one statute (one title key)."""

    key: str
    id: str | None
    title: str
    short: str
    kind: str | None
    issuer: str | None
    versions: list[Version] = field(default_factory=list)

    def in_force(self, date: str | None) -> Version | None:
        """The version in force on ``date`` (the latest if no date; the first if none yet)."""
        if not self.versions:
            return None
        dated = sorted(self.versions, key=lambda v: (v.effective or v.adopted or "0000", v.year or 0))
        if not date:
            return dated[-1]
        valid = [v for v in dated if (v.effective or v.adopted or "0000") <= date]
        return valid[-1] if valid else dated[0]


def norm_number(text: str) -> str:
    """案号 / 文号 compared without brackets style or spaces: （2018） == (2018), 〔〕 == ()."""
    return normalise_identifier(text)


def _version_label(short: str, year: int | None, event: str | None) -> str:
    words = load("words")
    if year is None:
        return short
    return words["version_label"].format(title=short, year=year, event=words["event_labels"].get(event or "", ""))


class LinkIndex:
    """Lookup tables: statute families and versions, 文号, cases; built once per ingest."""

    def __init__(self) -> None:
        self.families: dict[str, Family] = {}
        self.keys: dict[str, str] = {}
        self.by_doc_number: dict[str, tuple[str, Version]] = {}
        self.cases: dict[str, URIRef] = {}
        self.case_ids: dict[str, str] = {}          # 案号 → curated case id
        self.known_articles: set[URIRef] = set()
        self.texts: dict[URIRef, StatuteText] = {}

    # ------------------------------------------------------------------ building
    @classmethod
    def from_corpus(cls, corpus: Corpus) -> LinkIndex:
        idx = cls()
        records = {s.id: s for s in corpus.statutes}
        used: set[str] = set()
        for fam in corpus.families:
            short = fam.short[0] if fam.short else fam.title
            f = Family(title_key(fam.title), fam.id, fam.title, short, fam.kind, fam.issuer)
            for v in fam.versions:
                rec = records.get(v.record) if v.record else None
                node = iri("statute", rec.id) if rec else version_iri(fam.id, v.year)
                doc = v.doc_number or (rec.doc_number or rec.doc_number_unverified if rec else None)
                f.versions.append(Version(node, v.year, v.adopted, v.effective, _version_label(short, v.year, v.event),
                                          rec, doc, known=rec is not None))
                if rec is not None:
                    used.add(rec.id)
            idx._register(f, [fam.title, *fam.short])
        for rec in corpus.statutes:
            date = rec.adopted or rec.effective
            year = int(date[:4]) if date else None
            names = [rec.title.zh, rec.short_title.zh, *rec.aliases]
            if rec.id in used:
                fam = next(f for f in idx.families.values() if any(v.record is rec for v in f.versions))
                idx._register(fam, names)
                continue
            key = title_key(rec.title.zh)
            fam = idx.families.get(idx.keys.get(key, key))
            if fam is None:
                fam = Family(key, None, rec.title.zh, bare_title(rec.short_title.zh), rec.kind, None)
            fam.versions.append(Version(iri("statute", rec.id), year, rec.adopted, rec.effective,
                                        rec.short_title.zh, rec, rec.doc_number or rec.doc_number_unverified))
            idx._register(fam, names)
        for f in idx.families.values():
            for v in f.versions:
                if v.doc_number:
                    idx.by_doc_number[norm_number(v.doc_number)] = (f.key, v)
                if v.record is not None:
                    idx.known_articles.update(article_iri(v.iri, a.number) for a in v.record.articles)
        for c in corpus.cases:
            for n in (*c.case_numbers, *c.case_numbers_unverified):
                idx.cases[norm_number(n)] = iri("case", c.id)
                idx.case_ids[norm_number(n)] = c.id
        return idx

    def _register(self, fam: Family, names: Iterable[str]) -> None:
        self.families.setdefault(fam.key, fam)
        self.keys.setdefault(fam.key, fam.key)
        for n in names:
            k = title_key(n)
            if len(k) >= 2:
                self.keys.setdefault(k, fam.key)

    @property
    def short_names(self) -> tuple[str, ...]:
        """Statute names a text may print without 《》 before 第X条 (专利法第十一条)."""
        out = set()
        for k in self.keys:
            if 2 <= len(k) <= 16 and k.endswith(tuple(load("words")["short_name_endings"])):
                out.add(k)
        return tuple(sorted(out, key=len, reverse=True))

    def family(self, title: str | None, hint: VersionHint | None = None) -> Family | None:
        if hint is not None and hint.doc_number:
            hit = self.by_doc_number.get(norm_number(hint.doc_number))
            if hit:
                return self.families[hit[0]]
        if not title:
            return None
        key = self.keys.get(title_key(title))
        return self.families.get(key) if key else None

    def statute(self, title: str, date: str | None = None) -> StatuteRecord | None:
        """The curated record a title names in the version in force on ``date`` (or None)."""
        fam = self.family(title)
        if fam is None:
            return None
        v = fam.in_force(date)
        return v.record if v else None

    # ------------------------------------------------------------------ versions
    def pick(self, fam: Family, hint: VersionHint | None, date: str | None) -> Version:
        """The version a citation names (its hint) or, naming none, the one in force on ``date``."""
        if hint is not None and (hint.year or hint.date):
            found = None
            if hint.event == "effective" and hint.date:
                found = next((v for v in fam.versions if v.effective == hint.date), None) or fam.in_force(hint.date)
            elif hint.date:
                found = next((v for v in fam.versions if hint.date in (v.adopted, v.effective)), None)
            if found is None and hint.year:
                found = next((v for v in fam.versions if v.year == hint.year), None) or \
                    next((v for v in fam.versions if (v.adopted or "")[:4] == str(hint.year)), None)
            if found is not None:
                return found
            year = hint.year or int((hint.date or "0")[:4])
            node = version_iri(fam.id, year) if fam.id else unknown_statute_iri(fam.title, year)
            v = Version(node, year, hint.date if hint.event != "effective" else None,
                        hint.date if hint.event == "effective" else None,
                        _version_label(fam.short, year, hint.event), known=False)
            fam.versions.append(v)
            return v
        if hint is not None and hint.doc_number:
            hit = self.by_doc_number.get(norm_number(hint.doc_number))
            if hit:
                return hit[1]
        v = fam.in_force(date)
        if v is None:
            v = Version(unknown_statute_iri(fam.title), None, None, None, fam.short, known=False)
            fam.versions.append(v)
        return v

    def unknown(self, title: str, hint: VersionHint | None) -> Family:
        """A statute no record, family or text describes: a family of its own, from now on."""
        key = title_key(title)
        fam = Family(key, None, bare_title(title), bare_title(title), None, None)
        self._register(fam, [title])
        return fam

    # ------------------------------------------------------------------ texts of the run
    def add_text(self, doc: StatuteText) -> Version:
        """Register an ingested statute text: the version node it is (a curated record's when
        the title and dates agree, else a version of its own)."""
        hint = VersionHint(doc_number=doc.doc_number) if doc.doc_number else None
        fam = self.family(doc.title, hint) or self.family(doc.title)
        if fam is None:
            fam = Family(title_key(doc.title), None, doc.title, bare_title(doc.title), doc.kind, doc.issuer)
            self._register(fam, [doc.title])
        found = None
        for v in fam.versions:
            if doc.version_date and doc.version_date in (v.adopted, v.effective):
                found = v
            elif doc.effective and doc.effective == v.effective and not doc.version_date:
                found = v
            if found:
                break
        if found is None and (doc.version_date or doc.effective):
            year = int((doc.version_date or doc.effective or "0")[:4])
            found = next((v for v in fam.versions if v.year == year), None)
            if found is None:
                node = version_iri(fam.id, year) if fam.id else unknown_statute_iri(fam.title, year)
                found = Version(node, year, doc.version_date, doc.effective,
                                _version_label(fam.short, year, _last_event(doc)), known=False)
                fam.versions.append(found)
        if found is None:
            found = fam.in_force(None) or Version(unknown_statute_iri(doc.title), None, None, None, fam.short)
            if found not in fam.versions:
                fam.versions.append(found)
        found.known = True
        if doc.effective and not found.effective:
            found.effective = doc.effective
        if doc.version_date and not found.adopted:
            found.adopted = doc.version_date
        if doc.doc_number:
            self.by_doc_number.setdefault(norm_number(doc.doc_number), (fam.key, found))
        self.texts[found.iri] = doc
        self.known_articles.update(article_iri(found.iri, a.number) for a in doc.articles)
        return found

    # ------------------------------------------------------------------ cases
    def add_cases(self, groups: Sequence[Sequence[tuple[str, str]]]) -> list[URIRef]:
        """One IRI per case: ``groups`` holds, per document, its instances' (案号, stage); groups
        that share a 案号 with each other or with a record are one case."""
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        stage: dict[str, str] = {}
        record_groups: dict[str, list[str]] = {}
        for n, cid in self.case_ids.items():
            record_groups.setdefault(cid, []).append(n)
        for nums in record_groups.values():
            find(nums[0])
            for n in nums[1:]:
                union(nums[0], n)
        normed = []
        for g in groups:
            ns = [norm_number(n) for n, _s in g]
            for (_n, s), k in zip(g, ns, strict=True):
                stage[k] = s
                find(k)
            for k in ns[1:]:
                union(ns[0], k)
            normed.append(ns)
        members: dict[str, list[str]] = {}
        for k in list(parent):
            members.setdefault(find(k), []).append(k)
        canonical: dict[str, URIRef] = {}
        for root, ks in members.items():
            ids = sorted({self.case_ids[k] for k in ks if k in self.case_ids})
            if ids:
                canonical[root] = iri("case", ids[0])
            else:
                first = min(ks, key=lambda k: (_STAGE_RANK.get(stage.get(k, ""), 9), k[1:5], k))
                canonical[root] = iri("case", first)
        for k in parent:
            self.cases[k] = canonical[find(k)]
        return [self.cases[ns[0]] if ns else None for ns in normed]


def _last_event(doc: StatuteText) -> str | None:
    made = [e for e in doc.events if e.kind in ("adopted", "amended", "revised")]
    return max(made, key=lambda e: e.date).kind if made else None


# ---------------------------------------------------------------------------- topics


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


# ---------------------------------------------------------------------------- linking


@dataclass(frozen=True)
class Own:
    """The document itself: its node, and for a statute text the version it is."""

    iri: URIRef
    kind: str                              # policy | statute | case
    title: str | None = None
    number: str | None = None              # 文号 or one of its 案号
    numbers: frozenset[str] = frozenset()  # every 案号 / 文号 that names the document itself
    version: Version | None = None


def _names_itself(c: Citation, own: Own | None) -> bool:
    """A policy document's 《title》 (often with its issuer before it) is the document, not a law
    it cites: without this the cover letter makes it cite an unknown statute of its own name."""
    if own is None or own.kind != "policy" or not own.title or not c.title:
        return False
    mine = title_key(own.title)
    return len(mine) >= 6 and title_key(c.title).endswith(mine)


def resolve_citations(citations: Sequence[Citation], index: LinkIndex, date: str | None,
                      own: Own | None = None) -> tuple[Linked, ...]:
    """Citations → statute and article links, each to the version it names or the one in force
    on ``date``. A version named by 本案适用的是… also decides the text's other citations of
    the same statute that name none."""
    declared: dict[str, Version] = {}
    for c in citations:
        if c.declared and c.version is not None and not c.self_ref:
            fam = index.family(c.title, c.version)
            if fam is not None:
                declared[fam.key] = index.pick(fam, c.version, date)
    out: list[Linked] = []
    for c in citations:
        if _names_itself(c, own):
            continue                       # 印发《…若干措施》的通知: the cover letter names the text itself
        if c.self_ref:
            if own is None or own.version is None:
                continue
            version = own.version
        else:
            fam = index.family(c.title, c.version) or index.unknown(c.title or "", c.version)
            if c.version is None and fam.key in declared:
                version = declared[fam.key]
            else:
                version = index.pick(fam, c.version, date)
        span = Mention("LAW", c.text, c.start, c.end, "statute", {"title": c.title or ""})
        if not c.self_ref:
            out.append(Linked(span, version.iri, "statute", new=not version.known, label=version.label))
        for a in c.articles:
            node = article_iri(version.iri, a.article)
            m = Mention("ARTICLE", c.text, a.start, a.end, "article", {"article": a.article})
            out.append(Linked(m, node, "article", new=node not in index.known_articles,
                              label=f"{version.label} {article_label(a.article)}", parent=version.iri,
                              number=a.article))
    return tuple(out)


def link(mentions: Iterable[Mention], original: str, index: LinkIndex, vocab: Vocabulary,
         date: str | None = None, own: Own | None = None,
         citations: Sequence[Citation] = ()) -> tuple[Linked, ...]:
    """Mentions and citations → IRIs. Money and dates are values, not nodes, and are left out;
    titles and article numbers are linked through the citations that hold them."""
    mentions = sorted(mentions, key=lambda m: (m.start, -m.end))
    spans = [(c.start, c.end) for c in citations]
    own_numbers = own.numbers if own else frozenset()
    out: list[Linked] = list(resolve_citations(citations, index, date, own))
    for m in mentions:
        k = m.kind
        if k == "concept":
            out.append(Linked(m, iri("concept", m.attrs["concept"]), "concept"))
        elif k == "title":
            if own is not None and own.title and m.attrs["title"].endswith(own.title) and own.kind == "policy":
                out.append(Linked(m, own.iri, "policy"))
        elif k == "case_number":
            n = norm_number(m.attrs["case_number"])
            if n in own_numbers:
                continue
            node = index.cases.get(n)
            if node is not None:
                out.append(Linked(m, node, "case"))
            else:
                out.append(Linked(m, iri("case", n), "case", new=True, label=m.attrs["case_number"]))
        elif k == "doc_number":
            n = norm_number(m.attrs["doc_number"])
            if any(s <= m.start and m.end <= e for s, e in spans):
                continue
            if n in own_numbers and own is not None:
                out.append(Linked(m, own.iri, own.kind))
                continue
            hit = index.by_doc_number.get(n)
            if hit is not None:
                out.append(Linked(m, hit[1].iri, "statute", new=not hit[1].known, label=hit[1].label))
            else:
                out.append(Linked(m, iri("policy", m.attrs["doc_number"]), "policy", new=True,
                                  label=m.attrs["doc_number"]))
        elif k == "court":
            out.append(Linked(m, iri("court", m.attrs["court"]), "court", new=True, label=m.attrs["court"]))
    return tuple(out)


__all__ = ["Family", "LinkIndex", "Own", "Version", "link", "norm_number", "resolve_citations", "topics_for"]
