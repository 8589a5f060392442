"""Structure of legal documents, by genre: policy documents, statutes, case reports, judgments.

Why by genre: each kind of legal text has its own layout conventions (a policy document's
一、/（一）/1. headings under a 文号; a statute's 第X章 / 第X条 with dated adoption lines; a
guiding case's 关键词 / 裁判要点 / 裁判结果 sections; a judgment's 案号, parties and 本院认为).
:func:`detect_genre` reads those conventions — never one document's words — and
:func:`segment` hands the text to its genre's segmenter. A text with none of them is not a
legal document and is refused with that cause.
"""

from __future__ import annotations

from ingest.clean import paragraphs
from ingest.lang import compiled, load, words
from ingest.lang.text import bare_title, iso_date, trim_prefix
from ingest.models import (
    CaseReport,
    CleanText,
    Genre,
    IngestError,
    Judgment,
    PolicyDocument,
    StatuteText,
)
from ingest.segment.case import courts_in, section_heading, segment_case
from ingest.segment.common import doc_numbers
from ingest.segment.judgment import segment_judgment
from ingest.segment.policy import segment_policy
from ingest.segment.statute import article_run, header_events, numbered_run, segment_statute

__all__ = [
    "detect_genre", "doc_numbers", "iso_date", "segment", "segment_case", "segment_judgment",
    "segment_policy", "segment_statute", "trim_prefix",
]

Document = PolicyDocument | Judgment | StatuteText | CaseReport


def _case_report(texts: list[str]) -> bool:
    series = compiled("case_series")
    if any(series.match(t) for t in texts[:3]):
        return True
    found = {head[0] for t in texts if (head := section_heading(t)) is not None}
    return len(found) >= 2


def _judgment(texts: list[str], text: str) -> bool:
    j = load("judgment")
    top = texts[:8]
    doc_type = any(t.replace(" ", "").endswith(tuple(j["doc_types"])) for t in top)
    number = any(compiled("case_number_parts").search(t) for t in top)
    return doc_type and (number or j["reasoning_start"] in text)


def _statute(texts: list[str], text: str) -> bool:
    """第X条 in sequence under a statute's title (dated adoption lines, a 法释 number or a
    statute's title word), or a 批复 — but not a court's own policy document under its 文号."""
    first = article_run(texts)
    if first is None:
        title = bare_title(texts[0]) if texts else ""
        if title.endswith(words("reply_titles")) and bool(compiled("reply_opening").search(text)):
            return True
        run = numbered_run(texts)
        if len(run) < 2:
            return False
        first = run[0]                     # 一、 二、 provisions: a statute only with a statute's header
        header = texts[:first]
        series = tuple(load("words")["interpretation_series"])
        return bool(header_events(header)) or any(n.startswith(series) for t in header for n, _s, _e in doc_numbers(t))
    header = texts[:first]
    if header_events(header):
        return True
    series = tuple(load("words")["interpretation_series"])
    numbers = [n for t in header for n, _s, _e in doc_numbers(t)]
    if any(n.startswith(series) for n in numbers):
        return True
    if numbers:
        return False                       # a court's 文号: its policy document
    title = header[0] if header else ""
    courts = courts_in(title)
    if courts and courts[0][1] == 0 and not title.startswith(tuple(load("words")["interpretation_issuers"])):
        return False                       # 某省高级人民法院关于…的规定: a court's policy
    return bare_title(title).endswith(tuple(load("words")["title_kinds"]))


def detect_genre(text: str | CleanText) -> Genre:
    """'case' | 'judgment' | 'statute' | 'policy' | 'unknown', from the layout of the text."""
    if isinstance(text, CleanText):
        text = text.text
    texts = [t.strip() for t in text.split("\n") if t.strip()]
    if not texts:
        return "unknown"
    if _case_report(texts):
        return "case"
    if _judgment(texts, text):
        return "judgment"
    if _statute(texts, text):
        return "statute"
    g = load("genre")
    scores = {}
    for genre in ("policy", "judgment"):
        scores[genre] = sum(w for pat, w in g[genre] if compiled_cue(pat).search(text))
    best = max(scores, key=scores.get)
    other = "judgment" if best == "policy" else "policy"
    if scores[best] >= g["min_score"] and scores[best] > scores[other]:
        return best  # type: ignore[return-value]
    return "unknown"


def compiled_cue(pattern: str):
    import re

    return _cue_cache.setdefault(pattern, re.compile(pattern, re.M))


_cue_cache: dict = {}


def segment(ct: CleanText, name: str = "<text>", expect: Genre | None = None) -> Document:
    """Detect the genre and segment; ``expect`` (from a sidecar or the caller) makes another
    genre a clear error."""
    if not paragraphs(ct):
        raise IngestError("empty document", source=name)
    genre = detect_genre(ct.text)
    if expect is not None and genre != expect:
        if genre == "unknown":
            genre = expect
        else:
            raise IngestError(f"expected a {expect} document, but this looks like a {genre}", source=name)
    if genre == "policy":
        return segment_policy(ct, name)
    if genre == "judgment":
        return segment_judgment(ct, name)
    if genre == "statute":
        return segment_statute(ct, name)
    if genre == "case":
        return segment_case(ct, name)
    raise IngestError(
        "unrecognised genre, not a legal document: no statute articles (第X条) under a title, no "
        "case report sections (关键词, 裁判要点, 裁判结果), no judgment (案号, 本院认为, 判决如下) "
        "and no policy headings (文号, 一、 1.) found", source=name,
    )
