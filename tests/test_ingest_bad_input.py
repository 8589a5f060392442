"""Bad input gives a clear IngestError naming the file and cause; the stored graph is unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import SEED

from ingest.models import IngestError
from ingest.pipeline import parse_file
from kg.rebuild import run_ingest
from kg.store import GraphStore

HERE = Path(__file__).resolve().parent


def _fingerprint(store: GraphStore) -> tuple[int, str]:
    lines = sorted(f"{s} {p} {o}" for s, p, o in store.to_graph())
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    st = GraphStore(tmp_path_factory.mktemp("store"))
    run_ingest([SEED], st)
    return st


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    seed = SEED.read_text(encoding="utf-8")
    files = {
        "empty": (b"", "empty file"),
        "binary": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "binary"),
        "truncated": (seed[: seed.index("深化民事纠纷行政处理")].encode(), "truncated"),
        "judgment": ((HERE / "data" / "judgment.txt").read_bytes(), None),
        "news": ((HERE / "data" / "news.txt").read_bytes(), "unrecognised genre"),
    }
    out = {}
    for name, (data, cause) in files.items():
        p = tmp / f"{name}.txt"
        p.write_bytes(data)
        out[name] = (p, cause)
    return out


@pytest.mark.parametrize("name", ["empty", "binary", "truncated", "news", "missing"])
def test_bad_input_leaves_graph_unchanged(store, tmp_path, name):
    before = _fingerprint(store)
    files = _bad_files(tmp_path)
    path, cause = files[name] if name != "missing" else (tmp_path / "nope.txt", "cannot read file")
    with pytest.raises(IngestError) as e:
        run_ingest([SEED, path], store)
    assert str(path) in str(e.value) and cause in str(e.value)
    assert _fingerprint(store) == before


def test_gbk_file_decodes_and_parses(tmp_path):
    text = (HERE / "data" / "provincial_opinions.txt").read_text(encoding="utf-8")
    p = tmp_path / "gbk.txt"
    p.write_bytes(text.encode("gbk"))
    doc = parse_file(p)
    assert doc.header.doc_number == "闽高法〔2024〕56号" and len(doc.measures) == 7


def test_duplicate_policy_is_an_error(store):
    before = _fingerprint(store)
    with pytest.raises(IngestError, match="文号 厦中法发〔2025〕18号 is also the number of"):
        run_ingest([SEED, SEED], store)
    assert _fingerprint(store) == before
