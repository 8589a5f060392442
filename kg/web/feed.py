"""The change feed as Atom (RFC 4287), for feed readers and a law firm's alerting.

Why Atom: every feed reader and most alerting tools take it, and it has what a change needs
(a stable id per entry, when it happened, a link to what changed). The entries are the JSON
feed's (:func:`kg.changes.feed`), worded as the UI words them; the XML is built with
ElementTree, so names from documents are escaped text, never markup.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import urlencode

from kg.changes import ChangeFeed
from kg.web.text import t
from kg.web.ui.feature_views import change_text

ATOM = "application/atom+xml"
_NS = "http://www.w3.org/2005/Atom"


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{_NS}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def atom(feed: ChangeFeed, self_url: str, base_url: str, lang: str = "en") -> bytes:
    """The feed as an Atom document; entry links open the changed node in the API."""
    ET.register_namespace("", _NS)
    root = ET.Element(f"{{{_NS}}}feed")
    _el(root, "title", t("atom_title", lang))
    _el(root, "id", "urn:iprg:changes:" + (self_url.split("?", 1)[1] if "?" in self_url else "all"))
    updated = feed.items[0].at if feed.items else (feed.generations[0].at if feed.generations else
                                                   datetime.now(UTC).isoformat(timespec="seconds"))
    _el(root, "updated", updated)
    _el(root, "link", rel="self", href=self_url)
    author = _el(root, "author")
    _el(author, "name", "IP Rule Graph")
    for c in feed.items:
        entry = _el(root, "entry")
        _el(entry, "id", f"urn:iprg:change:{c.generation}:{c.id}")
        _el(entry, "title", change_text(c, lang))
        _el(entry, "updated", c.at)
        _el(entry, "link", href=base_url.rstrip("/") + "/api/v1/resource?" + urlencode({"iri": c.node.iri}))
        for topic in c.topics:
            _el(entry, "category", term=topic)
        summary = [change_text(c, "zh"), change_text(c, "en")]
        if c.fields:
            summary.append(", ".join(c.fields))
        _el(entry, "summary", " / ".join(summary))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
