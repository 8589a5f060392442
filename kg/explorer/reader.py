"""One question's reads over an explorer's backend primitives, each node read once.

Why: the newer questions (:mod:`~kg.explorer.versions`, :mod:`~kg.explorer.similar`,
:mod:`~kg.explorer.compare`, :mod:`~kg.explorer.outline`) walk the graph a few hops at a time
(an article → its other versions → the cases citing them), and the same node is often reached
twice. They are written over the primitives every backend already has (``_cards`` and
``_links``, see :class:`~kg.explorer.questions._Questions`), so both backends answer them
without a line of backend-specific query text, and this memo keeps each node to one read.
A :class:`Reader` lives for one question: answers never outlive the store generation they
were read from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from kg.errors import NotFound
from kg.explorer.models import NodeRef
from kg.explorer.questions import _Card, _Questions

_Links = dict[str, list[tuple[str, str]]]


class Reader:
    """Memoised cards and links of one explorer (either backend)."""

    def __init__(self, explorer: Any) -> None:
        # a per-generation answer cache (kg.explorer.cache) wraps the backend: read under it
        explorer = getattr(explorer, "inner", explorer)
        if not isinstance(explorer, _Questions):
            raise TypeError(f"an explorer answering over the backend primitives is needed, not {type(explorer).__name__}")
        self.ex: _Questions = explorer
        self._cards: dict[str, _Card | None] = {}
        self._links: dict[str, _Links] = {"out": {}, "in": {}}

    # -- cards ----------------------------------------------------------------------------------
    def cards(self, iris: Iterable[str]) -> dict[str, _Card]:
        """Cards of the nodes that exist among ``iris``."""
        iris = set(iris)
        missing = sorted(i for i in iris if i not in self._cards)
        if missing:
            found = self.ex._cards(missing)
            for i in missing:
                card = found.get(i)
                self._cards[i] = card if card is not None and (card.types or card.props) else None
        return {i: c for i in iris if (c := self._cards.get(i)) is not None}

    def card(self, iri: str) -> _Card | None:
        return self.cards([iri]).get(iri)

    def need(self, iri: str, *kinds: str) -> _Card:
        """The card of ``iri``, which must exist (and be of one of ``kinds`` when given)."""
        card = self.card(iri)
        if card is None:
            raise NotFound(f"no node {iri} in the graph")
        if kinds and card.kind not in kinds:
            raise NotFound(f"{iri} is a {card.kind}, not {' or '.join(k.lower() for k in kinds)}")
        return card

    def ref(self, iri: str) -> NodeRef | None:
        card = self.card(iri)
        return card.ref() if card is not None else None

    def refs(self, iris: Iterable[str]) -> tuple[NodeRef, ...]:
        cards = self.cards(iris)
        return tuple(sorted((c.ref() for c in cards.values()), key=lambda r: (r.kind, r.label_zh or "", r.iri)))

    # -- links ----------------------------------------------------------------------------------
    def _read(self, iris: Iterable[str], direction: str) -> None:
        memo = self._links[direction]
        missing = sorted({i for i in iris if i not in memo})
        if not missing:
            return
        for i in missing:
            memo[i] = []
        for node, type_, other in self.ex._links(missing, None, direction):
            memo.setdefault(node, []).append((type_, other))

    def out(self, iris: Iterable[str], *types: str) -> dict[str, list[str]]:
        """Node → the nodes its ``types`` relationships point at (every type when none given)."""
        return self._step(iris, types, "out")

    def into(self, iris: Iterable[str], *types: str) -> dict[str, list[str]]:
        """Node → the nodes whose ``types`` relationships point at it."""
        return self._step(iris, types, "in")

    def _step(self, iris: Iterable[str], types: tuple[str, ...], direction: str) -> dict[str, list[str]]:
        iris = list(dict.fromkeys(iris))
        self._read(iris, direction)
        memo = self._links[direction]
        wanted = set(types)
        return {i: sorted({o for t, o in memo.get(i, ()) if not wanted or t in wanted}) for i in iris}

    def edges(self, iri: str, direction: str = "out") -> list[tuple[str, str]]:
        """(TYPE, other) of every relationship of ``iri`` in ``direction``."""
        self._read([iri], direction)
        return sorted(set(self._links[direction].get(iri, ())))

    def targets(self, iris: Iterable[str], *types: str) -> set[str]:
        return {o for os in self.out(iris, *types).values() for o in os}

    def sources(self, iris: Iterable[str], *types: str) -> set[str]:
        return {o for os in self.into(iris, *types).values() for o in os}


def date_key(value: Any) -> str:
    """A date as known (``2021``, ``2021-02``, ``2021-02-03``) as a comparable string: a
    partial date counts from its first day, so ``2021`` is before ``2021-02-03``."""
    text = str(value or "")
    m = re.match(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not m:
        return ""
    year, month, day = m.group(1), m.group(2) or "1", m.group(3) or "1"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def on_or_before(value: Any, date: str) -> bool:
    """``value`` (a date as known) is not after ``date`` (ISO)."""
    key = date_key(value)
    return bool(key) and key <= date_key(date)


def first(values: Iterable[Any]) -> Any:
    for v in values:
        return v
    return None
