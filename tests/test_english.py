"""English throughout: the bilingual table beside the corpus, English statute names, the marker
for text with no English, English search, and the UI's dynamic string keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import copy_store
from rdflib import Graph, Literal, URIRef

from ingest.english import apply_table, load_table, table_path
from ingest.models import IngestError
from kg.explorer import SparqlExplorer
from kg.ns import IPRG, iri

CORPUS = Path(__file__).resolve().parents[1] / "ingest" / "corpus"
POLICY_TEXT = CORPUS / "policies" / "xiamen-2025-18.txt"
TABLE = table_path(POLICY_TEXT)
POLICY = "厦中法发〔2025〕18号"


@pytest.fixture(scope="module")
def store(bundled_store_root, tmp_path_factory):
    """This module's own copy of the bundled graph (the session builds it once)."""
    from kg.store import GraphStore

    return GraphStore(copy_store(bundled_store_root, tmp_path_factory.mktemp("store") / "store"))


def _untranslated(store) -> list[str]:
    """Titles and rule texts of the policy document that have Chinese but no English."""
    rows = store.select("""
        SELECT ?s ?p WHERE {
          VALUES (?k ?p) { (iprg:PolicyDocument iprg:title) (iprg:Section iprg:title) (iprg:Measure iprg:title) (iprg:Rule iprg:text) }
          ?s a ?k ; ?p ?zh . FILTER(lang(?zh) = "zh")
          FILTER NOT EXISTS { ?s ?p ?en . FILTER(lang(?en) = "en") } }""")
    return sorted(f"{r['s']} {r['p']}" for r in rows)


def test_no_title_or_rule_of_the_bundled_policy_lacks_english(store):
    assert _untranslated(store) == []
    counts = store.select("""SELECT (COUNT(?s) AS ?n) WHERE { ?s a ?k ; ?p ?en . FILTER(lang(?en) = "en")
        VALUES (?k ?p) { (iprg:Section iprg:title) (iprg:Measure iprg:title) (iprg:Rule iprg:text) } }""")
    assert int(counts[0]["n"]) == 10 + 20 + 40


def test_no_entry_of_the_table_is_stale(store):
    """Each entry's Chinese is what the graph holds: a reworded source names its entry here."""
    graph = Graph()
    for r in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(?p IN (iprg:title, iprg:text) && lang(?o) = 'zh') }"):
        graph.add((URIRef(str(r["s"])), URIRef(str(r["p"])), Literal(str(r["o"]), lang="zh")))
    entries = load_table(TABLE)
    assert len(entries) == 71 and len({(e.iri, e.property) for e in entries}) == 71
    stale = apply_table(graph, entries)
    assert [e.source for e in stale] == []


def test_a_reworded_measure_loses_its_english_and_shows_chinese_marked(tmp_path):
    """Change one rule of a copy of the policy: its entry is stale (named), the other English stays."""
    from kg.rebuild import run_ingest
    from kg.store import GraphStore
    from kg.web.ui.views import pick, rules_html

    text = POLICY_TEXT.read_text(encoding="utf-8")
    assert "做好商业秘密" in text
    copy = tmp_path / "xiamen-2025-18.txt"
    copy.write_text(text.replace("做好商业秘密", "切实做好商业秘密"), encoding="utf-8")
    shutil.copy(TABLE, table_path(copy))
    store = GraphStore(tmp_path / "store")
    run_ingest([copy], store)
    rule = str(iri("rule", POLICY, 6, 1))
    assert _untranslated(store) == [f"{rule} {IPRG.text}"]
    from ingest.corpus import load_corpus
    from ingest.english import add_english

    g = Graph()
    for r in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(isLiteral(?o)) }"):
        g.add((URIRef(str(r["s"])), URIRef(str(r["p"])), r["o"]))
    stale = add_english(g, load_corpus(), [copy])
    assert [(e.iri, e.property) for e in stale] == [(rule, "text")] and stale[0].source.endswith(".en.yaml:167")
    item = next(x for x in SparqlExplorer(store).measure(6).rules if x.iri == rule)
    assert item.text_en is None and item.text_zh.startswith("切实做好")
    shown = rules_html([item], "en")
    assert "[zh] 切实做好商业秘密" in shown          # Chinese, marked, never a blank
    assert pick("已有中文", None, "en") == "[zh] 已有中文" and pick(None, "English", "zh") == "[英] English"


