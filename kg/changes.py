"""The change feed: what each new store generation changed, for people who subscribe.

Why at ingest time: the store keeps only the current generation and the one before it
(``kg.store.KEEP_GENERATIONS``), so a feed computed on request would lose every change older
than the last rebuild. ``kg.rebuild`` therefore takes a :func:`snapshot` of the graph before it
replaces it and one after, and :func:`record` writes their difference beside the store
(``<store>/changes/<generation>.json``, the last :data:`KEEP_RECORDS` kept). The API serves them
as JSON and Atom, filtered by topic, article or statute, so a law firm can follow "a new case
cites AUCL 2019 art. 9" or "a measure's text changed".

A snapshot holds, for the nodes users follow (cases, measures, rules, sections, policy
documents, statutes, articles): labels, a hash of their texts and their links that matter
(cites, illustrates, about topic, article of, corresponds to, court). Texts are hashed, not
kept: a snapshot of a large graph stays small.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import BadInput
from kg.explorer.models import NodeRef
from kg.ns import BASE, ID, PREFIXES
from kg.store import GraphStore

__all__ = ["Change", "GenerationChanges", "ChangeFeed", "Snapshot", "snapshot", "diff", "record", "feed",
           "CHANGE_KINDS", "KEEP_RECORDS"]

KEEP_RECORDS = 200
CHANGE_KINDS = ("added", "removed", "text_changed", "label_changed", "link_added", "link_removed")
#: Node classes the feed follows.
_KINDS = ("Case", "Measure", "Rule", "Section", "PolicyDocument", "Statute", "Article")
#: Relationships the feed follows: predicate local name → type name (as the explorer names them).
_RELATIONS = {"cites": "CITES", "illustrates": "ILLUSTRATES", "aboutTopic": "ABOUT_TOPIC",
              "articleOf": "ARTICLE_OF", "correspondsTo": "CORRESPONDS_TO", "court": "COURT"}
_TEXTS = ("title", "text", "holding", "gist", "outcome")
_KIND_VALUES = " ".join(f"iprg:{k}" for k in _KINDS)
_PREDICATE_VALUES = " ".join(["rdfs:label", *(f"iprg:{p}" for p in (*_TEXTS, *_RELATIONS))])
_QUERY = f"""
SELECT ?s ?k ?p ?o WHERE {{
  VALUES ?k {{ {_KIND_VALUES} }}
  ?s a ?k ; ?p ?o .
  VALUES ?p {{ {_PREDICATE_VALUES} }}
}}"""
_TOPIC_LABELS = f"SELECT ?t ?l WHERE {{ ?t skos:inScheme <{ID}scheme/topics> ; skos:prefLabel ?l }}"
_TOPIC_PREFIX = str(ID) + "topic/"


@dataclass(frozen=True)
class Change:
    id: str                      # stable for the same change between the same generations
    generation: str
    previous: str | None
    at: str                      # when the generation was made (ISO, UTC)
    change: str                  # one of CHANGE_KINDS
    node: NodeRef
    relation: str | None         # link changes: CITES, ILLUSTRATES, ABOUT_TOPIC, …
    target: NodeRef | None
    fields: tuple[str, ...]      # text_changed / label_changed: which (title_zh, text_en, …)
    topics: tuple[str, ...]      # topic ids of the node (and of a linked node), for filtering
    articles: tuple[str, ...]    # article IRIs involved
    statutes: tuple[str, ...]    # statute IRIs involved (an article's statute included)


@dataclass(frozen=True)
class GenerationChanges:
    generation: str
    previous: str | None
    at: str
    changes: int


@dataclass(frozen=True)
class ChangeFeed:
    generations: tuple[GenerationChanges, ...]   # newest first
    total: int                                   # matching changes before ``limit``
    items: tuple[Change, ...]                    # newest generation first


@dataclass
class _NodeState:
    kind: str
    labels: dict[str, str]
    texts: dict[str, str]                        # field_lang → hash
    links: set[tuple[str, str]]


@dataclass
class Snapshot:
    generation: str | None
    nodes: dict[str, _NodeState]
    topic_labels: dict[str, dict[str, str]]

    def label(self, iri: str, lang: str) -> str | None:
        state = self.nodes.get(iri)
        if state is not None:
            return state.labels.get(lang) or _title(state, lang)
        return self.topic_labels.get(iri, {}).get(lang)

    def ref(self, iri: str) -> NodeRef:
        state = self.nodes.get(iri)
        kind = state.kind if state else ("Topic" if iri.startswith(_TOPIC_PREFIX) else "Resource")
        return NodeRef(iri, kind, self.label(iri, "zh"), self.label(iri, "en"))


def _title(state: _NodeState, lang: str) -> str | None:
    return state.labels.get(f"title_{lang}")


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _read_only(store: GraphStore) -> ox.Store | None:
    """The current generation opened read-only: no lock is taken and nothing stays open, so the
    caller's store (and any other reader in the process) keeps the generations it has open."""
    generation = store.current_generation()
    if generation is None:
        return None
    path = store.generations_dir / generation
    return ox.Store.read_only(str(path)) if path.is_dir() else None


