"""Align the articles of two versions of a statute: which article of one is which of the other.

Why by text: revisions renumber (the AUCL's trade-secret article is 9 in 2019 and 10 in 2025;
damages 17 → 22), insert and drop articles, and rewrite some; a table kept by hand would go stale.
Articles are compared by their character bigrams (Dice coefficient) and paired by a monotone
alignment (dynamic programming, like a diff): order is kept, an unmatched article is allowed,
and a pair counts only when the texts are clearly the same provision.
"""

from __future__ import annotations

from collections.abc import Sequence

from ingest.models import ArticleText

#: Below this similarity two articles are not the same provision (checked on AUCL 2019/2025:
#: corresponding articles score 0.45–1.0, neighbours that are different provisions under 0.3).
MIN_SIMILARITY = 0.35


def _bigrams(text: str) -> frozenset[str]:
    t = "".join(ch for ch in text if not ch.isspace())
    return frozenset(t[i:i + 2] for i in range(len(t) - 1))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' character bigrams (0 … 1)."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def align(old: Sequence[ArticleText], new: Sequence[ArticleText],
          threshold: float = MIN_SIMILARITY) -> list[tuple[str, str, float]]:
    """Corresponding (old number, new number, similarity), in order."""
    xs = [_bigrams(a.text) for a in old]
    ys = [_bigrams(a.text) for a in new]
    n, m = len(xs), len(ys)
    sim = [[0.0] * m for _ in range(n)]
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            if x and y:
                s = 2 * len(x & y) / (len(x) + len(y))
                sim[i][j] = s if s >= threshold else 0.0
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = score[i], score[i + 1]
        for j in range(m - 1, -1, -1):
            best = max(below[j], row[j + 1])
            if sim[i][j]:
                best = max(best, sim[i][j] + below[j + 1])
            row[j] = best
    out = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] and abs(score[i][j] - (sim[i][j] + score[i + 1][j + 1])) < 1e-12:
            out.append((old[i].number, new[j].number, round(sim[i][j], 3)))
            i += 1
            j += 1
        elif score[i + 1][j] >= score[i][j + 1]:
            i += 1
        else:
            j += 1
    return out
