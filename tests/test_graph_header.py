"""The UI header and the API's description name what is in the graph, not a document fixed in code.

A graph built from another court's policy document (Fujian High Court, 闽高法〔2024〕56号, in
tests/data) must be announced as that document, with its own counts; the bundled Xiamen measures
(厦中法发〔2025〕18号) must not be mentioned.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg import config
from kg.context import Context
from kg.rebuild import run_ingest
from kg.store import GraphStore
from kg.web.app import create_app
from kg.web.ui import blocks

HERE = Path(__file__).resolve().parent
FUJIAN = "闽高法〔2024〕56号"
XIAMEN = "厦中法发〔2025〕18号"


@pytest.fixture(scope="module")
def fujian(tmp_path_factory) -> Context:
    root = tmp_path_factory.mktemp("fujian") / "store"
    run_ingest([HERE / "data" / "provincial_opinions.txt"], GraphStore(root))
    return Context(config.settings().but(rate_limit=""), store_root=root)


def test_overview_names_the_stored_document(fujian):
    overview = fujian.explorer.overview()
    assert [d.doc_number for d in overview.documents] == [FUJIAN]
    assert overview.documents[0].label_zh == "关于加强新就业形态知识产权司法保护的指导意见"
    measures = fujian.explorer.topic_measure_matrix().measures
    assert overview.measures == len(measures) > 0
    assert overview.cases == fujian.explorer.cases(limit=1).total


def test_ui_header_names_it_in_both_languages(fujian):
    zh = blocks.header(fujian, "中文")
    en = blocks.header(fujian, "English")
    for text in (zh, en):
        assert FUJIAN in text and "新就业形态知识产权司法保护" in text
        assert XIAMEN not in text and "厦门" not in text
    overview = fujian.explorer.overview()
    assert f"措施 {overview.measures} 项" in zh and f"{overview.cases} cases" in en


def test_api_description_names_it(fujian):
    with TestClient(create_app(ctx=fujian, with_ui=False)) as client:
        description = client.get("/openapi.json").json()["info"]["description"]
    assert FUJIAN in description and XIAMEN not in description
    assert f"{fujian.explorer.overview().measures} measures" in description
