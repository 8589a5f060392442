"""Ingest throughput: documents/s and triples/s for the corpus and for it repeated 100×.

Compares, in the same run, the spaCy pipeline with ``n_process=1`` against ``n_process=2``
(nlp.pipe workers) and against a plain-regex baseline (the same character ruler called
directly, no spaCy Doc). Prints one JSON object.

    python bench/ingest.py [--repeat 100]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.build import analyse, build_graph, parse_file  # noqa: E402
from ingest.corpus import load_corpus  # noqa: E402
from ingest.extract import CharRuler, extract_many, load_vocabulary, pipeline  # noqa: E402
from ingest.link import LinkIndex  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    corpus = load_corpus()
    vocab = load_vocabulary()
    index = LinkIndex.from_corpus(corpus)
    pipeline()  # load jieba + vocabulary once, outside the timings
    docs = [parse_file(p.path) for p in corpus.policies]

    # the corpus, end to end (parse → extract → link → RDF)
    t = time.perf_counter()
    docs1 = [parse_file(p.path) for p in corpus.policies]
    ms = extract_many([d.clean for d in docs1])
    items = [analyse(d, m, index, vocab) for d, m in zip(docs1, ms, strict=True)]
    g = build_graph(items, corpus)
    dt = time.perf_counter() - t
    result = {
        "corpus": {"documents": len(docs1), "seconds": round(dt, 3), "documents_per_s": round(len(docs1) / dt, 2),
                   "triples": len(g), "triples_per_s": round(len(g) / dt)},
    }

    # the corpus ×N through nlp.pipe: extraction only, three ways
    cleans = [d.clean for d in docs] * args.repeat
    runs = {}
    for name, n_process in (("spacy_n_process_1", 1), ("spacy_n_process_2", 2)):
        t = time.perf_counter()
        out = extract_many(cleans, n_process=n_process, batch_size=8)
        dt = time.perf_counter() - t
        runs[name] = {"seconds": round(dt, 3), "documents_per_s": round(len(cleans) / dt, 1),
                      "mentions": sum(len(x) for x in out)}
    ruler = CharRuler(vocab.labels)
    t = time.perf_counter()
    n = sum(len(ruler.find(c.text)) for c in cleans)
    dt = time.perf_counter() - t
    runs["regex_baseline_no_spacy"] = {"seconds": round(dt, 3), "documents_per_s": round(len(cleans) / dt, 1), "mentions": n}

    # analysis + RDF for ×N (documents re-numbered so their IRIs do not collide is not needed:
    # triples/s counts the triples emitted per document)
    t = time.perf_counter()
    one = extract_many([docs[0].clean])[0]
    total = 0
    for _ in range(args.repeat):
        item = analyse(docs[0], one, index, vocab)
        total += len(build_graph([item], corpus, index=index, include_vocabulary=False))
    dt = time.perf_counter() - t
    result[f"corpus_x{args.repeat}"] = {
        "documents": len(cleans), "extract": runs,
        "link_and_rdf": {"seconds": round(dt, 3), "documents_per_s": round(args.repeat / dt, 2),
                         "triples": total, "triples_per_s": round(total / dt)},
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
