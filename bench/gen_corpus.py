"""Scale the real corpus graph N× with generated, realistic case records (for benchmarks).

Why from the real graph: the generated cases reuse the corpus's own vocabulary, so the mirror
sees the same shape of data it will meet at scale: 案号 built from the real court codes and
case types, real courts, causes, holding clauses recombined from real holdings (zh and en),
citations of real statute articles, real topics and measures, parties, honours, amounts, and
mentions (oa:Annotation-style nodes with offsets and provenance) like the extractor makes.

    python bench/gen_corpus.py --scale 10 -o /tmp/corpus-10x.ttl
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

# run as a script, bench/ is sys.path[0] and bench/ingest.py would shadow the ingest package
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import PROV, RDF, RDFS, XSD  # noqa: E402

from kg.ns import IPRG, OA, PREFIXES, hashed, iri  # noqa: E402

_NUMBER = re.compile(r"[（(](\d{4})[）)](.+?)(\d+)号")


def corpus_graph() -> Graph:
    """The real corpus graph, built the way `kg ingest` builds it (without the store)."""
    from ingest.corpus import load_corpus
    from ingest.pipeline import build_graph

    corpus = load_corpus()
    return build_graph([p.path for p in corpus.policies], corpus)


@dataclass
class Vocabulary:
    courts: list[URIRef]
    codes: list[str]            # e.g. 浙01民终, 最高法知民终
    causes: list[str]
    clauses_zh: list[str]
    sentences_en: list[str]
    outcomes_zh: list[str]
    parties: list[str]
    honours: list[str]
    topics: list[URIRef]
    articles: list[tuple[URIRef, str]]   # (article IRI, label such as 第九条)
    measures: list[URIRef]
    ingestion: URIRef | None


def vocabulary(g: Graph) -> Vocabulary:
    def texts(p, lang):
        return sorted({str(o) for o in g.objects(None, p) if getattr(o, "language", None) == lang})

    cases = set(g.subjects(RDF.type, IPRG.Case))
    codes = sorted({m.group(2) for c in cases for n in g.objects(c, IPRG.caseNumber)
                    if (m := _NUMBER.search(str(n)))}) or ["浙01民初"]
    holdings = texts(IPRG.holding, "zh")
    clauses = sorted({c.strip() for h in holdings for c in re.split(r"[；。]", h) if len(c.strip()) > 6})
    en = sorted({s.strip() for h in texts(IPRG.holding, "en") for s in re.split(r"(?<=[.;])\s+", h) if len(s) > 20})
    articles = sorted((a, str(g.value(a, IPRG.articleLabel) or "")) for a in g.subjects(RDF.type, IPRG.Article))
    return Vocabulary(
        courts=sorted({c for case in cases for c in g.objects(case, IPRG.court)}),
        codes=codes,
        causes=texts(IPRG.cause, "zh") or ["侵害商业秘密纠纷"],
        clauses_zh=clauses or ["经营者不得实施侵犯商业秘密的行为"],
        sentences_en=en or ["Trade secrets are protected."],
        outcomes_zh=texts(IPRG.outcome, "zh") or ["驳回上诉，维持原判。"],
        parties=sorted({str(o) for p in (IPRG.plaintiff, IPRG.defendant) for o in g.objects(None, p)}) or ["某公司"],
        honours=texts(IPRG.honour, "zh"),
        topics=sorted(set(g.objects(None, IPRG.aboutTopic))),
        articles=articles,
        measures=sorted(g.subjects(RDF.type, IPRG.Measure)),
        ingestion=next(iter(sorted(g.subjects(RDF.type, IPRG.Ingestion))), None),
    )


def iter_cases(v: Vocabulary, count: int, seed: int = 0, start: int = 0) -> Iterator[list[tuple]]:
    """The triples of ``count`` new case records, one list per case, in the corpus's terms
    (deterministic for a seed)."""
    rng = random.Random(seed)
    previous: list[URIRef] = []
    for k in range(start, start + count):
        triples: list[tuple] = []
        year = rng.randint(2015, 2025)
        number = f"({year}){rng.choice(v.codes)}{rng.randint(1, 99999)}号"
        case = iri("case", f"gen-{k}-{number}")
        plaintiff, defendant = rng.sample(v.parties, 2) if len(v.parties) > 1 else (v.parties[0],) * 2
        cause = rng.choice(v.causes)
        holding = "；".join(rng.sample(v.clauses_zh, min(2, len(v.clauses_zh)))) + "。"
        add = triples.append
        add((case, RDF.type, IPRG.Case))
        add((case, RDFS.label, Literal(f"{plaintiff}诉{defendant}{cause}案", lang="zh")))
        add((case, IPRG.caseNumber, Literal(number)))
        add((case, IPRG.court, rng.choice(v.courts)))
        add((case, IPRG.decided, Literal(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")))
        add((case, IPRG.cause, Literal(cause, lang="zh")))
        add((case, IPRG.plaintiff, Literal(plaintiff, lang="zh")))
        add((case, IPRG.defendant, Literal(defendant, lang="zh")))
        add((case, IPRG.holding, Literal(holding, lang="zh")))
        add((case, IPRG.holding, Literal(" ".join(rng.sample(v.sentences_en, min(2, len(v.sentences_en)))), lang="en")))
        add((case, IPRG.outcome, Literal(rng.choice(v.outcomes_zh), lang="zh")))
        add((case, IPRG.verified, Literal(rng.choice(["yes", "partly", "no"]))))
        add((case, IPRG.source, Literal(f"https://wenshu.court.gov.cn/website/wenshu/{k:08d}", datatype=XSD.anyURI)))
        if v.honours and rng.random() < 0.2:
            add((case, IPRG.honour, Literal(rng.choice(v.honours), lang="zh")))
        if rng.random() < 0.5:
            add((case, IPRG.amount, Literal(Decimal(rng.randint(1, 5000) * 10000), datatype=XSD.decimal)))
        for topic in rng.sample(v.topics, min(len(v.topics), rng.randint(1, 3))):
            add((case, IPRG.aboutTopic, topic))
        for measure in rng.sample(v.measures, min(len(v.measures), rng.randint(0, 2))):
            add((case, IPRG.illustrates, measure))
        cited = rng.sample(v.articles, min(len(v.articles), rng.randint(1, 3)))
        for article, _ in cited:
            add((case, IPRG.cites, article))
        if previous and rng.random() < 0.15:
            add((case, IPRG.relatedCase, rng.choice(previous)))
        for i, (article, label) in enumerate(cited[:2]):      # mentions of the cited articles
            exact = label or "第一条"
            start_at = 40 + 60 * i
            mention = hashed("mention", str(case), start_at, start_at + len(exact))
            add((mention, RDF.type, IPRG.Mention))
            add((mention, OA.hasBody, article))
            add((mention, OA.hasTarget, case))
            add((mention, IPRG.sourceDocument, case))
            add((mention, OA.start, Literal(start_at)))
            add((mention, OA.end, Literal(start_at + len(exact))))
            add((mention, OA.exact, Literal(exact)))
            if v.ingestion is not None:
                add((mention, PROV.wasGeneratedBy, v.ingestion))
        previous.append(case)
        if len(previous) > 1000:
            previous.pop(0)
        yield triples


def generate_cases(v: Vocabulary, count: int, seed: int = 0, start: int = 0) -> Graph:
    """``count`` new case records in the corpus's terms (deterministic for a seed)."""
    g = Graph()
    for triples in iter_cases(v, count, seed, start):
        for triple in triples:
            g.add(triple)
    return g


