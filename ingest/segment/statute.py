"""Laws, regulations and judicial interpretations: title, dated header lines, parts, articles.

The genre's conventions: a title; dated lines saying when the text was adopted, published,
amended, revised or put into force (``2020年8月24日 最高人民法院审判委员会第1810次会议通过``,
``（1997年3月20日中华人民共和国国务院令第213号公布　根据…第一次修订）``); a 法释 number
when printed; a preamble; 第X编/章/节 headings; 第X条 whose numbers run in sequence, each made
of paragraphs (款) and items (（一）…, 项). A 批复 has no articles: an addressee line and the
answer. A table of contents (目录) lists headings that have no articles under them and is
skipped.
"""

from __future__ import annotations

from ingest.clean import paragraphs
from ingest.lang import compiled, load, words
from ingest.lang.numerals import cn_to_int
from ingest.lang.text import article_number, bare_title, court_name, iso_date
from ingest.models import ArticleText, CleanText, Event, IngestError, Part, Provision, StatuteText
from ingest.segment.common import article_sort_key, doc_numbers, event_kind

_PART_RANK = {"编": 0, "分编": 1, "部分": 1, "章": 2, "节": 3}


def _bare_label(texts: list[str], i: int, m) -> bool:
    """A 第X条 printed alone on its line, its text on the next (not itself a heading)."""
    t = texts[i]
    if len(t.strip()) > m.end() or i + 1 >= len(texts):
        return False
    nxt = texts[i + 1]
    return not (compiled("article_heading").match(nxt) or compiled("part_heading").match(nxt))


def article_run(texts: list[str]) -> int | None:
    """Index of the first paragraph of the first 第X条 run (≥ 1 article, numbers in sequence)."""
    rx = compiled("article_heading")
    for i, t in enumerate(texts):
        m = rx.match(t)
        if m and (len(t) > m.end() or _bare_label(texts, i, m)):
            return i
    return None


def numbered_run(texts: list[str]) -> list[int]:
    """Paragraphs opening 一、 二、 … in sequence: the provisions of an older interpretation or
    reply numbered that way instead of 第X条."""
    rx = compiled("numbered_provision")
    out: list[int] = []
    for i, t in enumerate(texts):
        m = rx.match(t)
        if not m or len(t) <= m.end():
            continue
        try:
            n = cn_to_int(m["num"])
        except ValueError:
            continue
        if n == len(out) + 1:
            out.append(i)
    return out


def header_events(texts: list[str]) -> list[Event]:
    """Dated events in a statute's header lines (one line may hold several, in brackets); when
    there are none, the dates of an announcement (《…》已于…会议通过，现予公布，自…起施行)."""
    dated = compiled("dated_line")
    out = _events([t for t in texts if dated.match(t) and len(t) <= 400])
    if not out:
        out = _events([t for t in texts if len(t) <= 400 and compiled("date_run").search(t)])
    return out


def _events(texts: list[str]) -> list[Event]:
    out: list[Event] = []
    for t in texts:
        for m in compiled("date_run").finditer(t):
            kind = event_kind(m["rest"])
            date = iso_date(m["date"])
            if kind and date and len(date) == 10:
                out.append(Event(kind, date, (m["date"] + m["rest"]).strip(" 　（）()")))
    return out


def _kind(title: str, issuer: str | None) -> str:
    table = load("words")["title_kinds"]
    bare = bare_title(title)
    for word in words("title_kinds"):
        if bare.endswith(word):
            kind = table[word]
            if kind == "judicial_interpretation" and issuer not in load("words")["interpretation_issuers"]:
                return "regulation"
            if kind in ("regulation", "law") and issuer and issuer.endswith(tuple(load("words")["assemblies"])) \
                    and not issuer.startswith(tuple(load("words")["national_assemblies"])):
                return "local_regulation"
            return kind
    return "regulation" if issuer else "law"


def _issuer(header: list[str], title: str) -> str | None:
    table = load("words")["issuer_words"]
    for t in header[1:]:
        if not compiled("dated_line").match(t):
            continue
        for run in compiled("date_run").finditer(t):
            m = compiled("assembly").search(run["rest"])
            if m:
                national = m["body"].startswith(tuple(load("words")["national_assemblies"]))
                return m["body"] if national else (m["place"] or "") + m["body"]
    for t in header[1:]:
        for word in words("issuer_words"):
            if word in t:
                return table[word]
    for word in words("issuer_words"):
        if title.startswith(table[word]):
            return table[word]
    for t in header[1:]:
        m = compiled("date_run").search(t)
        if m:
            name = court_name(m["rest"].strip()) or None
            if name:
                return name
    return None


def _version(events: list[Event], articles: tuple[ArticleText, ...]) -> tuple[str | None, str | None]:
    made = [e.date for e in events if e.kind in ("adopted", "amended", "revised")]
    if not made:
        made = [e.date for e in events if e.kind == "published"]
    version = max(made) if made else None
    effective = max((e.date for e in events if e.kind == "effective"), default=None)
    if effective is None:
        for a in articles[-3:]:
            m = compiled("self_effective").search(a.text)
            if m:
                effective = iso_date(m["date"])
    if effective is not None and version is not None and effective < version:
        effective = None                      # the original text's date, not this version's
    return version, effective


