"""The graph a newcomer sees first: a policy document, its sections and its measures, each
measure coloured by its main topic, with a legend of the topics.

Why this and not an empty canvas: the Graph tab used to open on "pick a node"; the document the
graph is built around, laid out with its parts and coloured by what they are about, shows at a
glance what the explorer holds, and every node opens (click) its own neighbourhood.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse

from kg.context import Context
from kg.explorer.models import GraphEdge, GraphNode, SubGraph
from kg.explorer.outline import DocumentOutline, outline
from kg.web import viz
from kg.web.text import kind_label, t
from kg.web.ui.feature_views import NO_TOPIC_COLOUR, topic_colours
from kg.web.ui.views import measure_name
from kg.web.viz_routes import PAGE


def document_subgraph(o: DocumentOutline) -> SubGraph:
    """The document, its sections and its measures, joined by ``HAS_PART``."""
    nodes = [GraphNode(o.iri, o.title_zh, "PolicyDocument", o.title_en)]
    edges = []
    for s in o.sections:
        parent = o.iri
        if s.number is not None:
            nodes.append(GraphNode(s.iri, f"{s.number}. {s.title_zh or ''}", "Section",
                                   f"{s.number}. {s.title_en}" if s.title_en else None))
            edges.append(GraphEdge(o.iri, "HAS_PART", s.iri))
            parent = s.iri
        for m in s.measures:
            ref = m.measure
            nodes.append(GraphNode(ref.iri, measure_name(ref.number, ref.title_zh, None, "zh"), "Measure",
                                   measure_name(ref.number, None, ref.title_en, "en") if ref.title_en else None))
            edges.append(GraphEdge(parent, "HAS_PART", ref.iri))
    return SubGraph(tuple(nodes), tuple(edges))


def document_page(o: DocumentOutline, topic_order: list[str], lang: str) -> str:
    colours = topic_colours(topic_order)
    by_measure = {m.measure.iri: colours.get(m.topics[0], NO_TOPIC_COLOUR) if m.topics else NO_TOPIC_COLOUR
                  for s in o.sections for m in s.measures}
    used = [tid for tid in topic_order if any(m.topics and m.topics[0] == tid for s in o.sections for m in s.measures)]
    names = {tp.id: (tp.label_zh or tp.id, tp.label_en or tp.id) for tp in o.topics}
    legend = [("policy", kind_label("policy", "zh"), kind_label("policy", "en"), viz.KIND_COLOURS["policy"]),
              ("section", kind_label("section", "zh"), kind_label("section", "en"), viz.KIND_COLOURS["section"])]
    legend += [(tid, names[tid][0], names[tid][1], colours[tid]) for tid in used if tid in names]
    return viz.render_html(document_subgraph(o), center=o.iri, lang=lang, page_url="/viz/neighbourhood",
                           colours=by_measure, legend=legend, title=t("document_graph", lang))


def routes(app: FastAPI, ctx: Context) -> None:
    """Add ``/viz/document`` to ``app``."""

    @app.get("/viz/document", response_class=HTMLResponse, tags=["viz"], responses=PAGE,
             summary="A policy document's sections and measures as a graph page, measures coloured by topic")
    def viz_document(iri_: str | None = Query(None, alias="iri", max_length=1000), lang: str = Query("zh", pattern="^(zh|en)$")):
        o = outline(ctx.explorer, iri_ or None)     # no IRI (or an empty one): the newest document
        order = [tp.id for tp in ctx.explorer.topics()]
        return HTMLResponse(document_page(o, order, lang))


def document_url(iri: str | None = None, lang: str = "zh") -> str:
    params = {"lang": lang, **({"iri": iri} if iri else {})}
    return "/viz/document?" + urlencode(params)
