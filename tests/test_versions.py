"""Law as of a date, through the REST API, on the AUCL 2019 ↔ 2025 example graph.

The graph holds both real AUCL texts (their articles linked by ``iprg:correspondsTo``), the
bundled case records (which cite the 2019 text) and a 2026 judgment citing the 2025 text.
"""

from __future__ import annotations

import pytest
from features_graph import (
    AUCL19,
    AUCL19_9,
    AUCL19_17,
    AUCL25,
    AUCL25_10,
    AUCL25_22,
    CASE_2026,
    VANILLIN,
    aucl_fixtures,
)

from kg.explorer import SparqlExplorer, versions

store, client = aucl_fixtures()


def _row(h: dict, statute: str) -> dict:
    return next(r for r in h["versions"] if r["statute"]["iri"] == statute)


def test_article_page_shows_the_corresponding_article_in_the_other_version(client):
    """Issue 9: an article's page (API) shows the corresponding article in the other version."""
    body = client.get("/api/v1/articles/prc_aucl_2019/9").json()
    h = body["versions"]
    assert body["iri"] == AUCL19_9 and h["kind"] == "Article"
    row25 = _row(h, AUCL25)
    assert row25["article"]["iri"] == AUCL25_10 and row25["article_number"] == "10"
    assert row25["renumbered"] is True and row25["changed"] is False    # art. 9 → art. 10, same words
    assert _row(h, AUCL19)["asked"] is True
    back = client.get("/api/v1/articles/prc_aucl_2025/22").json()["versions"]
    row19 = _row(back, AUCL19)
    assert row19["article"]["iri"] == AUCL19_17 and row19["changed"] is True   # damages 17 → 22, reworded
    # versions in order, each in force until the next one takes effect
    dates = [(r["effective"], r["until"]) for r in h["versions"]]
    assert dates[-2:] == [("2019-04-23", "2025-10-15"), ("2025-10-15", None)]


@pytest.mark.parametrize("as_of, status, in_force", [
    ("2020-06-01", "in_force", AUCL19_9),
    ("2026-01-01", "superseded", AUCL25_10),
    ("2025-10-14", "in_force", AUCL19_9),
    ("2025-10-15", "superseded", AUCL25_10),
])
def test_as_of_toggles_between_the_2019_and_2025_texts(client, as_of, status, in_force):
    for url in ("/api/v1/articles/prc_aucl_2019/9", "/api/v1/articles/prc_aucl_2019/9/versions"):
        body = client.get(url, params={"as_of": as_of}).json()
        h = body if url.endswith("/versions") else body["versions"]
        assert h["as_of"] == as_of and h["status"] == status
        assert h["in_force"]["article"]["iri"] == in_force


def test_as_of_before_the_version_took_effect(client):
    h = client.get("/api/v1/articles/prc_aucl_2025/10/versions", params={"as_of": "2020-01-01"}).json()
    assert h["status"] == "not_yet_in_force"
    assert h["in_force"]["statute"]["iri"] == AUCL19 and h["in_force"]["article"]["iri"] == AUCL19_9


def test_statute_as_of(client):
    s = client.get("/api/v1/statutes/prc_aucl_2019", params={"as_of": "2026-01-01"}).json()
    assert s["kind"] == "Statute" and s["versions"]["status"] == "superseded"
    assert s["versions"]["in_force"]["statute"]["iri"] == AUCL25
    assert client.get("/api/v1/statutes/prc_aucl_2025/versions", params={"as_of": "2026-01-01"}).json()["status"] == "in_force"


def test_topic_answer_as_of(client):
    plain = client.get("/api/v1/topics/trade_secrets/rules").json()
    assert "as_of" not in plain or plain["as_of"] is None
    early = client.get("/api/v1/topics/trade_secrets/rules", params={"as_of": "2021-06-01"}).json()["as_of"]
    assert early["rules"] == [] and early["later_rules"] == len(plain["rules"])     # the measures came in 2025
    assert {c["iri"] for c in early["cases"]} <= {c["iri"] for c in plain["cases"]} | {CASE_2026}
    assert all(c["decided"] <= "2021-06-01" for c in early["cases"])
    read = {c["cited"]["iri"]: c for c in early["citations"]}
    assert read[AUCL19_9]["status"] == "in_force"
    late = client.get("/api/v1/topics/trade_secrets/rules", params={"as_of": "2026-06-01"}).json()["as_of"]
    read = {c["cited"]["iri"]: c for c in late["citations"]}
    assert read[AUCL19_9]["status"] == "superseded" and read[AUCL19_9]["in_force"]["article"]["iri"] == AUCL25_10
    assert CASE_2026 in {c["iri"] for c in late["cases"]}


def test_rule_as_of(client):
    r = client.get("/api/v1/rules/5/1", params={"as_of": "2026-01-01"}).json()
    assert r["rule"]["iri"].endswith("/5/1") and r["issued"] == "2025-04-24" and r["issued_by_then"] is True
    read = {c["cited"]["iri"]: c["status"] for c in r["citations"]}
    assert read[AUCL19] == "superseded" and read[AUCL25] == "in_force"
    before = client.get("/api/v1/rules/5/1", params={"as_of": "2024-01-01"}).json()
    assert before["issued_by_then"] is False
    assert client.get("/api/v1/rules/5/9").status_code == 404


def test_case_page_flags_the_versions_of_its_citations(client):
    cv = client.get("/api/v1/cases/vanillin/versions").json()
    by = {c["cited"]["iri"]: c for c in cv["citations"]}
    nine, seventeen = by[AUCL19_9], by[AUCL19_17]
    assert nine["version"]["statute"]["iri"] == AUCL19 and nine["in_force_when_decided"] is True
    assert nine["renumbered"] is True and nine["changed"] is False
    assert [r["article"]["iri"] for r in nine["later"]] == [AUCL25_10]
    assert seventeen["renumbered"] is True and seventeen["changed"] is True
    new = client.get("/api/v1/resource", params={"iri": CASE_2026}).json()
    cited = {c["iri"] for c in new["citations"]}
    assert {AUCL25_10, AUCL25_22} <= cited and AUCL19_9 not in cited       # a 2026 text: the 2025 law


def test_bad_dates_are_refused(client):
    assert client.get("/api/v1/articles/prc_aucl_2019/9", params={"as_of": "2026-02-30"}).status_code == 400
    assert client.get("/api/v1/articles/prc_aucl_2019/9", params={"as_of": "yesterday"}).status_code == 422
    assert client.get("/api/v1/articles/prc_aucl_2019/99/versions").status_code == 404
    assert client.get("/api/v1/versions", params={"iri": VANILLIN}).status_code == 404


def test_no_correspondence_is_said_not_guessed(bundled_store):
    """Without the texts (bundled records only) no correspondence is recorded: the 2025
    version's article is unknown, never guessed by number (2019 art. 9 is not 2025 art. 9)."""
    h = versions.history(SparqlExplorer(bundled_store), AUCL19_9, "2026-01-01")
    row = next(r for r in h.versions if r.statute.iri == AUCL25)
    assert row.article is None and row.renumbered is None and row.changed is None
    assert h.status == "superseded" and h.in_force == row