def scaled_graph(scale: float, seed: int = 0, base: Graph | None = None) -> Graph:
    """The corpus plus generated cases so that the whole is about ``scale``× the corpus."""
    base = base if base is not None else corpus_graph()
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    g += base
    if scale > 1:
        v = vocabulary(base)
        g += generate_cases(v, _case_count(scale, v, base, seed), seed=seed)
    return g


def _case_count(scale: float, v: Vocabulary, base: Graph, seed: int) -> int:
    per_case = len(generate_cases(v, 200, seed=seed + 1)) / 200
    return round((scale - 1) * len(base) / per_case)


def write_scaled(scale: float, dest: Path | str, seed: int = 0, base: Graph | None = None,
                 chunk: int = 5000) -> int:
    """Write the triples of ``scaled_graph(scale)`` as Turtle without holding them all: the
    corpus, then the generated cases ``chunk`` at a time, each chunk its own Turtle document
    (repeated ``@prefix`` lines are valid Turtle). For 300× and beyond, where one rdflib Graph of
    every triple would take gigabytes. Returns the number of triples written."""
    base = base if base is not None else corpus_graph()
    total = 0

    def emit(g: Graph, out) -> None:
        nonlocal total
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns, override=True)
        out.write(g.serialize(format="turtle", encoding="utf-8"))
        total += len(g)

    with open(dest, "wb") as out:
        emit(base, out)
        if scale > 1:
            v = vocabulary(base)
            g = Graph()
            for i, triples in enumerate(iter_cases(v, _case_count(scale, v, base, seed), seed=seed), 1):
                for triple in triples:
                    g.add(triple)
                if i % chunk == 0:
                    emit(g, out)
                    g = Graph()
            if len(g):
                emit(g, out)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--stream", action="store_true",
                        help="write chunk by chunk (the same triples; bounded memory for big scales)")
    args = parser.parse_args()
    if args.stream:
        n = write_scaled(args.scale, args.output, args.seed)
    else:
        g = scaled_graph(args.scale, args.seed)
        g.serialize(destination=args.output, format="turtle")
        n = len(g)
    print(f"wrote {n} triples ({args.scale}× the corpus) to {Path(args.output)}")


if __name__ == "__main__":
    main()
