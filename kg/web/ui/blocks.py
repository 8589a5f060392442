"""The Gradio Blocks: the layout, the event bindings and the handlers.

Why handlers are module-level functions of ``(ctx, …)``: each one is a small, testable step
from the shared :class:`~kg.context.Context` and the widgets' values to new widget values,
bound to the context with :class:`types.MethodType` when the layout is built.

Why stateless, without Gradio's queue: ``kg serve --workers N`` runs N processes behind one
port, and Gradio keeps its queue (``/queue/join`` then a ``/queue/data`` stream) and
``gr.State`` in the memory of one process, so the second request of an event can reach a
worker that never saw the first. Every event here is therefore ``queue=False`` (one plain POST,
answered by whichever worker receives it), and what the page must remember (the node in the
detail tab) lives in a hidden textbox in the page, sent with each event. The graph pages and
export links are plain URLs, signed when API keys are set (:func:`kg.web.guard.sign`).

Graphs are vis-network pages served by the API (``/viz/…``) inside an ``<iframe>``, where
scripts run; a click on a node comes back through ``postMessage``.
"""

from __future__ import annotations

import html
import json
from types import MethodType
from typing import Any

import gradio as gr
import pandas as pd

from kg import config, console
from kg.context import Context
from kg.errors import Unavailable
from kg.web import guard, viz
from kg.web.text import kind_label, label, t, ui_text
from kg.web.ui import features
from kg.web.ui.views import (
    centrality_view,
    detail_for,
    graph_header,
    iri_tail,
    matrix_view,
    md_escape,
    message,
    path_view,
    pick,
    search_view,
    topic_choices,
    topic_view,
)

LANGS: dict[str, str] = ui_text()["languages"]   # radio choice → language code

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

SPARQL_EXAMPLE = """PREFIX iprg: <https://w3id.org/iprg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?case ?label ?number WHERE {
  ?case a iprg:Case ; rdfs:label ?label ; iprg:caseNumber ?number .
  FILTER(lang(?label) = "zh")
} ORDER BY ?number LIMIT 20"""

CYPHER_EXAMPLE = "MATCH (c:Case)-[:ILLUSTRATES]->(m:Measure) RETURN c.label_zh AS case, m.number AS measure ORDER BY measure LIMIT 20"

EXPORT_CHOICES = [("Turtle (.ttl)", "turtle"), ("JSON-LD (.jsonld)", "jsonld"), ("N-Triples (.nt)", "nt"),
                  ("GraphML (.graphml)", "graphml"), (label("csv_format"), "csv")]


def signed(url: str) -> str:
    """``url`` signed for the API keys in force (unchanged when there are none)."""
    return guard.sign(url, config.settings().api_keys)


def graph_frame(node_iri: str | None, depth: int, lang: str) -> str:
    if not node_iri:
        return message(t("pick_a_node", lang))
    url = signed(viz.neighbourhood_url(node_iri, depth=int(depth), lang=lang))
    return viz.iframe(url, height=600, title=t("graph", lang))


def lang_of(choice: str) -> str:
    return LANGS.get(choice, "zh")


def mount_kwargs() -> dict[str, Any]:
    """Theme and CSS for ``gr.mount_gradio_app`` (Gradio 6 takes them at mount/launch time)."""
    fonts = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
    theme = gr.themes.Default(primary_hue="blue", font=fonts, font_mono=["DejaVu Sans Mono", "monospace"])
    return {"theme": theme, "css": CSS + features.CSS, "footer_links": ["api"], "i18n": features.gradio_i18n()}


def empty_table() -> pd.DataFrame:
    """An empty result table (no placeholder 1/2/3 headers)."""
    return pd.DataFrame({"—": []})


def node_choices(ctx: Context, lang: str) -> list[tuple[str, str]]:
    """Every explorable node as (label · kind, IRI), for the graph tab's pickers."""
    rows = ctx.explorer.centrality(limit=5000)
    ranked = sorted(rows, key=lambda r: (viz.kind_of(r.iri) not in ("measure", "case", "topic"), -r.degree))
    out = []
    for r in ranked:
        kind = viz.kind_of(r.iri) or r.kind.lower()
        out.append((f"{pick(r.label_zh, r.label_en, lang) or iri_tail(r.iri)} · {kind_label(kind, lang)}", r.iri))
    return out


