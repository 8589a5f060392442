"""English for what the texts give in Chinese only: policy documents, statutes, articles.

Why a step of its own, after the graph is built: the documents are Chinese, and English comes
from two places the texts do not hold.

* A **bilingual table** beside a document (``NAME.en.yaml`` next to ``NAME.txt``): our own
  English for its title, its sections' and measures' titles and its rules, keyed by the node's
  stable IRI. Each entry keeps the Chinese it translates, and is applied only while the graph
  still holds exactly that Chinese: when a new version of the text changes a sentence, the old
  English is not shown for the new words (the UI then shows the Chinese, marked), and a test
  names the stale entry.
* **Statute families** (``corpus/versions.yaml``, ``en``): the English name of a law, so that a
  version no record describes (专利法 2008年修正) and its articles are named in English as the
  curated records' are ("Patent Law (2008 amendment), Article 11").

Everything here adds ``@en`` literals; nothing Chinese is changed or removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from ingest.corpus import Corpus
from ingest.iris import version_iri
from ingest.models import IngestError
from kg.ns import IPRG

__all__ = ["Entry", "TABLE_SUFFIX", "table_path", "load_table", "apply_table", "english_names", "add_english",
           "PROPERTIES"]

TABLE_SUFFIX = ".en.yaml"
#: Properties a table may translate (the rest of a document's English is derived from them).
PROPERTIES = {"title": IPRG.title, "text": IPRG.text}
#: How a version is named in English, by the event that made it.
_EVENT = {"adopted": "{name} ({year})", "amended": "{name} ({year} amendment)", "revised": "{name} ({year} revision)"}
_LABEL_CHARS = 60


@dataclass(frozen=True)
class Entry:
    """One translated text: the node, its property, the Chinese it translates, our English."""

    iri: str
    property: str
    zh: str
    en: str
    source: str = ""          # file:line, for messages


def table_path(document: Path) -> Path:
    """Where a document's bilingual table lives: ``NAME.en.yaml`` beside ``NAME.txt``."""
    document = Path(document)
    return document.with_name(document.stem + TABLE_SUFFIX)


class _Lines(yaml.SafeLoader):
    """A YAML loader that remembers each mapping's line (errors name it)."""


def _mapping(loader: _Lines, node: yaml.MappingNode) -> dict:
    data = loader.construct_mapping(node, deep=True)
    data["__line__"] = node.start_mark.line + 1
    return data


