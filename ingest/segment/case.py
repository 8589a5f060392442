"""Guiding and typical cases: series number, title, release line, headed sections, instances.

The genre's conventions (2017–2021 layout ``指导案例N号``, 2023+ layout ``指导性案例N号``): a
series line; a title of the form ``X、Y诉Z等…纠纷案`` (possibly broken over lines); a release
line ``（最高人民法院审判委员会讨论通过 2023年12月15日发布）``; headed sections 关键词,
裁判要点 (numbered 1. 2. or one paragraph), 相关法条, 基本案情, 裁判结果, 裁判理由, in either
order; a judges line in the older layout. 裁判结果 names each instance: ``广州知识产权法院于
2019年7月19日作出（2017）粤73民初2163号民事判决``. Parties are read from the title as printed
(anonymised names such as 吉某 included) and, when the title ends with 等, from the complaint
sentence of 基本案情.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.clean import paragraphs
from ingest.lang import compiled, expand, load, words
from ingest.lang.numerals import cn_to_int
from ingest.lang.text import court_spans, iso_date
from ingest.models import (
    CaseNumberRef,
    CaseReport,
    CaseSection,
    CleanText,
    IngestError,
    Instance,
    Party,
)
from ingest.segment.common import numbered_points


def case_number_refs(ct: CleanText) -> tuple[CaseNumberRef, ...]:
    """Every court 案号 printed in the text (appraisal and filing numbers do not match)."""
    out = []
    rx = compiled("case_number_parts")
    for m in re.finditer(_case_number_rx(), ct.text):
        if not rx.match(m.group(0)):
            continue
        out.append(CaseNumberRef(m.group(0).replace(" ", ""), "其他", *ct.span_to_original(m.start(), m.end())))
    return tuple(out)


def _case_number_rx() -> re.Pattern:
    return _CACHE.setdefault("cn", re.compile(expand("{CASE_NUMBER}")))


_CACHE: dict[str, re.Pattern] = {}


def courts_in(text: str) -> list[tuple[str, int, int]]:
    """Courts named in ``text``: (name, start, end), generic references left out."""
    return court_spans(text)


def stage_of(case_number: str) -> str:
    """first_instance / second_instance / retrial / … from the case-type code's last character."""
    m = compiled("case_number_parts").match(case_number)
    if not m:
        return "other"
    return load("words")["case_stages"].get(m["type"][-1], "other")


def instances(ct: CleanText, start: int, end: int) -> tuple[Instance, ...]:
    """Each 案号 in ``ct.text[start:end]`` with the court named before it in its sentence, the
    date it was decided and the kind of decision printed after it."""
    text = ct.text
    courts = courts_in(text)
    out: dict[str, Instance] = {}
    for m in _case_number_rx().finditer(text, start, end):
        number = m.group(0).replace(" ", "")
        if number in out or not compiled("case_number_parts").match(number):
            continue
        sent = max(text.rfind("。", start, m.start()), text.rfind("\n", start, m.start()), text.rfind("；", start, m.start()))
        before = [c for c in courts if sent < c[1] and c[2] <= m.start()]
        court = before[-1][0] if before else None
        date = iso_date(text[before[-1][2]:m.start()]) if before else None
        dt = compiled("judgment_doc_type").match(text, m.end())
        out[number] = Instance(number, court, stage_of(number), date, dt.group(0) if dt else None,
                               *ct.span_to_original(m.start(), m.end()))
    return tuple(out.values())


def section_heading(text: str) -> tuple[str, int] | None:
    """(canonical section name, where the text after it starts) when a paragraph opens a case
    report section: the name alone (【裁判要点】, 裁判要点：, 关 键 词) or, for 关键词, followed
    by the keywords on the same line (关键词民事/侵害商标权/…, the 2017 layout)."""
    names = load("words")["case_sections"]
    t = compiled("section_opening").sub("", text)
    for name in words("case_sections"):
        if not t.startswith(name):
            continue
        tail = t[len(name):]
        rest = tail[compiled("section_closing").match(tail).end():]
        if rest and names[name] != "关键词":
            continue
        at = 0
        for ch in name:                       # the name's end in the printed line
            at = text.index(ch, at) + 1
        at += compiled("section_closing").match(text, at).end() - at
        return names[name], at
    return None


def _sections(ct: CleanText, spans: list[tuple[int, int]]) -> tuple[list[tuple[str, int, int, int]], int | None]:
    """(section name, first paragraph, text start, para index) of each headed section."""
    found = []
    for i, (s, e) in enumerate(spans):
        t = ct.text[s:e]
        head = section_heading(t)
        if head is None:
            continue
        name, at = head
        found.append((name, i, s + at if at < e - s else e, i))
    first = found[0][1] if found else None
    return found, first


