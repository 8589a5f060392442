"""Search terms and their matching, shared by both explorer backends.

Why one module: SPARQL finds candidates with CONTAINS and Cypher with the ``cjk`` full-text
index, but both keep a node only when :func:`matches` accepts it, so the two backends return
the same hits. ``lucene`` builds an index query that finds at least every node ``matches``
accepts; every user word is passed as a parameter, never spliced into query text unescaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

#: Property keys search looks in (labels, titles, texts, numbers), in the mirror's naming.
#: (All are in the mirror's full-text index, kg.mirror.TEXT_PREDICATES; a test checks it.)
SEARCH_BASES = ("label", "prefLabel", "altLabel", "hiddenLabel", "title", "text", "holding",
                "gist", "cause", "outcome", "shortTitle", "articleLabel", "caseNumber", "docNumber")
#: them on both backends so that the full-text index and CONTAINS agree.
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TERM_RE = re.compile(rf"[{_CJK}]+|[a-z0-9_]+(?:['.’:,][a-z0-9_]+)*")
_WORD_RE = re.compile(r"[a-z0-9_]+(?:['.’:,][a-z0-9_]+)*")


def search_terms(q: str) -> list[str]:
    """The user's words as search terms: CJK runs and Latin words, lower-cased, NFKC-folded,
    without Lucene's English stop words."""
    norm = unicodedata.normalize("NFKC", q).lower()
    return [t for t in dict.fromkeys(_TERM_RE.findall(norm)) if t not in STOP_WORDS]


def is_cjk(term: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", term))


def matches(text: str, terms: Sequence[str]) -> bool:
    """Search semantics shared by both backends: every CJK term is a substring of the text, and
    every Latin term begins a word of the text (as Lucene's prefix query does)."""
    norm = unicodedata.normalize("NFKC", text).lower()
    words: list[str] | None = None
    for term in terms:
        if is_cjk(term):
            if term not in norm:
                return False
        else:
            if words is None:
                words = _WORD_RE.findall(norm)
            if not any(w.startswith(term) for w in words):
                return False
    return True


def is_search_key(key: str) -> bool:
    base = key.rsplit("_", 1)[0] if key.rsplit("_", 1)[-1] in ("zh", "en") else key
    return base in SEARCH_BASES


def lucene_query(terms: Sequence[str]) -> str | None:
    """A Lucene query that finds at least every node :func:`matches` accepts: CJK runs of two or
    more characters as phrases (the cjk analyzer indexes bigrams), Latin words as prefix
    queries. Terms contain only letters, digits and ``_'.’:,``; the punctuation is escaped."""
    parts = []
    for term in terms:
        if is_cjk(term):
            if len(term) >= 2:
                parts.append('"' + term + '"')
        else:
            for word in re.findall(r"[a-z0-9_]+", term):   # Lucene splits on the punctuation
                if word not in STOP_WORDS:
                    parts.append(word + "*")
    return " AND ".join(parts) if parts else None



# --- the embedded store's full-text index (kg.explorer.derive writes it; SQLite FTS5) ----------

_LATIN_RE = re.compile(r"[a-z0-9_]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")


def index_tokens(text: str) -> tuple[str, str]:
    """(bigram column, unigram column) of a text for the FTS5 index: CJK runs as overlapping
    bigrams (as Lucene's cjk analyzer) and as single characters, Latin words split at
    punctuation (as Lucene does); NFKC-folded and lower-cased as :func:`matches` reads text."""
    norm = unicodedata.normalize("NFKC", text).lower()
    bigrams, unigrams = [], []
    for run in _CJK_RUN.findall(norm):
        unigrams.extend(run)
        bigrams.extend(run[i:i + 2] for i in range(len(run) - 1))
    bigrams.extend(_LATIN_RE.findall(norm))
    return " ".join(bigrams), " ".join(unigrams)


def fts_query(terms: Sequence[str]) -> str | None:
    """An FTS5 query over :func:`index_tokens` columns that finds at least every text
    :func:`matches` accepts (None: no indexable word, scan everything). Tokens hold only CJK
    characters and ``[a-z0-9_]``, so quoting them is enough."""
    parts = []
    for term in terms:
        if is_cjk(term):
            if len(term) >= 2:
                parts.append('grams : "' + " ".join(term[i:i + 2] for i in range(len(term) - 1)) + '"')
            else:
                parts.append(f'chars : "{term}"')
        else:
            parts += [f'grams : "{word}" *' for word in _LATIN_RE.findall(term) if word not in STOP_WORDS]
    return " AND ".join(parts) if parts else None
