"""Find mentions: vocabulary terms and citations, with exact spans in the original text.

A spaCy ``zh`` pipeline (blank, character segmenter; no model downloads) with one component,
``iprg_char_ruler``: an entity ruler that matches on CHARACTERS. Why characters: a word
segmenter's (jieba's) token boundaries do not follow term boundaries (``标准必要专利`` may be cut anywhere, and its
cut depends on context), so token patterns miss terms. The ruler matches the vocabulary's
pref/alt/hidden labels and the citation patterns of ``lang/citations.yaml`` on the cleaned text,
stores every match (overlaps included) in ``doc.user_data`` and as spans
(``doc.char_span(..., alignment_mode="expand")``) in ``doc.spans["iprg"]`` and ``doc.ents``.
:func:`extract` then maps clean offsets back to the original through :class:`CleanText`.

Rules (normative statements) are split here too, because their modality is read from cue words
with the mention spans blanked out (``禁止反悔原则`` is a doctrine, not a prohibition).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import spacy
from rdflib import Graph
from rdflib.namespace import SKOS
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from ingest.lang import compiled, expand, load
from ingest.lang.numerals import money_to_decimal
from ingest.lang.text import anchored, article_number, court_name, iso_date, trim_prefix
from ingest.models import CleanText, IngestError, Measure, Mention, Modality, Rule
from kg.ns import SCHEME_TOPICS, SCHEME_VOCAB, local_name
from ontology import path as ontology_path

EXTRACTOR_VERSION = "iprg-extract/0.1"


# ----------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """Labels of the SKOS vocabulary and the concept → topic links of the topic scheme."""

    labels: tuple[tuple[str, str], ...]               # (label, concept id)
    topics_of: dict[str, tuple[str, ...]]             # concept id → topic ids
    pref: dict[str, str]                              # concept id → prefLabel @zh
    topic_ids: frozenset[str]


def _vocab_path() -> Path:
    return ontology_path("vocabulary.ttl")


@lru_cache(maxsize=4)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    """Read ``ontology/vocabulary.ttl`` (or ``path``) with rdflib.

    Labels: every @zh pref/alt/hidden label of a concept in the vocabulary scheme, plus Latin
    acronyms (FRAND, SEP, WIPO AMC) from the @en labels. Labels that are bare article numbers
    (第二条) or listed in ``lang/terms.yaml`` are skipped: they are citations or too generic.
    """
    p = Path(path) if path else _vocab_path()
    if not p.exists():
        raise IngestError(f"vocabulary not found: {p}")
    g = Graph()
    try:
        g.parse(p, format="turtle")
    except Exception as e:  # rdflib raises several parser exception types
        raise IngestError(f"cannot parse vocabulary: {e}", source=p) from None
    stop = set(load("terms")["stop_labels"])
    labels: set[tuple[str, str]] = set()
    pref: dict[str, str] = {}
    for c in set(g.subjects(SKOS.inScheme, SCHEME_VOCAB)):
        cid = local_name(c)
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for lit in g.objects(c, prop):
                text = str(lit).strip()
                lang = getattr(lit, "language", None)
                if prop == SKOS.prefLabel and lang == "zh":
                    pref[cid] = text
                latin_acronym = lang == "en" and re.fullmatch(r"[A-Z0-9][A-Z0-9 +]{1,11}", text)
                if (lang in ("zh", None) or latin_acronym) and text not in stop and not _is_article_label(text):
                    if len(text) >= 2:
                        labels.add((text, cid))
    topic_ids = frozenset(local_name(t) for t in g.subjects(SKOS.inScheme, SCHEME_TOPICS))
    topics: dict[str, set[str]] = {}
    for t in g.subjects(SKOS.inScheme, SCHEME_TOPICS):
        for c in g.objects(t, SKOS.related):
            if (c, SKOS.inScheme, SCHEME_VOCAB) in g:
                topics.setdefault(local_name(c), set()).add(local_name(t))
        for c in g.subjects(SKOS.related, t):
            if (c, SKOS.inScheme, SCHEME_VOCAB) in g:
                topics.setdefault(local_name(c), set()).add(local_name(t))
    return Vocabulary(
        labels=tuple(sorted(labels, key=lambda x: (-len(x[0]), x[0], x[1]))),
        topics_of={k: tuple(sorted(v)) for k, v in topics.items()},
        pref=pref,
        topic_ids=topic_ids,
    )


#: Kinds found by their end and extended backwards (lang/patterns.yaml ``anchored``).
_ANCHORED = frozenset(load("patterns")["anchored"])


def _is_article_label(text: str) -> bool:
    m = compiled("chain_article").fullmatch(text)
    return m is not None


# ----------------------------------------------------------------------------- the matcher


def _is_ascii_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


class CharRuler:
    """Character-level entity ruler: vocabulary labels + citation regexes."""

    def __init__(self, labels: Sequence[tuple[str, str]]):
        by_first: dict[str, list[tuple[str, str, str]]] = {}
        for label, cid in labels:
            by_first.setdefault(label.lower(), []).append((label, cid))
        # Aho–Corasick over every label: all occurrences, overlapping and nested ones included,
        # in one pass in C (a Python loop over characters was most of extraction's cost)
        self.automaton = ahocorasick.Automaton()
        for key, values in by_first.items():
            self.automaton.add_word(key, (key, tuple(values)))
        if by_first:
            self.automaton.make_automaton()
        self.by_first = by_first
        c = load("citations")
        self.patterns = [(p["label"], p["kind"], re.compile(expand(p["regex"]))) for p in c["patterns"]]
        self.stop = set(load("patterns")["prefix_stop_chars"])
        self.initials = tuple(sorted(c["doc_number_initials"], key=len, reverse=True))

    def find(self, text: str) -> list[tuple[int, int, str, str, dict[str, str]]]:
        """All matches as ``(start, end, label, kind, attrs)`` in ``text`` offsets."""
        out = self._terms(text)
        for label, kind, rx in self.patterns:
            if kind in _ANCHORED:
                for s, e in anchored(text, kind):
                    m = rx.match(text, s, e)
                    hit = self._citation(kind, m) if m is not None else None
                    if hit is not None:
                        out.append((hit[0], hit[1], label, kind, hit[2]))
                continue
            for m in rx.finditer(text):
                hit = self._citation(kind, m)
                if hit is not None:
                    s, e, attrs = hit
                    out.append((s, e, label, kind, attrs))
        out.sort(key=lambda x: (x[0], -x[1]))
        return out

    def _terms(self, text: str) -> list[tuple[int, int, str, str, dict[str, str]]]:
        low = text.lower()
        hits = []
        n = len(text)
        if not self.by_first or len(low) != n:
            return hits
        for end, (lab, values) in self.automaton.iter(low):
            e = end + 1
            i = e - len(lab)
            if _is_ascii_word(lab[0]) and i > 0 and _is_ascii_word(text[i - 1]):
                continue
            if _is_ascii_word(lab[-1]) and e < n and _is_ascii_word(text[e]):
                continue
            for orig, cid in values:
                hits.append((i, e, "CONCEPT", "concept", {"concept": cid, "label": orig}))
        # mark terms nested in a longer term (kept as mentions, not used for topics)
        spans = sorted({(s, e) for s, e, *_ in hits}, key=lambda x: (x[0], -x[1]))
        outer: list[tuple[int, int]] = []
        for s, e in spans:
            if not any(os_ <= s and e <= oe and (os_, oe) != (s, e) for os_, oe in outer[-8:]):
                outer.append((s, e))
        outer_set = set(outer)
        for h in hits:
            if (h[0], h[1]) not in outer_set:
                h[4]["nested"] = "1"
        return hits

    def _citation(self, kind: str, m: re.Match) -> tuple[int, int, dict[str, str]] | None:
        s, e = m.start(), m.end()
        attrs: dict[str, str] = {}
        try:
            if kind == "title":
                attrs["title"] = m["title"]
            elif kind == "article":
                attrs["article"] = article_number(m["article"])
            elif kind == "case_number":
                parts = compiled("case_number_parts").match(m.group(0))
                if parts is None:
                    return None
                attrs["year"] = parts["year"]
                attrs["case_number"] = re.sub(r"\s+", "", m.group(0))
            elif kind == "doc_number":
                parts = compiled("doc_number_parts").match(m.group(0))
                run = trim_prefix(parts["prefix"], self.stop)
                prefix = next((run[i:] for i in range(len(run)) if run[i:].startswith(self.initials)), "")
                if not prefix:
                    return None
                s = m.start() + parts.start("prefix") + len(parts["prefix"]) - len(prefix)
                attrs["doc_number"] = re.sub(r"\s+", "", m.string[s:e])
                attrs["year"] = parts["year"]
            elif kind == "money":
                attrs["value"] = str(money_to_decimal(m["num"], m["unit"]))
            elif kind == "date":
                iso = iso_date(m.group(0))
                if iso is None:
                    return None
                attrs["date"] = iso
            elif kind == "court":
                name = court_name(m["name"])
                if name is None:
                    return None
                s = e - len(name)
                attrs["court"] = name
        except (ValueError, KeyError, ArithmeticError):
            return None
        return s, e, attrs


# ----------------------------------------------------------------------------- spaCy


@Language.factory("iprg_char_ruler", default_config={"vocabulary": ""})
def make_char_ruler(nlp: Language, name: str, vocabulary: str) -> Callable[[Doc], Doc]:
    """spaCy factory: ``vocabulary`` is a path to a SKOS Turtle file ("" = the ontology's)."""
    char_ruler = ruler(vocabulary)

    def component(doc: Doc) -> Doc:
        found = char_ruler.find(doc.text)
        doc.user_data["iprg"] = [[s, e, label, kind, attrs] for s, e, label, kind, attrs in found]
        spans = []
        for s, e, label, _kind, _attrs in found:
            span = doc.char_span(s, e, label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["iprg"] = spans
        doc.ents = filter_spans(spans)
        return doc

    return component


@lru_cache(maxsize=4)
def pipeline(vocabulary: str = "") -> Language:
    """The ``zh`` pipeline: blank Chinese, one token per character, + the character ruler.

    Why not jieba: every span the ruler finds is a character span, so character tokens align
    with it exactly, and word segmentation was 4× the cost of the whole extraction (measured
    with bench/ingest.py: 15 vs 57 real documents/s) for tokens nothing downstream reads.
    """
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    nlp.add_pipe("iprg_char_ruler", config={"vocabulary": vocabulary})
    return nlp


def _mentions(ct: CleanText, doc: Doc) -> tuple[Mention, ...]:
    out = []
    for s, e, label, kind, attrs in doc.user_data.get("iprg", []):
        os_, oe = ct.span_to_original(s, e)
        out.append(Mention(label, ct.text[s:e], os_, oe, kind, dict(attrs)))
    return tuple(out)


@lru_cache(maxsize=4)
def ruler(vocabulary: str = "") -> CharRuler:
    """The character ruler of the spaCy component, built once per vocabulary."""
    return CharRuler(load_vocabulary(vocabulary or None).labels)


def extract(ct: CleanText, vocabulary: str = "") -> tuple[Mention, ...]:
    """Mentions in one cleaned document, spans in the ORIGINAL text.

    The ruler runs on the text directly: building a spaCy ``Doc`` (one token per character)
    tripled the cost and nothing downstream reads its tokens (bench/ingest.py compares both;
    :func:`extract_many` goes through ``nlp.pipe`` and gives the same mentions).
    """
    out = []
    for s, e, label, kind, attrs in ruler(vocabulary).find(ct.text):
        os_, oe = ct.span_to_original(s, e)
        out.append(Mention(label, ct.text[s:e], os_, oe, kind, attrs))
    return tuple(out)


def extract_many(cleans: Iterable[CleanText], n_process: int = 1, batch_size: int = 16,
                 vocabulary: str = "") -> list[tuple[Mention, ...]]:
    """Mentions for many documents through ``nlp.pipe`` (``n_process`` > 1 forks workers)."""
    cleans = list(cleans)
    docs = pipeline(vocabulary).pipe((c.text for c in cleans), n_process=n_process, batch_size=batch_size)
    return [_mentions(c, d) for c, d in zip(cleans, docs, strict=True)]


def mentions_in(mentions: Iterable[Mention], start: int, end: int) -> tuple[Mention, ...]:
    """Mentions whose original span lies inside ``[start, end)``."""
    return tuple(m for m in mentions if start <= m.start and m.end <= end)


# ----------------------------------------------------------------------------- rules


@lru_cache(maxsize=1)
def _modality_rules() -> dict:
    m = load("modality")
    return {
        "default": m["default"],
        "order": m["order"],
        "always": set(m["always_wins"]),
        "cues": {k: re.compile("|".join(f"(?:{c})" for c in v)) for k, v in m["cues"].items()},
    }


def modality(text: str, blank: Sequence[tuple[int, int]] = ()) -> tuple[Modality, str | None]:
    """Modality of one statement and the cue word that decided it.

    ``blank``: spans (in ``text`` offsets) of vocabulary terms, hidden from the cue search.
    """
    chars = list(text)
    for s, e in blank:
        for i in range(max(0, s), min(len(chars), e)):
            chars[i] = "□"
    masked = "".join(chars)
    r = _modality_rules()
    found: list[tuple[int, str, str]] = []
    for mod, rx in r["cues"].items():
        m = rx.search(masked)
        if m:
            if mod in r["always"]:
                return mod, m.group(0)  # type: ignore[return-value]
            found.append((m.start(), mod, m.group(0)))
    if not found:
        return r["default"], None
    found.sort(key=lambda x: (x[0], r["order"].index(x[1])))
    return found[0][1], found[0][2]  # type: ignore[return-value]


_CLAUSE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*[”’」』）)]*")


def split_rules(measure: Measure, mentions: Sequence[Mention], ct: CleanText,
                topics_for: Callable[[Sequence[Mention], str], tuple[str, ...]]) -> tuple[Rule, ...]:
    """Normative statements of a measure: each sentence (or ；-clause) of its body; a measure
    whose body is empty gives its title as its one rule."""
    clauses: list[tuple[str, int, int]] = []
    for sent in measure.sentences:
        if sent is measure.sentences[0] and measure.body.strip() and sent.text.rstrip("。").strip() == measure.title.strip():
            continue
        for m in _CLAUSE.finditer(sent.text):
            piece = m.group(0).strip()
            if len(re.sub(r"\W", "", piece)) < 2:
                continue
            base = _clean_index(ct, sent.start)
            s_off, e_off = ct.span_to_original(base + m.start(), base + m.start() + len(m.group(0).rstrip()))
            clauses.append((piece, s_off, e_off))
    if not clauses and measure.sentences:
        first = measure.sentences[0]
        clauses.append((first.text, first.start, first.end))
    rules = []
    for k, (text, s, e) in enumerate(clauses, start=1):
        inside = mentions_in(mentions, s, e)
        blank = _blank_spans(text, inside)
        mod, cue = modality(text, blank)
        rules.append(Rule(measure.number, k, text, s, e, mod, cue, topics_for(inside, text), inside))
    return tuple(rules)


def _blank_spans(text: str, mentions: Sequence[Mention]) -> list[tuple[int, int]]:
    spans = []
    for m in mentions:
        if m.kind != "concept":
            continue
        i = text.find(m.text)
        while i != -1:
            spans.append((i, i + len(m.text)))
            i = text.find(m.text, i + 1)
    return spans


def _clean_index(ct: CleanText, orig: int) -> int:
    """Clean offset of the first clean character at original offset ``orig``."""
    return bisect.bisect_left(ct.offsets, orig)