_Lines.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_table(path: Path) -> tuple[Entry, ...]:
    """Read a bilingual table; a malformed one is refused, naming the file and line."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Lines)  # noqa: S506 - SafeLoader subclass
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise IngestError(f"cannot read bilingual table: {e}", source=path) from None
    if not isinstance(data, list):
        raise IngestError("a bilingual table is a list of {iri, property, zh, en}", source=path)
    out = []
    for i, item in enumerate(data):
        line = item.get("__line__", "?") if isinstance(item, dict) else "?"
        where = f"{path.name}:{line}"
        if not isinstance(item, dict):
            raise IngestError(f"entry {i}: expected a mapping with iri, property, zh, en", source=path)
        keys = set(item) - {"__line__"}
        if keys != {"iri", "property", "zh", "en"}:
            raise IngestError(f"entry {i} (line {line}): expected exactly iri, property, zh, en; got {sorted(keys)}",
                              source=path)
        if item["property"] not in PROPERTIES:
            raise IngestError(f"entry {i} (line {line}): property must be one of {sorted(PROPERTIES)}", source=path)
        if not all(isinstance(item[k], str) and item[k].strip() for k in ("iri", "zh", "en")):
            raise IngestError(f"entry {i} (line {line}): iri, zh and en must be non-empty text", source=path)
        out.append(Entry(item["iri"].strip(), item["property"], item["zh"], item["en"].strip(), where))
    return tuple(out)


def apply_table(g: Graph, entries: Iterable[Entry]) -> tuple[Entry, ...]:
    """Add each entry's English where the graph holds its Chinese; return the stale entries
    (the node is gone or its Chinese is no longer the one translated)."""
    stale = []
    done: set[URIRef] = set()
    for e in entries:
        node, pred = URIRef(e.iri), PROPERTIES[e.property]
        if (node, pred, Literal(e.zh, lang="zh")) not in g:
            stale.append(e)
            continue
        g.add((node, pred, Literal(e.en, lang="en")))
        done.add(node)
    for node in sorted(done):
        _label(g, node)
    return tuple(stale)


def _label(g: Graph, node: URIRef) -> None:
    """An English label shaped like the Chinese one: "5. <title>", "5.1 <rule>", "Section 3: <title>"."""
    if any(o.language == "en" for o in g.objects(node, RDFS.label) if isinstance(o, Literal)):
        return
    title = next((str(o) for o in g.objects(node, IPRG.title) if isinstance(o, Literal) and o.language == "en"), None)
    text = next((str(o) for o in g.objects(node, IPRG.text) if isinstance(o, Literal) and o.language == "en"), None)
    number = g.value(node, IPRG.number)
    types = set(g.objects(node, RDF.type))
    label = None
    if IPRG.Measure in types and title:
        label = f"{number}. {title}" if number is not None else title
    elif IPRG.Section in types and title:
        label = f"Section {number}: {title}" if number is not None else title
    elif IPRG.Rule in types and text:
        parent = next(iter(g.subjects(IPRG.hasPart, node)), None)
        m = g.value(parent, IPRG.number) if parent is not None else None
        short = text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1].rstrip() + "…"
        label = f"{m}.{number} {short}" if m is not None and number is not None else short
    elif IPRG.PolicyDocument in types and title:
        label = title
    if label:
        g.add((node, RDFS.label, Literal(label, lang="en")))


def _has_en(g: Graph, node: URIRef) -> str | None:
    return next((str(o) for o in g.objects(node, RDFS.label) if isinstance(o, Literal) and o.language == "en"), None)


def _article_word(number: str) -> str:
    return f"Article {number}"


def english_names(g: Graph, corpus: Corpus) -> None:
    """English names for statute versions and articles that have none, from the families'
    English names (``versions.yaml``) and the statutes' own English labels."""
    names: dict[URIRef, str] = {}
    for fam in corpus.families:
        if not fam.en:
            continue
        events = {v.year: v.event for v in fam.versions}
        prefix = str(version_iri(fam.id, 1900))[: -len("_1900")] + "_"
        for statute in set(g.subjects(RDF.type, IPRG.Statute)):
            tail = str(statute)[len(prefix):] if str(statute).startswith(prefix) else ""
            if tail.isdigit() and len(tail) == 4:
                year = int(tail)
                names[statute] = _EVENT.get(events.get(year, "adopted"), _EVENT["adopted"]).format(name=fam.en, year=year)
    for statute, name in names.items():
        if _has_en(g, statute) is None:
            g.add((statute, RDFS.label, Literal(name, lang="en")))
    for article in sorted(set(g.subjects(RDF.type, IPRG.Article))):
        if _has_en(g, article) is not None:
            continue
        statute = g.value(article, IPRG.articleOf)
        number = g.value(article, IPRG.articleNumber)
        name = _has_en(g, statute) if statute is not None else None
        if name and number is not None:
            g.add((article, RDFS.label, Literal(f"{name}, {_article_word(str(number))}", lang="en")))


def add_english(g: Graph, corpus: Corpus, documents: Sequence[Path]) -> tuple[Entry, ...]:
    """Apply every document's bilingual table and name statutes and articles in English;
    return the stale table entries (for the caller's report and the tests)."""
    stale: list[Entry] = []
    for doc in documents:
        table = table_path(Path(doc))
        if table.is_file():
            stale.extend(apply_table(g, load_table(table)))
    english_names(g, corpus)
    return tuple(stale)
