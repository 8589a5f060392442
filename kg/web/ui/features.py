"""The UI of the newer features: "as of" a date, 类案检索, 对照, the change feed, the document
overview Details and the Graph open on, and search-as-you-type in the path finder.

Why a module of its own: :mod:`kg.web.ui.blocks` lays out the page and owns its core events;
this module adds its parts through a few calls (:func:`as_of_control`, :func:`add_tabs`,
:func:`detail_extras`, :func:`topic_extras`, :func:`wire`), so the features can change without
touching the layout's own bindings. Handlers are module-level functions of ``(ctx, …)`` as in
``blocks``; events run without Gradio's queue (one plain request each, any worker answers).
Report files are offered as ``data:`` links made with the answer, so no second request (and no
worker's memory) is needed to download them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from types import MethodType
from typing import Any
from urllib.parse import urlencode

import gradio as gr

from kg import changes as change_feed
from kg.context import Context
from kg.errors import IprgError
from kg.explorer import versions
from kg.explorer.compare import side_by_side, topic_document_matrix
from kg.explorer.outline import outline
from kg.explorer.reader import Reader
from kg.explorer.similar import similar
from kg.ns import iri, kind_of
from kg.rebuild import read_facts
from kg.web import report, viz
from kg.web.text import kind_label, label, t, ui_text
from kg.web.ui import feature_views as fv
from kg.web.ui.views import detail_for, e, iri_tail, message, pick, topic_choices
from kg.web.viz_document import document_url

CSS = """
.tab-container button { padding-left: 6px; padding-right: 6px; font-size: 13px; }
.iprg mark mark { border-bottom: 2px solid rgba(0,0,0,.35); }
.iprg .flag { color: #9a3412; font-weight: 600; }
.iprg table.versions tr.now td { background: #eef6ff; }
.iprg .now-chip { background: #1f4e79; }
.iprg .asof { background: #eef6ff; border: 1px solid #b6d4fe; padding: 6px 10px; border-radius: 6px; }
.iprg .asof-box { border: 1px dashed #b6d4fe; padding: 4px 12px 10px; border-radius: 8px; margin-bottom: 10px; }
.iprg .hit-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 12px; margin: 10px 0; }
.iprg .hit-head { font-size: 1.05em; margin-bottom: 4px; }
.iprg .reasons li { margin: 4px 0; }
.iprg .reasons .w { color: #57606a; font-size: 0.85em; }
.iprg .path { font-size: 0.88em; color: #57606a; margin-left: 6px; }
.iprg .edge { color: #8c959f; white-space: nowrap; }
.iprg .feature { display: inline-block; margin: 0 6px 2px 0; }
.iprg .chip.tier { background: #6e7781; } .iprg .chip.tier-1 { background: #b42318; }
.iprg .chip.tier-2 { background: #c55a11; } .iprg .chip.tier-3 { background: #1f4e79; }
.iprg .cmp-grid { display: flex; gap: 10px; overflow-x: auto; align-items: flex-start; }
.iprg .cmp-col { flex: 0 0 300px; border: 1px solid #d0d7de; border-radius: 8px; padding: 8px; background: #fafbfc; }
.iprg .cmp-item { border-top: 1px solid #eaeef2; padding: 6px 0; }
.iprg .cmp-text { font-size: 0.9em; margin: 3px 0; }
.iprg .topic-legend .tl { display: inline-block; margin: 0 10px 4px 0; font-size: 0.88em; }
.iprg .topic-legend .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; }
.iprg .changes li { margin: 3px 0; }
"""

# A click on data-topic (the 对照 matrix) or data-iri comes back to the server.
COMPARE_JS = """
element.addEventListener('click', function (ev) {
  var a = ev.target.closest('[data-topic], [data-iri]');
  if (!a || !element.contains(a)) { return; }
  ev.preventDefault();
  if (a.hasAttribute('data-iri')) { trigger('click', {iri: a.getAttribute('data-iri')}); }
  else { trigger('click', {topic: a.getAttribute('data-topic')}); }
});
"""

_MODES = ("case", "node", "facts")


def gradio_i18n() -> gr.I18n:
    """Strings Gradio's own front end asks for and its translation tables lack (Gradio 6.31
    announces a finished event as ``common.complete``, which is in no table: the key itself
    showed at the page foot)."""
    table = ui_text()["gradio"]
    return gr.I18n(**{lang: dict(entries) for lang, entries in table.items()})


def lang_of(choice: str) -> str:
    return ui_text()["languages"].get(choice, "zh")


def _as_of(value: str | None) -> str | None:
    """The "as of" box: empty → None; a date → ISO; anything else raises BadInput."""
    return versions.parse_as_of((value or "").strip() or None)


def _fail(exc: IprgError) -> str:
    return message(f"⚠ {exc}")


# ----------------------------------------------------------------------------- handlers


def detail_extra(ctx: Context, node_iri: str | None, choice: str, as_of: str | None) -> str:
    """Below a node's details: versions (article, statute), the versions of a case's cited law,
    and what a measure, rule or topic cited read as of the date."""
    lang = lang_of(choice)
    if not node_iri:
        return ""
    try:
        date = _as_of(as_of)
        kind = kind_of(node_iri)
        ex = ctx.explorer
        if kind in ("article", "statute"):
            return fv.versions_view(versions.history(ex, node_iri, date), lang)
        if kind == "case":
            return fv.case_versions_view(versions.case_versions(ex, node_iri), lang)
        if kind == "rule" and date:
            return fv.rule_as_of_view(versions.rule_as_of(ex, node_iri, date), lang, date)
        if kind == "measure" and date:
            cits = versions.cited_as_of(ex, node_iri, date)
            return fv.wrap(f'<div class="asof-box"><h3>{e(t("cited_law_as_of", lang, date=date))}</h3>'
                           f"{fv._citations_as_of(cits, lang, date)}</div>")
        if kind == "topic" and date:
            return fv.topic_as_of_view(versions.topic_as_of(ex, iri_tail(node_iri), date), lang)
    except IprgError as exc:
        return _fail(exc)
    return ""


def topic_extra(ctx: Context, topic_id: str | None, choice: str, as_of: str | None) -> str:
    lang = lang_of(choice)
    try:
        date = _as_of(as_of)
        if not topic_id or not date:
            return ""
        return fv.topic_as_of_view(versions.topic_as_of(ctx.explorer, topic_id, date), lang)
    except IprgError as exc:
        return _fail(exc)


def initial_detail(ctx: Context, choice: str, node_iri: str | None):
    """Details opens on the newest policy document's overview (unless a node is already open)."""
    if node_iri:
        return gr.skip(), gr.skip()
    lang = lang_of(choice)
    try:
        o = outline(ctx.explorer)
    except IprgError as exc:
        return message(str(exc)), ""
    return fv.outline_view(o, lang, [tp.id for tp in ctx.explorer.topics()]), o.iri


def document_frame(ctx: Context, choice: str) -> str:
    """The Graph tab's first picture: the newest policy document's sections and measures."""
    return viz.iframe(document_url(None, lang_of(choice)), height=600, title=t("document_graph", lang_of(choice)))


def path_search(ctx: Context, value: str | None, key: gr.KeyUpData, choice: str):
    """Search-as-you-type for the path finder: the nodes whose labels (either language, or a
    concept's synonyms) match what has been typed so far."""
    typed = (key.input_value or "").strip()
    if len(typed) < 1:
        return gr.skip()
    lang = lang_of(choice)
    try:
        hits = ctx.explorer.search(typed, limit=30)
    except IprgError:
        return gr.skip()
    choices = [(f"{pick(h.label_zh, h.label_en, lang) or iri_tail(h.iri)} · {kind_label(kind_of(h.iri) or h.kind.lower(), lang)}", h.iri)
               for h in hits]
    return gr.Dropdown(choices=choices)


def _data_link(data: bytes, media: str, name: str, text: str) -> str:
    href = f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"
    return f'<a class="download" href="{e(href)}" download="{e(name)}">{e(text)}</a>'


def run_similar(ctx: Context, mode: str, case: str | None, node: str | None, text: str | None, choice: str,
                as_of: str | None) -> str:
    lang = lang_of(choice)
    try:
        date = _as_of(as_of)
        ex = ctx.explorer
        if mode == "case":
            if not case:
                return message(t("pick_a_case", lang))
            rep = similar(ex, case=case, as_of=date)
        elif mode == "node":
            if not node:
                return message(t("pick_a_measure", lang))
            rep = similar(ex, node=node, as_of=date)
        else:
            if not (text or "").strip():
                return message(t("type_facts", lang))
            rep = similar(ex, facts=read_facts(text or "", date), as_of=date)
    except IprgError as exc:
        return _fail(exc)
    downloads = ('<p class="downloads">' + _data_link(report.markdown(rep, lang).encode("utf-8"), report.MARKDOWN,
                                                       "similar-cases.md", t("download_md", lang))
                 + " · " + _data_link(report.docx(rep, lang), report.DOCX, "similar-cases.docx", t("download_docx", lang))
                 + "</p>")
    return fv.similar_view(rep, lang, downloads)


def show_compare(ctx: Context, topic_id: str | None, choice: str):
    lang = lang_of(choice)
    try:
        matrix = fv.compare_matrix_view(topic_document_matrix(ctx.explorer), lang)
        side = fv.side_by_side_view(side_by_side(ctx.explorer, topic_id), lang) if topic_id else message(t("pick_a_topic", lang))
    except IprgError as exc:
        return _fail(exc), gr.skip()
    return matrix, side


def compare_click(ctx: Context, evt: gr.EventData, choice: str):
    """A topic clicked in the matrix shows its side-by-side view; a node opens in Details."""
    lang = lang_of(choice)
    topic = str(getattr(evt, "topic", "") or "")
    node = str(getattr(evt, "iri", "") or "")
    if topic:
        try:
            side = fv.side_by_side_view(side_by_side(ctx.explorer, topic), lang)
        except IprgError as exc:
            side = _fail(exc)
        return gr.Dropdown(value=topic), side, gr.skip(), gr.skip(), gr.skip()
    if node:
        return gr.skip(), gr.skip(), detail_for(ctx.explorer, node, lang), gr.Tabs(selected="detail"), node
    return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()


def show_changes(ctx: Context, topic: str | None, article: str | None, statute: str | None, choice: str) -> str:
    lang = lang_of(choice)
    try:
        art = (article or "").strip() or None
        sta = (statute or "").strip() or None
        art_iri = art if not art or art.startswith("http") else str(iri("article", *art.split("/", 1)))
        sta_iri = sta if not sta or sta.startswith("http") else str(iri("statute", sta))
        answer = change_feed.feed(ctx.store, topic=topic or None, article=art_iri, statute=sta_iri, limit=200)
    except (IprgError, ValueError, TypeError) as exc:
        return message(f"⚠ {exc}")
    params = {k: v for k, v in (("topic", topic), ("article", art), ("statute", sta), ("lang", lang)) if v}
    return fv.changes_view(answer, lang, "/api/v1/changes.atom?" + urlencode(params))


def load_features(ctx: Context, choice: str):
    """Choices of the feature tabs' pickers, in the chosen language."""
    lang = lang_of(choice)
    ex = ctx.explorer
    page = ex.cases(limit=200)
    cases = [(f"{pick(c.label_zh, c.label_en, lang)} · {(c.case_numbers or c.case_numbers_unverified or ('',))[0]}", c.iri)
             for c in page.items]
    nodes: list[tuple[str, str]] = []
    try:
        o = outline(ex)
        r = Reader(ex)
        measures = [m.measure for s in o.sections for m in s.measures]
        parts = r.out([m.iri for m in measures], "HAS_PART")
        for m in measures:
            nodes.append((f"{fv.measure_name(m.number, m.title_zh, m.title_en, lang)}", m.iri))
            for rule in sorted(parts.get(m.iri, ()), key=lambda x: int(x.rsplit("/", 1)[-1]) if x.rsplit("/", 1)[-1].isdigit() else 0):
                card = r.card(rule)
                if card is not None and card.kind == "Rule":
                    nodes.append(("  " + (pick(card.label("zh"), card.label("en"), lang) or iri_tail(rule)), rule))
    except IprgError:
        pass
    topics = topic_choices(ex.topics(), lang)
    every = [(t("all_topics", lang), "")] + topics
    return (gr.Dropdown(choices=cases), gr.Dropdown(choices=nodes), gr.Dropdown(choices=topics),
            gr.Dropdown(choices=every))


def _facts_mode(text: str | None):
    """Typing facts chooses the facts as the query."""
    return "facts" if (text or "").strip() else gr.skip()


# ----------------------------------------------------------------------------- layout


@dataclass
class Tabs:
    sim_mode: Any
    sim_case: Any
    sim_node: Any
    sim_text: Any
    sim_btn: Any
    sim_html: Any
    cmp_topic: Any
    cmp_matrix: Any
    cmp_side: Any
    chg_topic: Any
    chg_article: Any
    chg_statute: Any
    chg_btn: Any
    chg_html: Any


def as_of_control() -> gr.Textbox:
    """The "as of" date box (empty: today's law)."""
    return gr.Textbox("", label=label("as_of"), placeholder="YYYY-MM-DD", max_lines=1, scale=1, elem_id="as-of")


def detail_extras(nav_js: str) -> gr.HTML:
    return gr.HTML("", js_on_load=nav_js, elem_id="detail-extra")


def topic_extras(nav_js: str) -> gr.HTML:
    return gr.HTML("", js_on_load=nav_js, elem_id="topic-asof")


def add_tabs(nav_js: str) -> Tabs:
    """The 类案检索, 对照 and change-feed tabs (call inside ``gr.Tabs``)."""
    modes = [(label(f"similar_mode_{m}"), m) for m in _MODES]
    with gr.Tab(label("tab_similar"), id="similar"):
        sim_mode = gr.Radio(modes, value="case", label=label("similar_mode"), elem_id="similar-mode")
        with gr.Row():
            sim_case = gr.Dropdown(label=label("similar_case"), choices=[], filterable=True, scale=3, elem_id="similar-case")
            sim_node = gr.Dropdown(label=label("similar_node"), choices=[], filterable=True, scale=3, elem_id="similar-node")
        sim_text = gr.Textbox(label=label("similar_text"), lines=3, max_lines=12, elem_id="similar-text",
                              placeholder=label("similar_text_placeholder"))
        sim_btn = gr.Button(label("similar_run"), variant="primary", elem_id="similar-run")
        sim_html = gr.HTML("", js_on_load=nav_js, elem_id="similar-view")
    with gr.Tab(label("tab_compare"), id="compare"):
        cmp_topic = gr.Dropdown(label=label("topic_picker"), choices=[], interactive=True, elem_id="compare-topic")
        cmp_side = gr.HTML("", js_on_load=COMPARE_JS, elem_id="compare-side")
        gr.Markdown(label("compare_matrix"))
        cmp_matrix = gr.HTML("", js_on_load=COMPARE_JS, elem_id="compare-matrix")
    with gr.Tab(label("tab_changes"), id="changes"):
        with gr.Row():
            chg_topic = gr.Dropdown(label=label("topic_picker"), choices=[], interactive=True, scale=2, elem_id="changes-topic")
            chg_article = gr.Textbox(label=label("changes_article"), placeholder="prc_aucl_2019/9", scale=2, elem_id="changes-article")
            chg_statute = gr.Textbox(label=label("changes_statute"), placeholder="prc_aucl_2019", scale=2, elem_id="changes-statute")
            chg_btn = gr.Button(label("changes_run"), scale=1, elem_id="changes-run")
        chg_html = gr.HTML("", js_on_load=nav_js, elem_id="changes-view")
    return Tabs(sim_mode, sim_case, sim_node, sim_text, sim_btn, sim_html, cmp_topic, cmp_matrix, cmp_side,
                chg_topic, chg_article, chg_statute, chg_btn, chg_html)


def wire(ctx: Context, demo: gr.Blocks, tabs: Tabs, *, lang: Any, as_of: Any, current: Any, page_tabs: Any,
         detail_html: Any, detail_extra_html: Any, topic_dd: Any, topic_asof_html: Any, graph_html: Any,
         path_a: Any, path_b: Any, open_node: Any) -> None:
    """Bind the features' events (call inside the ``gr.Blocks`` context, after the layout)."""

    def on(handler):
        return MethodType(handler, ctx)

    quiet: dict[str, Any] = {"queue": False}
    demo.load(on(initial_detail), [lang, current], [detail_html, current], **quiet)
    demo.load(on(document_frame), [lang], graph_html, **quiet)
    demo.load(on(load_features), [lang], [tabs.sim_case, tabs.sim_node, tabs.cmp_topic, tabs.chg_topic], **quiet)
    demo.load(on(show_changes), [tabs.chg_topic, tabs.chg_article, tabs.chg_statute, lang], tabs.chg_html, **quiet)
    for trigger in (current.change, as_of.submit, as_of.blur):
        trigger(on(detail_extra), [current, lang, as_of], detail_extra_html, **quiet)
    for trigger in (topic_dd.input, as_of.submit, as_of.blur):
        trigger(on(topic_extra), [topic_dd, lang, as_of], topic_asof_html, **quiet)
    lang.input(on(detail_extra), [current, lang, as_of], detail_extra_html, **quiet)
    lang.input(on(load_features), [lang], [tabs.sim_case, tabs.sim_node, tabs.cmp_topic, tabs.chg_topic], **quiet)
    for picker in (path_a, path_b):
        picker.key_up(on(path_search), [picker, lang], picker, show_progress="hidden", **quiet)
    sim_inputs = [tabs.sim_mode, tabs.sim_case, tabs.sim_node, tabs.sim_text, lang, as_of]
    tabs.sim_btn.click(on(run_similar), sim_inputs, tabs.sim_html, **quiet)
    tabs.sim_case.input(lambda: "case", None, tabs.sim_mode, **quiet)
    tabs.sim_node.input(lambda: "node", None, tabs.sim_mode, **quiet)
    tabs.sim_text.change(_facts_mode, tabs.sim_text, tabs.sim_mode, **quiet)
    tabs.cmp_topic.input(on(show_compare), [tabs.cmp_topic, lang], [tabs.cmp_matrix, tabs.cmp_side], **quiet)
    for view in (tabs.cmp_matrix, tabs.cmp_side):
        view.click(on(compare_click), [lang], [tabs.cmp_topic, tabs.cmp_side, detail_html, page_tabs, current], **quiet)
    tabs.chg_btn.click(on(show_changes), [tabs.chg_topic, tabs.chg_article, tabs.chg_statute, lang], tabs.chg_html, **quiet)
    for view in (tabs.sim_html, tabs.chg_html, detail_extra_html, topic_asof_html):
        view.click(open_node, [lang], [detail_html, page_tabs, current], **quiet)


__all__ = ["CSS", "COMPARE_JS", "Tabs", "add_tabs", "as_of_control", "detail_extras", "topic_extras", "wire",
           "gradio_i18n", "detail_extra", "topic_extra", "initial_detail", "document_frame", "path_search",
           "run_similar", "show_compare", "compare_click", "show_changes", "load_features"]
