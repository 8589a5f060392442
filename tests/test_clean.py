"""clean/decode on the seed (PDF line breaks, page starts) and on encodings."""

from __future__ import annotations

import re

import pytest
from conftest import SEED

from ingest.clean import clean, decode, markdown_to_text
from ingest.models import IngestError


@pytest.fixture(scope="module")
def seed():
    text = decode(SEED.read_bytes(), SEED)
    return clean(text)


@pytest.mark.parametrize("joined", [
    "基因与生物技术", "标准必要专利", "AI辅助生成内容", "保护企业合法权益", "全链条规范流程",
    "《最高人民法院关于以高质量审判服务保障科技创新的意见》", "涉5G标准必要专利", "依法认定AIGC的",
    "依托WIPO仲裁与调解中心", "按照FRAND原则确定法律责任",
])
def test_words_broken_by_pdf_lines_are_joined(seed, joined):
    assert joined in seed.text


@pytest.mark.parametrize("line", [
    "一、加强重点科技创新成果保护", "厦中法发〔2025〕18号", "各区法院，中院各部门：", "2025年4月24日",
    "关于强化知识产权司法保护",
])
def test_paragraph_breaks_kept_by_structure(seed, line):
    assert line in seed.text.split("\n")


def test_measures_start_paragraphs(seed):
    starts = [p for p in seed.text.split("\n") if re.match(r"\d{1,2}\.", p)]
    assert [int(p.split(".")[0]) for p in starts] == list(range(1, 21))


def test_offset_map_points_into_original(seed):
    for term in ("标准必要专利", "基因与生物技术", "商业秘密", "FRAND原则"):
        i = seed.text.index(term)
        s, e = seed.span_to_original(i, i + len(term))
        assert re.sub(r"\s", "", seed.original[s:e]) == term
    assert seed.to_original(len(seed.text)) == len(seed.original)


def test_page_furniture_dropped():
    raw = "第一段文字内容。\n- 2 -\n\f 某某法院\n1.第一项措施。\n第 3 页\n\f 某某法院\n2.第二项措施。\n"
    ct = clean(raw)
    assert "- 2 -" not in ct.text and "第 3 页" not in ct.text
    assert "某某法院" not in ct.text            # running header on two page tops
    assert ct.text.split("\n") == ["第一段文字内容。", "1.第一项措施。", "2.第二项措施。"]


def test_width_folding_and_spaces():
    ct = clean("依托 ＷＩＰＯ仲裁，涉 ５G标准　必要专利，Apple Inc. 的请求。")
    assert ct.text == "依托WIPO仲裁，涉5G标准必要专利，Apple Inc.的请求。"
    assert "（" not in ct.text
    assert clean("案号（2019）最高法知民终732号。").text == "案号（2019）最高法知民终732号。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk"])
def test_decode_encodings(encoding):
    text = "厦门市中级人民法院关于强化知识产权司法保护的若干措施。"
    assert decode(text.encode(encoding), "x.txt") == text


@pytest.mark.parametrize("data, cause", [
    (b"", "empty"),
    (b"   \n\n ", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(1, 32)) * 20, "binary"),
    ("知识产权".encode() [:-1], "truncated"),
])
def test_decode_rejects_bad_input(data, cause):
    with pytest.raises(IngestError) as e:
        decode(data, "bad.txt")
    assert "bad.txt" in str(e.value) and cause in str(e.value)


@pytest.mark.parametrize("md,text", [
    ("## 一、加强保护\n（一）第一项", "一、加强保护\n（一）第一项"),          # heading marks go, lines stay
    ("# 关于…的意见 #", "关于…的意见"),                                   # closing hashes too
    ("> 本院认为，被告**构成侵权**。", "本院认为，被告构成侵权。"),          # quote and bold
    ("一、总则\n\n---\n\n二、分则", "一、总则\n\n\n\n二、分则"),             # a horizontal rule
    ("第1条 a*b*c 与 5 * 3", "第1条 a*b*c 与 5 * 3"),                       # single stars are text
])
def test_markdown_to_text(md, text):
    assert markdown_to_text(md) == text
