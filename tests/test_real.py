"""The 25 real texts of ../shared/real against their gold annotations, one row per document.

Each row ingests the document (all 25 in one run, as ``kg ingest FOLDER`` would) and compares
it with ``gold.yaml``: accepted and read as its genre; the item count and every item's first
characters (articles, or a guiding case's 裁判要点 points); the chapters with their first
article; every printed 案号; the courts; the parties by name; every cited provision resolved to
(where cited, statute, version, article) — the expected version being the one the cite names, or
the one its text declares (本案适用的是…), or the one in force on the gold date. The comparison
is bench/extract_eval.py's, so the test and the published figures cannot disagree.
Then the graph: AUCL 2019 and 2025 articles are linked to their counterparts, both ways.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml
from rdflib.namespace import RDF

from kg.ns import IPRG, iri
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[1]
GOLD = SHARED / "real" / "gold.yaml"
FILES = [d["file"] for d in yaml.safe_load(GOLD.read_text(encoding="utf-8"))["documents"]] if GOLD.is_file() else ["<missing>"]


def _eval_module():
    spec = importlib.util.spec_from_file_location("extract_eval", REPO / "bench" / "extract_eval.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def evaluation(shared_dir: Path) -> dict:
    return _eval_module().evaluate(shared_dir / "real")


@pytest.mark.parametrize("file", FILES)
def test_document_matches_gold(evaluation: dict, file: str) -> None:
    row = next(r for r in evaluation["documents"] if r["file"] == file)
    assert row["accepted"], row.get("error")
    assert row["structure_exact"], row
    for metric in ("items", "parts", "case_numbers", "courts", "parties", "citations"):
        assert metric not in row, f"{metric}: {row[metric]}"


def test_targets_per_genre(evaluation: dict) -> None:
    """The acceptance targets: everything accepted, statute structure exact, 案号 and court
    recall 100% on guiding cases, citations resolved with ≥ 95% precision and recall."""
    genres = evaluation["per_genre"]
    for genre in ("law", "interpretation", "guiding_case"):
        g = genres[genre]
        assert g["accepted"] == g["documents"] == g["genre_right"] == g["structure_exact"]
    assert genres["guiding_case"]["case_numbers"]["recall"] == 1.0
    assert genres["guiding_case"]["courts"]["recall"] == 1.0
    assert genres["all"]["citations"]["precision"] >= 0.95 and genres["all"]["citations"]["recall"] >= 0.95


@pytest.fixture(scope="module")
def aucl_graph(shared_dir: Path):
    from ingest.corpus import load_corpus
    from ingest.pipeline import build

    docs = shared_dir / "real" / "docs"
    return build([docs / "01_aucl-2019.txt", docs / "02_aucl-2025.txt", docs / "21_gc219_trade-secret-punitive-damages.txt"],
                 load_corpus(), include_vocabulary=False).graph


@pytest.mark.parametrize("old, new", [("9", "10"), ("17", "22"), ("32", "39"), ("2", "2"), ("6", "7"), ("12", "13"), ("33", "41")])
def test_aucl_articles_correspond_both_ways(aucl_graph, old: str, new: str) -> None:
    a, b = iri("article", "prc_aucl_2019", old), iri("article", "prc_aucl_2025", new)
    assert (a, IPRG.correspondsTo, b) in aucl_graph and (b, IPRG.correspondsTo, a) in aucl_graph
    assert (b, IPRG.previousVersion, a) in aucl_graph
    assert set(aucl_graph.objects(a, IPRG.correspondsTo)) == {b}


def test_texts_merge_with_their_records(aucl_graph) -> None:
    """The 2019 and 2025 texts are the curated records' versions, not new statutes; each article
    carries its real text and its paragraphs; the versions carry their dates and replace each other."""
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, XSD

    old, new = iri("statute", "prc_aucl_2019"), iri("statute", "prc_aucl_2025")
    assert (new, DCTERMS.replaces, old) in aucl_graph
    assert (new, IPRG.effective, Literal("2025-10-15", datatype=XSD.date)) in aucl_graph
    art10 = iri("article", "prc_aucl_2025", "10")
    assert str(aucl_graph.value(art10, IPRG.text)).startswith("经营者不得实施下列侵犯商业秘密的行为：")
    paragraphs = sorted(aucl_graph.objects(art10, IPRG.hasPart))
    assert len(paragraphs) == 4 and all((p, RDF.type, IPRG.Paragraph) in aucl_graph for p in paragraphs)
    items = [i for p in paragraphs for i in aucl_graph.objects(p, IPRG.hasPart)]
    assert len(items) == 4 and all((i, RDF.type, IPRG.Item) in aucl_graph for i in items)
    statutes = {s for s in aucl_graph.subjects(RDF.type, IPRG.Statute)
                if any(str(t).startswith("中华人民共和国反不正当竞争法") for t in aucl_graph.objects(s, IPRG.title))}
    # the 1993 text is cited by a curated case record; no duplicate node for either text
    assert statutes == {old, new, iri("statute", "prc_aucl_1993")}


def test_guiding_case_holdings_are_rules(aucl_graph) -> None:
    """Guiding case 219: one case node, its three instances with courts and stages, two holding
    rules linked to the case, the trade-secret and punitive-damages topics and the 2019 text's
    art. 17 (its 相关法条), ranked as a guiding case."""
    from rdflib import Literal

    case = iri("case", "carbomer")                  # the curated record of the same case
    assert len({str(n) for n in aucl_graph.objects(case, IPRG.caseNumber)}) >= 3
    instances = set(aucl_graph.objects(case, IPRG.hasInstance))
    stages = {str(aucl_graph.value(i, IPRG.stage)) for i in instances}
    assert stages == {"first_instance", "second_instance", "retrial_review"}
    rules = sorted(aucl_graph.objects(case, IPRG.holdingRule))
    assert len(rules) == 2
    for r in rules:
        assert (case, IPRG.hasPart, r) in aucl_graph and (r, RDF.type, IPRG.Rule) in aucl_graph
        assert (r, IPRG.cites, iri("article", "prc_aucl_2019", "17")) in aucl_graph
        assert (r, IPRG.authority, IPRG.GuidingCaseAuthority) in aucl_graph
    assert (rules[0], IPRG.aboutTopic, iri("topic", "punitive_damages")) in aucl_graph
    assert (case, IPRG.authority, IPRG.GuidingCaseAuthority) in aucl_graph
    assert (case, IPRG.authorityRank, Literal(1, datatype=Literal(1).datatype)) in aucl_graph
    parties = {str(p) for p in aucl_graph.objects(case, IPRG.defendant)}
    assert {"华某", "刘某", "胡某春", "朱某良", "安徽纽某精细化工有限公司"} <= parties
