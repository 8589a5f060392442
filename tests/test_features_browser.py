"""The newer features in Debian's Chromium, on the AUCL 2019 ↔ 2025 example graph: the page
opens on the policy document (Details and Graph), English mode, the path finder's
search-as-you-type, law as of a date, 类案检索 with its report files, 对照 and the change feed.
Screenshots land in the ``output_dir`` fixture's folder."""

from __future__ import annotations

import base64
import io
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import need
from features_graph import AUCL25_10, CASE_2026, MEASURE5, VANILLIN, aucl_store

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Records every text the page ever shows in its live (screen-reader) regions, where Gradio
#: announced "common.complete".
WATCH = """() => {
  window.__texts = [];
  const seen = (t) => { if (t && t.trim()) { window.__texts.push(t.trim()); } };
  new MutationObserver((muts) => muts.forEach((m) => {
    seen(m.target.textContent);
    m.addedNodes.forEach((n) => seen(n.textContent));
  })).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
STRAY = re.compile(r"\b(?:common|errors|blocks|chatbot|dataframe|upload_text)\.[a-z_]+\b")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(shared_dir):
    import uvicorn

    from kg.web.app import create_app

    root = aucl_store(shared_dir).root
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(root), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):   # not a timing assertion: fails only if it never starts
        if server.started:
            break
        time.sleep(0.1)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server_url):
    need(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        pg.set_default_timeout(40000)
        outside: list[str] = []
        pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server_url, "data:", "blob:", "about:")) else None)
        pg.goto(server_url, wait_until="load")
        pg.evaluate(WATCH)
        pg.wait_for_selector("#topic-view a[data-iri]")
        pg.outside = outside  # type: ignore[attr-defined]
        yield pg
        browser.close()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def _set_as_of(page, value: str) -> None:
    box = page.locator("#as-of textarea, #as-of input").first
    box.fill(value)
    box.press("Enter")


def test_details_and_graph_open_on_the_policy_document(page, output_dir):
    _tab(page, "详情 Details")
    page.wait_for_selector("#detail-view .topic-legend")
    text = page.inner_text("#detail-view")
    assert "关于强化知识产权司法保护促推新质生产力发展的若干措施" in text and "厦中法发〔2025〕18号" in text
    assert page.locator("#detail-view a[data-iri*='/measure/']").count() == 20
    assert page.locator("#detail-view .topic-legend .tl").count() >= 10
    page.screenshot(path=str(output_dir / "ui-details-overview.png"), full_page=True)
    _tab(page, "关系图 Graph")
    frame_el = page.wait_for_selector("#graph-view iframe[src*='/viz/document']")
    frame = frame_el.content_frame()
    frame.wait_for_function("() => document.body !== null && document.body.getAttribute('data-stabilized') === '1'")
    legend = frame.inner_text("#bar")
    assert "商业秘密" in legend and "部分" in legend        # topics of the measures' colours, and the kinds
    colours = frame.evaluate("""() => {
        const ds = window.iprgNetwork.body.data.nodes;
        return ds.get().filter(n => n.id.includes('/measure/')).map(n => n.color.background);
    }""")
    assert len(colours) == 20 and len(set(colours)) >= 5
    page.screenshot(path=str(output_dir / "ui-graph-document.png"), full_page=True)


def test_path_finder_searches_as_you_type(page, output_dir):
    _tab(page, "关系图 Graph")
    start = page.get_by_label("起点 From")
    start.click()
    start.press_sequentially("香兰素", delay=60)
    page.wait_for_selector("ul[role=listbox] li:has-text('香兰素')")
    page.locator("ul[role=listbox] li", has_text="香兰素").first.click()
    end = page.get_by_label("终点 To")
    end.click()
    end.press_sequentially("差异化", delay=60)
    page.wait_for_selector("ul[role=listbox] li:has-text('差异化精准保护')")
    page.locator("ul[role=listbox] li", has_text="差异化精准保护").first.click()
    page.get_by_role("button", name="查找路径 Find path").click()
    page.wait_for_selector("#path-steps a[data-iri*='/measure/']")
    steps = page.inner_text("#path-steps")
    assert "香兰素" in steps and "落实商业秘密差异化精准保护" in steps
    page.screenshot(path=str(output_dir / "ui-path-search-as-you-type.png"), full_page=True)


def test_law_as_of_a_date_and_the_version_flag_on_a_case(page, output_dir):
    _tab(page, "检索 Search")
    page.fill("#search-box textarea", "香兰素")
    page.click("#search-btn")
    page.locator(f"#search-results a[data-iri='{VANILLIN}']").first.click()
    page.wait_for_selector("#detail-extra li[data-cited]")
    flags = page.inner_text("#detail-extra")
    assert "反不正当竞争法（2019）第九条" in flags and "后来的版本改了条号（文字未变）" in flags
    assert "反不正当竞争法（2025）第十条" in flags and "后来的版本改了条号和文字" in flags
    page.screenshot(path=str(output_dir / "ui-case-version-flags.png"), full_page=True)
    page.locator("#detail-view a[data-iri$='/article/prc_aucl_2019/9']").first.click()
    page.wait_for_selector("#detail-extra table.versions")
    _set_as_of(page, "2026-01-01")
    page.wait_for_function("() => (document.querySelector('#detail-extra .asof') || {}).textContent?.includes('2026-01-01')")
    later = page.inner_text("#detail-extra")
    assert "已被取代" in later and page.locator(f"#detail-extra .asof a[data-iri='{AUCL25_10}']").count() == 1
    assert page.locator("#detail-extra tr.now").inner_text().startswith("反不正当竞争法（2025）")
    page.screenshot(path=str(output_dir / "ui-article-as-of-2026.png"), full_page=True)
    _set_as_of(page, "2020-06-01")
    page.wait_for_function("() => (document.querySelector('#detail-extra .asof') || {}).textContent?.includes('2020-06-01')")
    assert "即为有效条文" in page.inner_text("#detail-extra .asof")
    assert page.locator("#detail-extra tr.now").inner_text().startswith("反不正当竞争法（2019）")
    page.screenshot(path=str(output_dir / "ui-article-as-of-2020.png"), full_page=True)
    _tab(page, "专题 Topics")
    page.click("#topic-picker input")
    page.fill("#topic-picker input", "商业秘密")
    page.locator("ul[role=listbox] li", has_text="商业秘密").first.click()
    page.wait_for_selector("#topic-asof .asof-box")
    assert "截至 2020-06-01" in page.inner_text("#topic-asof")
    page.screenshot(path=str(output_dir / "ui-topic-as-of-2020.png"), full_page=True)
    _set_as_of(page, "")


def test_similar_cases_panel_and_report_files(page, output_dir):
    from docx import Document

    _tab(page, "类案检索 Similar")
    page.fill("#similar-text textarea", "原告的前员工违反保密义务，将原告的技术秘密披露给被告使用，违反反不正当竞争法第十条。")
    page.wait_for_function("() => document.querySelector('#similar-mode input[value=facts]').checked")
    page.click("#similar-run")
    page.wait_for_selector(f"#similar-view .hit-card[data-case='{VANILLIN}']")
    card = page.inner_text(f"#similar-view .hit-card[data-case='{VANILLIN}']")
    assert "援引对应条文：反不正当竞争法（2025）第十条 与 反不正当竞争法（2019）第九条" in card
    assert "(2020)最高法知民终1667号" in card and "典型案例" in card
    page.screenshot(path=str(output_dir / "ui-similar-facts.png"), full_page=True)
    href = page.get_attribute("#similar-view a.download[download$='.docx']", "href")
    data = base64.b64decode(href.split(",", 1)[1])
    doc = Document(io.BytesIO(data))
    assert doc.tables and any("援引对应条文" in p.text for p in doc.paragraphs)
    (output_dir / "ui-similar-report.docx").write_bytes(data)
    md = base64.b64decode(page.get_attribute("#similar-view a.download[download$='.md']", "href").split(",", 1)[1])
    assert "# 类案检索报告" in md.decode("utf-8")
    page.click("#similar-mode label:has-text('案例 A case')")
    page.click("#similar-case input")
    page.fill("#similar-case input", "闽02民初101号")
    page.locator("ul[role=listbox] li", has_text="闽02民初101号").first.click()
    page.click("#similar-run")
    page.wait_for_function("(q) => document.querySelector('#similar-view').innerText.includes(q)", arg="闽02民初101号")
    page.wait_for_selector(f"#similar-view .hit-card[data-case='{VANILLIN}']")
    page.screenshot(path=str(output_dir / "ui-similar-case-2026.png"), full_page=True)


def test_compare_side_by_side(page, output_dir):
    _tab(page, "对照 Compare")
    page.click("#compare-topic input")
    page.fill("#compare-topic input", "商业秘密")
    page.locator("ul[role=listbox] li", has_text="商业秘密").first.click()
    page.wait_for_selector(f"#compare-side .cmp-item[data-item='{MEASURE5}']")
    side = page.inner_text("#compare-side")
    assert "反不正当竞争法（2019）第九条" in side and "反不正当竞争法（2025）第十条" in side
    ji = page.locator("#compare-side .cmp-col[data-doc$='/statute/spc_trade_secret_civil_provisions_2020']")
    assert "商业秘密司法解释" in ji.inner_text() and ji.locator(".cmp-item").count() >= 5
    assert page.locator(f"#compare-side .cmp-item[data-item='{MEASURE5}'] a[data-iri*='/case/']").count() >= 3
    page.wait_for_selector("#compare-matrix table.cmp-matrix")
    page.screenshot(path=str(output_dir / "ui-compare-trade-secrets.png"), full_page=True)
    page.locator("#compare-matrix a[data-topic='frand_sep']").first.click()
    page.wait_for_function("() => document.querySelector('#compare-side h2').innerText.includes('标准必要专利')")


def test_change_feed_tab(page, output_dir):
    _tab(page, "变更 Changes")
    page.wait_for_selector("#changes-view li.change")
    page.fill("#changes-article textarea, #changes-article input", "prc_aucl_2025/10")
    page.click("#changes-run")
    page.wait_for_function("() => document.querySelector('#changes-view').innerText.includes('厦门某新材料科技有限公司')")
    text = page.inner_text("#changes-view")
    assert "新增关系“援引”：反不正当竞争法（2025）第十条" in text
    assert page.locator(f"#changes-view a[data-iri='{CASE_2026}']").count() >= 1
    assert page.locator("#changes-view a[href*='/api/v1/changes.atom']").count() == 1
    page.screenshot(path=str(output_dir / "ui-changes.png"), full_page=True)


def test_english_mode(page, output_dir):
    page.get_by_text("English", exact=True).click()
    _tab(page, "专题 Topics")
    page.click("#topic-picker input")
    page.fill("#topic-picker input", "Trade secrets")
    page.locator("ul[role=listbox] li", has_text="Trade secrets").first.click()
    page.wait_for_function("() => document.querySelector('#topic-view').innerText.includes('Measure 5')")
    topic = page.inner_text("#topic-view")
    assert "Measure 5 · Protect trade secrets in a differentiated and precise way" in topic
    assert "Issue evidence guidelines for civil trade-secret disputes" in topic
    assert "[zh]" not in topic.split("Cases")[0]          # measures and rules all in English
    page.screenshot(path=str(output_dir / "ui-topic-english.png"), full_page=True)
    page.locator(f"#topic-view a[data-iri='{MEASURE5}']").first.click()
    page.wait_for_function("() => document.querySelector('#detail-view h2').innerText.includes('Measure 5')")
    marks = page.locator("#detail-view .src mark")
    assert marks.count() == 12                            # every mention of measure 5, nested ones too
    page.screenshot(path=str(output_dir / "ui-measure-5-english.png"), full_page=True)
    page.get_by_text("中文", exact=True).click()


def test_no_stray_i18n_keys_and_nothing_from_outside(page):
    texts = page.evaluate("() => window.__texts") + [page.inner_text("body")]
    assert [t for t in texts if STRAY.search(t)] == []
    assert page.outside == []  # type: ignore[attr-defined]
