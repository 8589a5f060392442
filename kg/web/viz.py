"""pyvis neighbourhood graphs, safe to show names that came from documents.

Why our own page template instead of pyvis's: pyvis's template pulls Bootstrap from a CDN even
with ``cdn_resources="in_line"`` and writes labels into ``<script>`` with plain ``json.dumps``,
so a name containing ``</script><script>…`` would run. We keep pyvis for what it is good at
(building vis-network node/edge/option dicts) and render them with Jinja's ``tojson`` filter,
which escapes ``<``, ``>``, ``&`` and quotes as ``\\u003c``…, so user text stays a JS string.
Tooltips are built in the browser with ``textContent`` (never ``innerHTML``), so the same text
stays text there too. The vis-network JS/CSS pyvis ships are served locally (``/viz/lib``) or
inlined: nothing loads from the internet.

Clicking a node tells the embedding page (``postMessage({type: "iprg-node", iri})``); opened on
its own, the page navigates to ``?iri=<node>`` instead, so click-through works either way.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import pyvis
from pyvis.network import Network
from rdflib import Graph
from rdflib.namespace import RDFS

import ontology
from kg.ns import kind_of, local_name
from kg.pg import upper_snake
from kg.web.text import STATIC_DIR, kind_label, ui_text

VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
#: Files served under ``/viz/lib/`` (name → media type).
VIS_FILES = {"vis-network.min.js": "text/javascript", "vis-network.css": "text/css"}

#: Colour per node kind (the ``id/<kind>/…`` segment of the IRI); one hue per family.
KIND_COLOURS: dict[str, str] = {
    "policy": "#1f4e79",
    "section": "#2e75b6",
    "measure": "#4a90d9",
    "rule": "#9dc3e6",
    "statute": "#7b3f00",
    "article": "#c55a11",
    "case": "#c00000",
    "court": "#7030a0",
    "org": "#8e6fb5",
    "place": "#5b9bd5",
    "concept": "#548235",
    "topic": "#d4a017",
    "modality": "#7f7f7f",
    "mention": "#bfbfbf",
}
DEFAULT_COLOUR = "#a5a5a5"
KIND_SHAPES: dict[str, str] = {"topic": "diamond", "case": "square", "statute": "triangle", "article": "triangleDown"}


@dataclass(frozen=True)
class VizNode:
    iri: str
    kind: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class VizEdge:
    source: str
    target: str
    predicate: str


@lru_cache(maxsize=1)
def term_labels() -> dict[str, dict[str, str]]:
    """@zh/@en labels of the ontology's classes and properties, keyed by local name.

    Read from ``ontology/iprg.ttl`` so that the graph view names edges exactly as the
    ontology does (no second word list to keep in sync).
    """
    graph = Graph()
    graph.parse(ontology.path("iprg.ttl"), format="turtle")
    out: dict[str, dict[str, str]] = {}
    for s, label in graph.subject_objects(RDFS.label):
        lang = getattr(label, "language", None)
        if lang in ("zh", "en"):
            out.setdefault(local_name(str(s)), {})[lang] = str(label)
    return out


@lru_cache(maxsize=1)
def _by_upper_snake() -> dict[str, dict[str, str]]:
    return {upper_snake(k): v for k, v in term_labels().items()}


def predicate_label(predicate: str, lang: str) -> str:
    """Ontology label of an edge given as IRI, local name or Neo4j type (``HAS_PART``)."""
    name = local_name(predicate)
    labels = term_labels().get(name) or _by_upper_snake().get(name) or {}
    return labels.get(lang, name)


def _first(obj: object, *names: str) -> object:
    for name in names:
        if isinstance(obj, dict):
            if obj.get(name) not in (None, ""):
                return obj[name]
        elif getattr(obj, name, None) not in (None, ""):
            return getattr(obj, name)
    return None


def _nodes_edges(subgraph: object) -> tuple[list[VizNode], list[VizEdge]]:
    """Read any SubGraph-like object (``nodes``/``edges`` of objects or dicts) into our models."""
    nodes: list[VizNode] = []
    for n in _first(subgraph, "nodes") or ():
        iri = str(_first(n, "iri", "id", "uri"))
        zh = _first(n, "label_zh", "label")
        en = _first(n, "label_en")
        nodes.append(VizNode(
            iri=iri,
            kind=kind_of(iri) or str(_first(n, "kind") or "").lower(),
            label_zh=str(zh if zh is not None else (en or local_name(iri))),
            label_en=str(en if en is not None else (zh or local_name(iri))),
        ))
    edges = [
        VizEdge(str(_first(e, "source", "s", "from_iri")), str(_first(e, "target", "o", "to_iri")),
                str(_first(e, "predicate", "p", "rel", "type") or ""))
        for e in _first(subgraph, "edges") or ()
    ]
    return nodes, edges


def _short(text: str, limit: int = 18) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_network(nodes: Iterable[VizNode], edges: Iterable[VizEdge], *, center: str | None = None,
                  path: Iterable[str] = (), lang: str = "zh") -> Network:
    """The pyvis Network for a subgraph: colour by kind, labels in ``lang``, ids are IRIs."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="local")
    on_path = set(path)
    known: set[str] = set()
    for n in nodes:
        if n.iri in known:
            continue
        known.add(n.iri)
        label = n.label_zh if lang == "zh" else n.label_en
        colour = KIND_COLOURS.get(n.kind, DEFAULT_COLOUR)
        net.add_node(
            n.iri,
            label=_short(label),
            shape=KIND_SHAPES.get(n.kind, "dot"),
            color={"background": colour, "border": "#222" if n.iri == center else colour,
                   "highlight": {"background": colour, "border": "#000"}},
            size=26 if n.iri == center else (20 if n.iri in on_path else 14),
            borderWidth=4 if n.iri == center or n.iri in on_path else 1,
            # Plain data, rendered as text by the page's script (see module docstring).
            iri=n.iri, kind=n.kind, label_zh=_short(n.label_zh), label_en=_short(n.label_en),
            full_zh=n.label_zh, full_en=n.label_en,
            kind_zh=kind_label(n.kind, "zh"), kind_en=kind_label(n.kind, "en"),
        )
    pairs_on_path = set(zip(list(path), list(path)[1:], strict=False))
    for e in edges:
        if e.source not in known or e.target not in known:
            continue
        hot = (e.source, e.target) in pairs_on_path or (e.target, e.source) in pairs_on_path
        net.add_edge(
            e.source, e.target,
            label=predicate_label(e.predicate, lang),
            label_zh=predicate_label(e.predicate, "zh"), label_en=predicate_label(e.predicate, "en"),
            color="#c00000" if hot else "#999999", width=3 if hot else 1,
            arrows="to", font={"size": 10, "color": "#555", "strokeWidth": 0},
        )
    net.set_options(json.dumps({
        "physics": {"solver": "forceAtlas2Based", "stabilization": {"iterations": 150},
                    "forceAtlas2Based": {"gravitationalConstant": -110, "springLength": 150, "avoidOverlap": 0.4}},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
        "nodes": {"font": {"size": 13, "face": "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"}},
        "edges": {"smooth": {"type": "continuous"}},
    }))
    return net


