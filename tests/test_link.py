"""link: concepts, statutes and their versions (by date, by the version a text names), articles
after a title or a short name, cases, new nodes for unknown sources; topics of the seed."""

from __future__ import annotations

import pytest
from conftest import SEED

from ingest.cite import find_citations
from ingest.clean import clean
from ingest.corpus import load_corpus
from ingest.extract import extract, load_vocabulary
from ingest.iris import unknown_statute_iri
from ingest.link import LinkIndex, link
from ingest.pipeline import ingest_documents
from kg.ns import iri


@pytest.fixture(scope="module")
def env():
    corpus = load_corpus()
    return corpus, LinkIndex.from_corpus(corpus), load_vocabulary()


def _link(text, env, date=None):
    _corpus, index, vocab = env
    ct = clean(text)
    return link(extract(ct), ct.original, index, vocab, date=date, citations=find_citations(ct, index.short_names))


def A(statute: str, number: str):
    return iri("article", statute, number)


# (text, date of the citing document, the articles it must link, articles it must not link)
VERSIONS = [
    # a 2023 judgment's 反不正当竞争法第九条 is the 2019 text's art. 9, a 2026 text's 第十条 the 2025 text's
    ("依照《中华人民共和国反不正当竞争法》第九条第一款的规定。", "2023-06-01", {A("prc_aucl_2019", "9")}, set()),
    ("被告的行为违反了反不正当竞争法第九条。", "2023-06-01", {A("prc_aucl_2019", "9")}, {A("prc_aucl_2025", "9")}),
    ("依照反不正当竞争法第十条第一款第（二）项的规定。", "2026-01-10", {A("prc_aucl_2025", "10")}, {A("prc_aucl_2019", "10")}),
    # guiding case 273's sentence: printed numbers are the 2025 text's, the note's the 2019 text's
    ("《中华人民共和国反不正当竞争法》（2025年修订）第22条、第39条（本案适用的是2019年修正的《中华人民共和国反不正当竞争法》第17条、第32条）",
     "2025-12-31", {A("prc_aucl_2025", "22"), A("prc_aucl_2025", "39"), A("prc_aucl_2019", "17"), A("prc_aucl_2019", "32")},
     {A("prc_aucl_2025", "17"), A("prc_aucl_2025", "32")}),
    # a version the graph has no record of becomes a node of its own
    ("本案适用的是2010年修正的《中华人民共和国著作权法》第四十八条。", "2026-02-28", {A("prc_copyright_law_2010", "48")}, {A("prc_copyright_law_2020", "48")}),
    ("本案适用的是自2010年7月1日起施行的《中华人民共和国侵权责任法》第8条", "2023-12-15", {A("prc_tort_law_2009", "8")}, set()),
    ("《最高人民法院关于民事诉讼证据的若干规定》（法释〔2001〕33号，2019年修正）第95条", "2026-02-28",
     {A("spc_civil_evidence_provisions_2019", "95")}, {A("spc_civil_evidence_provisions_2001", "95")}),
    ("《中华人民共和国专利法》（2008年修正）第五十九条第一款、第六十一条", "2017-03-06",
     {A("prc_patent_law_2008", "59"), A("prc_patent_law_2008", "61")}, set()),
    # in force on the date: the 2020 amendment took effect on 2021-06-01
    ("依照专利法第五十九条至第六十一条的规定", "2015-05-01",
     {A("prc_patent_law_2008", "59"), A("prc_patent_law_2008", "60"), A("prc_patent_law_2008", "61")}, set()),
    ("著作权法第四十七条、第四十八条规定的侵权行为", "2020-12-23",
     {A("prc_copyright_law_2010", "47"), A("prc_copyright_law_2010", "48")}, {A("prc_copyright_law_2020", "47")}),
    ("商标法第五十七条第（一）（二）项规定的商标近似", "2020-12-23", {A("prc_trademark_law_2019", "57")}, set()),
    ("依照《中华人民共和国民法典》第一千一百八十五条、第一百二十三条的规定。", "2024-01-01",
     {A("prc_civil_code_2020", "1185"), A("prc_civil_code_2020", "123")}, set()),
    ("根据著作权法第十一条，著作权属于作者。", "2024-01-01", {A("prc_copyright_law_2020", "11")}, set()),
]


