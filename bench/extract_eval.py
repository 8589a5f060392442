"""Extraction quality against gold annotations: per-genre precision and recall, as JSON.

    python bench/extract_eval.py [FOLDER]       # default: ../shared/real (needs FOLDER/gold.yaml)

The folder holds ``gold.yaml`` (schema: ../shared/real/README.md) and the documents it names.
All documents are ingested together, as ``kg ingest FOLDER`` would (one run: statute texts and
cases of the run are known to each other), with the bundled curated corpus. Measured per genre
of the gold (law, interpretation, guiding_case, …):

- accepted: documents the pipeline accepts (a refusal counts as missing everything below);
- genre: documents read as the right genre (law/interpretation → statute, *case → case);
- items: the structure, each item as ``N: first 20 characters`` (articles of statutes, points of
  a case's 裁判要点); parts: ``第X章 title @ first article``; structure_exact: documents whose
  item list and part list are both exactly the gold's;
- case_numbers, courts, parties: the printed strings (parties by name);
- citations: cited provisions resolved to (where cited, statute, version, article). The gold
  gives the cite strings and where they occur; the expected statute and article come from the
  cite string (aliases the text defines resolved), the expected version from the cite's own
  note (（2019年修正）, 法释〔2001〕33号，2019年修正), else from a 本案适用的是… declaration before
  it, else the version in force on the gold date (``ingest/corpus/versions.yaml``, curated
  records). Statute-level cites (no article) count as one unit with no article.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.cite import aliases, parse_reference  # noqa: E402
from ingest.corpus import load_corpus  # noqa: E402
from ingest.iris import title_key  # noqa: E402
from ingest.lang.text import compact, iso_date  # noqa: E402
from ingest.link import LinkIndex  # noqa: E402
from ingest.models import CaseReport, IngestError, Judgment, StatuteText  # noqa: E402
from ingest.pipeline import build  # noqa: E402
from ingest.segment.case import courts_in  # noqa: E402

GENRE_OF = {"law": "statute", "interpretation": "statute", "regulation": "statute",
            "guiding_case": "case", "typical_case": "case", "judgment": "judgment", "policy": "policy"}


class Counter:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, expected: set, found: set) -> None:
        self.tp += len(expected & found)
        self.fp += len(found - expected)
        self.fn += len(expected - found)

    def json(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return {"precision": round(p, 4), "recall": round(r, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


# ----------------------------------------------------------------------------- expectations


class Versions:
    """The versions the gold's cites can name: versions.yaml and the curated records."""

    def __init__(self) -> None:
        corpus = load_corpus()
        self.index = LinkIndex.from_corpus(corpus)
        self.table: dict[str, list[tuple[int | None, str | None, str | None, str | None]]] = {}
        for key, fam in self.index.families.items():
            self.table[key] = [(v.year, v.adopted, v.effective, v.doc_number) for v in fam.versions]

    def family(self, title: str) -> str:
        fam = self.index.family(title)
        return fam.key if fam else title_key(title)

    def expected(self, key: str, note: str | None, declared: str | None, date: str | None) -> int | None:
        versions = self.table.get(key)
        if not versions:
            return _year(note) or _year(declared)
        for text in (note, declared):
            if not text:
                continue
            day = _full_date(text)
            if day and ("施行" in text):
                hit = [v for v in versions if v[2] == day]
                if hit:
                    return hit[0][0]
            if day:
                hit = [v for v in versions if day in (v[1], v[2])]
                if hit:
                    return hit[0][0]
            year = _year(text)
            if year:
                return year
        dated = sorted(versions, key=lambda v: v[2] or v[1] or "0000")
        if not date:
            return dated[-1][0]
        valid = [v for v in dated if (v[2] or v[1] or "0000") <= date]
        return (valid[-1] if valid else dated[0])[0]


def _year(text: str | None) -> int | None:
    if not text:
        return None
    text = re.sub(r"[〔\[［(（]\d{4}[〕\]］)）]\s*\d+号", "", text)   # a 文号's year is not a version
    m = re.search(r"(\d{4})年", text)
    return int(m.group(1)) if m else None


def _full_date(text: str) -> str | None:
    d = iso_date(text)
    return d if d and len(d) == 10 else None


