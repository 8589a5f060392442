"""The embedded store's generations (README: `kg ingest` replaces the graph atomically).

Each replace loads a new generation and then moves the CURRENT pointer; readers follow the
pointer; a replace that fails leaves the current generation as it was; old generations are
pruned, keeping the current one and its predecessor. Through GraphStore's public methods.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.store import GraphStore, StoreError


def graph(n: int) -> Graph:
    g = Graph()
    for i in range(n):
        g.add((URIRef(f"https://w3id.org/iprg/id/case/c{i}"), RDFS.label, Literal(f"案{i}", lang="zh")))
    return g


def generations(store: GraphStore) -> list[str]:
    return sorted(p.name for p in store.generations_dir.iterdir() if p.is_dir())


def test_an_empty_store_says_run_ingest(tmp_path):
    store = GraphStore(tmp_path / "store")
    assert not store.exists() and len(store) == 0 and store.current_generation() is None
    with pytest.raises(StoreError, match="kg ingest"):
        store.query("ASK { ?s ?p ?o }")


def test_replace_switches_generation_and_readers_follow(tmp_path):
    writer = GraphStore(tmp_path / "store")
    first = writer.replace(graph(3))
    assert first.triples == 3 and writer.current_generation() == first.generation
    reader = GraphStore(tmp_path / "store")            # another handle, as a server holds one
    assert len(reader) == 3
    second = writer.replace(graph(5))
    assert second.generation != first.generation
    assert (tmp_path / "store" / "CURRENT").read_text(encoding="utf-8").strip() == second.generation
    assert reader.current_generation() == second.generation and len(reader) == 5
    assert bool(reader.query("ASK { <https://w3id.org/iprg/id/case/c4> ?p ?o }"))


def test_old_generations_are_pruned(tmp_path):
    store = GraphStore(tmp_path / "store")
    made = [store.replace(graph(i + 1)).generation for i in range(4)]
    assert generations(store) == sorted(made[-2:])     # the current one and its predecessor
    assert store.current_generation() == made[-1] and len(store) == 4


class Boom(RuntimeError):
    pass


def test_a_failed_replace_leaves_the_current_generation(tmp_path):
    store = GraphStore(tmp_path / "store")
    good = store.replace(graph(3)).generation

    def half_written():
        yield from graph(2)
        raise Boom("the build failed half-way")

    with pytest.raises(Boom):
        store.replace(half_written())
    assert store.current_generation() == good and len(store) == 3
    assert generations(store) == [good]                # the half-written generation is removed
