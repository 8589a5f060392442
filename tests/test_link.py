"""link: concepts, statutes (short titles, versions by date), articles after a title, cases,
new nodes for unknown sources; topics of the seed's measures."""

from __future__ import annotations

import pytest
from conftest import SEED

from ingest.build import analyse
from ingest.clean import clean, decode
from ingest.corpus import load_corpus
from ingest.extract import extract, load_vocabulary
from ingest.link import LinkIndex, link, statute_mentions
from ingest.records import unknown_statute_iri
from ingest.segment import segment
from kg.ns import hashed, iri


@pytest.fixture(scope="module")
def env():
    corpus = load_corpus()
    return corpus, LinkIndex.from_corpus(corpus), load_vocabulary()


def _link(text, env, date=None):
    _corpus, index, vocab = env
    ct = clean(text)
    ms = extract(ct)
    ms = ms + statute_mentions(ct.original, ms, index)
    return link(ms, ct.original, index, vocab, date=date)


def test_statute_versions_by_date(env):
    text = "依照《中华人民共和国反不正当竞争法》第九条第一款的规定。"
    old = {ln.iri for ln in _link(text, env, date="2024-05-01")}
    new = {ln.iri for ln in _link(text, env, date="2025-12-01")}
    assert iri("statute", "prc_aucl_2019") in old and iri("article", "prc_aucl_2019", "9") in old
    assert iri("statute", "prc_aucl_2025") in new


def test_short_title_without_brackets_and_its_article(env):
    links = _link("根据著作权法第十一条，著作权属于作者。", env)
    kinds = {(ln.node_kind, ln.iri) for ln in links}
    assert ("statute", iri("statute", "prc_copyright_law_2020")) in kinds
    assert ("article", iri("article", "prc_copyright_law_2020", "11")) in kinds
    art = next(ln for ln in links if ln.node_kind == "article")
    assert not art.new and art.parent == iri("statute", "prc_copyright_law_2020")


def test_article_list_after_one_title(env):
    links = _link("依照《中华人民共和国民法典》第一千一百八十五条、第一百二十三条的规定。", env)
    arts = sorted(str(ln.iri) for ln in links if ln.node_kind == "article")
    assert arts == sorted([str(iri("article", "prc_civil_code_2020", "1185")), str(iri("article", "prc_civil_code_2020", "123"))])


def test_article_without_title_is_not_linked(env):
    assert not [ln for ln in _link("本规定第三条另有规定的除外。", env) if ln.node_kind == "article"]


def test_unknown_statute_and_case_become_new_nodes(env):
    links = _link("依照《某省数据条例》第十条，参见（2031）闽99民终1号判决。", env)
    st = next(ln for ln in links if ln.node_kind == "statute")
    assert st.new and st.iri == unknown_statute_iri("某省数据条例")
    art = next(ln for ln in links if ln.node_kind == "article")
    assert art.new and art.iri == hashed("article", "某省数据条例", "10")
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
    corpus, index, vocab = env
    doc = segment(clean(decode(SEED.read_bytes(), SEED)), "seed", expect="policy")
    return analyse(doc, extract(doc.clean), index, vocab)


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
