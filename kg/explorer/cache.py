"""Answers cached per store generation: the same question on the same generation is answered once.

Why it is safe: every answer is a pure function of (generation, question) — the store changes
only when a new generation is swapped in — so a cache keyed by the backend's generation token
can never serve an answer of another graph. The token:

* embedded store: the generation ``CURRENT`` names (swapped atomically: no half-built state);
* Neo4j: the mirrored ``:Generation`` node, trusted only when the database is exactly that
  generation's — one such node, and as many ``:Resource`` nodes and relationships as it says
  (Neo4j's count store answers both in O(1)). A diff sync first writes nodes (the new
  Generation node among them) and deletes the old ones only after every node is written, then
  rewrites relationships: while it runs there are two Generation nodes, or the counts differ,
  and answers are computed but not cached. (A sync that only rewires relationships without
  changing their number can pass the count check while it runs; the token is re-read at most
  every ``check_seconds`` and entries also expire after ``ttl_seconds``, which bounds that case.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from cachetools import TTLCache

from kg.errors import Unavailable

#: The questions of the Explorer protocol that are cached (all of them: they only read).
QUESTIONS = ("overview", "topics", "rules_by_topic", "measure", "case", "article", "statute", "cases", "search",
             "neighbourhood", "shortest_path", "topic_measure_matrix", "centrality")


#: The token while the backend is unreachable (never a real generation name).
_DOWN = "\x00down"


class CachedExplorer:
    """An explorer whose answers are kept per generation (bounded LRU with a TTL)."""

    def __init__(self, explorer: Any, maxsize: int = 4096, ttl_seconds: float = 600.0,
                 check_seconds: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        """``check_seconds``: how long a generation token is trusted before it is read again;
        default 0 for the embedded store (a stat of CURRENT) and 1 s for Neo4j (a query)."""
        self.inner = explorer
        self.backend = explorer.backend
        self._cache: TTLCache = TTLCache(maxsize=maxsize, ttl=ttl_seconds, timer=clock)
        self._lock = threading.Lock()
        self._clock = clock
        self._check = check_seconds if check_seconds is not None else (0.0 if self.backend == "sparql" else 1.0)
        self._token: str | None = None
        self._checked = -float("inf")
        self._down = ""
        self._flights: dict[tuple, Future] = {}

    def generation(self) -> str | None:
        """The backend's generation token (re-read at most every ``check_seconds``); None while
        it cannot be trusted (Neo4j mid-sync), when nothing is cached."""
        now = self._clock()
        with self._lock:
            if now - self._checked < self._check:
                if self._token is _DOWN:
                    raise Unavailable(self._down)
                return self._token
        try:
            token = self.inner.generation()
        except Unavailable as exc:
            # the backend is down: say so at once to every caller for ``check_seconds`` (one
            # request asks several times), rather than each waiting out a connection timeout
            with self._lock:
                self._token, self._checked, self._down = _DOWN, self._clock(), str(exc)
            raise
        with self._lock:
            if token != self._token:
                self._cache.clear()
            self._token, self._checked = token, now
        return token

    def _ask(self, name: str, *args: Any, **kwargs: Any) -> Any:
        token = self.generation()
        if token is None:
            return getattr(self.inner, name)(*args, **kwargs)
        key = (token, name, args, tuple(sorted(kwargs.items())))
        with self._lock:
            try:
                return self._cache[key]
            except KeyError:
                pass
            # one computation per question at a time: after a rebuild (or a server start) 50
            # clients asking the same few questions computed each answer up to 50 times at
            # once (bench/load.py --scale 100: nothing answered for 6 s); the others wait for it
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = Future()
        if not leader:
            return flight.result()     # the answer, or the same error (both are the generation's)
        try:
            answer = getattr(self.inner, name)(*args, **kwargs)
        except BaseException as exc:
            with self._lock:
                self._flights.pop(key, None)
            flight.set_exception(exc)
            raise
        with self._lock:
            if self._token == token:
                self._cache[key] = answer
            self._flights.pop(key, None)
        flight.set_result(answer)
        return answer

    def __getattr__(self, name: str) -> Any:
        if name in QUESTIONS:
            return lambda *args, **kwargs: self._ask(name, *args, **kwargs)
        return getattr(self.inner, name)
