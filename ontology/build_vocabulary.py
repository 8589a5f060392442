"""Build ``ontology/vocabulary.ttl`` (two SKOS schemes) from the reference fact sheet and our own YAML.

Why a generator: the concept hierarchy (150 concepts, broader/narrower/related) lives in the
reference fact sheet ``../shared/reference/vocabulary.yaml``, while labels added from real texts,
search-only labels, the topic scheme and every definition are the project's own work, kept in
``vocabulary_extra.yaml`` and ``vocabulary_definitions.yaml`` beside this file. The generated
Turtle is committed, so nothing at run time needs ``../shared``; rerun this script only when one
of the inputs changes::

    python -m ontology.build_vocabulary [--reference PATH] [--allow-missing-definitions]

The reference's own ``definition_en`` sentences are deliberately NOT used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kg.ns import PREFIXES, SCHEMA, SCHEME_TOPICS, SCHEME_VOCAB, iri

HERE = Path(__file__).resolve().parent
DEFAULT_REFERENCE = HERE.parents[1] / "shared" / "reference" / "vocabulary.yaml"
EXTRA = HERE / "vocabulary_extra.yaml"
DEFINITIONS = HERE / "vocabulary_definitions.yaml"
OUTPUT = HERE / "vocabulary.ttl"
CREATED = "2025-11-26"


class VocabularyError(ValueError):
    """An input file is inconsistent; the message names the file and the concept."""


@dataclass(frozen=True)
class Inputs:
    reference: dict
    extra: dict
    definitions: dict


def _load(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VocabularyError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise VocabularyError(f"{path}: expected a mapping at the top level")
    return data


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        item = str(item).strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


def _lang_of(text: str) -> str:
    """Guess the language tag of a search label: any CJK character makes it Chinese."""
    return "zh" if any("\u3400" <= ch <= "\u9fff" for ch in text) else "en"


def build(inputs: Inputs, allow_missing_definitions: bool = False) -> Graph:
    """Assemble both schemes as one graph; raises :class:`VocabularyError` on any inconsistency."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    concepts = inputs.reference.get("concepts") or []
    ids = [c["id"] for c in concepts]
    known = set(ids)
    if len(known) != len(ids):
        raise VocabularyError("reference vocabulary: duplicate concept ids")
    extra_concepts = inputs.extra.get("concepts") or {}
    unknown = set(extra_concepts) - known
    if unknown:
        raise VocabularyError(f"{EXTRA.name}: labels for unknown concepts {sorted(unknown)}")
    defs = inputs.definitions.get("concepts") or {}
    unknown = set(defs) - known
    if unknown:
        raise VocabularyError(f"{DEFINITIONS.name}: definitions for unknown concepts {sorted(unknown)}")
    includes_as_alt = set(inputs.extra.get("includes_as_alt") or [])

    _scheme(g, SCHEME_VOCAB, inputs.extra["scheme"])
    top = set(inputs.reference["scheme"]["top_concepts"])
    for c in concepts:
        cid = c["id"]
        node = iri("concept", cid)
        ex = extra_concepts.get(cid) or {}
        demote = set(ex.get("demote") or [])
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, SCHEME_VOCAB))
        g.add((node, SKOS.notation, Literal(cid)))
        g.add((node, SKOS.prefLabel, Literal(c["pref_zh"], lang="zh")))
        g.add((node, SKOS.prefLabel, Literal(c["pref_en"], lang="en")))
        hidden: list[str] = [h for h in ex.get("hidden") or []]
        for lang in ("zh", "en"):
            pref = c[f"pref_{lang}"]
            includes = c.get(f"includes_{lang}") or []
            alts = list(c.get(f"alt_{lang}") or []) + list(ex.get(f"alt_{lang}") or [])
            if cid in includes_as_alt:
                alts += includes
            else:
                hidden += includes
            for alt in _unique(alts):
                if alt == pref:
                    continue
                if alt in demote:
                    hidden.append(alt)
                    continue
                g.add((node, SKOS.altLabel, Literal(alt, lang=lang)))
        for h in _unique(hidden):
            g.add((node, SKOS.hiddenLabel, Literal(h, lang=_lang_of(h))))
        broader = c.get("broader")
        if broader:
            if broader not in known:
                raise VocabularyError(f"reference vocabulary: {cid}: unknown broader {broader!r}")
            g.add((node, SKOS.broader, iri("concept", broader)))
            g.add((iri("concept", broader), SKOS.narrower, node))
        elif cid not in top:
            raise VocabularyError(f"reference vocabulary: {cid} has no broader concept and is not a top concept")
        for n in c.get("narrower") or []:
            if n not in known:
                raise VocabularyError(f"reference vocabulary: {cid}: unknown narrower {n!r}")
            g.add((node, SKOS.narrower, iri("concept", n)))
            g.add((iri("concept", n), SKOS.broader, node))
        for r in c.get("related") or []:
            if r not in known:
                raise VocabularyError(f"reference vocabulary: {cid}: unknown related {r!r}")
            g.add((node, SKOS.related, iri("concept", r)))
            g.add((iri("concept", r), SKOS.related, node))
        if cid in top:
            g.add((node, SKOS.topConceptOf, SCHEME_VOCAB))
            g.add((SCHEME_VOCAB, SKOS.hasTopConcept, node))
        _definition(g, node, defs.get(cid), f"concept {cid}", allow_missing_definitions)

    _scheme(g, SCHEME_TOPICS, inputs.extra["topic_scheme"])
    topics = inputs.extra.get("topics") or {}
    for position, (tid, t) in enumerate(topics.items(), 1):
        node = iri("topic", tid)
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, SCHEME_TOPICS))
        g.add((node, SKOS.topConceptOf, SCHEME_TOPICS))
        g.add((SCHEME_TOPICS, SKOS.hasTopConcept, node))
        g.add((node, SKOS.notation, Literal(tid)))
        # the order users meet topics in (the UI's picker, the matrix rows): the YAML's order
        g.add((node, SCHEMA.position, Literal(position)))
        for lang in ("zh", "en"):
            g.add((node, SKOS.prefLabel, Literal(t[f"pref_{lang}"], lang=lang)))
            for alt in _unique(t.get(f"alt_{lang}") or []):
                if alt != t[f"pref_{lang}"]:
                    g.add((node, SKOS.altLabel, Literal(alt, lang=lang)))
        for r in t.get("related") or []:
            if r not in known:
                raise VocabularyError(f"{EXTRA.name}: topic {tid}: unknown related concept {r!r}")
            g.add((node, SKOS.related, iri("concept", r)))
        _definition(g, node, {"zh": t.get("definition_zh"), "en": t.get("definition_en")}, f"topic {tid}", False)
    for a, b in inputs.extra.get("topic_links") or []:
        if a not in topics or b not in topics:
            raise VocabularyError(f"{EXTRA.name}: topic_links: unknown topic in {[a, b]}")
        g.add((iri("topic", a), SKOS.related, iri("topic", b)))
        g.add((iri("topic", b), SKOS.related, iri("topic", a)))
    return g


