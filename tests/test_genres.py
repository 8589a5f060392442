"""Layouts of each genre the shared texts do not show, written for these tests after the
published conventions: a State Council regulation (bracketed header, table of contents, 节), an
SPC interpretation behind its 公告, a local regulation, a 批复, a typical case without 案号, a
court opinion without 文号; and a text that is not a legal document."""

from __future__ import annotations

import pytest

from ingest.cite import find_citations
from ingest.clean import clean
from ingest.models import IngestError
from ingest.segment import detect_genre, segment

REGULATION = """中华人民共和国植物新品种保护条例

（1997年3月20日中华人民共和国国务院令第213号公布　根据2013年1月31日《国务院关于修改〈中华人民共和国植物新品种保护条例〉的决定》第一次修订　根据2014年7月29日《国务院关于修改部分行政法规的决定》第二次修订）

目　　录

第一章　总　　则

第二章　品种权的内容和归属

第三章　附　　则

第一章　总　　则

第一条　为了保护植物新品种权，鼓励培育和使用植物新品种，制定本条例。

第二条　本条例所称植物新品种，是指经过人工培育的植物品种。

第二章　品种权的内容和归属

第一节　一般规定

第三条　完成育种的单位或者个人对其授权品种，享有排他的独占权。

第四条　有下列情形之一的，可以不经品种权人许可：

（一）利用授权品种进行育种及其他科研活动；

（二）农民自繁自用授权品种的繁殖材料。

依照本条例第三条的规定处理。

第三章　附　　则

第五条　本条例自1997年10月1日起施行。
"""

ANNOUNCED = """中华人民共和国最高人民法院公告

《最高人民法院关于审理侵犯专利权纠纷案件应用法律若干问题的解释（二）》已于2016年1月25日由最高人民法院审判委员会第1676次会议通过，现予公布，自2016年4月1日起施行。

最高人民法院

2016年3月21日

最高人民法院关于审理侵犯专利权纠纷案件应用法律若干问题的解释（二）

法释〔2016〕1号

为正确审理侵犯专利权纠纷案件，根据《中华人民共和国专利法》《中华人民共和国民事诉讼法》等有关法律规定，制定本解释。

第一条　权利要求书有两项以上权利要求的，权利人应当在起诉状中载明据以起诉的权利要求。

第二条　依照专利法第六十条、第六十五条第一款的规定处理。

第三条　本解释自2016年4月1日起施行。
"""

LOCAL = """厦门经济特区知识产权促进和保护条例

（2019年4月25日厦门市第十五届人民代表大会常务委员会第十九次会议通过）

第一章　总则

第一条　为了促进和保护知识产权，结合厦门经济特区实际，制定本条例。

第二条　违反本条例第一条规定的，依照《中华人民共和国专利法》第六十五条处理。

第二章　附则

第三条　本条例自2019年7月1日起施行。
"""

REPLY = """最高人民法院关于某类纠纷诉讼时效问题的批复

法释〔2030〕99号

（2030年5月31日最高人民法院审判委员会第2000次会议通过，自2030年6月3日起施行）

某省高级人民法院：

你院《关于某类纠纷诉讼时效问题的请示》收悉。经研究，批复如下：

诉讼时效自权利人知道或者应当知道权利受到损害以及义务人之日起计算。
"""

TYPICAL = """某甲公司诉某乙公司侵害商业秘密纠纷案

基本案情

某甲公司主张某乙公司使用其技术信息。

裁判结果

杭州市中级人民法院一审判决某乙公司赔偿损失五十万元。

典型意义

本案明确了技术秘密侵权中赔偿数额的确定方法。
"""

OPINION = """关于加强知识产权审判工作的若干意见

一、总体要求

（一）坚持严格保护。依法平等保护各类市场主体的知识产权。

（二）坚持比例原则。根据权利的创新高度确定保护强度。

二、保障措施

（一）鼓励多元化解。支持调解组织参与知识产权纠纷化解。
"""

