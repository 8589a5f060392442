"""IRIs of statutes, versions, articles and case instances that no curated record names.

Why here, beside nothing else: the linker (citations in texts) and the record emitter
(citations in YAML records) must mint the same IRI for the same statute version, and each used
to import the other for it (the ``link`` ↔ ``records`` cycle). Both now import this leaf.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from rdflib import URIRef

from ingest.lang import words
from ingest.lang.text import compact
from kg.ns import hashed, iri, normalise_identifier

_BRACKETS = str.maketrans({"〈": "", "〉": "", "《": "", "》": "", "<": "", ">": ""})
_VERSION_NOTE = re.compile(r"[（(][^（）()]*\d{4}[^（）()]*[）)]")


def title_key(title: str) -> str:
    """How a statute's title is compared: no spaces, no 《》〈〉, no version notes in brackets
    (（2020年修正）), no 中华人民共和国, no issuer in front (最高人民法院关于… = 关于…); ordinal
    notes such as （二） are kept."""
    t = compact(title).translate(_BRACKETS)
    t = _VERSION_NOTE.sub("", t).replace(_PRC, "")
    prefixes = words("title_issuer_prefixes")
    while t.startswith(prefixes) and len(t) > 8:
        t = t[len(next(p for p in prefixes if t.startswith(p))):]
    return t


_PRC = "中华人民共和国"


def unknown_statute_iri(title: str, year: int | None = None) -> URIRef:
    """A statute (or one version of it) known only from citations and texts: no record names it."""
    key = title_key(title)
    return hashed("statute", key, year) if year is not None else hashed("statute", key)


def version_iri(family_id: str, year: int) -> URIRef:
    """A version of a known statute family that no curated record describes (prc_patent_law_2000)."""
    return iri("statute", f"{family_id}_{year}")


def statute_slug(statute: URIRef) -> str:
    """The identifying part of a statute IRI (record id, minted version id or hash)."""
    return unquote(str(statute).rsplit("/", 1)[-1])


def article_iri(statute: URIRef, number: str) -> URIRef:
    """The article ``number`` of a statute node (the same IRI a curated record mints)."""
    return iri("article", statute_slug(statute), number)


def provision_iri(statute: URIRef, article: str, paragraph: int, item: int | None = None) -> URIRef:
    """A paragraph (款) of an article, or an item (项) of that paragraph."""
    parts: list[str | int] = [statute_slug(statute), article, f"p{paragraph}"]
    if item is not None:
        parts.append(f"i{item}")
    return iri("provision", *parts)


def instance_iri(case_number: str) -> URIRef:
    """One instance of a case, by its 案号 (unique across courts and years)."""
    return iri("instance", normalise_identifier(case_number))
