"""Views of the newer answers: versions and law as of a date, similar cases, 对照, the change
feed and a policy document's outline. Pure functions from an explorer answer to HTML.

Why beside :mod:`kg.web.ui.views` rather than in it: same rules (every value escaped, links
carry ``data-iri``, every string from ``ui_text.json``), a separate module so each answer's
view can change without touching the others. The similar-case report's text for Markdown and
.docx is written by :mod:`kg.web.report` from the same reason phrasing (:func:`reason_text`).
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.changes import Change, ChangeFeed
from kg.explorer.compare import CompareMatrix, DocumentRef, SideBySide
from kg.explorer.models import CaseSummary, GraphEdge, NodeRef
from kg.explorer.outline import DocumentOutline
from kg.explorer.similar import QUERY_NODE, Reason, SimilarHit, SimilarReport
from kg.explorer.versions import (
    CaseVersions,
    CitationAsOf,
    RuleAsOf,
    TopicAsOf,
    VersionHistory,
    VersionRow,
)
from kg.web import viz
from kg.web.text import t, ui_text
from kg.web.ui.views import (
    badge,
    case_numbers_html,
    cases_table,
    e,
    iri_tail,
    kind_chip,
    link,
    measure_link,
    measure_name,
    message,
    node_link,
    pick,
    rules_html,
    wrap,
)

#: One colour per topic, in the topic scheme's order (legend and graph colours agree).
TOPIC_PALETTE = (
    "#17becf", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#bcbd22",
    "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#e6550d", "#31a354",
    "#756bb1", "#636363", "#9c9ede", "#cedb9c", "#e7ba52", "#ad494a",
)
NO_TOPIC_COLOUR = "#a5a5a5"


def topic_colours(topic_ids: Sequence[str]) -> dict[str, str]:
    return {tid: TOPIC_PALETTE[i % len(TOPIC_PALETTE)] for i, tid in enumerate(topic_ids)}


def _ref(n: NodeRef | None, lang: str) -> str:
    if n is None:
        return '<span class="muted">—</span>'
    if n.iri == QUERY_NODE:
        return f"<b>{e(t('your_facts', lang))}</b>"
    return node_link(n, lang)


def _label(n: NodeRef | None, lang: str) -> str:
    if n is None:
        return "—"
    if n.iri == QUERY_NODE:
        return t("your_facts", lang)
    return pick(n.label_zh, n.label_en, lang) or iri_tail(n.iri)


def _date(value: str | None) -> str:
    return e(value) if value else "—"


# ----------------------------------------------------------------------------- versions


def _flags(row: VersionRow, lang: str) -> str:
    if row.asked:
        return f'<span class="sub">{e(t("this_version", lang))}</span>'
    if row.article is None:
        return f'<span class="unv">{e(t("no_counterpart", lang))}</span>'
    out = []
    if row.renumbered:
        out.append(f'<span class="flag">{e(t("renumbered", lang, n=row.article_number or "?"))}</span>')
    if row.changed:
        out.append(f'<span class="flag">{e(t("text_changed", lang))}</span>')
    elif row.changed is False:
        out.append(f'<span class="sub">{e(t("text_same", lang))}</span>')
    return " ".join(out) or f'<span class="sub">{e(t("same_number", lang))}</span>'


def versions_table(h: VersionHistory, lang: str) -> str:
    head = (t("version", lang), t("effective", lang), t("until", lang))
    head += (t("corresponding_article", lang), t("compared", lang)) if h.kind == "Article" else ()
    rows = []
    for row in h.versions:
        on = h.in_force is not None and row.statute.iri == h.in_force.statute.iri
        cls = ' class="now"' if on else ""
        cells = [node_link(row.statute, lang) + (f' <span class="chip now-chip">{e(t("in_force_on", lang, date=h.as_of))}</span>' if on else ""),
                 _date(row.effective or row.adopted), _date(row.until)]
        if h.kind == "Article":
            cells += [_ref(row.article, lang) if row.article else '<span class="muted">—</span>', _flags(row, lang)]
        rows.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ('<table class="t versions"><thead><tr>' + "".join(f"<th>{e(x)}</th>" for x in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def as_of_status(h: VersionHistory, lang: str) -> str:
    """One sentence: what was the law on the date."""
    if not h.as_of or h.status is None:
        return ""
    now = h.in_force
    if h.status == "in_force":
        text = t("status_in_force", lang, date=h.as_of)
    elif h.status == "superseded" and now is not None:
        if h.kind == "Article":
            text = (t("status_superseded_article", lang, date=h.as_of, statute=_label(now.statute, lang),
                      article=_label(now.article, lang)) if now.article else
                    t("status_superseded_unknown", lang, date=h.as_of, statute=_label(now.statute, lang)))
        else:
            text = t("status_superseded", lang, date=h.as_of, statute=_label(now.statute, lang))
    elif h.status == "not_yet_in_force" and now is not None:
        text = t("status_earlier", lang, date=h.as_of, statute=_label(now.statute, lang))
    elif h.status == "not_yet_in_force":
        text = t("status_not_yet", lang, date=h.as_of)
    else:
        text = t("status_none", lang, date=h.as_of)
    target = now.article if (now is not None and h.kind == "Article") else (now.statute if now else None)
    tail = f" {link(target.iri, _label(target, lang))}" if target is not None and h.status != "in_force" else ""
    return f'<p class="asof">{e(text)}{tail}</p>'


def versions_view(h: VersionHistory, lang: str) -> str:
    """The versions panel of an article or statute page (with the law on ``as_of`` when set)."""
    if len(h.versions) <= 1 and not h.as_of:
        return wrap(f"<h3>{e(t('versions', lang))}</h3><p class=\"muted\">{e(t('one_version', lang))}</p>")
    return wrap(f"<h3>{e(t('versions', lang))}</h3>{as_of_status(h, lang)}{versions_table(h, lang)}")


def case_versions_view(cv: CaseVersions, lang: str) -> str:
    """What each citation of a case resolves to, and what later versions did to it."""
    if not cv.citations:
        return ""
    items = []
    for c in cv.citations:
        when = ""
        if c.in_force_when_decided is False:
            when = f' <span class="unv">⚠ {e(t("not_in_force_when_decided", lang))}</span>'
        flags = []
        for row in c.later:
            if row.article is not None and (row.renumbered or row.changed):
                what = t("later_renumbered", lang) if row.renumbered and not row.changed else (
                    t("later_changed", lang) if row.changed and not row.renumbered else t("later_both", lang))
                flags.append(f'<span class="flag">⚑ {e(what)}</span> {node_link(row.article, lang)}')
            elif row.article is not None:
                flags.append(f'<span class="sub">{e(t("later_same", lang))}</span> {node_link(row.article, lang)}')
            elif c.article_number:
                flags.append(f'<span class="unv">⚑ {e(t("later_unknown", lang))}</span> {node_link(row.statute, lang)}')
            else:
                flags.append(f'<span class="sub">{e(t("later_version", lang))}</span> {node_link(row.statute, lang)}')
        resolved = t("resolves_to", lang)
        items.append(f'<li data-cited="{e(c.cited.iri)}">{node_link(c.cited, lang)} — {e(resolved)} '
                     f"{node_link(c.version.statute, lang)} ({_date(c.version.effective)}){when}"
                     + ("<br>" + "<br>".join(flags) if flags else "") + "</li>")
    return wrap(f"<h3>{e(t('versions_of_cited_law', lang))}</h3><ul class=\"versions\">{''.join(items)}</ul>")


def _citations_as_of(cits: Sequence[CitationAsOf], lang: str, date: str) -> str:
    if not cits:
        return f'<p class="muted">{e(t("no_citations", lang))}</p>'
    out = []
    for c in cits:
        now = c.in_force
        if c.status == "in_force":
            state = f'<span class="sub">{e(t("asof_in_force", lang))}</span>'
        elif c.status == "superseded" and now is not None:
            target = now.article or now.statute if c.cited.kind == "Article" else now.statute
            state = f'<span class="flag">{e(t("asof_read_as", lang))}</span> {node_link(target, lang)}'
            if c.cited.kind == "Article" and now.article is None:
                state = f'<span class="unv">{e(t("asof_superseded_unknown", lang))}</span> {node_link(now.statute, lang)}'
        elif c.status == "not_yet_in_force" and now is not None:
            target = now.article or now.statute
            state = f'<span class="unv">{e(t("asof_not_yet", lang))}</span> {node_link(target, lang)}'
        else:
            state = f'<span class="unv">{e(t("asof_none", lang))}</span>'
        out.append(f"<li>{node_link(c.cited, lang)} → {state}</li>")
    return "<ul>" + "".join(out) + "</ul>"


def topic_as_of_view(ta: TopicAsOf, lang: str) -> str:
    counts = t("asof_counts", lang, date=ta.as_of, rules=len(ta.rules), cases=len(ta.cases),
               later_rules=ta.later_rules, later_cases=ta.later_cases)
    return wrap(
        f'<div class="asof-box"><h3>{e(t("law_as_of", lang, date=ta.as_of))} · {_ref(ta.topic, lang)}</h3>'
        f'<p class="sub">{e(counts)}</p>'
        f"<h3>{e(t('rules', lang))}</h3>{rules_html(ta.rules, lang)}"
        f"<h3>{e(t('cited_law_as_of', lang, date=ta.as_of))}</h3>{_citations_as_of(ta.citations, lang, ta.as_of)}"
        f"<h3>{e(t('cases_decided_by', lang, date=ta.as_of))}</h3>{cases_table(ta.cases, lang)}</div>"
    )


def rule_as_of_view(ra: RuleAsOf, lang: str, date: str) -> str:
    issued = t("issued_on", lang, date=ra.issued or "—")
    warn = "" if ra.issued_by_then is not False else f' <span class="unv">⚠ {e(t("not_issued_yet", lang, date=date))}</span>'
    return wrap(
        f'<div class="asof-box"><h3>{e(t("law_as_of", lang, date=date))}</h3>'
        f'{rules_html([ra.rule], lang)}<p class="sub">{e(issued)}{warn}</p>'
        f"<h3>{e(t('cited_law_as_of', lang, date=date))}</h3>{_citations_as_of(ra.citations, lang, date)}</div>"
    )


# ----------------------------------------------------------------------------- similar cases


def edge_label(edge: GraphEdge, lang: str) -> str:
    return viz.predicate_label(edge.type, lang)


def path_text(reason: Reason, lang: str) -> str:
    """``A —cites→ B ←cites— C`` as plain text (for Markdown and .docx)."""
    parts = [_label(reason.path[0], lang)] if reason.path else []
    for i, edge in enumerate(reason.edges):
        if i + 1 >= len(reason.path):
            break
        a, b = reason.path[i], reason.path[i + 1]
        name = edge_label(edge, lang)
        forward = edge.source == a.iri and edge.target == b.iri
        parts.append(f"—{name}→" if forward else f"←{name}—")
        parts.append(_label(b, lang))
    return " ".join(parts)


def _path_html(reason: Reason, lang: str) -> str:
    parts = [_ref(reason.path[0], lang)] if reason.path else []
    for i, edge in enumerate(reason.edges):
        if i + 1 >= len(reason.path):
            break
        a, b = reason.path[i], reason.path[i + 1]
        name = e(edge_label(edge, lang))
        forward = edge.source == a.iri and edge.target == b.iri
        parts.append(f'<span class="edge">—{name}→</span>' if forward else f'<span class="edge">←{name}—</span>')
        parts.append(_ref(b, lang))
    return " ".join(parts)


def reason_text(reason: Reason, lang: str) -> str:
    """The reason in words (what is shared), without the path."""
    names = [_label(n, lang) for n in reason.nodes]
    if reason.kind == "corresponding_article" and len(names) >= 2:
        return t("reason_corresponding_article", lang, query=names[0], hit=names[1])
    if reason.kind == "statute" and len(names) >= 2:
        return t("reason_statute_versions", lang, query=names[0], hit=names[1])
    return t(f"reason_{reason.kind}", lang, node=names[0] if names else "")


def tier_chip(hit_tier: NodeRef | None, rank: int, lang: str) -> str:
    name = _label(hit_tier, lang) if hit_tier else t("no_tier", lang)
    return f'<span class="chip tier tier-{int(rank)}">{e(name)}</span>'


def _hit_html(i: int, h: SimilarHit, lang: str) -> str:
    c = h.case
    courts = t("list_sep", lang).join(_label(x, lang) for x in c.courts)
    holding = pick(h.holding_zh, h.holding_en, lang)
    reasons = "".join(
        f'<li class="reason r-{e(r.kind)}"><span class="why">{e(reason_text(r, lang))}</span>'
        f' <span class="w">+{r.weight:g}</span><div class="path">{_path_html(r, lang)}</div></li>'
        for r in h.reasons)
    return (
        f'<div class="hit-card" data-case="{e(c.iri)}"><div class="hit-head"><b>{i}.</b> {tier_chip(h.tier, h.tier_rank, lang)}'
        f'{link(c.iri, pick(c.label_zh, c.label_en, lang) or iri_tail(c.iri))} '
        f'<span class="sub">{e(t("score", lang))} {h.score:g}</span></div>'
        f'<dl class="kv"><dt>{e(t("case_no", lang))}</dt><dd>{case_numbers_html(c, lang)}</dd>'
        f'<dt>{e(t("court", lang))}</dt><dd>{e(courts) or "—"}</dd>'
        f'<dt>{e(t("date", lang))}</dt><dd>{_date(c.decided)} {badge(c.verified, lang)}</dd>'
        f'<dt>{e(t("holding", lang))}</dt><dd>{e(holding) or "—"}</dd></dl>'
        f'<div class="sub">{e(t("why_similar", lang))}</div><ul class="reasons">{reasons}</ul></div>'
    )


def query_label(rep: SimilarReport, lang: str) -> str:
    q = rep.query
    if q.kind == "facts":
        text = q.text or ""
        return t("query_facts", lang, text=text if len(text) <= 80 else text[:79] + "…")
    return t(f"query_{q.kind}", lang, name=pick(q.label_zh, q.label_en, lang) or iri_tail(q.iri or ""))


def similar_view(rep: SimilarReport, lang: str, downloads: str = "") -> str:
    features = " ".join(f'<span class="feature">{_ref(f, lang)}</span>' for f in rep.query.features)
    head = (f"<h2>{e(t('similar_report', lang))}</h2><p>{e(query_label(rep, lang))}</p>"
            + (f'<p class="sub">{e(t("as_of_date", lang, date=rep.query.as_of))}</p>' if rep.query.as_of else "")
            + f'<p class="sub">{e(t("read_as", lang))} {features or "—"}</p>'
            + f'<p class="sub">{e(t("similar_count", lang, n=len(rep.hits), total=rep.total))} · {e(t("ranking_note", lang))}</p>'
            + downloads)
    if not rep.hits:
        return wrap(head + f'<p class="muted">{e(t("no_similar", lang))}</p>')
    return wrap(head + "".join(_hit_html(i, h, lang) for i, h in enumerate(rep.hits, 1)))


# ----------------------------------------------------------------------------- compare (对照)


def _doc_head(d: DocumentRef, lang: str) -> str:
    kind = "policy" if d.kind == "PolicyDocument" else "statute"
    meta = " · ".join(x for x in (d.doc_number or "", d.date or "") if x)
    return (f'<div class="doc-head">{kind_chip(kind, lang)}<span class="chip tier tier-{min(d.tier_rank, 9)}">'
            f'{e(t("norm_tier_" + str(min(d.tier_rank, 5)), lang))}</span><br>{link(d.iri, pick(d.label_zh, d.label_en, lang) or iri_tail(d.iri))}'
            f'<div class="sub">{e(meta)}</div></div>')


def _case_links(cases: Sequence[CaseSummary], lang: str, limit: int = 8) -> str:
    if not cases:
        return f'<span class="muted">{e(t("no_cases", lang))}</span>'
    shown = [link(c.iri, (c.case_numbers or c.case_numbers_unverified or (pick(c.label_zh, c.label_en, lang),))[0],
                  title=pick(c.label_zh, c.label_en, lang)) for c in cases[:limit]]
    more = f' <span class="sub">+{len(cases) - limit}</span>' if len(cases) > limit else ""
    return t("list_sep", lang).join(shown) + more


def side_by_side_view(sb: SideBySide, lang: str) -> str:
    topic = sb.topic
    cols = []
    for col in sb.columns:
        items = []
        for it in col.items:
            if it.kind == "Measure":
                head = link(it.iri, measure_name(int(it.number) if it.number and it.number.isdigit() else None,
                                                 it.label_zh, it.label_en, lang))
            else:
                head = link(it.iri, pick(it.label_zh, it.label_en, lang) or iri_tail(it.iri))
            text = pick(it.text_zh, it.text_en, lang)
            corr = ""
            if it.corresponds:
                corr = (f'<div class="sub">{e(t("corresponds_to", lang))} '
                        + t("list_sep", lang).join(node_link(c, lang) for c in it.corresponds) + "</div>")
            items.append(f'<div class="cmp-item" data-item="{e(it.iri)}"><div>{head} <span class="sub">({e(t("why_" + it.why, lang))})</span></div>'
                         f'<div class="cmp-text">{e(text[:400] + ("…" if len(text) > 400 else ""))}</div>{corr}'
                         f'<div class="sub">{e(t("cases_label", lang))}: {_case_links(it.cases, lang)}</div></div>')
        cols.append(f'<div class="cmp-col" data-doc="{e(col.document.iri)}">{_doc_head(col.document, lang)}{"".join(items)}</div>')
    note = t("compare_note", lang, shown=len(sb.columns), total=sb.documents_total)
    return wrap(f"<h2>{kind_chip('topic', lang)}{link(topic.iri, pick(topic.label_zh, topic.label_en, lang))}</h2>"
                f'<p class="sub">{e(note)}</p><div class="cmp-grid">{"".join(cols)}</div>')


def compare_matrix_view(m: CompareMatrix, lang: str, limit: int = 14) -> str:
    counts = {(c.topic, c.document): c.count for c in m.cells}
    totals = {d.iri: sum(n for (_, doc), n in counts.items() if doc == d.iri) for d in m.documents}
    docs = sorted(sorted(m.documents, key=lambda d: -totals[d.iri])[:limit],
                  key=lambda d: (d.tier_rank, d.iri))
    head = "".join(f'<th class="m" title="{e(pick(d.label_zh, d.label_en, lang))}">'
                   f'{link(d.iri, (pick(d.label_zh, d.label_en, lang) or iri_tail(d.iri))[:14])}</th>' for d in docs)
    rows = []
    for topic in m.topics:
        if not any(counts.get((topic.id, d.iri)) for d in docs):
            continue
        cells = []
        for d in docs:
            n = counts.get((topic.id, d.iri), 0)
            cells.append(f'<td class="c" data-topic="{e(topic.id)}" data-doc="{e(d.iri)}">{n}</td>' if n else '<td class="c muted">·</td>')
        rows.append(f'<tr><th><a href="#" data-topic="{e(topic.id)}">{e(pick(topic.label_zh, topic.label_en, lang))}</a></th>{"".join(cells)}</tr>')
    note = t("compare_matrix_note", lang, shown=len(docs), total=len(m.documents))
    return wrap(f'<p class="sub">{e(note)}</p><div style="overflow-x:auto"><table class="t heat cmp-matrix"><thead><tr>'
                f'<th>{e(t("topic_document", lang))}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


# ----------------------------------------------------------------------------- changes


def change_text(c: Change, lang: str) -> str:
    node = _label(c.node, lang)
    kind = t("kind_" + c.node.kind, lang) if f"kind_{c.node.kind}" in ui_text()["text"] else c.node.kind
    if c.change in ("link_added", "link_removed") and c.target is not None:
        rel = viz.predicate_label(c.relation or "", lang)
        return t(f"change_{c.change}", lang, kind=kind, node=node, relation=rel, target=_label(c.target, lang))
    if c.change in ("text_changed", "label_changed"):
        return t(f"change_{c.change}", lang, kind=kind, node=node, fields=", ".join(c.fields))
    return t(f"change_{c.change}", lang, kind=kind, node=node)


def changes_view(feed: ChangeFeed, lang: str, atom_url: str = "") -> str:
    gens = "".join(f"<li>{e(g.at)} · <code>{e(g.generation)}</code> · {e(t('n_changes', lang, n=g.changes))}</li>"
                   for g in feed.generations) or f'<li class="muted">{e(t("no_generations", lang))}</li>'
    items = "".join(
        f'<li class="change c-{e(c.change)}"><span class="sub">{e(c.at[:16])}</span> {e(change_text(c, lang))} '
        f"{link(c.node.iri, '↗')}" + (f" {link(c.target.iri, '↗')}" if c.target else "") + "</li>"
        for c in feed.items) or f'<li class="muted">{e(t("no_changes", lang))}</li>'
    atom = f' · <a href="{e(atom_url)}" target="_blank" rel="noopener">Atom</a>' if atom_url else ""
    return wrap(f'<h3>{e(t("generations", lang))}</h3><ul>{gens}</ul>'
                f'<h3>{e(t("changes_matching", lang, n=feed.total))}{atom}</h3><ul class="changes">{items}</ul>')


# ----------------------------------------------------------------------------- outline


def topic_legend(ids: Sequence[str], names: dict[str, tuple[str | None, str | None]], lang: str) -> str:
    colours = topic_colours(ids)
    return '<div class="legend topic-legend">' + "".join(
        f'<span class="tl"><span class="dot" style="background:{colours[tid]}"></span>'
        f'{e(pick(*names.get(tid, (tid, tid)), lang))}</span>' for tid in ids) + "</div>"


def outline_view(o: DocumentOutline, lang: str, topic_order: Sequence[str]) -> str:
    """The policy document's overview: header facts, a topic legend, sections and measures."""
    colours = topic_colours(topic_order)
    names = {tp.id: (tp.label_zh, tp.label_en) for tp in o.topics}
    used = [tid for tid in topic_order if tid in names]
    meta = [(t("document_no", lang), e(o.doc_number or "—")), (t("issued", lang), _date(o.issued))]
    if o.issuer is not None:
        meta.append((t("issuer", lang), node_link(o.issuer, lang)))
    kv = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in meta)
    sections = []
    for s in o.sections:
        ms = []
        for om in s.measures:
            dots = "".join(f'<span class="chip" style="background:{colours.get(tid, NO_TOPIC_COLOUR)}">'
                           f'{e(pick(*names.get(tid, (tid, tid)), lang))}</span>' for tid in om.topics[:3])
            counts = t("outline_counts", lang, rules=om.rules, cases=om.cases)
            ms.append(f"<li>{measure_link(om.measure, lang)} {dots} <span class=\"sub\">{e(counts)}</span></li>")
        title = pick(s.title_zh, s.title_en, lang)
        head = f"<h3>{e(t('section_n', lang, n=s.number))} · {link(s.iri, title)}</h3>" if s.number is not None else ""
        sections.append(head + "<ul>" + "".join(ms) + "</ul>")
    others = ""
    if len(o.documents) > 1:
        others = (f"<p class=\"sub\">{e(t('other_documents', lang))} "
                  + t("list_sep", lang).join(node_link(d, lang) for d in o.documents if d.iri != o.iri) + "</p>")
    return wrap(
        f"<h2>{kind_chip('policy', lang)}{link(o.iri, pick(o.title_zh, o.title_en, lang))}</h2>"
        + (f'<div class="sub">{e(o.title_en if lang == "zh" else o.title_zh)}</div>' if (o.title_en and o.title_zh) else "")
        + f'<dl class="kv">{kv}</dl>{others}<p class="sub">{e(t("outline_hint", lang))}</p>'
        + topic_legend(used, names, lang) + "".join(sections)
    )


def empty(lang: str, key: str) -> str:
    return message(t(key, lang))
