"""The explorable graph as integer adjacency arrays, built once per generation.

Why: graph views walk through hubs. At 1000× the corpus a case's topics, court and measures
have ~45,000 edges between them; handing those over as (IRI, TYPE, IRI) rows cost 250 ms from
SQLite and 450 ms from Neo4j per question, and Neo4j alone needed 50–115 ms to expand them. The
same edges as sorted integer arrays are walked in numpy in about a millisecond. The index is a
pure function of the generation's triples (:func:`kg.explorer.derive.derive` builds it and
stores it as text on the generation node), so both backends read the same arrays: parity by
construction, and a Cypher worker reads it from Neo4j once per generation, not per answer.

Layout (CSR): node ids are positions in the sorted list of IRIs, so id order is IRI order.
Row ``r`` lists every explorable edge at node ``r`` whose other end is explorable, sorted by
(other end, type, direction): ``nbr`` the other end, ``code`` the type id × 2 + 1 when node
``r`` is the edge's source. A node is a row when it has such an edge, explorable or not (an
edge from a mention to a measure is listed under the mention only, as the graph views walk it).
"""

from __future__ import annotations

import base64
import io
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

Edge = tuple[str, str, str]


@dataclass(frozen=True)
class Adjacency:
    """Explorable edges by node (see the module docstring for the layout)."""

    nodes: tuple[str, ...]
    types: tuple[str, ...]
    indptr: np.ndarray      # int64, len(nodes) + 1
    nbr: np.ndarray         # int32, the other end of each entry
    code: np.ndarray        # int32, type id * 2 + (1 if the row node is the source)
    _pos: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._pos:
            self._pos.update((n, i) for i, n in enumerate(self.nodes))

    # -- building and storing --------------------------------------------------------------------
    @classmethod
    def build(cls, edges: Iterable[Edge], explorable: Callable[[str], bool]) -> Adjacency:
        """From (source, TYPE, target) edges: each is listed under its source when the target
        is ``explorable`` and under its target when the source is."""
        rows: list[tuple[str, str, str, int]] = []
        for s, t, o in set(edges):
            if explorable(o):
                rows.append((s, o, t, 1))
            if explorable(s):
                rows.append((o, s, t, 0))
        nodes = tuple(sorted({r[0] for r in rows} | {r[1] for r in rows}))
        types = tuple(sorted({r[2] for r in rows}))
        pos = {n: i for i, n in enumerate(nodes)}
        tid = {t: i for i, t in enumerate(types)}
        arr = np.array([(pos[a], pos[b], tid[t] * 2 + d) for a, b, t, d in rows], dtype=np.int64).reshape(-1, 3)
        arr = arr[np.lexsort((arr[:, 2], arr[:, 1], arr[:, 0]))]
        indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
        np.cumsum(np.bincount(arr[:, 0], minlength=len(nodes)), out=indptr[1:])
        return cls(nodes, types, indptr, arr[:, 1].astype(np.int32), arr[:, 2].astype(np.int32))

    def to_text(self) -> str:
        """ASCII text (base64 of a compressed npz) to store as one literal."""
        buf = io.BytesIO()
        np.savez(buf, indptr=self.indptr, nbr=self.nbr, code=self.code,
                 nodes=np.frombuffer("\n".join(self.nodes).encode(), dtype=np.uint8),
                 types=np.frombuffer("\n".join(self.types).encode(), dtype=np.uint8))
        return base64.b64encode(zlib.compress(buf.getvalue(), 6)).decode("ascii")

    @classmethod
    def from_text(cls, text: str) -> Adjacency:
        with np.load(io.BytesIO(zlib.decompress(base64.b64decode(text)))) as z:
            nodes = z["nodes"].tobytes().decode()
            types = z["types"].tobytes().decode()
            return cls(tuple(nodes.split("\n")) if nodes else (), tuple(types.split("\n")) if types else (),
                       z["indptr"], z["nbr"], z["code"])

    # -- reading --------------------------------------------------------------------------------
    def id(self, iri: str) -> int | None:
        return self._pos.get(iri)

    def _row(self, i: int) -> slice:
        return slice(int(self.indptr[i]), int(self.indptr[i + 1]))

    def _edge(self, row: int, entry: int) -> Edge:
        c = int(self.code[entry])
        other = self.nodes[int(self.nbr[entry])]
        here = self.nodes[row]
        return (here, self.types[c >> 1], other) if c & 1 else (other, self.types[c >> 1], here)

    def first_neighbours(self, iri: str, cap: int) -> list[str]:
        """The node's first ``cap`` neighbours by IRI (its row is in IRI order already)."""
        i = self.id(iri)
        if i is None or cap <= 0:
            return []
        seg = self.nbr[self._row(i)]
        # a row lists a neighbour once per edge; read a few more than cap until cap distinct
        take = cap
        while True:
            firsts = np.unique(seg[:take]).tolist()
            if len(firsts) >= cap or take >= len(seg):
                break
            take *= 2
        return [self.nodes[j] for j in firsts[:cap]]

    def edges_between(self, nodes: Iterable[str], others: Iterable[str]) -> list[Edge]:
        """Edges listed under ``nodes`` whose other end is in ``others``."""
        keep = np.array(sorted(i for o in set(others) if (i := self.id(o)) is not None), dtype=np.int32)
        out: set[Edge] = set()
        for n in set(nodes):
            i = self.id(n)
            if i is None:
                continue
            row = self._row(i)
            hits = np.nonzero(np.isin(self.nbr[row], keep))[0] + row.start
            out.update(self._edge(i, int(e)) for e in hits)
        return sorted(out)

    def _expand(self, frontier: np.ndarray) -> np.ndarray:
        """Every neighbour entry of the frontier's rows (with repeats)."""
        starts, ends = self.indptr[frontier], self.indptr[frontier + 1]
        lens = ends - starts
        total = int(lens.sum())
        if total == 0:
            return np.empty(0, dtype=np.int32)
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
        return self.nbr[offsets + np.arange(total)]

    def shortest_path(self, a: str, b: str, max_depth: int) -> tuple[list[str], list[Edge]] | None:
        """A shortest path from ``a`` to ``b`` (``a != b``) of at most ``max_depth`` edges, as
        (nodes, edges), or None. Among equals, the one whose IRIs sort first walking back from
        ``b``: each node's predecessor is the least (node, edge) one step nearer ``a``.

        Breadth-first from ``a`` over the arrays until a layer touches ``b``'s own row (so a
        ``b`` that is not explorable is reached too, through the edges it lists), as the
        bidirectional search on SQLite and Neo4j rows did before."""
        ia, ib = self.id(a), self.id(b)
        if ia is None or ib is None:
            return None
        dist = np.full(len(self.nodes), -1, dtype=np.int32)
        dist[ia] = 0
        b_row = self._row(ib)
        b_nbrs = self.nbr[b_row]
        layer = np.array([ia], dtype=np.int32)
        total = None
        for k in range(max_depth):
            # b is one step on when its row lists a node of the layer, or (a start that is not
            # explorable is in no row) when a's own row lists b
            if np.isin(b_nbrs, layer).any() or (k == 0 and (self.nbr[self._row(ia)] == ib).any()):
                total = k + 1
                break
            if k == max_depth - 1:
                break
            reached = self._expand(layer)
            reached = np.unique(reached[dist[reached] < 0])
            if reached.size == 0:
                break
            dist[reached] = k + 1
            layer = reached
        if total is None:
            return None
        path, edges, node = [b], [], ib
        for k in range(total, 0, -1):
            row = self._row(node)
            entries = np.nonzero(dist[self.nbr[row]] == k - 1)[0] + row.start
            if k == 1 and entries.size == 0:     # a is not explorable: only its own row lists the edge
                a_row = self._row(ia)
                back = np.nonzero(self.nbr[a_row] == node)[0] + a_row.start
                here, edge = ia, min(self._edge(ia, int(e)) for e in back)
            else:
                here = int(self.nbr[entries].min())    # ids are in IRI order: the least node …
                edge = min(self._edge(node, int(e)) for e in entries if int(self.nbr[e]) == here)  # … then edge
            path.append(self.nodes[here])
            edges.append(edge)
            node = here
        path.reverse()
        edges.reverse()
        return path, edges