def _scheme(g: Graph, node: URIRef, meta: dict) -> None:
    g.add((node, RDF.type, SKOS.ConceptScheme))
    for lang in ("zh", "en"):
        g.add((node, DCTERMS.title, Literal(meta[f"title_{lang}"], lang=lang)))
        g.add((node, SKOS.prefLabel, Literal(meta[f"title_{lang}"], lang=lang)))
        g.add((node, SKOS.definition, Literal(meta[f"definition_{lang}"], lang=lang)))
    g.add((node, DCTERMS.created, Literal(CREATED, datatype=XSD.date)))


def _definition(g: Graph, node: URIRef, d: dict | None, what: str, allow_missing: bool) -> None:
    for lang in ("zh", "en"):
        text = (d or {}).get(lang)
        if not text:
            if allow_missing:
                continue
            raise VocabularyError(f"{what}: missing definition @{lang}")
        g.add((node, SKOS.definition, Literal(" ".join(str(text).split()), lang=lang)))


HEADER = """\
# GENERATED by ontology/build_vocabulary.py — do not edit by hand.
# Concept hierarchy and base labels: reference fact sheet vocabulary.yaml (rebuild time only).
# Extra labels, topics and all definitions: ontology/vocabulary_extra.yaml and
# ontology/vocabulary_definitions.yaml (the project's own wording).
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--output", type=Path, default=OUTPUT)
    ap.add_argument("--allow-missing-definitions", action="store_true")
    args = ap.parse_args(argv)
    try:
        inputs = Inputs(_load(args.reference), _load(EXTRA), _load(DEFINITIONS))
        g = build(inputs, args.allow_missing_definitions)
    except VocabularyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    ttl = g.serialize(format="turtle")
    tmp = args.output.with_suffix(".ttl.tmp")
    tmp.write_text(HEADER + ttl, encoding="utf-8")
    tmp.replace(args.output)
    print(f"wrote {args.output} ({len(g)} triples)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