def _cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


# ----------------------------------------------------------------------------- handlers

def load_all(ctx: Context, choice: str, topic_id: str | None):
    lang = lang_of(choice)
    explorer = ctx.explorer
    choices = topic_choices(explorer.topics(), lang)
    ids = [v for _, v in choices]
    chosen = topic_id if topic_id in ids else (ids[0] if ids else None)
    nodes = node_choices(ctx, lang)
    return (gr.Dropdown(choices=choices, value=chosen),
            topic_view(explorer.rules_by_topic(chosen), lang) if chosen else message("—"),
            matrix_view(explorer.topic_measure_matrix(), lang),
            gr.Dropdown(choices=nodes), gr.Dropdown(choices=nodes), gr.Dropdown(choices=nodes))


def show_topic(ctx: Context, topic_id: str | None, choice: str):
    if not topic_id:
        return message("—")
    return topic_view(ctx.explorer.rules_by_topic(topic_id), lang_of(choice))


def do_search(ctx: Context, q: str, choice: str):
    q = (q or "").strip()
    hits = ctx.explorer.search(q, limit=40) if q else ()
    return search_view(q, hits, lang_of(choice))


def open_node(ctx: Context, evt: gr.EventData, choice: str):
    node_iri = str(getattr(evt, "iri", "") or "")
    if not node_iri:
        return gr.skip(), gr.skip(), gr.skip()
    return detail_for(ctx.explorer, node_iri, lang_of(choice)), gr.Tabs(selected="detail"), node_iri


def rerender_detail(ctx: Context, node_iri: str, choice: str):
    return detail_for(ctx.explorer, node_iri, lang_of(choice)) if node_iri else gr.skip()


def to_graph(ctx: Context, node_iri: str, d: int, choice: str):
    if not node_iri:
        return gr.skip(), gr.skip(), gr.skip()
    return gr.Dropdown(value=node_iri), graph_frame(node_iri, d, lang_of(choice)), gr.Tabs(selected="graph")


def draw_graph(ctx: Context, node_iri: str | None, d: int, choice: str):
    return graph_frame(node_iri, d, lang_of(choice))


def graph_click(ctx: Context, evt: gr.EventData, d: int, choice: str):
    node_iri = str(getattr(evt, "iri", "") or "")
    if not node_iri:
        return gr.skip(), gr.skip(), gr.skip()
    return gr.Dropdown(value=node_iri), graph_frame(node_iri, d, lang_of(choice)), node_iri


def open_current(ctx: Context, node_iri: str | None, choice: str):
    if not node_iri:
        return gr.skip(), gr.skip(), gr.skip()
    return detail_for(ctx.explorer, node_iri, lang_of(choice)), gr.Tabs(selected="detail"), node_iri


def find_path(ctx: Context, a: str | None, b: str | None, choice: str):
    lang = lang_of(choice)
    if not a or not b:
        return message(t("pick_both_ends", lang)), ""
    sub = ctx.explorer.shortest_path(a, b)
    frame = viz.iframe(signed(viz.path_url(a, b, lang=lang)), height=420, title="path") if sub else ""
    return path_view(sub, lang), frame


def show_centrality(ctx: Context, n: float, choice: str):
    return centrality_view(ctx.explorer.centrality(limit=int(n)), lang_of(choice))


def console_example(ctx: Context, which: str):
    return SPARQL_EXAMPLE if which == "SPARQL" else CYPHER_EXAMPLE


def run_query(ctx: Context, which: str, text: str, limit: float):
    """The console: :func:`kg.console.run_console` on the context's store or Neo4j driver."""
    lang = "sparql" if which == "SPARQL" else "cypher"
    try:
        driver = ctx.driver() if lang == "cypher" else None
    except Unavailable as exc:
        return label("no_neo4j", message=md_escape(str(exc))), empty_table()
    try:
        result = console.run_console(lang, text or "", store=ctx.store, driver=driver, limit=int(limit),
                                     database=ctx.settings.neo4j_database if lang == "cypher" else None)
    except console.ConsoleError as exc:
        return label("refused", message=md_escape(str(exc))), empty_table()
    except Exception as exc:  # a bad query must not break the page; say what happened
        return label("error", message=md_escape(type(exc).__name__ + ": " + str(exc))), empty_table()
    rows = [[_cell(v) for v in row] for row in result.rows]
    status = label("rows_status", n=len(rows), ms=f"{result.elapsed_ms:.0f}") + (
        label("truncated") if result.truncated else "")
    return status, pd.DataFrame(rows, columns=list(result.columns))