def _title_block(texts: list[str], upto: int) -> tuple[str | None, int | None, str, int | None]:
    """(series line, series number, title, release line index) in the paragraphs before ``upto``."""
    series_rx, release_rx = compiled("case_series"), compiled("release_line")
    label = number = None
    start = 0
    for i, t in enumerate(texts[:min(3, upto)]):
        m = series_rx.match(t)
        if m:
            label = t.strip()
            try:
                number = cn_to_int(m["num"])
            except ValueError:
                number = None
            start = i + 1
            break
    release = next((i for i in range(start, upto) if release_rx.match(texts[i])), None)
    title_end = release if release is not None else upto
    title = "".join(t.strip() for t in texts[start:title_end])
    return label, number, title, release


def _title_parties(title: str, spans_start: int) -> tuple[list[str], list[str], bool, str | None]:
    """Plaintiffs, defendants, whether the title says 等 (more parties), and the cause."""
    title = compiled("title_lead").sub("", title)
    m = compiled("case_title").match(title) or compiled("case_title_with").match(title)
    if not m:
        return [], [], False, None
    plaintiffs = [p for p in m["plaintiffs"].split("、") if p]
    rest = m["rest"]
    cause_at = None
    suffixes = words("organisation_suffixes")
    starts = words("cause_starts")
    names = rest.split("、")
    last = names[-1]
    cut = None
    for suffix in suffixes:
        i = last.find(suffix)
        if i >= 0:
            j = i + len(suffix)
            if cut is None or j < cut:
                cut = j
    more = False
    if cut is None:
        cut = next((i for i in range(1, len(last)) if last.startswith(starts, i) or last.startswith("等", i)), len(last))
    tail = last[cut:]
    if tail.startswith("等"):
        more = True
        tail = tail[1:]
    names[-1] = last[:cut]
    cause_at = tail
    cause = cause_at.rstrip("案") if cause_at else None
    return plaintiffs, [n for n in names if n], more, cause or None


def _complaint_parties(text: str, start: int, end: int, known: dict[str, str]) -> list[str]:
    """Parties listed in the complaint sentence of 基本案情 (X以A、B、C等侵害其…为由诉至法院)."""
    cues = words("complaint_cues")
    stops = words("party_stops")
    for sent in re.split(r"[。\n]", text[start:end]):
        if not any(c in sent for c in cues):
            continue
        out = []
        for run in re.split(r"[，,：:；]", sent):
            for k, piece in enumerate(run.split("、")):
                name = _name_at(piece, known, stops, first=k == 0)
                if name:
                    out.append(known.get(name, name))
        if out:
            return out
    return []


def _definitions(text: str):
    """Matches of ``alias_definition``, found from their （以下简称…） note backwards: a name is
    at most 60 characters, so each note is searched for in the 62 characters before it (the
    lazy pattern tried at every character was a tenth of a case report's parse)."""
    last = 0
    for a in compiled("alias_anchor").finditer(text):
        m = compiled("alias_definition").search(text, max(last, a.start() - 62), a.end())
        last = a.end()
        if m is not None and m.end() == a.end():
            yield m


def party_names(text: str) -> dict[str, str]:
    """Names a text defines for parties: ``X有限公司（以下简称X公司）`` → {alias: full, full: full}.

    Only organisations (by their name's ending) and persons count; a definition of a product or
    a report (（以下简称涉案产品）) is not a party."""
    out: dict[str, str] = {}
    suffixes = words("organisation_suffixes")
    cuts = words("name_lead_cuts")
    for m in _definitions(text):
        full = m["full"]
        dates = list(compiled("date_parts").finditer(full))
        if dates:
            full = full[dates[-1].end():]
        for w in cuts:
            i = full.rfind(w)
            if i >= 0:
                full = full[i + len(w):]
        full = full.lstrip("于在将")
        if not (full.endswith(suffixes) or compiled("anonymised_person").match(full)):
            continue
        out[m["alias"]] = full
        out[full] = full
    return out


def _name_at(piece: str, known: dict[str, str], stops: tuple[str, ...], first: bool) -> str | None:
    """The party name a list piece holds: a defined alias or full name (cut before what
    follows it), or a short personal name followed by a verb."""
    piece = compiled("inline_alias_note").sub("", piece)
    for name in sorted(known, key=len, reverse=True):
        i = piece.find(name)
        if i >= 0 and (i == 0 or not first or i <= 6):
            return name
    for lead in words("complaint_leads"):
        if first and piece.startswith(lead):
            piece = piece[len(lead):]
    if not piece or piece.startswith(stops):
        return None
    cut = next((i for i in range(1, len(piece)) if piece.startswith(stops, i)), None)
    if cut is None:
        return piece if compiled("anonymised_person").match(piece) else None
    cand = piece[:cut]
    if compiled("anonymised_person").match(cand) or 2 <= len(cand) <= 3:
        return cand
    return None


