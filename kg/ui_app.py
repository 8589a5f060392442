"""The Gradio UI: what a judge, an academic or a lawyer clicks through every day.

Why HTML views built here rather than Gradio tables: a judge reads rules, 案号 and courts, and
follows links from a measure to its cases to the statutes they cite. Every view below is a
pure function from an explorer result to an HTML string in which *every* value from the graph
goes through :func:`html.escape`; links carry the target IRI in ``data-iri`` and one small
script per view turns a click into an in-app navigation (no page reload, no raw IRIs shown
where a label exists). Graphs are vis-network pages served by the API (``/viz/…``) inside an
``<iframe>``, where scripts run; a click on a node comes back through ``postMessage``.

Chinese first: labels are shown in Chinese with English beside them; the 中文/English switch
changes which language entity names and texts are shown in. Unverified facts are marked
(⚠) wherever they appear.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import gradio as gr

from kg import viz

LANGS = {"中文": "zh", "English": "en"}
TOPIC_ORDER = (
    "data_rights", "trade_secrets", "frand_sep", "aigc", "punitive_damages", "repeat_infringement",
    "abuse_of_rights", "estoppel", "plant_varieties_gi", "service_inventions_talent", "foreign_related",
    "technical_fact_finding", "remedies_preservation", "enforcement_coordination", "unfair_competition",
    "damages_calculation", "evidence_rules", "copyright", "patent", "trademark", "emerging_industries",
    "dispute_resolution",
)
MODALITY_COLOURS = {
    "obligation": "#1f4e79", "prohibition": "#c00000", "permission": "#548235",
    "exploration": "#7030a0", "encouragement": "#c55a11",
}

# One delegate per view: a click on anything carrying data-iri opens that node in the app.
NAV_JS = """
element.addEventListener('click', function (ev) {
  var a = ev.target.closest('[data-iri]');
  if (!a || !element.contains(a)) { return; }
  ev.preventDefault();
  trigger('click', {iri: a.getAttribute('data-iri')});
});
"""

# The graph iframe posts {type: 'iprg-node', iri} when a node is clicked.
GRAPH_JS = """
window.addEventListener('message', function (ev) {
  if (ev.origin !== window.location.origin) { return; }
  var d = ev.data;
  if (!d || d.type !== 'iprg-node' || typeof d.iri !== 'string') { return; }
  var frame = element.querySelector('iframe');
  if (!frame || ev.source !== frame.contentWindow) { return; }
  trigger('click', {iri: d.iri});
});
"""

CSS = """
.iprg h2 { margin: 4px 0 2px; font-size: 1.35em; }
.iprg h3 { margin: 18px 0 6px; font-size: 1.05em; border-bottom: 1px solid #e5e7eb; padding-bottom: 3px; }
.iprg .sub { color: #57606a; font-size: 0.92em; }
.iprg a[data-iri] { color: #0b5cad; text-decoration: none; cursor: pointer; }
.iprg a[data-iri]:hover { text-decoration: underline; }
.iprg .chip { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 0.8em; color: #fff; margin-right: 4px; white-space: nowrap; }
.iprg .badge { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 0.82em; white-space: nowrap; font-weight: 600; }
.iprg .v-yes { background: #e6f4ea; color: #1e7e34; border: 1px solid #a8d5b5; }
.iprg .v-partly { background: #fff4e0; color: #9a6700; border: 1px solid #f0c36d; }
.iprg .v-no { background: #fdecea; color: #b42318; border: 1px solid #f5b5ae; }
.iprg .unv { color: #b42318; }
.iprg table.t { border-collapse: collapse; width: 100%; font-size: 0.93em; }
.iprg table.t th, .iprg table.t td { border-bottom: 1px solid #eaeef2; padding: 5px 6px; text-align: left; vertical-align: top; }
.iprg table.t th { background: #f6f8fa; font-weight: 600; }
.iprg .rule { margin: 6px 0; padding: 6px 10px; border-left: 3px solid #d0d7de; background: #fafbfc; }
.iprg .src { line-height: 1.9; padding: 10px 12px; background: #fffdf6; border: 1px solid #eee3c4; border-radius: 6px; white-space: pre-wrap; }
.iprg mark { padding: 0 1px; border-radius: 3px; cursor: pointer; }
.iprg mark.k-concept { background: #dcefd0; } .iprg mark.k-topic { background: #fbe8a6; }
.iprg mark.k-statute, .iprg mark.k-article { background: #f8dcc8; } .iprg mark.k-case { background: #f6d0d0; }
.iprg mark.k-court, .iprg mark.k-org, .iprg mark.k-place { background: #e6dcf3; } .iprg mark.k-other { background: #e8eaed; }
.iprg .legend mark { cursor: default; font-size: 0.85em; margin-right: 6px; }
.iprg table.heat td.c { text-align: center; min-width: 26px; font-variant-numeric: tabular-nums; }
.iprg table.heat th.m { text-align: center; font-size: 0.85em; }
.iprg .hit { margin: 8px 0; }
.iprg .muted { color: #8c959f; }
.iprg .kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 8px 0; }
.iprg .kv dt { color: #57606a; } .iprg .kv dd { margin: 0; }
.iprg .note { background: #fff8c5; border: 1px solid #eed888; padding: 6px 10px; border-radius: 6px; font-size: 0.9em; }
#iprg-header h1 { margin-bottom: 0; }
"""


# ----------------------------------------------------------------------------- small helpers

def e(value: Any) -> str:
    """HTML-escape any value (None → empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


@lru_cache(maxsize=1)
def texts() -> dict:
    return viz.ui_text()


def pick(zh: str | None, en: str | None, lang: str) -> str:
    """The text in ``lang``, falling back to the other language (never empty if one exists)."""
    first, second = (zh, en) if lang == "zh" else (en, zh)
    return first or second or ""


def both(zh: str | None, en: str | None, lang: str) -> str:
    """Main label in ``lang`` and the other language small beside it (escaped)."""
    main = pick(zh, en, lang)
    other = en if lang == "zh" else zh
    if other and other != main:
        return f'{e(main)} <span class="sub">{e(other)}</span>'
    return e(main)


def link(node_iri: str | None, text: str, *, title: str | None = None) -> str:
    if not node_iri:
        return e(text)
    tip = f' title="{e(title)}"' if title else ""
    return f'<a href="#" data-iri="{e(node_iri)}"{tip}>{e(text)}</a>'


def kind_chip(kind: str, lang: str) -> str:
    key = viz.kind_of(kind) or kind.lower()
    colour = viz.KIND_COLOURS.get(key, viz.DEFAULT_COLOUR)
    return f'<span class="chip" style="background:{colour}">{e(viz.kind_label(key, lang))}</span>'


def badge(verified: str | None, lang: str) -> str:
    """✓ verified / ⚠ partly verified / ⚠ unverified; unknown status counts as unverified."""
    key = verified if verified in ("yes", "partly") else "no"
    return f'<span class="badge v-{key}">{e(texts()["verified"][key][lang])}</span>'


def measure_name(number: int | None, title_zh: str | None, title_en: str | None, lang: str) -> str:
    head = (f"措施{number}" if lang == "zh" else f"Measure {number}") if number is not None else ""
    title = pick(title_zh, title_en, lang)
    return f"{head} · {title}" if head and title else (head or title)


def measure_link(m: Any, lang: str) -> str:
    return link(m.iri, measure_name(m.number, m.title_zh, m.title_en, lang))


def node_link(n: Any, lang: str) -> str:
    return link(n.iri, pick(getattr(n, "label_zh", None), getattr(n, "label_en", None), lang) or _tail(n.iri))


def _tail(node_iri: str) -> str:
    from urllib.parse import unquote

    return unquote(node_iri.rstrip("/").rsplit("/", 1)[-1])


def L(zh: str, en: str, lang: str) -> str:  # noqa: N802 - a tiny UI-string helper
    return zh if lang == "zh" else en


def modality_chip(rule: Any, lang: str) -> str:
    if not rule.modality:
        return ""
    colour = MODALITY_COLOURS.get(rule.modality, "#7f7f7f")
    label = pick(rule.modality_label_zh, rule.modality_label_en, lang) or rule.modality
    return f'<span class="chip" style="background:{colour}">{e(label)}</span>'


def wrap(body: str) -> str:
    return f'<div class="iprg">{body}</div>'


def message(text: str) -> str:
    return wrap(f'<p class="muted">{e(text)}</p>')


# ----------------------------------------------------------------------------- pieces

def case_numbers_html(c: Any, lang: str) -> str:
    parts = [e(n) for n in c.case_numbers]
    parts += [f'<span class="unv" title="{e(L("案号尚未核实", "case number not verified", lang))}">⚠ {e(n)} '
              f'({e(L("未核实", "unverified", lang))})</span>' for n in c.case_numbers_unverified]
    return "<br>".join(parts) or f'<span class="muted">{e(L("无案号", "no case number", lang))}</span>'


def cases_table(cases: Sequence[Any], lang: str) -> str:
    if not cases:
        return f'<p class="muted">{e(L("暂无案例。", "No cases.", lang))}</p>'
    head = (L("案号", "Case no.", lang), L("法院", "Court", lang), L("日期", "Date", lang),
            L("核实", "Verified", lang), L("案件", "Case", lang))
    rows = []
    for c in cases:
        courts = "<br>".join(node_link(ct, lang) for ct in c.courts) or "—"
        outcome = pick(c.outcome_zh, c.outcome_en, lang)
        out = f'<div class="sub">{e(outcome)}</div>' if outcome else ""
        rows.append(
            f"<tr><td>{case_numbers_html(c, lang)}</td><td>{courts}</td><td>{e(c.decided or '—')}</td>"
            f"<td>{badge(c.verified, lang)}</td><td>{link(c.iri, pick(c.label_zh, c.label_en, lang) or _tail(c.iri))}{out}</td></tr>"
        )
    return ('<table class="t"><thead><tr>' + "".join(f"<th>{e(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def rules_html(rules: Sequence[Any], lang: str, *, with_measure: bool = True) -> str:
    if not rules:
        return f'<p class="muted">{e(L("暂无规则。", "No rules.", lang))}</p>'
    out = []
    for r in rules:
        where = ""
        if with_measure and r.measure is not None:
            where = f' <span class="sub">— {measure_link(r.measure, lang)}</span>'
        text = pick(r.text_zh, r.text_en, lang)
        out.append(f'<div class="rule">{modality_chip(r, lang)}{e(text)}{where}</div>')
    return "".join(out)


def citations_html(cits: Sequence[Any], lang: str) -> str:
    if not cits:
        return f'<p class="muted">{e(L("未援引法律。", "No citations.", lang))}</p>'
    items = []
    for c in cits:
        label = pick(c.label_zh, c.label_en, lang) or _tail(c.iri)
        stat = ""
        if c.kind == "Article" and c.statute is not None:
            stat_label = pick(c.statute.label_zh, c.statute.label_en, lang)
            if stat_label and stat_label not in label:
                stat = f' <span class="sub">{link(c.statute.iri, stat_label)}</span>'
        items.append(f"<li>{link(c.iri, label)}{stat}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def refs_inline(refs: Iterable[Any], lang: str) -> str:
    links = [node_link(r, lang) for r in refs]
    return "、".join(links) if lang == "zh" else ", ".join(links)


def _mention_kind(m: Any) -> str:
    kind = viz.kind_of(m.body.iri) or (m.kind or "").lower()
    return kind if kind in {"concept", "topic", "statute", "article", "case", "court", "org", "place"} else "other"


def highlight(text: str, mentions: Sequence[Any], lang: str) -> str:
    """The source text, escaped, with each mention marked and linked to its entity.

    Mentions carry offsets into the *original* document, not into this text, so each is
    found again by its surface form, in document order, allowing the PDF line breaks that
    the original may have inside a word.
    """
    spans: list[tuple[int, int, Any]] = []
    cursor = 0
    ordered = sorted((m for m in mentions if m.exact), key=lambda m: (m.start or 0, -(m.end or 0)))
    for m in ordered:
        chars = [re.escape(ch) for ch in m.exact if not ch.isspace()]
        if not chars:
            continue
        pattern = re.compile(r"\s*".join(chars))
        found = pattern.search(text, cursor) or pattern.search(text)
        if not found:
            continue
        s, t = found.span()
        if any(s < b and t > a for a, b, _ in spans):
            continue
        spans.append((s, t, m))
        cursor = t
    spans.sort(key=lambda x: x[0])
    out, pos = [], 0
    for s, t, m in spans:
        out.append(e(text[pos:s]))
        kind = _mention_kind(m)
        label = pick(m.body.label_zh, m.body.label_en, lang) or _tail(m.body.iri)
        tip = f"{viz.kind_label(kind if kind != 'other' else '', lang)}: {label}"
        out.append(f'<mark class="k-{kind}" data-iri="{e(m.body.iri)}" title="{e(tip)}">{e(text[s:t])}</mark>')
        pos = t
    out.append(e(text[pos:]))
    return "".join(out)


def legend_html(lang: str) -> str:
    kinds = ("concept", "topic", "statute", "case", "court")
    return '<div class="legend sub">' + "".join(
        f'<mark class="k-{k}">{e(viz.kind_label(k, lang))}</mark>' for k in kinds) + "</div>"


# ----------------------------------------------------------------------------- views

def topic_choices(topics: Sequence[Any], lang: str) -> list[tuple[str, str]]:
    order = {t: i for i, t in enumerate(TOPIC_ORDER)}
    ranked = sorted(topics, key=lambda t: (order.get(t.id, len(order)), t.id))
    out = []
    for t in ranked:
        label = f"{pick(t.label_zh, t.label_en, lang)}  ({t.label_en if lang == 'zh' else t.label_zh})"
        out.append((f"{label} · {t.cases} " + L("案", "cases", lang), t.id))
    return out


def topic_view(tr: Any, lang: str) -> str:
    t = tr.topic
    counts = L(f"措施 {len(tr.measures)} 项 · 规则 {len(tr.rules)} 条 · 案例 {len(tr.cases)} 件",
               f"{len(tr.measures)} measures · {len(tr.rules)} rules · {len(tr.cases)} cases", lang)
    measures = "".join(f"<li>{measure_link(m, lang)}</li>" for m in tr.measures) or \
        f'<li class="muted">{e(L("无", "none", lang))}</li>'
    return wrap(
        f"<h2>{kind_chip('topic', lang)}{both(t.label_zh, t.label_en, lang)}</h2>"
        f'<div class="sub">{e(counts)}</div>'
        f"<h3>{e(L('相关措施', 'Measures', lang))}</h3><ul>{measures}</ul>"
        f"<h3>{e(L('规则（含规范类型）', 'Rules (with modality)', lang))}</h3>{rules_html(tr.rules, lang)}"
        f"<h3>{e(L('案例（最新、最高审级优先）', 'Cases (newest and highest court first)', lang))}</h3>"
        f"{cases_table(tr.cases, lang)}"
    )


def measure_view(m: Any, lang: str) -> str:
    meta = []
    if m.source is not None:
        meta.append((L("来源文件", "Source document", lang), node_link(m.source, lang)))
    if m.doc_number:
        meta.append((L("文号", "Document no.", lang), e(m.doc_number)))
    if m.section is not None:
        meta.append((L("所属部分", "Section", lang), node_link(m.section, lang)))
    if m.topics:
        meta.append((L("专题", "Topics", lang), refs_inline(m.topics, lang)))
    kv = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in meta)
    text = m.text_zh or ""
    return wrap(
        f"<h2>{kind_chip('measure', lang)}{e(measure_name(m.number, m.title_zh, m.title_en, lang))}</h2>"
        + (f'<div class="sub">{e(m.title_en)}</div>' if lang == "zh" and m.title_en else "")
        + f'<dl class="kv">{kv}</dl>'
        f"<h3>{e(L('原文（标注实体，点击可跳转）', 'Source text (mentions highlighted; click to open)', lang))}</h3>"
        f"{legend_html(lang)}<div class=\"src\">{highlight(text, m.mentions, lang)}</div>"
        f"<h3>{e(L('规则', 'Rules', lang))}</h3>{rules_html(m.rules, lang, with_measure=False)}"
        f"<h3>{e(L('援引法律', 'Statutes and articles cited', lang))}</h3>{citations_html(m.citations, lang)}"
        f"<h3>{e(L('适用案例', 'Cases', lang))}</h3>{cases_table(m.cases, lang)}"
    )


RELATIONS = {
    "appealOf": ("上诉自", "appeal of"), "appealedBy": ("其上诉案", "appealed in"),
    "relatedCase": ("关联案件", "related case"), "sharesArticle": ("援引相同条文", "cites the same article"),
}


def relation_label(relation: str, lang: str) -> str:
    zh, en = RELATIONS.get(relation, (relation, relation))
    return zh if lang == "zh" else en


def case_view(c: Any, lang: str) -> str:
    s = c.summary
    meta = [
        (L("案号", "Case no.", lang), case_numbers_html(s, lang)),
        (L("法院", "Court", lang), "<br>".join(node_link(ct, lang) for ct in s.courts) or "—"),
        (L("裁判日期", "Decided", lang), e(s.decided or "—")),
        (L("核实程度", "Verification", lang), badge(s.verified, lang)),
    ]
    if c.cause:
        meta.append((L("案由", "Cause", lang), e(c.cause)))
    if c.plaintiffs:
        meta.append((L("原告", "Plaintiffs", lang), e("、".join(c.plaintiffs))))
    if c.defendants:
        meta.append((L("被告", "Defendants", lang), e("、".join(c.defendants))))
    if c.honours:
        meta.append((L("荣誉", "Honours", lang), e("；".join(c.honours))))
    if c.topics:
        meta.append((L("专题", "Topics", lang), refs_inline(c.topics, lang)))
    kv = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in meta)
    holding = pick(c.holding_zh, c.holding_en, lang)
    outcome = pick(s.outcome_zh, s.outcome_en, lang)
    note = ""
    if s.verified != "yes":
        note = (f'<p class="note">⚠ {e(L("本案部分事实尚未逐字核实，引用前请核对裁判文书原文。", "Some facts of this case are not verified word for word; check the judgment before citing it.", lang))}</p>')
    sources = "".join(
        f'<li><a href="{e(u)}" target="_blank" rel="noopener noreferrer">{e(u)}</a></li>'
        for u in c.sources if str(u).startswith(("http://", "https://")))
    related = "".join(
        f"<li>{link(r.case.iri, pick(r.case.label_zh, r.case.label_en, lang))} "
        f'<span class="sub">({e(relation_label(r.relation, lang))})</span></li>' for r in c.related)
    measures = "".join(f"<li>{measure_link(m, lang)}</li>" for m in c.measures)
    return wrap(
        f"<h2>{kind_chip('case', lang)}{both(s.label_zh, s.label_en, lang)}</h2>{note}"
        f'<dl class="kv">{kv}</dl>'
        f"<h3>{e(L('裁判要旨', 'Holding', lang))}</h3><p>{e(holding) or '—'}</p>"
        f"<h3>{e(L('裁判结果', 'Outcome', lang))}</h3><p>{e(outcome) or '—'}</p>"
        f"<h3>{e(L('例证的措施', 'Measures it illustrates', lang))}</h3><ul>{measures or '<li class=muted>—</li>'}</ul>"
        + (f"<h3>{e(L('例证的规则', 'Rules it illustrates', lang))}</h3>{rules_html(c.rules, lang)}" if c.rules else "")
        + f"<h3>{e(L('援引法律', 'Statutes and articles cited', lang))}</h3>{citations_html(c.citations, lang)}"
        + (f"<h3>{e(L('关联案件', 'Related cases', lang))}</h3><ul>{related}</ul>" if related else "")
        + (f"<h3>{e(L('来源', 'Sources', lang))}</h3><ul>{sources}</ul>" if sources else "")
    )


def law_view(d: Any, lang: str) -> str:
    kind = "article" if d.kind == "Article" else "statute"
    meta = []
    if d.kind == "Article" and d.statute is not None:
        meta.append((L("所属法律", "Statute", lang), node_link(d.statute, lang)))
    if d.article_number:
        meta.append((L("条号", "Article no.", lang), e(d.article_number)))
    if d.statute_kind:
        meta.append((L("类别", "Kind", lang), e(d.statute_kind)))
    if d.status:
        meta.append((L("效力", "Status", lang), e(d.status)))
    kv = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in meta)
    gist = pick(d.gist_zh, d.gist_en, lang)
    articles = "".join(f"<li>{node_link(a, lang)}</li>" for a in d.articles)
    measures = "".join(f"<li>{measure_link(m, lang)}</li>" for m in d.measures)
    return wrap(
        f"<h2>{kind_chip(kind, lang)}{both(d.label_zh, d.label_en, lang)}</h2>"
        f'<dl class="kv">{kv}</dl>'
        + (f"<h3>{e(L('要点（编者概括，非原文）', 'Gist (editor’s summary, not the official text)', lang))}</h3><p>{e(gist)}</p>" if gist else "")
        + (f"<h3>{e(L('条文', 'Articles', lang))}</h3><ul>{articles}</ul>" if articles else "")
        + f"<h3>{e(L('援引它的措施', 'Measures citing it', lang))}</h3><ul>{measures or '<li class=muted>—</li>'}</ul>"
        + (f"<h3>{e(L('援引它的规则', 'Rules citing it', lang))}</h3>{rules_html(d.rules, lang)}" if d.rules else "")
        + f"<h3>{e(L('援引它的案例', 'Cases citing it', lang))}</h3>{cases_table(d.cases, lang)}"
    )


def node_view(center: str, sub: Any, lang: str) -> str:
    """Any other node (concept, court, place…): its label and its neighbours, grouped by kind."""
    me = next((n for n in sub.nodes if n.iri == center), None)
    if me is None:
        return message(L("图中没有这个节点。", "This node is not in the graph.", lang))
    groups: dict[str, list[Any]] = {}
    for n in sub.nodes:
        if n.iri != center:
            groups.setdefault(viz.kind_of(n.iri) or n.kind.lower(), []).append(n)
    body = "".join(
        f"<h3>{e(viz.kind_label(k, lang))}</h3><ul>"
        + "".join(f"<li>{link(n.iri, pick(n.label, n.label_en, lang) or _tail(n.iri))}</li>" for n in ns)
        + "</ul>" for k, ns in sorted(groups.items()))
    kind = viz.kind_of(center) or me.kind.lower()
    return wrap(f"<h2>{kind_chip(kind, lang)}{both(me.label, me.label_en, lang)}</h2>"
                f'<div class="sub">{e(center)}</div>{body}')


def search_view(q: str, hits: Sequence[Any], lang: str) -> str:
    if not q.strip():
        return message(L("输入中文或英文关键词，例如：商业秘密、FRAND、数据权益、punitive damages。",
                         "Type words in Chinese or English, e.g. 商业秘密, FRAND, data rights, punitive damages.", lang))
    if not hits:
        return message(L(f"没有找到“{q}”。", f"Nothing found for “{q}”.", lang))
    items = []
    for h in hits:
        kind = viz.kind_of(h.iri) or h.kind.lower()
        via = ""
        if h.via:
            via = f' <span class="sub">{e(L("经由", "via", lang))} {refs_inline(h.via, lang)}</span>'
        items.append(f'<div class="hit">{kind_chip(kind, lang)}{link(h.iri, pick(h.label_zh, h.label_en, lang) or _tail(h.iri))}'
                     f' <span class="sub">{e(h.label_en if lang == "zh" else h.label_zh)}</span>{via}</div>')
    return wrap(f'<div class="sub">{e(L(f"“{q}”：{len(hits)} 个结果", f"“{q}”: {len(hits)} results", lang))}</div>' + "".join(items))


def matrix_view(mx: Any, lang: str) -> str:
    order = {t: i for i, t in enumerate(TOPIC_ORDER)}
    measures = sorted(mx.measures, key=lambda m: (m.number is None, m.number or 0))
    counts = {(c.topic, c.measure): c.count for c in mx.cells}
    top = max(counts.values(), default=1) or 1
    rows_topics = sorted((t for t in mx.topics if any(k[0] == t.id for k in counts)),
                         key=lambda t: (order.get(t.id, len(order)), t.id))
    head = "".join(
        f'<th class="m">{link(m.iri, str(m.number), title=measure_name(m.number, m.title_zh, m.title_en, lang))}</th>'
        for m in measures)
    rows = []
    for t in rows_topics:
        cells = []
        for m in measures:
            n = counts.get((t.id, m.iri), 0)
            if n:
                alpha = 0.15 + 0.85 * n / top
                colour = "#fff" if alpha > 0.55 else "#1f2328"
                tip = f"{pick(t.label_zh, t.label_en, lang)} × {measure_name(m.number, m.title_zh, m.title_en, lang)}: {n}"
                cells.append(f'<td class="c" style="background:rgba(31,78,121,{alpha:.2f});color:{colour}" title="{e(tip)}">{n}</td>')
            else:
                cells.append('<td class="c muted">·</td>')
        rows.append(f"<tr><th>{link(t.iri, pick(t.label_zh, t.label_en, lang))}</th>{''.join(cells)}</tr>")
    note = L("数字 = 该措施本身、其规则及例证它的案例中涉及该专题的数量；颜色越深越多。点击措施编号或专题可打开。",
             "Number = the measure, its rules and the cases illustrating it that are about the topic; darker is more. Click a number or topic to open it.", lang)
    corner = e(L("专题 ＼ 措施", "Topic ＼ measure", lang))
    return wrap(f'<p class="sub">{e(note)}</p><div style="overflow-x:auto"><table class="t heat"><thead><tr>'
                f"<th>{corner}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def centrality_view(rows: Sequence[Any], lang: str) -> str:
    head = ("#", L("名称", "Name", lang), L("类型", "Kind", lang), L("度", "Degree", lang),
            L("入度", "In", lang), L("出度", "Out", lang), "PageRank")
    body = "".join(
        f"<tr><td>{i}</td><td>{link(r.iri, pick(r.label_zh, r.label_en, lang) or _tail(r.iri))}</td>"
        f"<td>{kind_chip(viz.kind_of(r.iri) or r.kind.lower(), lang)}</td><td>{r.degree}</td><td>{r.in_degree}</td>"
        f"<td>{r.out_degree}</td><td>{r.pagerank:.4f}</td></tr>"
        for i, r in enumerate(rows, 1))
    return wrap('<table class="t"><thead><tr>' + "".join(f"<th>{e(h)}</th>" for h in head)
                + f"</tr></thead><tbody>{body}</tbody></table>")


def path_view(sub: Any, lang: str) -> str:
    if sub is None or not sub.nodes:
        return message(L("6 步之内没有路径。", "No path within 6 hops.", lang))
    steps = " → ".join(link(n.iri, pick(n.label, n.label_en, lang) or _tail(n.iri)) for n in sub.nodes)
    return wrap(f'<p>{e(L(f"最短路径（{len(sub.nodes) - 1} 步）：", f"Shortest path ({len(sub.nodes) - 1} hops): ", lang))}{steps}</p>')


def detail_for(explorer: Any, node_iri: str, lang: str) -> str:
    """The detail view of any node, chosen by the kind in its IRI."""
    from kg.explorer import NotFound

    kind = viz.kind_of(node_iri)
    try:
        if kind == "measure":
            return measure_view(explorer.measure(node_iri), lang)
        if kind == "case":
            return case_view(explorer.case(node_iri), lang)
        if kind in ("statute", "article"):
            return law_view((explorer.article if kind == "article" else explorer.statute)(node_iri), lang)
        if kind == "topic":
            return topic_view(explorer.rules_by_topic(_tail(node_iri)), lang)
        return node_view(node_iri, explorer.neighbourhood(node_iri, depth=1, limit=200), lang)
    except NotFound as exc:
        return message(str(exc))


# ----------------------------------------------------------------------------- the Blocks

def node_choices(explorer: Any, lang: str) -> list[tuple[str, str]]:
    """Every explorable node as (label · kind, IRI), for the graph tab's pickers."""
    rows = explorer.centrality(limit=5000)
    ranked = sorted(rows, key=lambda r: (viz.kind_of(r.iri) not in ("measure", "case", "topic"), -r.degree))
    out = []
    for r in ranked:
        kind = viz.kind_of(r.iri) or r.kind.lower()
        out.append((f"{pick(r.label_zh, r.label_en, lang) or _tail(r.iri)} · {viz.kind_label(kind, lang)}", r.iri))
    return out


def graph_frame(node_iri: str | None, depth: int, lang: str) -> str:
    if not node_iri:
        return message(L("请选择一个节点。", "Pick a node.", lang))
    return viz.iframe(viz.neighbourhood_url(node_iri, depth=int(depth), lang=lang), height=600,
                      title=L("关系图", "Graph", lang))


def mount_kwargs() -> dict[str, Any]:
    """Theme and CSS for ``gr.mount_gradio_app`` (Gradio 6 takes them at mount/launch time)."""
    fonts = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
    theme = gr.themes.Default(primary_hue="blue", font=fonts, font_mono=["DejaVu Sans Mono", "monospace"])
    return {"theme": theme, "css": CSS, "footer_links": ["api"]}


SPARQL_EXAMPLE = """PREFIX iprg: <https://w3id.org/iprg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?case ?label ?number WHERE {
  ?case a iprg:Case ; rdfs:label ?label ; iprg:caseNumber ?number .
  FILTER(lang(?label) = "zh")
} ORDER BY ?number LIMIT 20"""

CYPHER_EXAMPLE = "MATCH (c:Case)-[:ILLUSTRATES]->(m:Measure) RETURN c.label_zh AS case, m.number AS measure ORDER BY measure LIMIT 20"


def build_ui(get_explorer: Callable[[], Any], *, store: Any = None,
             export: Callable[[str], Path] | None = None) -> Any:
    """The Gradio Blocks. ``get_explorer`` returns the explorer (created lazily by the API)."""
    from kg import config

    def ex():
        return get_explorer()

    def lang_of(choice: str) -> str:
        return LANGS.get(choice, "zh")

    with gr.Blocks(title="知识产权司法规则图谱 · IP Rule Graph") as demo:
        current = gr.State("")          # IRI of the node in the detail tab
        with gr.Row(elem_id="iprg-header"):
            gr.Markdown("# 知识产权司法规则图谱 <small>IP Rule Graph</small>\n"
                        "厦门中院《关于强化知识产权司法保护促推新质生产力发展的若干措施》（厦中法发〔2025〕18号）"
                        "及相关案例、法律的知识图谱。 · API: [/docs](/docs) · SPARQL: `/sparql`", scale=5)
            lang_radio = gr.Radio(list(LANGS), value="中文", label="界面语言 Language", scale=1)

        with gr.Tabs(selected="topics") as tabs:
            with gr.Tab("专题 Topics", id="topics"):
                topic_dd = gr.Dropdown(label="选择专题 Choose a topic", choices=[], interactive=True, elem_id="topic-picker")
                topic_html = gr.HTML(message("…"), js_on_load=NAV_JS, elem_id="topic-view")
            with gr.Tab("检索 Search", id="search"):
                with gr.Row():
                    q_box = gr.Textbox(label="关键词（中文或英文） Words (Chinese or English)", placeholder="商业秘密 / FRAND / 数据权益 / punitive damages",
                                       scale=5, elem_id="search-box")
                    q_btn = gr.Button("检索 Search", variant="primary", scale=1, elem_id="search-btn")
                search_html = gr.HTML(search_view("", [], "zh"), js_on_load=NAV_JS, elem_id="search-results")
            with gr.Tab("详情 Details", id="detail"):
                with gr.Row():
                    back_graph = gr.Button("在关系图中查看 Show in graph", size="sm", elem_id="to-graph")
                detail_html = gr.HTML(message("从专题、检索或关系图中选择一个条目。 Pick an item from Topics, Search or the Graph."),
                                      js_on_load=NAV_JS, elem_id="detail-view")
            with gr.Tab("关系图 Graph", id="graph"):
                with gr.Row():
                    node_dd = gr.Dropdown(label="中心节点 Centre node", choices=[], allow_custom_value=True,
                                          filterable=True, scale=4, elem_id="graph-node")
                    depth = gr.Radio([1, 2, 3], value=1, label="深度 Depth", scale=1)
                    open_btn = gr.Button("打开详情 Open details", size="sm", scale=1)
                graph_html = gr.HTML(message("请选择一个节点。 Pick a node."), js_on_load=GRAPH_JS, elem_id="graph-view")
                gr.Markdown("### 最短路径 Shortest path")
                with gr.Row():
                    path_a = gr.Dropdown(label="起点 From", choices=[], allow_custom_value=True, filterable=True, scale=3)
                    path_b = gr.Dropdown(label="终点 To", choices=[], allow_custom_value=True, filterable=True, scale=3)
                    path_btn = gr.Button("查找路径 Find path", scale=1)
                path_html = gr.HTML("", js_on_load=NAV_JS, elem_id="path-steps")
                path_graph = gr.HTML("", elem_id="path-view")
            with gr.Tab("专题×措施 Matrix", id="matrix"):
                matrix_html = gr.HTML(message("…"), js_on_load=NAV_JS, elem_id="matrix-view")
            with gr.Tab("中心度 Centrality", id="centrality"):
                cent_n = gr.Slider(10, 200, value=50, step=10, label="显示前 N 个 Top N")
                cent_html = gr.HTML(message("…"), js_on_load=NAV_JS, elem_id="centrality-view")
            with gr.Tab("查询台 Consoles", id="console"):
                gr.Markdown("只读查询；有时间与行数限制。 Read-only, time- and row-limited. "
                            "写操作（SPARQL UPDATE、Cypher CREATE/MERGE/DELETE/SET…）会被拒绝。 Writes are refused.")
                with gr.Row():
                    console_lang = gr.Radio(["SPARQL", "Cypher"], value="SPARQL", label="语言 Language", scale=1)
                    console_limit = gr.Slider(10, 5000, value=500, step=10, label="最多行数 Row limit", scale=2)
                console_text = gr.Code(SPARQL_EXAMPLE, language="sql", label="查询 Query", lines=8, interactive=True,
                                       elem_id="console-text")
                console_btn = gr.Button("运行 Run", variant="primary", elem_id="console-run")
                console_status = gr.Markdown("", elem_id="console-status")
                console_table = gr.Dataframe(value=_EMPTY(), interactive=False, wrap=True, elem_id="console-table")
            with gr.Tab("下载 Downloads", id="downloads"):
                gr.Markdown("整个图谱的导出。 The whole graph as a file. REST: `/api/v1/export/{format}`.")
                fmt = gr.Radio([("Turtle (.ttl)", "turtle"), ("JSON-LD (.jsonld)", "jsonld"), ("N-Triples (.nt)", "nt"),
                                ("GraphML (.graphml)", "graphml"), ("CSV 节点/边 nodes/edges (.zip)", "csv")],
                               value="turtle", label="格式 Format")
                fmt_btn = gr.Button("生成文件 Export", variant="primary")
                fmt_file = gr.File(label="文件 File", interactive=False)

        # -- handlers ---------------------------------------------------------------------
        def load_all(choice: str, topic_id: str | None):
            lang = lang_of(choice)
            explorer = ex()
            tops = explorer.topics()
            choices = topic_choices(tops, lang)
            ids = [v for _, v in choices]
            chosen = topic_id if topic_id in ids else (ids[0] if ids else None)
            nodes = node_choices(explorer, lang)
            return (gr.Dropdown(choices=choices, value=chosen),
                    topic_view(explorer.rules_by_topic(chosen), lang) if chosen else message("—"),
                    matrix_view(explorer.topic_measure_matrix(), lang),
                    gr.Dropdown(choices=nodes), gr.Dropdown(choices=nodes), gr.Dropdown(choices=nodes))

        def show_topic(topic_id: str | None, choice: str):
            if not topic_id:
                return message("—")
            return topic_view(ex().rules_by_topic(topic_id), lang_of(choice))

        def do_search(q: str, choice: str):
            lang = lang_of(choice)
            q = (q or "").strip()
            hits = ex().search(q, limit=40) if q else ()
            return search_view(q, hits, lang)

        def open_node(evt: gr.EventData, choice: str):
            node_iri = str(getattr(evt, "iri", "") or "")
            if not node_iri:
                return gr.skip(), gr.skip(), gr.skip()
            return detail_for(ex(), node_iri, lang_of(choice)), gr.Tabs(selected="detail"), node_iri

        def rerender_detail(node_iri: str, choice: str):
            return detail_for(ex(), node_iri, lang_of(choice)) if node_iri else gr.skip()

        def to_graph(node_iri: str, d: int, choice: str):
            if not node_iri:
                return gr.skip(), gr.skip(), gr.skip()
            return gr.Dropdown(value=node_iri), graph_frame(node_iri, d, lang_of(choice)), gr.Tabs(selected="graph")

        def draw_graph(node_iri: str | None, d: int, choice: str):
            return graph_frame(node_iri, d, lang_of(choice))

        def graph_click(evt: gr.EventData, d: int, choice: str):
            node_iri = str(getattr(evt, "iri", "") or "")
            if not node_iri:
                return gr.skip(), gr.skip(), gr.skip()
            lang = lang_of(choice)
            return gr.Dropdown(value=node_iri), graph_frame(node_iri, d, lang), node_iri

        def open_current(node_iri: str | None, choice: str):
            if not node_iri:
                return gr.skip(), gr.skip(), gr.skip()
            return detail_for(ex(), node_iri, lang_of(choice)), gr.Tabs(selected="detail"), node_iri

        def find_path(a: str | None, b: str | None, choice: str):
            lang = lang_of(choice)
            if not a or not b:
                return message(L("请选择起点和终点。", "Pick both ends.", lang)), ""
            sub = ex().shortest_path(a, b)
            frame = viz.iframe(viz.path_url(a, b, lang=lang), height=420, title="path") if sub else ""
            return path_view(sub, lang), frame

        def show_centrality(n: float, choice: str):
            return centrality_view(ex().centrality(limit=int(n)), lang_of(choice))

        def console_example(which: str):
            return SPARQL_EXAMPLE if which == "SPARQL" else CYPHER_EXAMPLE

        def run_query(which: str, text: str, limit: float):
            from kg.explorer import ConsoleError, run_console

            lang = "sparql" if which == "SPARQL" else "cypher"
            driver = None
            settings = config.neo4j_settings()
            try:
                if lang == "cypher":
                    if not settings.configured:
                        return "**Neo4j not configured (set NEO4J_URI)** — Neo4j 未配置（请设置 NEO4J_URI）；SPARQL 可用。", _EMPTY()
                    driver = _neo4j_driver(settings)
                result = run_console(lang, text or "", store=store, driver=driver, limit=int(limit),
                                     database=settings.database if lang == "cypher" else None)
            except ConsoleError as exc:
                return f"**拒绝 Refused:** {_md_escape(str(exc))}", _EMPTY()
            except Exception as exc:  # a bad query must not break the page; say what happened
                return f"**错误 Error:** {_md_escape(type(exc).__name__ + ': ' + str(exc))}", _EMPTY()
            rows = [[_cell(v) for v in row] for row in result.rows]
            status = (f"{len(rows)} 行 rows · {result.elapsed_ms:.0f} ms"
                      + (" · ⚠ 已截断 truncated at the row limit" if result.truncated else ""))
            import pandas as pd

            return status, pd.DataFrame(rows, columns=list(result.columns))

        def do_export(which: str):
            if export is None:
                return None
            return str(export(which))

        demo.load(load_all, [lang_radio, topic_dd], [topic_dd, topic_html, matrix_html, node_dd, path_a, path_b])
        demo.load(show_centrality, [cent_n, lang_radio], cent_html)
        topic_dd.input(show_topic, [topic_dd, lang_radio], topic_html)
        q_btn.click(do_search, [q_box, lang_radio], search_html)
        q_box.submit(do_search, [q_box, lang_radio], search_html)
        for view in (topic_html, search_html, detail_html, matrix_html, cent_html, path_html):
            view.click(open_node, [lang_radio], [detail_html, tabs, current])
        back_graph.click(to_graph, [current, depth, lang_radio], [node_dd, graph_html, tabs])
        node_dd.input(draw_graph, [node_dd, depth, lang_radio], graph_html)
        depth.input(draw_graph, [node_dd, depth, lang_radio], graph_html)
        graph_html.click(graph_click, [depth, lang_radio], [node_dd, graph_html, current])
        open_btn.click(open_current, [node_dd, lang_radio], [detail_html, tabs, current])
        path_btn.click(find_path, [path_a, path_b, lang_radio], [path_html, path_graph])
        cent_n.release(show_centrality, [cent_n, lang_radio], cent_html)
        console_lang.input(console_example, console_lang, console_text)
        console_btn.click(run_query, [console_lang, console_text, console_limit], [console_status, console_table])
        fmt_btn.click(do_export, fmt, fmt_file)
        lang_radio.input(load_all, [lang_radio, topic_dd], [topic_dd, topic_html, matrix_html, node_dd, path_a, path_b]) \
            .then(rerender_detail, [current, lang_radio], detail_html) \
            .then(show_centrality, [cent_n, lang_radio], cent_html) \
            .then(do_search, [q_box, lang_radio], search_html) \
            .then(draw_graph, [node_dd, depth, lang_radio], graph_html)
    return demo


def _EMPTY():  # noqa: N802 - an empty result table (no placeholder 1/2/3 headers)
    import pandas as pd

    return pd.DataFrame({"—": []})


_DRIVERS: dict[tuple, Any] = {}


def _neo4j_driver(settings: Any) -> Any:
    key = (settings.uri, settings.user, settings.password)
    if key not in _DRIVERS:
        from neo4j import GraphDatabase

        _DRIVERS[key] = GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password or ""))
    return _DRIVERS[key]


def _md_escape(text: str) -> str:
    """Text shown in a gr.Markdown: HTML-escaped and with Markdown punctuation neutralised."""
    return re.sub(r"([\\`*_{}\[\]()#+!|<>&])", r"\\\1", text)


def _cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def build_app(store_root: str | Path | None = None):
    """The whole server app (API + UI), for ``ui.py``."""
    from kg.api import create_app

    return create_app(store_root)
