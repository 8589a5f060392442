"""Court policy documents (意见, 若干措施, 实施意见): header, preamble, sections, measures.

Why by structure: the parser must work on documents it was not written for, so it reads the
layout of the genre — the 公文 header, heading markers (一、 （一） 1. （1） 第X条) whose
numbers run in sequence — and never the words of one document. Heading patterns live in
``ingest/lang/structure.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ingest.clean import paragraphs
from ingest.lang import expand, load
from ingest.lang.numerals import cn_to_int
from ingest.lang.text import article_number, iso_date
from ingest.models import CleanText, Header, IngestError, Item, Measure, PolicyDocument, Section
from ingest.segment.common import doc_numbers
from ingest.segment.common import sentences as _sentences

_FINAL = "。！？!?；;”’」』）)"


@lru_cache(maxsize=1)
def _structure() -> dict:
    s = load("structure")
    return {
        "levels": {k: re.compile(expand(v)) for k, v in s["headings"].items()},
        "order": s["level_order"],
        "addressee": re.compile(s["addressee_line"]),
        "issuers": s["issuer_suffixes"],
        "red": s["red_header_suffix"],
        "title_words": s["policy_title_words"],
        "colophon": re.compile(s["colophon_line"]),
        "signature_chars": re.compile(s["signature_chars"]),
        "notice_title": re.compile(s["notice_title"]),
    }


@dataclass(frozen=True)
class _Head:
    para: int
    level: str
    number: int
    label: str
    marker_end: int       # clean offset after the marker


def _heads(ct: CleanText, paras: list[tuple[int, int]]) -> list[_Head]:
    """Heading candidates whose numbers run in sequence at their level."""
    st = _structure()
    heads: list[_Head] = []
    last: dict[str, int] = {}
    for i, (s, e) in enumerate(paras):
        text = ct.text[s:e]
        for level, rx in st["levels"].items():
            m = rx.match(text)
            if not m:
                continue
            try:
                n = int(article_number(m["label"]).split("-")[0]) if level == "article" else cn_to_int(m["num"])
            except ValueError:
                continue
            prev = last.get(level, 0)
            if n not in (prev + 1, 1):
                continue
            if e - s - m.end() < 2:      # a bare marker is not a heading
                continue
            last[level] = n
            # a new heading restarts the counters of the levels below it
            order = st["order"]
            if level in order:
                for lower in order[order.index(level) + 1:]:
                    if lower != "point":      # 1. 2. … may run on across sections
                        last.pop(lower, None)
            heads.append(_Head(i, level, n, m.group(0).strip(), s + m.end()))
            break
    return heads


def _levels(heads: list[_Head]) -> tuple[str | None, str | None]:
    """(section level, measure level) from the heading levels present."""
    order = _structure()["order"]
    present = [lv for lv in order if any(h.level == lv for h in heads)]
    if any(h.level == "article" for h in heads):
        outer = [lv for lv in present if lv in ("part", "section")]
        return (outer[0] if outer else None), "article"
    if not present:
        return None, None
    if len(present) == 1:
        return None, present[0]
    # a level used only once above a numbered list is a section level only if it recurs
    return present[0], present[1]


def _title_and_body(text: str) -> tuple[str, str]:
    """Title = first sentence (up to 。); a heading paragraph without 。 is the title whole."""
    first_para = text.split("\n", 1)[0]
    m = re.search(r"[。！？]", first_para)
    if m is None:
        return first_para.strip().rstrip("：:；;，,"), text[len(first_para):].lstrip("\n")
    return first_para[:m.start()].strip(), text[m.end():].lstrip("\n")


def _is_signature(text: str) -> bool:
    st = _structure()
    if st["colophon"].match(text):
        return True
    if iso_date(text) and not st["signature_chars"].sub("", text):
        return True
    return any(text.endswith(x) for x in st["issuers"]) and len(text) <= 30 and "，" not in text


# ----------------------------------------------------------------------------- policy


def _header(ct: CleanText, paras: list[tuple[int, int]], first: int, trailer: list[str]) -> tuple[Header, int]:
    """Header fields from the paragraphs before the first heading; returns the index of the
    first preamble paragraph."""
    st = _structure()
    texts = [ct.text[s:e] for s, e in paras[:first]]

    def prose(t: str) -> bool:
        return ("。" in t or "，" in t) and not st["addressee"].match(t) and len(t) > 15

    pre = first
    while pre > 0 and prose(texts[pre - 1]):
        pre -= 1
    head_text = "\n".join(texts[:pre])
    nums = doc_numbers(head_text)
    doc_number = nums[0][0] if nums else None

    issuer = None
    for t in texts[:pre]:
        name = t[: -len(st["red"])] if t.endswith(st["red"]) else t
        if any(name.endswith(x) for x in st["issuers"]) and len(name) <= 30 and "，" not in name:
            issuer = name
            break

    date = None
    for t in texts[:pre] + trailer:
        if _is_signature(t) and iso_date(t):
            date = iso_date(t)
            break

    addressees: tuple[str, ...] = ()
    for t in texts[:pre]:
        m = st["addressee"].match(t)
        if m and ("各" in t or "，" in t or "、" in t):
            addressees = tuple(x.strip() for x in re.split(r"[，,]", m["body"]) if x.strip())
            break

    title = None
    block: list[str] = []

    def furniture(t: str) -> bool:
        name = t[: -len(st["red"])] if t.endswith(st["red"]) else t
        return (name == issuer or _is_signature(t) or bool(st["addressee"].match(t))
                or bool(doc_numbers(t)) or "。" in t)

    for t in reversed(texts[:pre]):
        if furniture(t):
            if block:
                break
            continue
        block.insert(0, t)
    candidate = "".join(block)
    if issuer and candidate.startswith(issuer):
        candidate = candidate[len(issuer):]
    if candidate and any(w in candidate for w in st["title_words"]) and not st["notice_title"].match(candidate):
        title = candidate
    else:
        m = st["notice_title"].search(head_text.replace("\n", ""))
        if m:
            title = m.group(1)
            if issuer and title.startswith(issuer):
                title = title[len(issuer):]
    return Header(issuer, doc_number, date, title, addressees), pre


def segment_policy(ct: CleanText, name: str = "<text>") -> PolicyDocument:
    """Segment a court policy document (measures / opinions)."""
    paras = paragraphs(ct)
    if not paras:
        raise IngestError("empty document", source=name)
    heads = _heads(ct, paras)
    sec_level, mea_level = _levels(heads)
    if mea_level is None:
        raise IngestError("no numbered measures found (expected headings such as 一、 1. （一） 第一条)", source=name)
    heads = [h for h in heads if h.level in (sec_level, mea_level) or h.level not in ("part", "section") or False]
    by_para = {h.para: h for h in heads}
    first = min(h.para for h in heads if h.level in (sec_level, mea_level))

    # trailer: signature / colophon paragraphs after the last measure
    end = len(paras)
    trailer: list[str] = []
    while end > first + 1:
        t = ct.text[paras[end - 1][0]:paras[end - 1][1]]
        if _is_signature(t) and end - 1 not in by_para:
            trailer.insert(0, t)
            end -= 1
        else:
            break

    header, pre = _header(ct, paras, first, trailer)
    pstart = paras[pre][0] if pre < first else paras[first][0]
    pend = paras[first - 1][1] if pre < first else pstart
    preamble = ct.text[pstart:pend]
    preamble_span = ct.span_to_original(pstart, pend)

    sections: list[Section] = []
    measures: list[Measure] = []
    sec_head: _Head | None = None
    sec_measures: list[Measure] = []
    mea_head: _Head | None = None
    mea_last = -1

    def close_measure() -> None:
        nonlocal mea_head
        if mea_head is None:
            return
        s, e = mea_head.marker_end, paras[mea_last][1]
        text = ct.text[s:e]
        title, body = _title_and_body(text)
        items = []
        for j in range(mea_head.para + 1, mea_last + 1):
            h = by_para.get(j)
            if h is not None and h.level not in (sec_level, mea_level):
                ps, pe = paras[j]
                os_, oe = ct.span_to_original(ps, pe)
                items.append(Item(h.label, h.number, ct.text[h.marker_end:pe], os_, oe))
        os_, oe = ct.span_to_original(paras[mea_head.para][0], e)
        m = Measure(
            number=mea_head.number, label=mea_head.label, title=title, text=text, body=body,
            start=os_, end=oe, sentences=_sentences(ct, s, e), items=tuple(items),
            section=sec_head.number if sec_head else None,
        )
        measures.append(m)
        sec_measures.append(m)
        mea_head = None

    def close_section(last_para: int) -> None:
        nonlocal sec_measures
        if sec_head is None:
            return
        ps, _ = paras[sec_head.para]
        os_, oe = ct.span_to_original(ps, paras[last_para][1])
        title = ct.text[sec_head.marker_end:paras[sec_head.para][1]].strip().rstrip("。：:")
        sections.append(Section(sec_head.number, sec_head.label, title, os_, oe, tuple(sec_measures)))
        sec_measures = []

    for i in range(first, end):
        h = by_para.get(i)
        if h is not None and h.level == sec_level:
            close_measure()
            close_section(i - 1)
            sec_head = h
            continue
        if h is not None and h.level == mea_level:
            close_measure()
            mea_head, mea_last = h, i
            continue
        if mea_head is not None:
            mea_last = i
    close_measure()
    close_section(end - 1)

    if not measures:
        raise IngestError("no numbered measures found under the section headings", source=name)
    last = measures[-1].text.rstrip()
    if last and last[-1] not in _FINAL:
        raise IngestError(
            f"document appears truncated: measure {measures[-1].number} ends mid-sentence (…{last[-12:]})",
            source=name,
        )
    numbers = [m.number for m in measures]
    if numbers != list(range(1, len(numbers) + 1)):
        if not sections:
            raise IngestError(f"measure numbers out of sequence: {numbers}", source=name)
        # numbering restarts in each section (（一） under 一、): number measures in document
        # order so that each has its own IRI; the printed marker stays in Measure.label
        measures = [replace(m, number=k) for k, m in enumerate(measures, start=1)]
        renum = {(m.start, m.end): m for m in measures}
        sections = [replace(sec, measures=tuple(renum[(m.start, m.end)] for m in sec.measures)) for sec in sections]
    return PolicyDocument(name, ct, header, preamble, preamble_span, tuple(sections), tuple(measures))