def _cite_parts(cite: str, defined: dict[str, str]) -> tuple[str | None, str | None, list[str]]:
    """(title, version note, article numbers) of a gold cite string."""
    m = re.match(r"《([^》]+)》(（[^）]*）)?(.*)$", cite)
    if m:
        title, note, rest = m.group(1), m.group(2), m.group(3)
        title = defined.get(title, defined.get(f"《{title}》", title))
        if note and ("以下简称" in note or "以下称" in note):
            note = None
        ref = parse_reference("X" + rest) if rest else None
        return title, note, [a.article for a in ref.articles] if ref else []
    ref = parse_reference(cite)
    title = ref.title or ""
    title = defined.get(title, title)
    return title, None, [a.article for a in ref.articles]


def expected_units(gold: dict, text: str, versions: Versions, own: tuple[str, int | None] | None) -> set:
    defined = aliases(text)
    units = set()
    # 本案适用的是2000年修正的《专利法》…: the version the case applies, for every cite of that
    # statute that names none (the text names it once for the whole case)
    declarations: dict[str, str] = {}
    for entry in gold.get("statutes_cited") or []:
        at = text.find(entry["cite"])
        while at >= 0:
            m = re.search(r"本案(?:应当|应)?适用(?:的是)?(.{0,20})$", text[max(0, at - 30):at])
            if m:
                title, _note, _arts = _cite_parts(entry["cite"], defined)
                declarations[versions.family(title)] = m.group(1)
            at = text.find(entry["cite"], at + 1)
    for entry in gold.get("statutes_cited") or []:
        cite = entry["cite"]
        title, note, articles = _cite_parts(cite, defined)
        if not title:
            continue
        key = versions.family(title)
        declared = declarations.get(key)
        year = versions.expected(key, note, declared, gold.get("date"))
        for loc in entry["items"]:
            for a in articles or [None]:
                units.add((str(loc), key, year, a))
    for entry in gold.get("internal_refs") or []:
        if own is None:
            continue
        ref = parse_reference("X" + entry["cite"][2:])
        for loc in entry["items"]:
            for a in dict.fromkeys(x.article for x in ref.articles):
                units.add((str(loc), own[0], own[1], a))
    return units


# ----------------------------------------------------------------------------- what we found


def locate(doc, start: int) -> str:
    """Where an ORIGINAL offset falls: article number / section name / header / body."""
    if isinstance(doc, StatuteText):
        for a in doc.articles:
            if a.start <= start < a.end:
                return a.number
        if doc.body_span and doc.body_span[0] <= start:
            return "body"
        return "header"
    if isinstance(doc, CaseReport):
        for s in doc.sections:
            if s.start <= start <= s.end:
                return s.name
        return "header"
    return "body"


def found_units(item, index: LinkIndex) -> set:
    by_iri = {v.iri: (fam.key, v.year) for fam in index.families.values() for v in fam.versions}
    units = set()
    articles = [ln for ln in item.linked if ln.node_kind == "article"]
    for ln in item.linked:
        if ln.node_kind == "article" and ln.parent in by_iri:
            key, year = by_iri[ln.parent]
            units.add((locate(item.doc, ln.mention.start), key, year, ln.number))
        elif ln.node_kind == "statute" and ln.mention.kind == "statute" and ln.iri in by_iri:
            if any(ln.mention.start <= a.mention.start < ln.mention.end for a in articles):
                continue
            key, year = by_iri[ln.iri]
            units.add((locate(item.doc, ln.mention.start), key, year, None))
    return units


def item_list(doc) -> list[str]:
    if isinstance(doc, StatuteText):
        return [f"{a.number}: {compact(a.text.split(chr(10))[0])[:20]}" for a in doc.articles]
    if isinstance(doc, CaseReport):
        return [f"{h.number}: {compact(h.text)[:20]}" for h in doc.holdings]
    return []


def part_list(doc) -> list[str]:
    if isinstance(doc, StatuteText):
        return [compact(f"{p.label} {p.title} @ {p.first_article}") for p in doc.parts if p.level == "章"]
    return []


# ----------------------------------------------------------------------------- the run