def snapshot(store: GraphStore) -> Snapshot:
    """What the feed compares, read from the store's current generation (empty when none)."""
    graph = _read_only(store)
    if graph is None:
        return Snapshot(None, {}, {})
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    nodes: dict[str, _NodeState] = {}
    for sol in graph.query(_QUERY, prefixes=prefixes):
        s, k, p, o = sol["s"].value, sol["k"].value, sol["p"].value, sol["o"]
        if not s.startswith(str(ID)):
            continue
        state = nodes.setdefault(s, _NodeState(k[len(BASE):], {}, {}, set()))
        name = p.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        lang = getattr(o, "language", None)
        if name in _RELATIONS:
            state.links.add((_RELATIONS[name], o.value))
        elif name == "label":
            if lang in ("zh", "en"):
                state.labels[lang] = o.value
        elif name in _TEXTS:
            key = f"{name}_{lang}" if lang else name
            state.texts[key] = _hash(o.value)
            if name == "title" and lang in ("zh", "en"):
                state.labels.setdefault(f"title_{lang}", o.value)
    topics: dict[str, dict[str, str]] = {}
    for sol in graph.query(_TOPIC_LABELS, prefixes=prefixes):
        lang = getattr(sol["l"], "language", None)
        if lang in ("zh", "en"):
            topics.setdefault(sol["t"].value, {})[lang] = sol["l"].value
    del graph
    return Snapshot(store.current_generation(), nodes, topics)


