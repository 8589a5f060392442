"""extract: vocabulary terms and citations on the seed, spans in the original text."""

from __future__ import annotations

import re

import pytest
from conftest import DATA, SEED

from ingest.clean import clean, decode
from ingest.extract import extract, extract_many, modality, pipeline


@pytest.fixture(scope="module")
def seed_mentions():
    ct = clean(decode(SEED.read_bytes(), SEED))
    return ct, extract(ct)


@pytest.mark.parametrize("kind, text, count, broken", [
    ("concept", "惩罚性赔偿", 3, False),
    ("concept", "商业秘密", 8, False),
    ("concept", "FRAND原则", 1, False),
    ("concept", "标准必要专利侵权和许可使用费纠纷", 1, True),     # 标准必要\n\n专利
    ("concept", "依职权适用禁止反悔原则", 1, False),
    ("concept", "基因与生物技术", 1, True),
    ("concept", "AI辅助生成内容", 1, True),
    ("title", "《取消外国公文书认证要求的公约》", 1, False),
    ("doc_number", "厦中法发〔2025〕18号", 1, False),
    ("date", "2025年4月24日", 2, False),
    ("court", "最高人民法院", 1, False),
])
def test_seed_mentions_with_original_spans(seed_mentions, kind, text, count, broken):
    ct, mentions = seed_mentions
    hits = [m for m in mentions if m.kind == kind and m.text == text]
    assert len(hits) == count
    for m in hits:
        printed = ct.original[m.start:m.end]
        assert re.sub(r"\s", "", printed) == re.sub(r"\s", "", text)
    assert any("\n" in ct.original[m.start:m.end] for m in hits) == broken


def test_nested_terms_are_marked(seed_mentions):
    _ct, mentions = seed_mentions
    nested = {m.text for m in mentions if m.attrs.get("nested")}
    outer = {m.text for m in mentions if m.kind == "concept" and not m.attrs.get("nested")}
    assert "禁止反悔原则" in nested and "依职权适用禁止反悔原则" in outer
    assert "标准必要专利" in nested


def test_spacy_pipeline_keeps_char_spans():
    nlp = pipeline()
    assert nlp.lang == "zh" and "iprg_char_ruler" in nlp.pipe_names
    doc = nlp("妥善审理涉5G标准必要专利侵权和许可使用费纠纷案件，按照FRAND原则确定法律责任。")
    labels = {(e.label_, e.text) for e in doc.ents}
    assert ("CONCEPT", "FRAND原则") in labels
    raw = {(s, e, kind) for s, e, _l, kind, _a in doc.user_data["iprg"]}
    assert (doc.text.index("FRAND"), doc.text.index("FRAND") + 7, "concept") in raw


@pytest.fixture(scope="module")
def documents():
    """The seed, the test judgment and opinions, and sentences: real sizes, several batches."""
    paths = [SEED, DATA / "judgment.txt", DATA / "provincial_opinions.txt", DATA / "articles_measures.txt"]
    texts = [decode(p.read_bytes(), p) for p in paths]
    texts += ["依照《中华人民共和国专利法》第六条第一款处理。", "（2019）最高法知民终732号判决赔偿2.5亿元。"]
    return [clean(t) for t in texts]


def test_pipe_matches_single_calls(documents):
    single = [extract(c) for c in documents]
    assert all(single) and sum(len(m) for m in single) > 300
    assert extract_many(documents, n_process=1, batch_size=2) == single


def test_two_processes_match_one(documents):
    """The multi-process path (run_ingest(n_process=2), bench/ingest.py): spaCy forks workers."""
    assert extract_many(documents, n_process=2, batch_size=2) == [extract(c) for c in documents]


@pytest.mark.parametrize("text, expected", [
    ("依法审理涉生物医药案件。", "obligation"),
    ("可参照原和解协议约定的赔偿数额确定惩罚性赔偿计算基数。", "permission"),
    ("不得以调解方式规避惩罚性赔偿的适用。", "prohibition"),
    ("探索建立“3D证物库”辅助技术事实查明。", "exploration"),
    ("倡导、鼓励保险公司推出更多险种。", "encouragement"),
    # the earliest cue decides (ingest/lang/modality.yaml): measure 6's rule is the court's own
    # commitment (强化社会协作); encouraging insurers is how it keeps it
    ("强化社会协作，倡导、鼓励保险公司推出更多为商业秘密纠纷量身定做的险种。", "obligation"),
    ("许可使用费纠纷应当依法审理。", "obligation"),           # 许可 is not 可
])
def test_modality(text, expected):
    assert modality(text)[0] == expected


def test_modality_ignores_cues_inside_terms():
    text = "依职权适用禁止反悔原则，并可调取专利审查档案。"
    s = text.index("禁止反悔原则")
    assert modality(text)[0] == "prohibition"
    assert modality(text, [(s, s + 6)])[0] == "permission"
