"""The AUCL 2019 ↔ 2025 example graph: the bundled corpus, both real AUCL texts and a 2026
judgment citing the 2025 text, ingested once per session (``../shared/real`` via the
``shared_dir`` fixture; nothing of it is copied into the project)."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

import pytest

from kg.ns import iri

DATA = Path(__file__).resolve().parent / "data"
JUDGMENT_2026 = DATA / "judgment_2026_aucl.txt"
CASE_2026 = str(iri("case", "（2026）闽02民初101号"))
POLICY = "厦中法发〔2025〕18号"
AUCL19_9 = str(iri("article", "prc_aucl_2019", "9"))
AUCL19_17 = str(iri("article", "prc_aucl_2019", "17"))
AUCL25_10 = str(iri("article", "prc_aucl_2025", "10"))
AUCL25_22 = str(iri("article", "prc_aucl_2025", "22"))
AUCL19 = str(iri("statute", "prc_aucl_2019"))
AUCL25 = str(iri("statute", "prc_aucl_2025"))
VANILLIN = str(iri("case", "vanillin"))
CARBOMER = str(iri("case", "carbomer"))
MEASURE5 = str(iri("measure", POLICY, 5))


def aucl_texts(shared_dir: Path) -> list[Path]:
    docs = shared_dir / "real" / "docs"
    return [docs / "01_aucl-2019.txt", docs / "02_aucl-2025.txt"]


@lru_cache(maxsize=2)
def aucl_store(shared_dir: Path):
    """A store holding the bundled corpus, then (a second generation) the AUCL texts and the
    2026 judgment added: the change feed has one recorded generation to show."""
    from kg.rebuild import run_ingest
    from kg.store import GraphStore

    store = GraphStore(Path(tempfile.mkdtemp(prefix="iprg-aucl-")) / "store")
    run_ingest(None, store)
    run_ingest([*aucl_texts(shared_dir), JUDGMENT_2026], store, with_bundled=True)
    return store


def aucl_fixtures():
    """The module fixtures the feature tests share, to assign in a test module as
    ``store, client = aucl_fixtures()``: ``store`` (:func:`aucl_store`) and ``client`` (the app
    on it without the UI, through FastAPI's TestClient)."""

    @pytest.fixture(scope="module")
    def store(shared_dir):
        return aucl_store(shared_dir)

    @pytest.fixture(scope="module")
    def client(store):
        from fastapi.testclient import TestClient

        from kg.web.app import create_app

        with TestClient(create_app(store.root, with_ui=False)) as c:
            yield c

    return store, client