@pytest.mark.parametrize("text, error", [
    ("not: a list", "a list of"),
    ("- iri: x\n  property: title\n  zh: 中\n", "exactly iri, property, zh, en"),
    ("- {iri: x, property: label, zh: 中, en: e}\n", "property must be one of"),
    ("- {iri: x, property: title, zh: '', en: e}\n", "non-empty"),
    ("- [unclosed\n", "cannot read"),
])
def test_a_malformed_table_is_refused_naming_it(tmp_path, text, error):
    path = tmp_path / "doc.en.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IngestError) as exc:
        load_table(path)
    assert error in str(exc.value) and "doc.en.yaml" in str(exc.value)


def test_the_api_returns_title_en_and_text_en(store):
    from fastapi.testclient import TestClient

    from kg.context import Context
    from kg.web.app import create_app

    ctx = Context(store_root=store.root)
    ctx.store = store              # the session's store already has its generation open
    with TestClient(create_app(ctx=ctx, with_ui=False)) as c:
        m = c.get("/api/v1/measures/5").json()
        assert m["title_en"] == "Protect trade secrets in a differentiated and precise way"
        assert all(r["text_en"] and r["text_zh"] for r in m["rules"])
        assert m["section"]["label_en"].startswith("Section 3: Stronger protection of trade secrets")
        assert m["source"]["label_en"].startswith("Measures to Strengthen the Judicial Protection")
        topic = c.get("/api/v1/topics/trade_secrets/rules").json()
        assert all(r["text_en"] for r in topic["rules"]) and all(x["title_en"] for x in topic["measures"])
        hits = c.get("/api/v1/search", params={"q": "reverse disclosure"}).json()["items"]
        assert str(iri("rule", POLICY, 5, 2)) in {h["iri"] for h in hits}
        hits = c.get("/api/v1/search", params={"q": "punitive damages base"}).json()["items"]
        assert {h["iri"] for h in hits} >= {str(iri("rule", POLICY, 11, 2)), str(iri("rule", POLICY, 12, 1))}
        # statute and article names in English from the families' records
        art = c.get("/api/v1/articles/prc_patent_law_2008/11").json()
        assert art["label_en"] == "Patent Law (2008 amendment), Article 11"
        assert art["statute"]["label_en"] == "Patent Law (2008 amendment)"
        assert c.get("/api/v1/statutes/prc_aucl_1993").json()["label_en"] == "Anti-Unfair Competition Law (1993)"


def test_statutes_and_articles_without_english_are_only_those_no_record_names(store):
    rows = store.select("""SELECT ?s WHERE { { ?s a iprg:Statute } UNION { ?s a iprg:Article }
        FILTER NOT EXISTS { ?s rdfs:label ?l . FILTER(lang(?l) = "en") } }""")
    # only statutes named by a citation string that no record or family describes (hashed IRIs)
    tails = sorted(str(r["s"]).rsplit("/", 1)[-1] for r in rows)
    assert tails and all(len(t) == 16 and all(ch in "0123456789abcdef" for ch in t) for t in tails), tails


def test_every_dynamic_ui_key_exists():
    """Keys the views build from data (reason kinds, change kinds, …) are in the string table."""
    from kg.changes import CHANGE_KINDS
    from kg.explorer.compare import WHY
    from kg.explorer.similar import REASON_KINDS
    from kg.web.text import ui_text
    from kg.web.ui.features import _MODES

    text, labels = ui_text()["text"], ui_text()["labels"]
    wanted = [f"reason_{k}" for k in REASON_KINDS] + [f"change_{k}" for k in CHANGE_KINDS]
    wanted += [f"why_{w}" for w in WHY] + [f"norm_tier_{i}" for i in range(1, 6)]
    wanted += [f"query_{k}" for k in ("case", "measure", "rule", "facts")]
    wanted += [f"kind_{k}" for k in ("Case", "Measure", "Rule", "Section", "PolicyDocument", "Statute", "Article")]
    assert [k for k in wanted if k not in text] == []
    assert [m for m in _MODES if f"similar_mode_{m}" not in labels] == []
    assert ui_text()["gradio"]["en"]["common.complete"]
