"""The bundled corpus loads and matches the reference facts; malformed records fail clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import facts
import pytest
import yaml
from conftest import SEED, need

from ingest.corpus import (
    TOPIC_IDS,
    CorpusError,
    article_label,
    load_case_file,
    load_corpus,
    load_statute_file,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def ref_cases(shared_dir) -> dict:
    """The reference fact sheet's cases by id (../shared/reference/cases.yaml)."""
    return {c["id"]: c for c in yaml.safe_load((shared_dir / "reference" / "cases.yaml").read_text(encoding="utf-8"))["cases"]}


def test_bundled_corpus_counts(corpus, shared_dir):
    assert len(corpus.cases) == facts.CASES
    ref = yaml.safe_load((shared_dir / "reference" / "statutes.yaml").read_text(encoding="utf-8"))["documents"]
    assert {s.id for s in corpus.statutes} == {d["id"] for d in ref}
    assert len(corpus.statutes) == facts.STATUTES
    assert corpus.measures_policy == facts.POLICY
    assert corpus.measure_count == facts.MEASURES
    assert [p.name for p in corpus.policies] == ["xiamen-2025-18"]


def test_seed_policy_is_byte_identical(corpus, shared_dir):
    """The bundled copy (what tests read as the seed) is the shared seed, byte for byte."""
    seed = shared_dir / "seeds" / "000_3fc82d178ebf71f0.txt"
    need(seed.is_file(), f"the shared seed {seed} is missing")
    assert corpus.policies[0].path == SEED
    assert SEED.read_bytes() == seed.read_bytes()


def test_both_aucl_numberings(corpus):
    old, new = corpus.statute("prc_aucl_2019"), corpus.statute("prc_aucl_2025")
    assert old.superseded_by == "prc_aucl_2025" and new.supersedes == "prc_aucl_2019"
    # Trade secrets: article 9 in the 2019 numbering, article 10 in 2025; damages 17 → 22.
    assert old.article("9") and new.article("10") and not new.article("9")
    assert old.article("17") and new.article("22")
    assert old.status == "superseded" and old.status_at_seed_date == "in_force"


def test_case_numbers_split_like_reference(corpus, ref_cases):
    ref = ref_cases
    assert set(ref) == {c.id for c in corpus.cases}
    for case in corpus.cases:
        r = ref[case.id]
        assert list(case.case_numbers) == list(r.get("case_numbers") or []), case.id
        assert list(case.case_numbers_unverified) == list(r.get("case_numbers_unverified") or []), case.id
        assert case.verified == r["verified"], case.id
        assert len(case.courts) == len(r["court"]), case.id


def test_holdings_are_rewritten_not_copied(corpus, ref_cases):
    ref = ref_cases
    for case in corpus.cases:
        assert case.holding.zh and case.holding.en
        norm = "".join(ref[case.id]["rule"].split())
        assert "".join(case.holding.zh.split()) != norm, case.id
        assert case.holding.en.split() != ref[case.id]["rule_en"].split(), case.id


@pytest.mark.parametrize(
    ("ref_topic", "project_topic"),
    [("trade_secret", "trade_secrets"), ("plant_variety", "plant_varieties_gi"),
     ("service_invention", "service_inventions_talent"), ("injunction_preservation", "remedies_preservation")],
)
def test_topics_mapped(corpus, ref_cases, ref_topic, project_topic):
    ids = {i for i, c in ref_cases.items() if ref_topic in c["topics"]}
    assert ids
    for case in corpus.cases:
        assert set(case.topics) <= TOPIC_IDS
        if case.id in ids:
            assert project_topic in case.topics


def test_statute_refs_resolved_or_kept(corpus):
    vanillin = corpus.case("vanillin")
    resolved = [(r.statute, r.article) for r in vanillin.statutes if r.resolved]
    assert ("prc_aucl_2019", "9") in resolved
    kept = [r.citation for r in corpus.case("taobao_v_meijing").statutes]
    assert kept == ["反不正当竞争法（1993年）第二条"]


def test_topic_ids_match_ontology():
    from rdflib import Graph
    from rdflib.namespace import SKOS

    from kg.ns import SCHEME_TOPICS

    path = REPO / "ontology" / "vocabulary.ttl"
    g = Graph().parse(path)
    ids = {str(s).rsplit("/", 1)[-1] for s in g.subjects(SKOS.inScheme, SCHEME_TOPICS)}
    assert ids == TOPIC_IDS


@pytest.mark.parametrize(("number", "label"), [("6", "第六条"), ("10", "第十条"), ("12", "第十二条"),
                                                ("106", "第一百零六条"), ("1185", "第一千一百八十五条"),
                                                ("219-1", "第二百一十九条之一"), ("110", "第一百一十条")])
def test_article_label(number, label):
    assert article_label(number) == label


# ------------------------------------------------------------------ malformed records

