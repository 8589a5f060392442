"""The adjacency arrays graph views walk (kg/explorer/adjacency.py), against hand-made graphs
with exact answers and against a brute-force reference on random graphs."""

from __future__ import annotations

import random
from itertools import product

import pytest

from kg.explorer.adjacency import Adjacency
from kg.explorer.questions import _explorable
from kg.ns import ID


def n(name: str) -> str:
    return f"{ID}{name}"


C1, C2, C3, C4, T, S, A9, M = (n(x) for x in ("case/c1", "case/c2", "case/c3", "case/c4", "topic/t", "statute/s",
                                                "article/s/9", "measure/m"))
MENTION = n("mention/x")            # not explorable: listed under its own row only
OUTSIDE = "https://example.org/elsewhere"   # not under the id namespace: nobody's neighbour

EDGES = [
    (C1, "ABOUT_TOPIC", T), (C2, "ABOUT_TOPIC", T), (C3, "ABOUT_TOPIC", T),
    (C1, "CITES", S), (C2, "CITES", A9), (C3, "CITES", A9), (A9, "ARTICLE_OF", S),
    (C2, "ILLUSTRATES", M), (C2, "COURT", M),        # two edges between one pair
    (MENTION, "HAS_TARGET", M), (C4, "SAME_AS", OUTSIDE),
]


@pytest.fixture(scope="module")
def adj() -> Adjacency:
    return Adjacency.build(EDGES, _explorable)


def test_rows_list_explorable_neighbours_in_iri_order(adj):
    assert adj.first_neighbours(T, 10) == [C1, C2, C3]
    assert adj.first_neighbours(T, 2) == [C1, C2]
    assert adj.first_neighbours(C2, 10) == [A9, M, T]          # M once, though two edges
    assert adj.first_neighbours(M, 10) == [C2]                 # the mention is not explorable
    assert adj.first_neighbours(MENTION, 10) == [M]            # … but its own row lists M
    assert adj.first_neighbours(C4, 10) == [] and adj.first_neighbours(OUTSIDE, 10) == [C4]   # as the mention
    assert adj.first_neighbours(n("case/unknown"), 5) == []


def test_edges_between_keep_both_directions_and_every_type(adj):
    assert adj.edges_between([C2], [C2, M, T]) == [(C2, "ABOUT_TOPIC", T), (C2, "COURT", M), (C2, "ILLUSTRATES", M)]
    assert adj.edges_between([T, S], [C1, T, S]) == [(C1, "ABOUT_TOPIC", T), (C1, "CITES", S)]
    assert adj.edges_between([MENTION], [M]) == [(MENTION, "HAS_TARGET", M)]
    assert adj.edges_between([M], [MENTION]) == []


@pytest.mark.parametrize(("a", "b", "nodes", "edges"), [
    # two paths of length 2 (through T and through A9): walking back from C3 the least predecessor
    # is A9 (…/article/… < …/topic/…)
    (C2, C3, [C2, A9, C3], [(C2, "CITES", A9), (C3, "CITES", A9)]),
    # two edges between C2 and M: the least edge, COURT < ILLUSTRATES
    (M, C2, [M, C2], [(C2, "COURT", M)]),
    # a start that is not explorable walks out through its own row
    (MENTION, T, [MENTION, M, C2, T], [(MENTION, "HAS_TARGET", M), (C2, "COURT", M), (C2, "ABOUT_TOPIC", T)]),
    # … and a target that is not explorable is reached through its row
    (T, MENTION, [T, C2, M, MENTION], [(C2, "ABOUT_TOPIC", T), (C2, "COURT", M), (MENTION, "HAS_TARGET", M)]),
    (C1, A9, [C1, S, A9], [(C1, "CITES", S), (A9, "ARTICLE_OF", S)]),
])
def test_shortest_path_is_the_least_walking_back(adj, a, b, nodes, edges):
    assert adj.shortest_path(a, b, 6) == (nodes, edges)


def test_shortest_path_none_when_unreachable_or_too_far(adj):
    assert adj.shortest_path(C1, C4, 6) is None                 # C4 has no explorable edge
    assert adj.shortest_path(C1, MENTION, 3) is None             # 4 hops away
    assert adj.shortest_path(C1, MENTION, 4) is not None
    # M's row does not list the mention, the mention's row lists M: reached through b's row
    assert adj.shortest_path(M, MENTION, 6) == ([M, MENTION], [(MENTION, "HAS_TARGET", M)])


def test_text_round_trip(adj):
    back = Adjacency.from_text(adj.to_text())
    assert back.nodes == adj.nodes and back.types == adj.types
    assert (back.indptr == adj.indptr).all() and (back.nbr == adj.nbr).all() and (back.code == adj.code).all()
    empty = Adjacency.from_text(Adjacency.build([], _explorable).to_text())
    assert empty.nodes == () and empty.shortest_path(C1, C2, 6) is None


def _reference(edges, a, b, max_depth):
    """Every shortest path by brute force, then the least read backwards from b as
    (node, edge) pairs: the definition, without the walk-back shortcut. A step goes to a node
    its row lists, or to b through b's own row."""
    nbrs: dict[str, set[tuple[str, tuple]]] = {}
    for s, t, o in set(edges):
        if _explorable(o):
            nbrs.setdefault(s, set()).add((o, (s, t, o)))
        if _explorable(s):
            nbrs.setdefault(o, set()).add((s, (s, t, o)))
    paths = [[(a, None)]]
    for _ in range(max_depth):
        paths = [p + [(x, e)] for p in paths
                 for x, e in sorted(nbrs.get(p[-1][0], set()) | {(b, e) for y, e in nbrs.get(b, ()) if y == p[-1][0]})
                 if x not in {q for q, _ in p}]
        done = [p for p in paths if p[-1][0] == b]
        if done:
            def backwards(p):
                return [(p[i - 1][0], p[i][1]) for i in range(len(p) - 1, 0, -1)]
            best = min(done, key=backwards)
            return [x for x, _ in best], [e for _, e in best[1:]]
        if not paths:
            return None
    return None


@pytest.mark.parametrize("seed", range(60))
def test_shortest_path_matches_brute_force_on_random_graphs(seed):
    rng = random.Random(seed)
    names = [n(f"{k}/{i}") for k, i in product(("case", "topic", "mention"), range(3))]
    edges = [(rng.choice(names), rng.choice(("CITES", "ABOUT_TOPIC", "COURT")), rng.choice(names))
             for _ in range(rng.randint(4, 14))]
    edges = [(s, t, o) for s, t, o in edges if s != o]
    adj = Adjacency.build(edges, _explorable)
    for a, b in product(names, names):
        if a != b and adj.id(a) is not None and adj.id(b) is not None:
            assert adj.shortest_path(a, b, 4) == _reference(edges, a, b, 4), (a, b)
