"""Full judgments (判决书, 裁定书): court, 案号 of every instance, parties, cause, reasoning,
statutes cited, outcome, amounts.

The genre's conventions: the court and the document type at the top, the case's own 案号, one
line per party (``上诉人（原审被告）：…``), the cause (``…纠纷一案``), 本院认为, the statutes applied
(``依照《…》第…条``), 判决如下 with numbered items, the date line at the end. The instance the
appeal comes from (``不服…法院（2023）闽02民初1234号民事判决``) is an instance of the same case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.cite import find_citations
from ingest.clean import paragraphs
from ingest.lang import load, words
from ingest.lang.numerals import money_to_decimal
from ingest.lang.text import court_name, iso_date
from ingest.models import (
    Amount,
    CaseNumberRef,
    CleanText,
    IngestError,
    Instance,
    Judgment,
    Party,
    StatuteCitation,
)
from ingest.segment.case import case_number_refs, courts_in, stage_of


@lru_cache(maxsize=1)
def _jrules() -> dict:
    j = load("judgment")
    out = dict(j)
    for key in ("cause", "reasoning_end", "outcome_start", "outcome_end", "outcome_item", "cause_prefix",
                "cause_split", "date_line_chars", "outcome_split_lines", "outcome_split_inline", "party_name"):
        out[key] = re.compile(j[key])
    out["annotation"] = re.compile("^" + j["party_annotation"])
    return out


def statute_citations(ct: CleanText, start: int = 0, end: int | None = None,
                      short_names: tuple[str, ...] = ()) -> tuple[StatuteCitation, ...]:
    """依照《title》第X条第Y款第Z项、第W条… → one citation per article/paragraph/item."""
    out = []
    for c in find_citations(ct, short_names, start, end):
        if c.self_ref or not c.title:
            continue
        if not c.articles:
            out.append(StatuteCitation(c.title, None, None, None, c.start, c.end))
        for a in c.articles:
            out.append(StatuteCitation(c.title, a.article, None if a.paragraph is None else str(a.paragraph),
                                       None if a.item is None else str(a.item), a.start, a.end))
    return tuple(out)


def _refs(ct: CleanText, paras: list[tuple[int, int]]) -> list[CaseNumberRef]:
    j = _jrules()
    text = ct.text
    refs = []
    head_end = paras[min(5, len(paras) - 1)][1]
    for k, ref in enumerate(case_number_refs(ct)):
        cs = _clean_index(ct, ref.start)
        before = text[max(0, cs - 24):cs]
        role = "其他"
        for r, ws in j["instance_words"].items():
            if any(w in before for w in ws):
                role = r
        if k == 0 and cs < head_end:
            role = "本案"
        refs.append(CaseNumberRef(ref.text, role, ref.start, ref.end))
    return refs


def _clean_index(ct: CleanText, orig: int) -> int:
    import bisect

    return bisect.bisect_left(ct.offsets, orig)


def _parties(ct: CleanText, paras: list[tuple[int, int]], stop: int) -> list[Party]:
    j = _jrules()
    out = []
    roles = words("party_sides")
    for s, e in paras:
        if stop != -1 and s >= stop:
            break
        t = ct.text[s:e]
        role = next((r for r in roles if t.startswith(r)), None)
        if role is None or any(t.startswith(x) for x in j["party_skip"]):
            continue
        rest = t[len(role):]
        ann = None
        am = j["annotation"].match(rest)
        if am:
            ann = am["note"]
            rest = rest[am.end():]
        if not rest.startswith(("：", ":")):
            continue
        rest = rest[1:]
        nm = j["party_name"].match(rest)
        if not nm:
            continue
        ns = s + len(t) - len(rest)
        out.append(Party(role, nm.group(0).strip(), ann, *ct.span_to_original(ns, ns + nm.end())))
    return out


def segment_judgment(ct: CleanText, name: str = "<text>") -> Judgment:
    """Segment a judgment or ruling."""
    j = _jrules()
    text = ct.text
    paras = paragraphs(ct)
    if not paras:
        raise IngestError("empty document", source=name)
    ptexts = [text[s:e] for s, e in paras]

    court = None
    for t in ptexts[:6]:
        found = courts_in(t)
        if found and found[0][0] == t.strip():
            court = found[0][0]
            break
    if court is None:
        found = courts_in(text)
        court = found[0][0] if found else None

    doc_type = next((d for t in ptexts[:8] for d in j["doc_types"] if t.replace(" ", "").endswith(d)), None)
    if doc_type is None:
        doc_type = next((d for d in j["doc_types"] if d in text), None)

    refs = _refs(ct, paras)
    rs = text.find(j["reasoning_start"])
    parties = _parties(ct, paras, rs)

    cm = j["cause"].search(text)
    cause = (cm["a"] or cm["b"]) if cm else None
    if cause:
        cause = j["cause_prefix"].sub("", cause)
        cause = j["cause_split"].split(cause)[-1] if len(cause) > 14 else cause

    date = None
    for t in reversed(ptexts):
        if iso_date(t) and not j["date_line_chars"].sub("", t):
            date = iso_date(t)
            break

    om = j["outcome_start"].search(text)
    reasoning = reasoning_span = None
    if rs != -1:
        em = j["reasoning_end"].search(text, rs)
        re_end = em.start() if em else (om.start() if om else len(text))
        reasoning = text[rs:re_end].strip()
        reasoning_span = ct.span_to_original(rs, re_end)

    outcome: list[str] = []
    if om:
        stop = j["outcome_end"].search(text, om.end())
        block = text[om.end():stop.start() if stop else len(text)].strip()
        items = [x.strip() for x in j["outcome_split_lines"].split(block) if x.strip()]
        if len(items) <= 1:
            items = [x.strip() for x in j["outcome_split_inline"].split(block) if x.strip()]
        outcome = [j["outcome_item"].sub("", x).strip() for x in items]
        if not outcome:
            raise IngestError("document appears truncated: '判决如下' is not followed by any outcome", source=name)

    amounts = []
    for label_kind in load("citations")["patterns"]:
        if label_kind["kind"] != "money":
            continue
        for m in re.finditer(label_kind["regex"], text):
            try:
                value = money_to_decimal(m["num"], m["unit"])
            except (ValueError, KeyError):
                continue
            amounts.append(Amount(m.group(0), value, *ct.span_to_original(m.start(), m.end())))

    if not refs and doc_type is None:
        raise IngestError("not a judgment: no 案号 and no document type (判决书/裁定书…) found", source=name)
    own = next((r for r in refs if r.role == "本案"), refs[0] if refs else None)
    inst: list[Instance] = []
    if own is not None:
        inst.append(Instance(own.text, court, stage_of(own.text), date, doc_type, own.start, own.end))
        courts = courts_in(text)
        for r in refs:
            if r.role != "一审" or r.text == own.text:
                continue
            cs = _clean_index(ct, r.start)
            before = [c for c in courts if 0 <= cs - c[2] <= 2]
            inst.append(Instance(r.text, before[-1][0] if before else None, stage_of(r.text), None, None, r.start, r.end))
    return Judgment(
        name=name, clean=ct, court=court, case_numbers=tuple(refs), doc_type=doc_type,
        parties=tuple(parties), cause=cause, date=date, reasoning=reasoning,
        reasoning_span=reasoning_span, citations=statute_citations(ct), outcome=tuple(outcome),
        amounts=tuple(amounts), instances=tuple(inst),
    )


__all__ = ["segment_judgment", "statute_citations", "court_name"]