def _paragraphs(ct: CleanText, spans: list[tuple[int, int]]) -> tuple[Provision, ...]:
    """款 of an article from its paragraph spans; （一）… lines are items of the 款 before."""
    item_rx = compiled("item_heading")
    paras: list[list] = []
    for s, e in spans:
        t = ct.text[s:e]
        m = item_rx.match(t)
        if m and paras:
            try:
                n = cn_to_int(m["num"])
            except ValueError:
                n = 0
            items = paras[-1][2]
            if n == len(items) + 1:
                os_, oe = ct.span_to_original(s, e)
                items.append(Provision(n, t[m.end():].strip(), os_, oe))
                paras[-1][1] = e
                continue
        paras.append([s, e, []])
    out = []
    for k, (s, e, items) in enumerate(paras, start=1):
        first_end = s + len(ct.text[s:e].split("\n", 1)[0]) if items else e
        os_, oe = ct.span_to_original(s, e)
        out.append(Provision(k, ct.text[s:first_end].strip(), os_, oe, tuple(items)))
    return tuple(out)


def segment_statute(ct: CleanText, name: str = "<text>") -> StatuteText:
    """Segment a law, regulation or judicial interpretation (one version of it)."""
    spans = paragraphs(ct)
    if not spans:
        raise IngestError("empty document", source=name)
    texts = [ct.text[s:e] for s, e in spans]
    art_rx, part_rx = compiled("article_heading"), compiled("part_heading")
    toc = next((i for i, t in enumerate(texts) if compiled("contents_line").match(t)), None)

    # articles: 第X条 paragraphs whose numbers follow each other
    heads: list[tuple[int, str, str, int]] = []          # para index, number, label, text start
    last: str | None = None
    for i, t in enumerate(texts):
        m = art_rx.match(t)
        if not m:
            continue
        bare = len(t) <= m.end()
        if bare and not _bare_label(texts, i, m):
            continue
        try:
            number = article_number(m["label"])
        except ValueError:
            continue
        if last is not None:
            lo, hi = article_sort_key(last), article_sort_key(number)
            if not (hi[0] == lo[0] + 1 and hi[1] == 0) and not (hi[0] == lo[0] and hi[1] == lo[1] + 1):
                continue
        heads.append((i, number, m["label"].replace(" ", ""), spans[i + 1][0] if bare else spans[i][0] + m.end()))
        last = number
    if not heads:
        # an older interpretation or reply numbers its provisions 一、 二、 …
        for i in _numbered_after_header(texts):
            m = compiled("numbered_provision").match(texts[i])
            heads.append((i, str(cn_to_int(m["num"])), m.group(0).strip(), spans[i][0] + m.end()))
    head_at = {h[0]: h for h in heads}

    # parts: 第X编/章/节 headings with an article under them (a 目录 lists headings without)
    parts_raw: list[tuple[int, str, int, str, str]] = []  # para, level, number, label, title
    for i, t in enumerate(texts):
        if i in head_at or (toc is not None and i <= toc):
            continue
        m = part_rx.match(t)
        if not m:
            continue
        try:
            n = cn_to_int(m["num"])
        except ValueError:
            continue
        title = (m["title"] if m["title"] is not None else m["tight"] or "").strip()
        label = t[: len(t) - len(title)].strip() if title else t.strip()
        parts_raw.append((i, m["level"], n, label, title))
    first_article = heads[0][0] if heads else len(texts)
    kept = []
    for k, (i, level, n, label, title) in enumerate(parts_raw):
        nxt = next((p[0] for p in parts_raw[k + 1:] if _PART_RANK[p[1]] <= _PART_RANK[level]), len(texts))
        under = [h for h in heads if i < h[0] < nxt]
        if under or any(i < p[0] < nxt for p in parts_raw[k + 1:]):
            if i > first_article or under:
                kept.append((i, level, n, label, title, under[0][1] if under else None))
    if not heads:
        return _reply(ct, name, spans, texts)

    first_para = min([heads[0][0]] + [p[0] for p in kept])
    header = texts[:first_para]
    title = statute_title(header)
    if not title:
        raise IngestError("statute has no title before its first article", source=name)
    events = header_events(header)
    numbers = [n for t in header for n, _s, _e in doc_numbers(t)]
    issuer = _issuer(header, title)

    boundaries = sorted([h[0] for h in heads] + [p[0] for p in kept] + [len(texts)])
    articles: list[ArticleText] = []
    part_path: dict[int, str] = {}
    current: list[tuple[int, str]] = []                 # (rank, label)
    for i, level, _n, label, _title, _first in kept:
        rank = _PART_RANK[level]
        current = [c for c in current if c[0] < rank] + [(rank, label)]
        part_path[i] = " > ".join(c[1] for c in current)
    innermost: str | None = None
    parts: list[Part] = []
    for i, level, n, label, ptitle, first in kept:
        end_para = next((b for b in boundaries if b > i), len(texts))
        os_, oe = ct.span_to_original(spans[i][0], spans[end_para - 1][1])
        parent = part_path[i].rsplit(" > ", 1)[0] if " > " in part_path[i] else None
        parts.append(Part(level, n, label, ptitle, os_, oe, first, parent))
    for idx, (i, number, label, text_start) in enumerate(heads):
        nxt = next((b for b in boundaries if b > i), len(texts))
        body_spans = [(text_start, spans[j][1]) if spans[j][0] <= text_start < spans[j][1] or text_start == spans[j][0]
                      else spans[j] for j in range(i, nxt) if spans[j][1] > text_start]
        s, e = spans[i][0], spans[nxt - 1][1]
        if idx == len(heads) - 1:
            e = _trim_signature(ct, spans, i, nxt)
            body_spans = [sp for sp in body_spans if sp[1] <= e]
        innermost = next((part_path[p[0]].rsplit(" > ", 1)[-1] for p in reversed(kept) if p[0] < i), None)
        os_, oe = ct.span_to_original(s, e)
        text = "\n".join(ct.text[a:b].strip() for a, b in body_spans)
        articles.append(ArticleText(number, label, text, os_, oe, _paragraphs(ct, body_spans), innermost))
    art_tuple = tuple(articles)
    version, effective = _version(events, art_tuple)
    at_title = next((i for i, t in enumerate(header) if t.strip() and t.strip() in title), 0)
    preamble = "\n".join(t for t in header[at_title + 1:]
                          if "。" in t and not compiled("dated_line").match(t) and not doc_numbers(t[:30]))
    return StatuteText(
        name=name, clean=ct, title=title, kind=_kind(title, issuer), issuer=issuer,
        doc_number=numbers[0] if numbers else None, events=tuple(events), version_date=version,
        effective=effective, preamble=preamble, parts=tuple(parts), articles=art_tuple,
    )