def segment_case(ct: CleanText, name: str = "<text>") -> CaseReport:
    """Segment a guiding or typical case report."""
    spans = paragraphs(ct)
    if not spans:
        raise IngestError("empty document", source=name)
    texts = [ct.text[s:e] for s, e in spans]
    found, first = _sections(ct, spans)
    if first is None:
        raise IngestError("case report has no headed sections (关键词, 裁判要点, 基本案情, 裁判结果 …)", source=name)
    label, number, title, release = _title_block(texts, first)
    title = title or Path(name).stem          # a report that opens with its first section
    series_rx = compiled("case_series")
    series = None
    if label:
        series = load("words")["case_series"].get(series_rx.match(label)["series"])
    date = issuer = None
    if release is not None:
        date = iso_date(texts[release])
        courts = courts_in(texts[release])
        issuer = courts[0][0] if courts else None

    sections: list[CaseSection] = []
    keywords: tuple[str, ...] = ()
    judges = None
    for k, (sec, i, text_start, _) in enumerate(found):
        end_para = found[k + 1][1] if k + 1 < len(found) else len(spans)
        last = end_para - 1
        jm = compiled("judges_line").match(texts[last]) if last > i else None
        if jm:
            judges = jm["names"].strip()
            last -= 1
        s, e = text_start, spans[last][1] if last >= i else text_start
        if e < s:
            e = s
        os_, oe = ct.span_to_original(s, e)
        body = ct.text[s:e].strip()
        sections.append(CaseSection(sec, os_, oe, body))
        if sec == "关键词":
            keywords = tuple(w for w in re.split(r"[/／\s、]+", body) if w)
    holdings = ()
    for k, (sec, i, text_start, _) in enumerate(found):
        if sec == "裁判要点":
            end_para = found[k + 1][1] if k + 1 < len(found) else len(spans)
            holdings = numbered_points(ct, [(max(text_start, spans[j][0]), spans[j][1]) for j in range(i + 1, end_para)]
                                       if text_start >= spans[i][1] else [(text_start, spans[i][1])])

    refs = case_number_refs(ct)
    result = next((s for s in found if s[0] == "裁判结果"), None)
    if result is not None:
        k = found.index(result)
        end_para = found[k + 1][1] if k + 1 < len(found) else len(spans)
        inst = instances(ct, spans[result[1]][0], spans[end_para - 1][1])
    else:
        inst = ()
    if not inst:                     # no 裁判结果, or one that prints no 案号 (it sits in a header line)
        inst = instances(ct, 0, len(ct.text))
    courts = tuple(dict.fromkeys(c[0] for c in courts_in(ct.text)))

    plaintiffs, defendants, more, cause = _title_parties(title, 0)
    parties = [Party("原告", p, None, 0, 0) for p in plaintiffs] + [Party("被告", d, None, 0, 0) for d in defendants]
    if more:
        known = party_names(ct.text)
        facts = next((s for s in sections if s.name == "基本案情"), None)
        listed = []
        if facts is not None:
            s, e = _clean_span(ct, facts.start, facts.end)
            listed = _complaint_parties(ct.text, s, e, known)
        have = {p.name for p in parties}
        for n in listed:
            if n not in have and n not in plaintiffs:
                parties.append(Party("被告", n, None, 0, 0))
                have.add(n)
    parties = [_locate(ct, p) for p in parties]
    return CaseReport(
        name=name, clean=ct, series=series, label=label, number=number, title=title, issuer=issuer,
        date=date, keywords=keywords, holdings=holdings, sections=tuple(sections), instances=inst,
        case_numbers=refs, courts=courts, parties=tuple(parties), cause=cause, judges=judges,
    )


def _clean_span(ct: CleanText, start: int, end: int) -> tuple[int, int]:
    import bisect

    return bisect.bisect_left(ct.offsets, start), bisect.bisect_left(ct.offsets, end)


def _locate(ct: CleanText, p: Party) -> Party:
    """Give a party read from the title its span: its first occurrence in the text."""
    i = ct.text.find(p.name)
    if i < 0:
        return p
    s, e = ct.span_to_original(i, i + len(p.name))
    return Party(p.role, p.name, p.annotation, s, e)