BARE_LABELS = """最高人民法院关于审理某类案件若干问题的规定

（2001年6月7日最高人民法院审判委员会第1177次会议通过，自2001年7月1日起施行）

法释〔2001〕20号

第一条

为了正确审理某类纠纷案件，制定本规定。

第二条

当事人可以申请。

人民法院应当审查：

（一）证据；

（二）担保。

第三条

本规定自2001年7月1日起施行。
"""

NUMBERED_REPLY = """最高人民法院关于某问题的批复

法释〔2002〕5号

（2002年1月1日最高人民法院审判委员会第1200次会议通过）

某省高级人民法院：

你院请示收悉。经研究，答复如下：

一、当事人起诉的，人民法院应当受理。

二、人民法院审理时可以委托鉴定。
"""

NEWS = "本报讯 昨日，第十二届海峡两岸文博会在厦门开幕。\n展会期间举办了数字文创产业论坛。\n据介绍，本届文博会将持续四天。\n"


def _seg(text: str):
    return segment(clean(text), "t.txt")


def test_regulation_with_contents_and_sections():
    d = _seg(REGULATION)
    assert (d.genre, d.kind, d.issuer) == ("statute", "regulation", "国务院")
    assert d.title == "中华人民共和国植物新品种保护条例"
    assert [(e.kind, e.date) for e in d.events] == [("published", "1997-03-20"), ("revised", "2013-01-31"), ("revised", "2014-07-29")]
    assert (d.version_date, d.effective) == ("2014-07-29", None)
    assert [a.number for a in d.articles] == ["1", "2", "3", "4", "5"]
    assert [(p.label, p.title, p.first_article, p.parent) for p in d.parts] == [
        ("第一章", "总则", "1", None), ("第二章", "品种权的内容和归属", "3", None),
        ("第一节", "一般规定", "3", "第二章"), ("第三章", "附则", "5", None)]
    a4 = d.articles[3]
    assert a4.part == "第一节" and len(a4.paragraphs) == 2
    assert [i.text for i in a4.paragraphs[0].items] == ["利用授权品种进行育种及其他科研活动；", "农民自繁自用授权品种的繁殖材料。"]
    assert a4.paragraphs[1].text == "依照本条例第三条的规定处理。"
    self_refs = [c for c in find_citations(d.clean) if c.self_ref]
    assert [(c.title, [a.article for a in c.articles]) for c in self_refs] == [("条例", ["3"])]


def test_interpretation_behind_its_announcement():
    d = _seg(ANNOUNCED)
    assert d.title == "最高人民法院关于审理侵犯专利权纠纷案件应用法律若干问题的解释（二）"
    assert (d.kind, d.issuer, d.doc_number) == ("judicial_interpretation", "最高人民法院", "法释〔2016〕1号")
    assert (d.version_date, d.effective) == ("2016-01-25", "2016-04-01")
    assert len(d.articles) == 3 and d.preamble.startswith("为正确审理")
    cites = find_citations(d.clean, ["专利法"])
    assert [(c.title, [(a.article, a.paragraph) for a in c.articles]) for c in cites if c.articles] == [
        ("专利法", [("60", None), ("65", 1)])]


def test_local_regulation():
    d = _seg(LOCAL)
    assert (d.kind, d.issuer, d.version_date, d.effective) == (
        "local_regulation", "厦门市人民代表大会常务委员会", "2019-04-25", "2019-07-01")
    assert [p.label for p in d.parts] == ["第一章", "第二章"]


def test_reply_without_articles():
    d = _seg(REPLY)
    assert (d.genre, d.kind, d.doc_number, d.articles) == ("statute", "judicial_interpretation", "法释〔2030〕99号", ())
    assert (d.version_date, d.effective) == ("2030-05-31", "2030-06-03")
    assert d.body.startswith("某省高级人民法院：") and d.body.endswith("之日起计算。")


def test_article_labels_on_their_own_lines():
    d = _seg(BARE_LABELS)
    assert [(a.number, a.text.split("\n")[0]) for a in d.articles] == [
        ("1", "为了正确审理某类纠纷案件，制定本规定。"), ("2", "当事人可以申请。"), ("3", "本规定自2001年7月1日起施行。")]
    assert [len(p.items) for p in d.articles[1].paragraphs] == [0, 2]
    assert (d.version_date, d.effective, d.doc_number) == ("2001-06-07", "2001-07-01", "法释〔2001〕20号")