@pytest.mark.parametrize("text, date, must, must_not", VERSIONS, ids=[r[0][:16] for r in VERSIONS])
def test_citations_resolve_to_the_right_version(env, text, date, must, must_not):
    arts = {ln.iri for ln in _link(text, env, date=date) if ln.node_kind == "article"}
    assert must <= arts, sorted(map(str, arts))
    assert not (must_not & arts)


def test_articles_name_their_statute_version(env):
    links = _link("根据著作权法第十一条，著作权属于作者。", env, date="2024-01-01")
    art = next(ln for ln in links if ln.node_kind == "article")
    assert not art.new and art.parent == iri("statute", "prc_copyright_law_2020") and art.number == "11"
    st = next(ln for ln in links if ln.node_kind == "statute")
    assert st.iri == iri("statute", "prc_copyright_law_2020")


def test_article_without_title_is_not_linked(env):
    assert not [ln for ln in _link("本规定第三条另有规定的除外。", env) if ln.node_kind == "article"]


def test_unknown_statute_and_case_become_new_nodes(env):
    links = _link("依照《某省数据条例》第十条，参见（2031）闽99民终1号判决。", env)
    st = next(ln for ln in links if ln.node_kind == "statute")
    assert st.new and st.iri == unknown_statute_iri("某省数据条例")
    art = next(ln for ln in links if ln.node_kind == "article")
    assert art.new and art.parent == st.iri and art.number == "10"
    case = next(ln for ln in links if ln.node_kind == "case")
    assert case.new and case.iri == iri("case", "(2031)闽99民终1号")


def test_known_case_number(env):
    links = _link("参见(2018)浙01民终7312号判决。", env)
    case = next(ln for ln in links if ln.node_kind == "case")
    assert case.iri == iri("case", "taobao_v_meijing") and not case.new


def test_concepts(env):
    links = _link("按照FRAND原则确定法律责任。", env)
    assert iri("concept", "frand_principle") in {ln.iri for ln in links}


@pytest.fixture(scope="module")
def seed_item(env):
    corpus, _index, _vocab = env
    return ingest_documents([SEED], corpus)[0]


@pytest.mark.parametrize("measure, topic", [
    (5, "trade_secrets"), (6, "trade_secrets"), (15, "frand_sep"), (3, "data_rights"),
    (11, "punitive_damages"), (12, "punitive_damages"), (4, "aigc"), (16, "estoppel"),
    (16, "abuse_of_rights"), (12, "repeat_infringement"), (1, "plant_varieties_gi"),
    (13, "foreign_related"), (17, "technical_fact_finding"), (7, "service_inventions_talent"),
])
def test_seed_measure_topics(seed_item, measure, topic):
    assert topic in seed_item.topics[measure]


@pytest.mark.parametrize("measure, topic", [(4, "trade_secrets"), (5, "frand_sep"), (15, "aigc"), (3, "estoppel")])
def test_seed_measure_topics_not_over_assigned(seed_item, measure, topic):
    assert topic not in seed_item.topics[measure]


def test_seed_links(seed_item):
    by_text = {ln.mention.text: ln for ln in seed_item.linked}
    assert by_text["《取消外国公文书认证要求的公约》"].iri == iri("statute", "apostille_convention_1961")
    own = by_text["《关于强化知识产权司法保护促推新质生产力发展的若干措施》"]
    assert own.iri == iri("policy", "厦中法发〔2025〕18号")


def test_seed_rules(seed_item):
    rules = {(r.measure, r.k): r for r in seed_item.rules}
    assert rules[(12, 1)].modality == "permission"
    # the earliest cue decides (ingest/lang/modality.yaml; the same sentence in test_extract)
    assert (rules[(6, 2)].modality, rules[(6, 2)].cue) == ("obligation", "强化")
    assert rules[(6, 2)].text == "强化社会协作，倡导、鼓励保险公司推出更多为商业秘密纠纷量身定做的险种。"
    assert any(r.modality == "exploration" for r in seed_item.rules if r.measure == 5)
    r16 = [r for r in seed_item.rules if r.measure == 16 and "禁止反悔" in r.text][0]
    assert r16.modality == "permission" and "estoppel" in r16.topics
    original = seed_item.doc.original
    for r in seed_item.rules:
        assert original[r.start:r.end].replace("\n", "").replace(" ", "") == r.text.replace(" ", "")
