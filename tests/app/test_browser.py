"""The UI in a real headless Chromium: ask, click a citation, see the exact sentence highlighted."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from app_helpers import output_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
EXTERNAL_REQUESTS: list[str] = []  # every request the page made to another host
QUESTION = "哪些区提出了2025年中医馆建设目标？"
EVIL_DOC_ID = "moonlight-clinic-plan"
EVIL_TEXT = """虚构区月光诊所建设方案
一、总体目标
到2028年建成月光诊所9家。月光诊所夜间接诊时间为<script>window.__xss=1</script><img src=x onerror="window.__xss=2">每晚八点至十二点,${1+1} {{value}}。
"""


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: `make browser` installs it (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        host = urlsplit(base_url).netloc

        def record(request: object) -> None:
            url = request.url  # type: ignore[attr-defined]
            if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != host:
                EXTERNAL_REQUESTS.append(url)

        page.on("request", record)
        page.goto(f"{base_url}/ui/")
        page.wait_for_selector("#question-box textarea", timeout=60_000)
        yield page
        browser.close()


def ask_in_ui(page: object, question: str) -> object:
    turns = page.locator("#chat-log .turn")  # type: ignore[attr-defined]
    before = turns.count()
    page.fill("#question-box textarea", question)  # type: ignore[attr-defined]
    page.click("#ask-button")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        f"document.querySelectorAll('#chat-log .turn').length > {before}", timeout=120_000
    )
    return turns.nth(before)


def open_first_citation(page: object, turn: object) -> tuple[dict, str]:
    button = turn.locator(".answer-text button.cite").first  # type: ignore[attr-defined]
    cited = {k: button.get_attribute(f"data-{k}") for k in ("doc", "start", "end", "quote")}
    button.click()
    mark = page.locator(f'#source-panel mark.cited[data-start="{cited["start"]}"]')  # type: ignore[attr-defined]
    mark.wait_for(timeout=30_000)
    return cited, mark.text_content()


def test_ask_click_citation_highlights_the_quote(page: object, client: httpx.Client) -> None:
    turn = ask_in_ui(page, QUESTION)
    assert "refused" not in turn.get_attribute("class")
    assert turn.locator(".answer-text button.cite").count() >= 1
    cited, highlighted = open_first_citation(page, turn)

    api = client.post("/api/ask", json={"question": QUESTION}).json()
    first = api["citations"][0]
    assert (cited["doc"], int(cited["start"]), int(cited["end"])) == (first["doc_id"], first["start"], first["end"])
    assert highlighted == first["quote"] == cited["quote"]
    path = page.locator("#source-panel .source-path").text_content()  # type: ignore[attr-defined]
    assert " › ".join(first["section"]) == path if first["section"] else path == "（无章节）"
    page.screenshot(path=str(output_dir("browser-citation.png")), full_page=True)  # type: ignore[attr-defined]
    assert EXTERNAL_REQUESTS == [], "the UI must load nothing from outside this server"


def rendering_fonts(page: object, selector: str) -> dict[str, int]:
    """The fonts Chromium really drew the element's text with (family -> glyph count), from the
    DevTools protocol: the CSS font-family list only says what was asked for."""
    cdp = page.context.new_cdp_session(page)  # type: ignore[attr-defined]
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no element matches {selector}"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"]: int(f["glyphCount"]) for f in fonts}


def test_chinese_is_drawn_with_a_cjk_font(page: object) -> None:
    """Screenshots must show Chinese, not boxes: the question bubble (a glyph-bearing element) is
    laid out with real width and its Chinese characters are drawn from Noto Sans CJK."""
    ask_in_ui(page, QUESTION)
    selector = "#chat-log .turn .msg.user .bubble"
    box = page.locator(selector).first.bounding_box()  # type: ignore[attr-defined]
    assert box and box["width"] > 0 and box["height"] > 0
    fonts = rendering_fonts(page, selector)
    cjk = {family: glyphs for family, glyphs in fonts.items() if "CJK" in family}
    assert cjk and sum(cjk.values()) >= len([ch for ch in QUESTION if "\u4e00" <= ch <= "\u9fff"]), fonts
    page.screenshot(path=str(output_dir("browser-cjk-font.png")), full_page=True)  # type: ignore[attr-defined]


UNANSWERABLE = ["北京市朝阳区的医院数量是多少？", "火星基地的医院建设计划是什么？", "What is the capital of France?"]


def test_refusal_is_its_own_state(page: object, client: httpx.Client) -> None:
    refused = [q for q in UNANSWERABLE if client.post("/api/ask", json={"question": q}).json()["refused"]]
    assert refused, f"the engine refused none of {UNANSWERABLE}"
    turn = ask_in_ui(page, refused[0])
    assert "refused" in turn.get_attribute("class")
    label = turn.locator(".refusal-badge").text_content()
    assert label in ("文件中未提及", "Not stated in the documents")
    page.screenshot(path=str(output_dir("browser-refusal.png")), full_page=True)  # type: ignore[attr-defined]


def test_markup_in_a_document_renders_as_text(page: object, client: httpx.Client, tmp_path: Path) -> None:
    files = {"file": (f"{EVIL_DOC_ID}.txt", EVIL_TEXT.encode(), "text/plain")}
    job = client.post("/api/documents", files=files).json()
    deadline = time.monotonic() + 600
    while job["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.5)
        job = client.get(f"/api/jobs/{job['job_id']}").json()
    assert job["status"] == "done", job

    turn = ask_in_ui(page, "月光诊所夜间接诊时间是什么？")
    _, highlighted = open_first_citation(page, turn)
    panel = page.locator("#source-panel .source-text").text_content()  # type: ignore[attr-defined]
    assert "<script>window.__xss=1</script>" in panel and "${1+1} {{value}}" in panel
    assert "<img" in panel
    assert page.evaluate("window.__xss === undefined")  # type: ignore[attr-defined]
    assert page.locator("#source-panel script, #source-panel img").count() == 0  # type: ignore[attr-defined]
    page.screenshot(path=str(output_dir("browser-markup-as-text.png")), full_page=True)  # type: ignore[attr-defined]
    shutil.copy(output_dir("browser-markup-as-text.png"), tmp_path / "browser-markup-as-text.png")


def test_documents_tab_tree_and_upload(page: object, tmp_path: Path) -> None:
    tab = page.get_by_role("tab", name="文件 Documents")  # type: ignore[attr-defined]
    tab.click()
    first = page.locator("#documents-list details.doc").first  # type: ignore[attr-defined]
    first.locator("summary").click()
    assert first.locator(".tree .heading").count() > 0

    upload = tmp_path / "sunrise-rehab-plan.txt"
    upload.write_text("虚构区朝阳康复站方案\n一、目标\n到2029年建成朝阳康复站5个,提供居家康复指导。\n", encoding="utf-8")
    page.set_input_files("#upload-box input[type=file]", str(upload))  # type: ignore[attr-defined]
    page.click("#upload-button")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('#upload-status')?.textContent.includes('sunrise-rehab-plan')", timeout=600_000
    )
    listed = page.locator("#documents-list .doc-meta", has_text="sunrise-rehab-plan")  # type: ignore[attr-defined]
    listed.wait_for(timeout=60_000)  # the list refreshes right after the status line
    assert listed.count() == 1
    page.screenshot(path=str(output_dir("browser-documents.png")), full_page=True)  # type: ignore[attr-defined]