def _numbered_after_header(texts: list[str]) -> list[int]:
    """一、 二、 provisions of a statute (after its dated header lines), or none."""
    run = numbered_run(texts)
    if len(run) < 2 or not header_events(texts[:run[0]]) and not any(doc_numbers(t) for t in texts[:run[0]]):
        return []
    return run


def _trim_signature(ct: CleanText, spans: list[tuple[int, int]], first: int, end: int) -> int:
    """End of the last article: a trailing signature / date line is not part of it."""
    stop = end
    while stop - 1 > first:
        t = ct.text[spans[stop - 1][0]:spans[stop - 1][1]]
        signature_date = iso_date(t) and not compiled("signature_line").sub("", t)
        if signature_date or court_name(t) == t or t.endswith(tuple(load("words")["issuer_words"].values())) and len(t) <= 30:
            stop -= 1
            continue
        break
    return spans[stop - 1][1]


def statute_title(header: list[str]) -> str:
    """The title: the first header line that is not an announcement, a dated line, a 文号 or
    prose; a title printed over several short lines (最高人民法院 / 关于… / 若干问题的解释) is
    joined until it ends like a statute's title."""
    ends = tuple(load("words")["title_kinds"])
    lines = []
    for t in header:
        t = t.strip()
        skip = (compiled("announcement_line").search(t) or compiled("dated_line").match(t)
                or (doc_numbers(t) and len(t) < 30) or "。" in t)
        if skip:
            if lines and bare_title("".join(lines)).endswith(ends):
                break
            lines = []
            continue
        lines.append(t)
        if bare_title(t).endswith(ends) or bare_title("".join(lines)).endswith(ends):
            break
    if not lines:
        return header[0].strip() if header else ""
    joined = "".join(lines)
    return joined if bare_title(joined).endswith(ends) else lines[0]


def _reply(ct: CleanText, name: str, spans: list[tuple[int, int]], texts: list[str]) -> StatuteText:
    """A 批复 / 答复: title, 法释 number, dated lines, addressee, the answer (no articles)."""
    title = statute_title(texts[:3])
    body_from = 1
    while body_from < len(texts) and (compiled("dated_line").match(texts[body_from]) or doc_numbers(texts[body_from])
                                      and len(texts[body_from]) < 30):
        body_from += 1
    header = texts[:body_from]
    if body_from >= len(texts):
        raise IngestError("statute has no numbered articles (第X条) and no body text", source=name)
    events = header_events(header)
    numbers = [n for t in header for n, _s, _e in doc_numbers(t)]
    issuer = _issuer(header, title)
    s, e = spans[body_from][0], spans[-1][1]
    version, effective = _version(events, ())
    return StatuteText(
        name=name, clean=ct, title=title, kind=_kind(title, issuer), issuer=issuer,
        doc_number=numbers[0] if numbers else None, events=tuple(events), version_date=version,
        effective=effective, preamble="", parts=(), articles=(), body=ct.text[s:e],
        body_span=ct.span_to_original(s, e),
    )