GOOD_CASE = """\
id: foo
name: {zh: 甲诉乙案, en: A v. B}
case_numbers: ["(2018)浙01民终7312号"]
courts:
  - {zh: 浙江省杭州市中级人民法院, en: Hangzhou Intermediate People's Court}
decided: "2018-09"
cause: 不正当竞争纠纷
topics: [data_rights]
measures: [3]
holding: {zh: 规则。, en: A rule.}
verified: "yes"
"""


def _case_with(**changes) -> str:
    data = yaml.safe_load(GOOD_CASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_good_case_loads(tmp_path):
    path = tmp_path / "foo.yaml"
    path.write_text(GOOD_CASE, encoding="utf-8")
    (case,) = load_case_file(path)
    assert case.id == "foo" and case.decided == "2018-09" and case.verified == "yes"


@pytest.mark.parametrize(
    ("text", "field", "extra"),
    [
        (_case_with(courts=None), "courts", "missing"),
        (_case_with(case_numbers=["浙01民终7312号"]), "case_numbers[0]", "案号"),
        (_case_with(verified="maybe"), "verified", "expected one of yes|partly|no, got 'maybe'"),
        (_case_with(topics=["privacy"]), "topics[0]", "known topic id"),
        (_case_with(decided="2018/13/01"), "decided", "ISO"),
        (_case_with(measures=[21]), "measures[0]", "1..20"),
        (_case_with(measures="3"), "measures", "expected a list"),
        (_case_with(holding="只有中文"), "holding", "zh and en"),
        (_case_with(sources=["ftp://x"]), "sources[0]", "URL"),
        (_case_with(id="Foo Bar"), "id", "lower-case id"),
        (_case_with(cause=None), "cause", "missing"),
        (_case_with(extra_field=1), "extra_field", "unknown field"),
        (GOOD_CASE.replace('verified: "yes"', "verified: no"), "verified", "partly|no, got"),
    ],
)
def test_malformed_case_names_file_record_field(tmp_path, text, field, extra):
    path = tmp_path / "foo.yaml"
    path.write_text(text, encoding="utf-8")
    if "verified: no" in text:  # unquoted YAML 1.1 "no" must stay the string "no", so it loads
        (case,) = load_case_file(path)
        assert case.verified == "no"
        return
    with pytest.raises(CorpusError) as err:
        load_case_file(path)
    message = str(err.value)
    assert str(path) in message
    assert "record 'foo'" in message or "record 'Foo Bar'" in message
    assert f"field '{field}'" in message
    assert extra in message
    assert "(line " in message


def test_bad_yaml_syntax_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD_CASE.replace("cause: 不正当竞争纠纷", "cause: [不正当竞争纠纷"), encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_case_file(path)
    assert str(path) in str(err.value) and "line" in str(err.value) and "invalid YAML" in str(err.value)


def test_record_index_when_id_missing(tmp_path):
    path = tmp_path / "list.yaml"
    second = yaml.safe_load(_case_with(id=None))
    path.write_text(yaml.safe_dump([yaml.safe_load(GOOD_CASE), second], allow_unicode=True), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"list\.yaml: record 1: field 'id': required"):
        load_case_file(path)


def test_duplicate_id_rejected(tmp_path):
    path = tmp_path / "dup.yaml"
    record = yaml.safe_load(GOOD_CASE)
    path.write_text(yaml.safe_dump([record, record], allow_unicode=True), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"record 'foo': field 'id': duplicate case id"):
        load_case_file(path)


def test_duplicate_id_across_files_in_corpus(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(REPO / "ingest" / "corpus", root)
    shutil.copy(root / "cases" / "vanillin.yaml", root / "cases" / "zz_copy.yaml")
    with pytest.raises(CorpusError, match=r"cases/zz_copy\.yaml: record 'vanillin': field 'id': duplicate"):
        load_corpus(root)


def test_unknown_statute_id_in_corpus(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(REPO / "ingest" / "corpus", root)
    path = root / "cases" / "vanillin.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("statute: prc_aucl_2019", "statute: no_such_law", 1),
                    encoding="utf-8")
    with pytest.raises(CorpusError, match=r"record 'vanillin': field 'statutes\[0\]\.statute': unknown statute id"):
        load_corpus(root)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("kind: law", "kind: statute"), "kind"),
        (("adopted: '2019-04-23'", "adopted: 2019-4-23"), "adopted"),
        (("number: '9'", "number: nine"), "articles[1].number"),
        (("verified: 'yes'", "verified: sure"), "verified"),
    ],
)
def test_malformed_statute(tmp_path, change, field):
    src = (REPO / "ingest" / "corpus" / "statutes" / "prc_aucl_2019.yaml").read_text(encoding="utf-8")
    assert change[0] in src
    path = tmp_path / "aucl.yaml"
    path.write_text(src.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_statute_file(path)
    assert f"record 'prc_aucl_2019': field '{field}'" in str(err.value)


def test_not_utf8(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GOOD_CASE.encode("gb18030"))
    with pytest.raises(CorpusError, match="not UTF-8"):
        load_case_file(path)