@lru_cache(maxsize=4)
def _vis_asset(name: str) -> str:
    return (VIS_DIR / name).read_text(encoding="utf-8")


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(STATIC_DIR)),
        autoescape=True,  # every {{ }} is HTML-escaped; data goes through |tojson
    )


def render_html(subgraph: object, *, center: str | None = None, path: Iterable[str] = (),
                lang: str = "zh", lib_url: str | None = "/viz/lib", page_url: str = "",
                depth: int = 1, title: str = "", colours: dict[str, str] | None = None,
                legend: list[tuple[str, str, str, str]] | None = None) -> str:
    """A complete HTML page drawing ``subgraph`` with vis-network.

    ``lib_url`` None inlines the vis-network JS/CSS (for ``<iframe srcdoc>`` or a saved file);
    otherwise the page loads them from ``lib_url`` on the same server (``/viz/lib``).
    ``page_url`` is where a standalone page navigates on click (``?iri=…&depth=…``).
    ``colours`` (IRI → colour) overrides the colour by kind, and ``legend`` (key, zh, en,
    colour) replaces the legend of kinds (a policy document's measures coloured by topic).
    """
    lang = "en" if lang == "en" else "zh"
    nodes, edges = _nodes_edges(subgraph)
    path = list(path)
    net = build_network(nodes, edges, center=center, path=path, lang=lang)
    for node in net.nodes:
        colour = (colours or {}).get(node["id"])
        if colour:
            node["color"] = {"background": colour, "border": colour, "highlight": {"background": colour, "border": "#000"}}
    net_nodes, net_edges, _heading, _h, _w, options = net.get_network_data()
    texts = ui_text()["viz"]
    return _env().get_template("viz_template.html").render(
        nodes=net_nodes,
        edges=net_edges,
        options=json.loads(options),
        lang=lang,
        center=center or "",
        depth=depth,
        title=title,
        page_url=page_url,
        texts=texts,
        legend=legend if legend is not None else [
            (k, kind_label(k, "zh"), kind_label(k, "en"), c) for k, c in KIND_COLOURS.items()
            if any(n.kind == k for n in nodes)],
        lib_url=lib_url,
        inline_js=_vis_asset("vis-network.min.js") if lib_url is None else "",
        inline_css=_vis_asset("vis-network.css") if lib_url is None else "",
        empty=not nodes,
    )


def iframe(src: str, *, height: int = 560, title: str = "graph") -> str:
    """An ``<iframe>`` for a viz page served by the API (scripts run there, unlike in gr.HTML)."""
    return (
        f'<iframe class="iprg-graph" src="{html.escape(src, quote=True)}" title="{html.escape(title, quote=True)}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #d0d7de;border-radius:8px;background:#fff" '
        f'loading="eager"></iframe>'
    )


def iframe_srcdoc(page: str, *, height: int = 560, title: str = "graph") -> str:
    """An ``<iframe srcdoc=…>`` holding a whole page (attribute-escaped; scripts run inside)."""
    return (
        f'<iframe class="iprg-graph" srcdoc="{html.escape(page, quote=True)}" title="{html.escape(title, quote=True)}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #d0d7de;border-radius:8px;background:#fff"></iframe>'
    )


def neighbourhood_url(iri: str, *, depth: int = 1, lang: str = "zh", base: str = "/viz/neighbourhood") -> str:
    return base + "?" + urlencode({"iri": iri, "depth": depth, "lang": lang})


def path_url(a: str, b: str, *, lang: str = "zh", base: str = "/viz/path") -> str:
    return base + "?" + urlencode({"from": a, "to": b, "lang": lang})
