"""The change feed: each new generation compared with the previous one, served as JSON and Atom."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from features_graph import AUCL19_9, AUCL25, AUCL25_10, CASE_2026, MEASURE5, aucl_fixtures

from ingest.english import table_path
from kg import changes
from kg.ns import iri

ATOM = "{http://www.w3.org/2005/Atom}"
POLICY_TEXT = Path(__file__).resolve().parents[1] / "ingest" / "corpus" / "policies" / "xiamen-2025-18.txt"


store, client = aucl_fixtures()


def test_the_second_generation_is_recorded_against_the_first(store):
    feed = changes.feed(store, limit=5000)
    assert len(feed.generations) == 2
    newest, first = feed.generations
    assert newest.previous == first.generation and first.previous is None and first.changes == 0
    assert newest.generation == store.current_generation() and newest.changes == feed.total > 0
    kinds = {(c.change, c.node.iri, c.relation, c.target.iri if c.target else None) for c in feed.items}
    assert ("added", CASE_2026, None, None) in kinds
    assert ("link_added", CASE_2026, "CITES", AUCL25_10) in kinds
    assert ("link_added", AUCL19_9, "CORRESPONDS_TO", AUCL25_10) in kinds
    assert ("text_changed", AUCL25, None, None) in kinds      # the 2025 text arrived beside its record


def test_filters(client):
    by_article = client.get("/api/v1/changes", params={"article": "prc_aucl_2025/10"}).json()
    assert by_article["total"] == len(by_article["items"]) > 0
    assert all("https://w3id.org/iprg/id/article/prc_aucl_2025/10" in c["articles"] for c in by_article["items"])
    assert any(c["node"]["iri"] == CASE_2026 and c["change"] == "link_added" for c in by_article["items"])
    by_statute = client.get("/api/v1/changes", params={"statute": "prc_aucl_2025"}).json()
    assert by_statute["total"] >= by_article["total"] and all(AUCL25 in c["statutes"] for c in by_statute["items"])
    by_topic = client.get("/api/v1/changes", params={"topic": "trade_secrets", "change": "added"}).json()
    assert CASE_2026 in {c["node"]["iri"] for c in by_topic["items"]}
    assert all(c["change"] == "added" and "trade_secrets" in c["topics"] for c in by_topic["items"])
    none = client.get("/api/v1/changes", params={"topic": "aigc", "change": "removed"}).json()
    assert none["total"] == 0 and none["items"] == []
    assert client.get("/api/v1/changes", params={"change": "exploded"}).status_code == 422
    assert client.get("/api/v1/changes", params={"article": "prc_aucl_2025"}).status_code == 422   # not <statute>/<n>


def test_atom_feed(client):
    r = client.get("/api/v1/changes.atom", params={"article": "prc_aucl_2025/10", "lang": "en"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    assert root.tag == ATOM + "feed" and root.find(ATOM + "updated").text
    entries = root.findall(ATOM + "entry")
    json_items = client.get("/api/v1/changes", params={"article": "prc_aucl_2025/10"}).json()["items"]
    assert len(entries) == len(json_items) > 0
    ids = [e.find(ATOM + "id").text for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:iprg:change:") for i in ids)
    titles = [e.find(ATOM + "title").text for e in entries]
    assert any("now cites Anti-Unfair Competition Law (2025), Article 10" in t for t in titles)
    link = entries[0].find(ATOM + "link").get("href")
    assert link.startswith("http") and "/api/v1/resource?iri=" in link


def test_a_reworded_measure_is_a_text_change(tmp_path):
    """A third generation from a policy text with measure 5 reworded: the feed says so, for the
    measure and under its topic."""
    from kg.rebuild import run_ingest
    from kg.store import GraphStore

    store = GraphStore(tmp_path / "store")
    run_ingest(None, store)
    copy = tmp_path / "xiamen-2025-18.txt"
    copy.write_text(POLICY_TEXT.read_text(encoding="utf-8").replace("准确确定商业秘密范围", "准确界定商业秘密范围"),
                    encoding="utf-8")
    shutil.copy(table_path(POLICY_TEXT), table_path(copy))
    run_ingest([copy], store)
    feed = changes.feed(store, topic="trade_secrets", change="text_changed")
    changed = {c.node.iri: c.fields for c in feed.items}
    assert "text_zh" in changed[MEASURE5]
    rule = str(iri("rule", "厦中法发〔2025〕18号", 5, 1))
    assert set(changed[rule]) == {"text_en", "text_zh"}       # its English is stale, so it went too
