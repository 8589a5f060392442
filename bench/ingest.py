"""Ingest throughput and memory, as JSON: documents/s over the whole pipeline.

Rows, each measured in this run beside a named alternative:

- ``corpus``: the bundled corpus end to end (parse → find → link → RDF, records, ontology);
- ``real_x1000``: the real development set (``../shared/real/docs``, 25 laws, interpretations
  and guiding cases) copied to 1,000 files, through ``ingest.pipeline.build_graph`` end to end
  with 1 process and with 2 (sharded) processes, each in a fresh interpreter: documents/s by
  the wall clock, CPU seconds of the parent and of the workers, and peak RSS of each. The 1-minute load average is printed
  beside the figures: on a shared machine the wall clock measures the neighbours too, the CPU
  seconds do not (``cpu_bound_documents_per_s`` = documents / (parent CPU + the busiest
  worker's share of the workers' CPU), what an idle machine of the same cores gives);
- ``find``: mentions only, the character ruler called directly (what the pipeline does) vs
  through spaCy's ``nlp.pipe`` (a ``Doc`` of one token per character), on the same texts.

    python bench/ingest.py [--copies 1000] [--docs ../shared/real/docs]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.clean import clean, decode  # noqa: E402
from ingest.corpus import load_corpus  # noqa: E402
from ingest.extract import extract, extract_many, load_vocabulary, pipeline, ruler  # noqa: E402
from ingest.pipeline import build  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def _cpu() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _timed_build(paths: list[Path], corpus, n_process: int) -> dict:
    load = os.getloadavg()[0]
    cpu0 = _cpu()
    t = time.perf_counter()
    built = build(paths, corpus, n_process=n_process)
    dt = time.perf_counter() - t
    cpu1 = _cpu()
    parent, workers = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    bound = parent + workers / max(1, n_process) if n_process > 1 else parent
    return {
        "processes": n_process, "documents": len(paths), "seconds": round(dt, 2),
        "documents_per_s": round(len(paths) / dt, 1),
        "cpu_parent_s": round(parent, 2), "cpu_workers_s": round(workers, 2),
        "cpu_bound_documents_per_s": round(len(paths) / bound, 1) if bound else None,
        "triples": len(built.graph),
        "peak_rss_parent_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "load_average_1min": [round(load, 2), round(os.getloadavg()[0], 2)],
    }


def _row_in_fresh_process(folder: Path, n_process: int) -> dict:
    """One end-to-end row in its own interpreter, so that peak RSS is that row's alone."""
    out = subprocess.run([sys.executable, __file__, "--row", str(folder), "--processes", str(n_process)],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(out.stdout)


def _row(folder: Path, n_process: int) -> None:
    corpus = load_corpus()
    ruler()
    load_vocabulary()
    paths = sorted(folder.glob("*.txt"))
    print(json.dumps(_timed_build(paths, corpus, n_process)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=1000)
    ap.add_argument("--docs", default=str(REPO.parent / "shared" / "real" / "docs"))
    ap.add_argument("--row", help=argparse.SUPPRESS)
    ap.add_argument("--processes", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.row:
        _row(Path(args.row), args.processes)
        return
    corpus = load_corpus()
    ruler()
    pipeline()              # vocabulary, automaton and spaCy loaded once, outside the timings
    result: dict = {"cpus": os.cpu_count()}

    bundled = [p.path for p in corpus.policies]
    t = time.perf_counter()
    g = build(bundled, corpus).graph
    dt = time.perf_counter() - t
    result["corpus"] = {"documents": len(bundled), "seconds": round(dt, 2), "triples": len(g),
                        "triples_per_s": round(len(g) / dt)}

    sources = sorted(Path(args.docs).glob("*.txt"))
    tmp = Path(tempfile.mkdtemp(prefix="iprg-bench-ingest-"))
    try:
        for k in range(args.copies):
            src = sources[k % len(sources)]
            shutil.copyfile(src, tmp / f"{k:05d}_{src.name}")
        result[f"real_x{args.copies}"] = {
            "source_documents": len(sources),
            "one_process": _row_in_fresh_process(tmp, 1),
            "two_processes": _row_in_fresh_process(tmp, 2),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    cleans = [clean(decode(p.read_bytes(), p)) for p in sources] * 4
    t = time.perf_counter()
    n_direct = sum(len(extract(c)) for c in cleans)
    direct = time.perf_counter() - t
    t = time.perf_counter()
    n_spacy = sum(len(m) for m in extract_many(cleans, n_process=1, batch_size=8))
    spacy_dt = time.perf_counter() - t
    result["find"] = {
        "documents": len(cleans),
        "ruler_direct": {"documents_per_s": round(len(cleans) / direct, 1), "mentions": n_direct},
        "spacy_nlp_pipe": {"documents_per_s": round(len(cleans) / spacy_dt, 1), "mentions": n_spacy},
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