def test_reply_numbered_one_two():
    d = _seg(NUMBERED_REPLY)
    assert d.genre == "statute" and [(a.number, a.label) for a in d.articles] == [("1", "一、"), ("2", "二、")]
    assert d.articles[1].text == "人民法院审理时可以委托鉴定。"


def test_typical_case_without_case_number():
    d = _seg(TYPICAL)
    assert d.genre == "case" and d.instances == () and d.courts == ("杭州市中级人民法院",)
    assert [s.name for s in d.sections] == ["基本案情", "裁判结果", "典型意义"]
    assert [(p.role, p.name) for p in d.parties] == [("原告", "某甲公司"), ("被告", "某乙公司")]
    assert d.cause == "侵害商业秘密纠纷"


def test_opinion_without_doc_number():
    d = _seg(OPINION)
    assert d.genre == "policy" and d.header.doc_number is None
    assert d.header.title == "关于加强知识产权审判工作的若干意见"
    assert [len(s.measures) for s in d.sections] == [2, 1]


@pytest.mark.parametrize("text, genre", [
    (REGULATION, "statute"), (ANNOUNCED, "statute"), (LOCAL, "statute"), (REPLY, "statute"),
    (TYPICAL, "case"), (OPINION, "policy"), (NEWS, "unknown"), (BARE_LABELS, "statute"), (NUMBERED_REPLY, "statute"),
])
def test_detect_genre(text, genre):
    assert detect_genre(clean(text).text) == genre


def test_text_that_is_not_a_legal_document_is_refused_with_its_cause():
    with pytest.raises(IngestError, match="news.txt: unrecognised genre, not a legal document"):
        segment(clean(NEWS), "news.txt")


def test_every_genre_builds_a_valid_graph(tmp_path):
    """All of them in one run, with the curated records: the graph passes the SHACL shapes."""
    from ingest.corpus import load_corpus
    from ingest.pipeline import build
    from kg.ns import IPRG
    from ontology.validate import validate

    paths = []
    for name, text in (("reg", REGULATION), ("spc", ANNOUNCED), ("local", LOCAL), ("reply", REPLY),
                       ("typical", TYPICAL), ("opinion", OPINION)):
        p = tmp_path / f"{name}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    g = build(paths, load_corpus()).graph
    validate(g)
    from rdflib import Literal
    from rdflib.namespace import RDF

    regs = [s for s in g.subjects(IPRG.statuteKind, Literal("regulation")) if (s, IPRG.text, None) in g]
    assert len(regs) == 1
    # the 2014 text of a family versions.yaml knows: its own version node, dated
    assert str(regs[0]).endswith("/statute/plant_variety_regulations_2014")
    assert (regs[0], RDF.type, IPRG.Statute) in g


def test_sidecar_supplies_what_the_text_lacks(tmp_path):
    """NAME.meta.yaml: 文号, issuer and date for an opinion printed without them; a wrong key
    is refused naming the sidecar."""
    from ingest.models import IngestError as Err
    from ingest.pipeline import parse_file

    doc = tmp_path / "opinion.txt"
    doc.write_text(OPINION, encoding="utf-8")
    (tmp_path / "opinion.meta.yaml").write_text(
        "doc_number: 某高法发〔2030〕1号\nissuer: 某省高级人民法院\ndate: 2030-01-02\ngenre: policy\n", encoding="utf-8")
    d = parse_file(doc)
    assert (d.header.doc_number, d.header.issuer, d.header.date) == ("某高法发〔2030〕1号", "某省高级人民法院", "2030-01-02")
    (tmp_path / "opinion.meta.yaml").write_text("number: 1\n", encoding="utf-8")
    with pytest.raises(Err, match=r"opinion.meta.yaml: unknown sidecar field\(s\) \['number'\]"):
        parse_file(doc)