def evaluate(folder: Path) -> dict:
    gold = yaml.safe_load((folder / "gold.yaml").read_text(encoding="utf-8"))
    docs = gold["documents"]
    corpus = load_corpus()
    versions = Versions()
    t0 = time.perf_counter()
    paths = [folder / d["file"] for d in docs]
    refused: dict[str, str] = {}
    try:
        built = build(paths, corpus, include_vocabulary=False, keep_items=True)
        items = {Path(i.doc.name).resolve(): i for i in built.items}
        index = built.index
    except IngestError as e:        # one refusal stops a run: retry without it, to measure the rest
        items, index = {}, None
        ok = []
        for p in paths:
            try:
                build([p], corpus, include_vocabulary=False)
                ok.append(p)
            except IngestError as err:
                refused[str(p)] = str(err)
        if ok:
            built = build(ok, corpus, include_vocabulary=False, keep_items=True)
            items = {Path(i.doc.name).resolve(): i for i in built.items}
            index = built.index
        if not refused:
            refused["<run>"] = str(e)
    seconds = time.perf_counter() - t0
    metrics: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_doc = []
    for d in docs:
        genre = d["genre"]
        path = (folder / d["file"]).resolve()
        item = items.get(path)
        text = path.read_text(encoding="utf-8")
        totals[genre]["documents"] += 1
        m = metrics[genre]
        own = None
        if item is not None and isinstance(item.doc, StatuteText) and item.own and item.own.version is not None:
            fam = index.family(item.doc.title)
            own = (fam.key if fam else title_key(item.doc.title), item.own.version.year)
        expected = {
            "items": {compact(x) for x in d["structure"].get("item_list") or []},
            "parts": {compact(x) for x in d["structure"].get("part_list") or []} if d["structure"].get("part_unit") == "章" else set(),
            "case_numbers": set(d.get("case_numbers") or []),
            "courts": set(d.get("courts") or []),
            "parties": {p["name"] for p in d.get("parties") or []},
            "citations": expected_units(d, text, versions, own) if own or genre != "law" and genre != "interpretation"
            else expected_units(d, text, versions, None),
        }
        if item is None:
            for k, v in expected.items():
                m[k].add(v, set())
            per_doc.append({"file": d["file"], "accepted": False, "error": refused.get(str(folder / d["file"]), "")})
            continue
        totals[genre]["accepted"] += 1
        doc = item.doc
        totals[genre]["genre_right"] += int(doc.genre == GENRE_OF.get(genre, genre))
        found = {
            "items": {compact(x) for x in item_list(doc)},
            "parts": set(part_list(doc)),
            "case_numbers": {r.text for r in getattr(doc, "case_numbers", ())} if isinstance(doc, CaseReport | Judgment) else set(),
            "courts": {c[0] for c in courts_in(doc.clean.text)},
            "parties": {p.name for p in getattr(doc, "parties", ())},
            "citations": found_units(item, index),
        }
        exact = expected["items"] == found["items"] and expected["parts"] == found["parts"] and \
            len(item_list(doc)) == (d["structure"].get("items") or 0)
        totals[genre]["structure_exact"] += int(exact)
        row = {"file": d["file"], "accepted": True, "genre": doc.genre, "structure_exact": exact}
        for k in expected:
            m[k].add(expected[k], found[k])
            missing, extra = sorted(map(str, expected[k] - found[k])), sorted(map(str, found[k] - expected[k]))
            if missing or extra:
                row[k] = {"missing": missing[:8], "extra": extra[:8]}
        per_doc.append(row)
    summary = {}
    for genre, counters in metrics.items():
        t = totals[genre]
        summary[genre] = {
            "documents": t["documents"], "accepted": t["accepted"], "genre_right": t["genre_right"],
            "structure_exact": t["structure_exact"],
            **{k: c.json() for k, c in counters.items()},
        }
    overall = defaultdict(Counter)
    for counters in metrics.values():
        for k, c in counters.items():
            overall[k].tp += c.tp
            overall[k].fp += c.fp
            overall[k].fn += c.fn
    summary["all"] = {
        "documents": sum(t["documents"] for t in totals.values()),
        "accepted": sum(t["accepted"] for t in totals.values()),
        **{k: c.json() for k, c in overall.items()},
    }
    return {"folder": str(folder), "seconds": round(seconds, 2), "per_genre": summary, "documents": per_doc}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", default=str(REPO.parent / "shared" / "real"))
    ap.add_argument("--summary", action="store_true", help="print the per-genre figures only")
    args = ap.parse_args()
    out = evaluate(Path(args.folder))
    if args.summary:
        out = {k: v for k, v in out.items() if k != "documents"}
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