def _involved(snap: Snapshot, *iris: str | None) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(topic ids, article IRIs, statute IRIs) touched by these nodes."""
    topics, articles, statutes = set(), set(), set()
    for iri in iris:
        if not iri:
            continue
        if iri.startswith(_TOPIC_PREFIX):
            topics.add(iri[len(_TOPIC_PREFIX):])
        state = snap.nodes.get(iri)
        if state is None:
            continue
        for t, o in state.links:
            if t == "ABOUT_TOPIC" and o.startswith(_TOPIC_PREFIX):
                topics.add(o[len(_TOPIC_PREFIX):])
        if state.kind == "Article":
            articles.add(iri)
            statutes.update(o for t, o in state.links if t == "ARTICLE_OF")
        elif state.kind == "Statute":
            statutes.add(iri)
    return tuple(sorted(topics)), tuple(sorted(articles)), tuple(sorted(statutes))


def diff(old: Snapshot, new: Snapshot, generation: str, at: str) -> list[Change]:
    """Every change from ``old`` to ``new``, in a stable order (node, then what changed)."""
    out: list[Change] = []

    def emit(change: str, node: str, snap: Snapshot, relation: str | None = None, target: str | None = None,
             fields: Iterable[str] = ()) -> None:
        # what is involved is read where it exists (a removed node in the old snapshot)
        topics, articles, statutes = _involved(snap, node, target)
        if target is not None:
            other = new if target in new.nodes else old
            t2, a2, s2 = _involved(other, target)
            topics, articles, statutes = (tuple(sorted(set(topics) | set(t2))), tuple(sorted(set(articles) | set(a2))),
                                          tuple(sorted(set(statutes) | set(s2))))
        key = "\x1f".join([old.generation or "", generation, change, node, relation or "", target or ""])
        out.append(Change(
            id=_hash(key), generation=generation, previous=old.generation, at=at, change=change,
            node=snap.ref(node), relation=relation,
            target=(new if target in new.nodes else old).ref(target) if target else None,
            fields=tuple(sorted(fields)), topics=topics, articles=articles, statutes=statutes))

    for iri in sorted(set(old.nodes) | set(new.nodes)):
        a, b = old.nodes.get(iri), new.nodes.get(iri)
        if a is None and b is not None:
            emit("added", iri, new)
            for t, o in sorted(b.links):
                if t in ("CITES", "ILLUSTRATES"):
                    emit("link_added", iri, new, t, o)
            continue
        if b is None and a is not None:
            emit("removed", iri, old)
            continue
        assert a is not None and b is not None
        texts = {k for k in set(a.texts) | set(b.texts) if a.texts.get(k) != b.texts.get(k)}
        if texts:
            emit("text_changed", iri, new, fields=texts)
        labels = {f"label_{k}" for k in ("zh", "en") if a.labels.get(k) != b.labels.get(k)}
        if labels:
            emit("label_changed", iri, new, fields=labels)
        for t, o in sorted(b.links - a.links):
            emit("link_added", iri, new, t, o)
        for t, o in sorted(a.links - b.links):
            emit("link_removed", iri, old, t, o)
    return out


def _dir(store: GraphStore) -> Path:
    return Path(store.root) / "changes"


def _generation_time(generation: str) -> str:
    try:
        return datetime.strptime(generation.split("-", 1)[0], "%Y%m%dT%H%M%S").replace(tzinfo=UTC).isoformat()
    except ValueError:
        return datetime.now(UTC).isoformat(timespec="seconds")


def record(store: GraphStore, before: Snapshot) -> Path | None:
    """Write what the current generation changed since ``before`` (taken before the replace)."""
    generation = store.current_generation()
    if generation is None or generation == before.generation:
        return None
    after = snapshot(store)
    at = _generation_time(generation)
    changes = diff(before, after, generation, at) if before.generation is not None else []
    folder = _dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    body = {"generation": generation, "previous": before.generation, "at": at,
            "changes": [asdict(c) for c in changes]}
    dest = folder / f"{generation}.json"
    tmp = folder / f".{generation}.json.tmp"
    tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, dest)
    for old in sorted(folder.glob("*.json"))[:-KEEP_RECORDS]:
        old.unlink(missing_ok=True)
    return dest


def _change(d: dict[str, Any]) -> Change:
    return Change(**{**d, "node": NodeRef(**d["node"]), "target": NodeRef(**d["target"]) if d.get("target") else None,
                     "fields": tuple(d.get("fields") or ()), "topics": tuple(d["topics"]),
                     "articles": tuple(d["articles"]), "statutes": tuple(d["statutes"])})


def feed(store: GraphStore, *, topic: str | None = None, article: str | None = None, statute: str | None = None,
         change: str | None = None, limit: int = 100) -> ChangeFeed:
    """The recorded changes, newest generation first, filtered by topic id, article IRI,
    statute IRI and kind of change (all given filters must hold)."""
    if change is not None and change not in CHANGE_KINDS:
        raise BadInput(f"change must be one of {', '.join(CHANGE_KINDS)}, not {change!r}")
    if limit < 1:
        raise BadInput("limit must be at least 1")
    folder = _dir(store)
    generations, items = [], []
    for path in sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else ():
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue      # a record being replaced or damaged: the others still answer
        changes = [_change(c) for c in body.get("changes", ())]
        generations.append(GenerationChanges(body["generation"], body.get("previous"), body["at"], len(changes)))
        for c in changes:
            if topic and topic not in c.topics:
                continue
            if article and article not in c.articles:
                continue
            if statute and statute not in c.statutes:
                continue
            if change and c.change != change:
                continue
            items.append(c)
    return ChangeFeed(tuple(generations), len(items), tuple(items[:limit]))
