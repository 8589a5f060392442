"""segment: the seed's structure, documents in other styles, judgments, genre errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEED

from ingest.clean import clean, decode
from ingest.models import IngestError
from ingest.segment import detect_genre, iso_date, segment, segment_policy

HERE = Path(__file__).resolve().parent

SEED_TITLES = {
    1: "进一步强化司法裁判导向作用", 2: "联合科研院所等探索建立前沿技术司法研究基地",
    3: "总结提炼涉数据权益的司法保护规则", 4: "依法认定AIGC的著作权保护范围",
    5: "落实商业秘密差异化精准保护", 6: "助推商业秘密保护创新试点地区建设",
    7: "妥处科技人员“跳槽”引发的复合型纠纷案件",
    8: "建立涉科技成果权属认定、权利转让、价值确定和利益分配等纠纷快速审理机制",
    9: "升级“闽西南创新企业法务知识产权司法保护联盟”", 10: "进一步前移诉讼服务阵地",
    11: "依法充分发挥赔偿制度作用", 12: "对重复侵权依法严惩", 13: "加强高效司法服务供给",
    14: "拓宽涉外一站式多元解纷平台", 15: "维护公平诚信的市场竞争秩序", 16: "严厉打击阻碍科技创新行为",
    17: "优化技术事实查明机制", 18: "探索优化裁判方式", 19: "深入推进“三合一”审判机制改革",
    20: "深化厦门知识产权司法协同中心建设",
}


def load(path: Path):
    return clean(decode(path.read_bytes(), path))


@pytest.fixture(scope="module")
def seed():
    return segment(load(SEED), "seed", expect="policy")


def test_seed_header(seed):
    h = seed.header
    assert h.issuer == "厦门市中级人民法院"
    assert h.doc_number == "厦中法发〔2025〕18号"
    assert h.date == "2025-04-24"
    assert h.title == "关于强化知识产权司法保护促推新质生产力发展的若干措施"
    assert h.addressees == ("各区法院", "中院各部门")
    assert seed.preamble.startswith("为认真学习贯彻") and seed.preamble.endswith("制定如下措施。")


def test_seed_sections_and_measures(seed):
    assert len(seed.sections) == 10 and len(seed.measures) == 20
    assert [s.title for s in seed.sections][:2] == ["加强重点科技创新成果保护", "突出数字经济创新成果保护"]
    assert seed.sections[5].title == "用好用足惩罚性赔偿制度"
    assert [m.number for m in seed.sections[5].measures] == [11, 12]
    assert {m.number: m.title for m in seed.measures} == SEED_TITLES


def test_seed_measure_spans_in_original(seed):
    original = seed.original
    for m in seed.measures:
        assert original[m.start:m.end].startswith(f"{m.number}.")
        assert original[m.start:m.end].rstrip().endswith("。")
    last = seed.measures[-1]
    assert "印发" not in original[last.start:last.end]      # the colophon is not part of measure 20
    m19 = seed.measures[18]
    assert m19.text.endswith("“办理一案、治理一片”。") and len(m19.sentences) == 4


def test_provincial_opinions_style():
    d = segment(load(HERE / "data" / "provincial_opinions.txt"), "prov", expect="policy")
    assert d.header.doc_number == "闽高法〔2024〕56号"
    assert d.header.date == "2024-06-18"                    # 二〇二四年六月十八日
    assert d.header.title == "关于加强新就业形态知识产权司法保护的指导意见"
    assert [s.title for s in d.sections] == ["总体要求", "重点领域", "保障措施"]
    assert [m.label for m in d.measures] == ["（一）", "（二）", "（一）", "（二）", "（三）", "（一）", "（二）"]
    assert [m.number for m in d.measures] == list(range(1, 8))
    data = d.measures[2]
    assert data.title == "加强数据权益保护"
    assert [i.label for i in data.items] == ["1.", "2.", "（1）", "（2）"]
    # enumerations inside body text are not headings
    assert "统一一、二审裁判尺度" in d.measures[0].text
    assert "2.5亿元" in d.measures[3].text


def test_article_style():
    d = segment(load(HERE / "data" / "articles_measures.txt"), "gd", expect="policy")
    assert d.header.doc_number == "粤高法发〔2023〕9号" and d.header.date == "2023-04-20"
    assert [s.title for s in d.sections] == ["一般规定", "故意与情节严重的认定", "附则"]
    assert [m.label for m in d.measures][:2] == ["第一条", "第二条"] and len(d.measures) == 6
    assert d.measures[3].title == "被告在和解后再次实施相同侵权行为的，可以认定为情节严重"


def test_judgment():
    j = segment(load(HERE / "data" / "judgment.txt"), "j", expect="judgment")
    assert j.court == "福建省高级人民法院" and j.doc_type == "民事判决书"
    assert [(r.text, r.role) for r in j.case_numbers] == [("（2024）闽民终888号", "本案"), ("（2023）闽02民初1234号", "一审")]
    assert [(p.role, p.name, p.annotation) for p in j.parties] == [
        ("上诉人", "厦门星河数据科技有限公司", "原审被告"),
        ("被上诉人", "福州海峡云计算有限公司", "原审原告"),
        ("原审第三人", "张某", None),
    ]
    assert j.cause == "侵害技术秘密纠纷"
    assert j.date == "2024-11-08"
    assert j.reasoning.startswith("本院认为") and "惩罚性赔偿" in j.reasoning
    assert [(c.title, c.article, c.paragraph, c.item) for c in j.citations] == [
        ("中华人民共和国反不正当竞争法", "9", "1", "3"),
        ("中华人民共和国反不正当竞争法", "17", "3", None),
        ("中华人民共和国民事诉讼法", "177", "1", "1"),
    ]
    assert j.outcome[0] == "驳回上诉，维持原判；" and len(j.outcome) == 2
    assert [a.value for a in j.amounts] == [Decimal(3000000), Decimal(1500000), Decimal(500000), Decimal(30800)]
    original = j.clean.original
    for r in j.case_numbers:
        assert original[r.start:r.end] == r.text


@pytest.mark.parametrize("text, expected", [
    ("2025年 4月 24日", "2025-04-24"), ("二〇二五年四月二十四日", "2025-04-24"),
    ("2024年12月", "2024-12"), ("2025年13月1日", None),
])
def test_iso_date(text, expected):
    assert iso_date(text) == expected


def test_genres():
    assert detect_genre(load(SEED).text) == "policy"
    assert detect_genre(load(HERE / "data" / "judgment.txt").text) == "judgment"
    assert detect_genre(load(HERE / "data" / "news.txt").text) == "unknown"


def test_other_genre_is_a_clear_error():
    with pytest.raises(IngestError, match="expected a policy document, but this looks like a judgment"):
        segment(load(HERE / "data" / "judgment.txt"), "j.txt", expect="policy")
    with pytest.raises(IngestError, match="news.txt: unrecognised genre"):
        segment(load(HERE / "data" / "news.txt"), "news.txt")


def test_truncated_policy_is_an_error():
    text = SEED.read_text(encoding="utf-8")
    cut = text[: text.index("深化民事纠纷行政处理优先推荐")]
    with pytest.raises(IngestError, match="truncated: measure 20 ends mid-sentence"):
        segment_policy(clean(cut), "cut.txt")