def export_links(ctx: Context, choice: str):
    """Links to the exports (``/api/v1/export/…``, signed when keys are set)."""
    items = "".join(f'<li><a href="{html.escape(signed(f"/api/v1/export/{fmt}"))}" download>'
                    f"{html.escape(name)}</a></li>" for name, fmt in EXPORT_CHOICES)
    return f'<div class="iprg"><ul>{items}</ul></div>'


def header(ctx: Context, choice: str):
    """What is in the graph, named from the graph itself (its policy documents and counts)."""
    return graph_header(ctx.overview(), lang_of(choice))


# ----------------------------------------------------------------------------- the layout

def build_ui(ctx: Context) -> gr.Blocks:
    """The Gradio Blocks over ``ctx`` (its explorer is created on the first event)."""

    def on(handler):
        return MethodType(handler, ctx)

    with gr.Blocks(title=label("title")) as demo:
        with gr.Row(elem_id="iprg-header"):
            head = gr.Markdown(label("header_loading"), scale=5, elem_id="graph-header")
            lang_radio = gr.Radio(list(LANGS), value=next(iter(LANGS)), label=label("language"), scale=1)
            as_of_box = features.as_of_control()
        # the node in the detail tab: kept in the page, so any server worker can answer
        current = gr.Textbox("", visible=False, elem_id="current-node")

        with gr.Tabs(selected="topics") as tabs:
            with gr.Tab(label("tab_topics"), id="topics"):
                topic_dd = gr.Dropdown(label=label("topic_picker"), choices=[], interactive=True, elem_id="topic-picker")
                topic_asof = features.topic_extras(NAV_JS)
                topic_html = gr.HTML(message("…"), js_on_load=NAV_JS, elem_id="topic-view")
            with gr.Tab(label("tab_search"), id="search"):
                with gr.Row():
                    q_box = gr.Textbox(label=label("search_box"), placeholder=label("search_placeholder"),
                                       scale=5, elem_id="search-box")
                    q_btn = gr.Button(label("search_button"), variant="primary", scale=1, elem_id="search-btn")
                search_html = gr.HTML(search_view("", [], "zh"), js_on_load=NAV_JS, elem_id="search-results")
            with gr.Tab(label("tab_detail"), id="detail"):
                with gr.Row():
                    back_graph = gr.Button(label("to_graph"), size="sm", elem_id="to-graph")
                detail_html = gr.HTML(message(label("detail_empty")), js_on_load=NAV_JS, elem_id="detail-view")
                detail_extra = features.detail_extras(NAV_JS)
            with gr.Tab(label("tab_graph"), id="graph"):
                with gr.Row():
                    node_dd = gr.Dropdown(label=label("centre_node"), choices=[], allow_custom_value=True,
                                          filterable=True, scale=4, elem_id="graph-node")
                    depth = gr.Radio([1, 2, 3], value=1, label=label("depth"), scale=1)
                    open_btn = gr.Button(label("open_details"), size="sm", scale=1)
                graph_html = gr.HTML(message(label("graph_empty")), js_on_load=GRAPH_JS, elem_id="graph-view")
                gr.Markdown(label("shortest_path"))
                with gr.Row():
                    path_a = gr.Dropdown(label=label("path_from"), choices=[], allow_custom_value=True, filterable=True, scale=3)
                    path_b = gr.Dropdown(label=label("path_to"), choices=[], allow_custom_value=True, filterable=True, scale=3)
                    path_btn = gr.Button(label("find_path"), scale=1)
                path_html = gr.HTML("", js_on_load=NAV_JS, elem_id="path-steps")
                path_graph = gr.HTML("", elem_id="path-view")
            feature_tabs = features.add_tabs(NAV_JS)
            with gr.Tab(label("tab_matrix"), id="matrix"):
                matrix_html = gr.HTML(message("…"), js_on_load=NAV_JS, elem_id="matrix-view")
            with gr.Tab(label("tab_centrality"), id="centrality"):
                cent_n = gr.Slider(10, 200, value=50, step=10, label=label("top_n"))
                cent_html = gr.HTML(message("…"), js_on_load=NAV_JS, elem_id="centrality-view")
            with gr.Tab(label("tab_console"), id="console"):
                gr.Markdown(label("console_note"))
                with gr.Row():
                    console_lang = gr.Radio(["SPARQL", "Cypher"], value="SPARQL", label=label("console_language"), scale=1)
                    console_limit = gr.Slider(10, 5000, value=500, step=10, label=label("row_limit"), scale=2)
                console_text = gr.Code(SPARQL_EXAMPLE, language="sql", label=label("query"), lines=8, interactive=True,
                                       elem_id="console-text")
                console_btn = gr.Button(label("run"), variant="primary", elem_id="console-run")
                console_status = gr.Markdown("", elem_id="console-status")
                console_table = gr.Dataframe(value=empty_table(), interactive=False, wrap=True, elem_id="console-table")
            with gr.Tab(label("tab_downloads"), id="downloads"):
                gr.Markdown(label("downloads_note"))
                downloads = gr.HTML("", elem_id="downloads")

        # Every event is answered by one plain POST (no queue): see the module docstring.
        def bind(event, handler, inputs, outputs):
            return event(on(handler), inputs, outputs, queue=False)

        everything = [topic_dd, topic_html, matrix_html, node_dd, path_a, path_b]
        bind(demo.load, load_all, [lang_radio, topic_dd], everything)
        bind(demo.load, header, [lang_radio], head)
        bind(demo.load, show_centrality, [cent_n, lang_radio], cent_html)
        bind(demo.load, export_links, [lang_radio], downloads)
        bind(topic_dd.input, show_topic, [topic_dd, lang_radio], topic_html)
        bind(q_btn.click, do_search, [q_box, lang_radio], search_html)
        bind(q_box.submit, do_search, [q_box, lang_radio], search_html)
        for view in (topic_html, search_html, detail_html, matrix_html, cent_html, path_html):
            bind(view.click, open_node, [lang_radio], [detail_html, tabs, current])
        bind(back_graph.click, to_graph, [current, depth, lang_radio], [node_dd, graph_html, tabs])
        bind(node_dd.input, draw_graph, [node_dd, depth, lang_radio], graph_html)
        bind(depth.input, draw_graph, [node_dd, depth, lang_radio], graph_html)
        bind(graph_html.click, graph_click, [depth, lang_radio], [node_dd, graph_html, current])
        bind(open_btn.click, open_current, [node_dd, lang_radio], [detail_html, tabs, current])
        bind(path_btn.click, find_path, [path_a, path_b, lang_radio], [path_html, path_graph])
        bind(cent_n.release, show_centrality, [cent_n, lang_radio], cent_html)
        bind(console_lang.input, console_example, console_lang, console_text)
        bind(console_btn.click, run_query, [console_lang, console_text, console_limit], [console_status, console_table])
        switched = bind(lang_radio.input, load_all, [lang_radio, topic_dd], everything)
        for handler, inputs, output in ((header, [lang_radio], head),
                                        (rerender_detail, [current, lang_radio], detail_html),
                                        (show_centrality, [cent_n, lang_radio], cent_html),
                                        (do_search, [q_box, lang_radio], search_html),
                                        (draw_graph, [node_dd, depth, lang_radio], graph_html)):
            switched = bind(switched.then, handler, inputs, output)
        features.wire(ctx, demo, feature_tabs, lang=lang_radio, as_of=as_of_box, current=current, page_tabs=tabs,
                      detail_html=detail_html, detail_extra_html=detail_extra, topic_dd=topic_dd,
                      topic_asof_html=topic_asof, graph_html=graph_html, path_a=path_a, path_b=path_b,
                      open_node=on(open_node))
    return demo
