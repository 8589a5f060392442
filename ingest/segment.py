"""Structure of court documents: policy measures (header, preamble, sections, measures,
sentences) and judgments (court, 案号, parties, cause, reasoning, citations, outcome).

Why by structure: the parser must work on documents it was not written for, so it reads the
layout of the genre — the 公文 header, heading markers (一、 （一） 1. （1） 第X条) whose
numbers run in sequence, the fixed phrases of a judgment (本院认为, 判决如下) — and never
the words of one document. Heading patterns live in ``ingest/lang/structure.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ingest.clean import paragraphs
from ingest.lang import expand, load
from ingest.lang.numerals import cn_to_int, money_to_decimal
from ingest.models import (
    Amount,
    CaseNumberRef,
    CleanText,
    Genre,
    Header,
    IngestError,
    Item,
    Judgment,
    Measure,
    Party,
    PolicyDocument,
    Section,
    Sentence,
    StatuteCitation,
)

_SENT = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;]+[”’」』）)]*|$)|[^。！？!?\n]*[。！？!?]+[”’」』）)]*")
_FINAL = "。！？!?；;”’」』）)"


@lru_cache(maxsize=1)
def _structure() -> dict:
    s = load("structure")
    return {
        "levels": {k: re.compile(expand(v, s)) for k, v in s["headings"].items()},
        "order": s["level_order"],
        "doc_number": re.compile(s["doc_number"]),
        "stop": set(s["prefix_stop_chars"]),
        "addressee": re.compile(s["addressee_line"]),
        "issuers": s["issuer_suffixes"],
        "red": s["red_header_suffix"],
        "title_words": s["policy_title_words"],
        "colophon": re.compile(s["colophon_line"]),
    }


@lru_cache(maxsize=1)
def _citations() -> dict:
    c = load("citations")
    return {p["kind"]: re.compile(expand(p["regex"], c)) for p in c["patterns"]}


# ----------------------------------------------------------------------------- genre


def detect_genre(text: str) -> Genre:
    """'policy' | 'judgment' | 'unknown', from weighted cues in ``lang/genre.yaml``."""
    g = load("genre")
    scores = {}
    for genre in ("policy", "judgment"):
        scores[genre] = sum(w for pat, w in g[genre] if re.search(pat, text, re.M))
    best = max(scores, key=scores.get)
    other = "judgment" if best == "policy" else "policy"
    if scores[best] >= g["min_score"] and scores[best] > scores[other]:
        return best  # type: ignore[return-value]
    return "unknown"


# ----------------------------------------------------------------------------- helpers


def iso_date(text: str) -> str | None:
    """``2025年4月24日`` / ``二〇二五年四月二十四日`` → ``2025-04-24`` (month precision if no day)."""
    m = _citations()["date"].search(text)
    if not m:
        return None
    try:
        y, mo = cn_to_int(m["year"]), cn_to_int(m["month"])
        d = cn_to_int(m["day"]) if m["day"] else None
    except ValueError:
        return None
    if not (1 <= mo <= 12) or (d is not None and not 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}" if d else f"{y:04d}-{mo:02d}"


def trim_prefix(text: str, stop: set[str]) -> str:
    """Cut a greedy CJK prefix after the last function character (根据法释 → 法释)."""
    cut = max((i for i, c in enumerate(text) if c in stop), default=-1)
    return text[cut + 1:]


def doc_numbers(text: str) -> list[tuple[str, int, int]]:
    """文号 in ``text`` as (normalised text, start, end) in ``text`` offsets."""
    s = _structure()
    out = []
    for m in s["doc_number"].finditer(text):
        prefix = trim_prefix(m["prefix"], s["stop"])
        if not prefix:
            continue
        start = m.start("prefix") + len(m["prefix"]) - len(prefix)
        out.append((text[start:m.end()].replace(" ", ""), start, m.end()))
    return out


def _sentences(ct: CleanText, start: int, end: int) -> tuple[Sentence, ...]:
    out = []
    for m in _SENT.finditer(ct.text, start, end):
        s, e = m.start(), m.end()
        while s < e and ct.text[s] in " \n":
            s += 1
        while e > s and ct.text[e - 1] in " \n":
            e -= 1
        if e > s:
            os_, oe = ct.span_to_original(s, e)
            out.append(Sentence(ct.text[s:e], os_, oe))
    return tuple(out)


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
                n = cn_to_int(m["num"])
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
    if iso_date(text) and len(re.sub(r"[\d\s年月日〇零○一二三四五六七八九十印发]", "", text)) == 0:
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
    if candidate and any(w in candidate for w in st["title_words"]) and not candidate.startswith("印发"):
        title = candidate
    else:
        m = re.search(r"印发《([^》]+)》", head_text.replace("\n", ""))
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


# ----------------------------------------------------------------------------- judgment


@lru_cache(maxsize=1)
def _jrules() -> dict:
    j = load("judgment")
    return {
        **j,
        "cause": re.compile(j["cause"]),
        "reasoning_end": re.compile(j["reasoning_end"]),
        "outcome_start": re.compile(j["outcome_start"]),
        "outcome_end": re.compile(j["outcome_end"]),
        "outcome_item": re.compile(j["outcome_item"]),
        "annotation": re.compile("^" + j["party_annotation"]),
    }


_ARTICLE_LIST = re.compile(
    r"(?:[、，,和及以]|以及)?第(?P<a>(?:[零〇一二两三四五六七八九十百千]+|\d+))条(?:之(?P<s>[一二三四五六七八九十\d]+))?"
    r"|(?:[、，,和及]|以及)?第(?P<p>(?:[一二三四五六七八九十]+|\d+))款"
    r"|(?:[、，,和及]|以及)?第[（(]?(?P<i>(?:[一二三四五六七八九十]+|\d+))[）)]?项"
)


def statute_citations(ct: CleanText, start: int = 0, end: int | None = None) -> tuple[StatuteCitation, ...]:
    """依照《title》第X条第Y款第Z项、第W条… → one citation per article/paragraph/item."""
    text = ct.text
    end = len(text) if end is None else end
    out: list[StatuteCitation] = []
    for m in _citations()["title"].finditer(text, start, end):
        title = m["title"]
        pos = m.end()
        article = paragraph = None
        found = False
        while True:
            a = _ARTICLE_LIST.match(text, pos)
            if not a:
                break
            if a["a"]:
                article = str(cn_to_int(a["a"])) + (f"-{cn_to_int(a['s'])}" if a["s"] else "")
                paragraph = None
                nxt = _ARTICLE_LIST.match(text, a.end())
                if not (nxt and (nxt["p"] or nxt["i"])):
                    out.append(StatuteCitation(title, article, None, None, *_span(ct, a)))
                    found = True
            elif a["p"]:
                paragraph = str(cn_to_int(a["p"]))
                nxt = _ARTICLE_LIST.match(text, a.end())
                if not (nxt and nxt["i"]):
                    out.append(StatuteCitation(title, article, paragraph, None, *_span(ct, a)))
                    found = True
            else:
                out.append(StatuteCitation(title, article, paragraph, str(cn_to_int(a["i"])), *_span(ct, a)))
                found = True
            pos = a.end()
        if not found:
            sent_start = max(text.rfind("。", start, m.start()), text.rfind("\n", start, m.start())) + 1
            if re.search(_jrules()["statute_cite"], text[sent_start:m.start()]):
                out.append(StatuteCitation(title, None, None, None, *ct.span_to_original(m.start(), m.end())))
    return tuple(out)


def _span(ct: CleanText, m: re.Match) -> tuple[int, int]:
    s = m.start()
    while ct.text[s] in "、，,和及以":
        s += 1
    return ct.span_to_original(s, m.end())


def segment_judgment(ct: CleanText, name: str = "<text>") -> Judgment:
    """Segment a judgment or case report."""
    j = _jrules()
    cit = _citations()
    text = ct.text
    paras = paragraphs(ct)
    if not paras:
        raise IngestError("empty document", source=name)
    ptexts = [text[s:e] for s, e in paras]

    court = None
    for t in ptexts[:6]:
        m = cit["court"].fullmatch(t)
        if m:
            court = t
            break
    if court is None:
        m = cit["court"].search(text)
        court = trim_prefix(m.group(0), set(load("citations")["prefix_stop_chars"])) if m else None

    doc_type = next((d for t in ptexts[:8] for d in j["doc_types"] if t.replace(" ", "").endswith(d)), None)
    if doc_type is None:
        doc_type = next((d for d in j["doc_types"] if d in text), None)

    refs: list[CaseNumberRef] = []
    for k, m in enumerate(cit["case_number"].finditer(text)):
        before = text[max(0, m.start() - 24):m.start()]
        role = "其他"
        for r, words in j["instance_words"].items():
            if any(w in before for w in words):
                role = r
        if k == 0 and m.start() < (paras[min(5, len(paras) - 1)][1]):
            role = "本案"
        refs.append(CaseNumberRef(m.group(0).replace(" ", ""), role, *ct.span_to_original(m.start(), m.end())))

    rs = text.find(j["reasoning_start"])
    parties: list[Party] = []
    roles = sorted(j["party_roles"], key=len, reverse=True)
    for (s, _e), t in zip(paras, ptexts, strict=True):
        if rs != -1 and s >= rs:
            break
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
        nm = re.match(r"[^，,。；;（(]+", rest)
        if not nm:
            continue
        ns = s + len(t) - len(rest)
        parties.append(Party(role, nm.group(0).strip(), ann, *ct.span_to_original(ns, ns + nm.end())))

    cm = j["cause"].search(text)
    cause = (cm["a"] or cm["b"]) if cm else None
    if cause:
        cause = re.sub(r"^(?:因与|与|因|诉|就|的)", "", cause)
        cause = re.split(r"[与诉]", cause)[-1] if len(cause) > 14 else cause

    date = None
    for t in reversed(ptexts):
        if iso_date(t) and len(re.sub(r"[\d\s年月日〇零○一二三四五六七八九十]", "", t)) == 0:
            date = iso_date(t)
            break

    os_ = oc = None
    om = j["outcome_start"].search(text)
    reasoning = reasoning_span = None
    if rs != -1:
        em = j["reasoning_end"].search(text, rs)
        re_end = em.start() if em else (om.start() if om else len(text))
        reasoning = text[rs:re_end].strip()
        reasoning_span = ct.span_to_original(rs, re_end)

    outcome: list[str] = []
    if om:
        os_ = om.end()
        stop = j["outcome_end"].search(text, os_)
        oc = stop.start() if stop else len(text)
        block = text[os_:oc].strip()
        items = [x.strip() for x in re.split(r"(?:^|\n)(?=[一二三四五六七八九十]+、)", block) if x.strip()]
        if len(items) <= 1:
            items = [x.strip() for x in re.split(r"(?<=[；;。])\s*(?=[一二三四五六七八九十]+、)", block) if x.strip()]
        outcome = [re.sub(r"^[一二三四五六七八九十]+、", "", x).strip() for x in items]
        if not outcome:
            raise IngestError("document appears truncated: '判决如下' is not followed by any outcome", source=name)

    amounts = []
    for m in cit["money"].finditer(text):
        try:
            value = money_to_decimal(m["num"], m["unit"])
        except (ValueError, KeyError):
            continue
        amounts.append(Amount(m.group(0), value, *ct.span_to_original(m.start(), m.end())))

    if not refs and doc_type is None:
        raise IngestError("not a judgment: no 案号 and no document type (判决书/裁定书…) found", source=name)
    return Judgment(
        name=name, clean=ct, court=court, case_numbers=tuple(refs), doc_type=doc_type,
        parties=tuple(parties), cause=cause, date=date, reasoning=reasoning,
        reasoning_span=reasoning_span, citations=statute_citations(ct), outcome=tuple(outcome),
        amounts=tuple(amounts),
    )


def segment(ct: CleanText, name: str = "<text>", expect: Genre | None = None) -> PolicyDocument | Judgment:
    """Detect the genre and segment; ``expect`` makes another genre a clear error."""
    genre = detect_genre(ct.text)
    if expect is not None and genre != expect:
        what = "an unrecognised kind of text" if genre == "unknown" else f"a {genre}"
        raise IngestError(f"expected a {expect} document, but this looks like {what}", source=name)
    if genre == "policy":
        return segment_policy(ct, name)
    if genre == "judgment":
        return segment_judgment(ct, name)
    raise IngestError(
        "unrecognised genre: neither a court policy document (文号, 一、/1. headings) nor a judgment "
        "(案号, 本院认为, 判决如下)", source=name,
    )
