"""The app in a real browser: headless Chromium, driven by Selenium through chromedriver.

The app serves a tiny corpus indexed with the hash test embedder (fast) on 127.0.0.1 and a free
port, in this process. The test asks a question and checks that the answer, its citation and the
cited passage are on the page; uploads a DRCD-like paragraph through the Reports tab and asks about
it; checks that an empty upload is refused and leaves the index unchanged, that report text with
markup is shown as text, and that the figure table fills and downloads as CSV. Skipped only when
Chromium or chromedriver is missing (``.ci/system-deps`` installs them).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write_tiny_corpus  # the same tiny corpus as the unit tests

from cxkb.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
)
WAIT_S = 20

pytestmark = [
    pytest.mark.skipif(
        not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
        reason=f"needs {CHROMIUM} and {CHROMEDRIVER} (Debian: apt-get install chromium chromium-driver; see .ci/system-deps)",
    ),
    # Gradio's own use of pandas, not ours.
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

HOSTILE = (
    "网页抓取的报告\n"
    "这份报告里夹带了脚本 <script>document.title='pwned'</script> 和 ${document.title} 与 {{value}} 等模板。\n"
    "研究显示 52% 的企业计划增加客户体验预算。\n"
)
# A DRCD-style paragraph (traditional script, encyclopedia register), uploaded during the test.
DRCD = (
    "臺北101\n"
    "臺北101（TAIPEI 101）是位於臺灣臺北市信義區的摩天大樓，樓高509.2公尺，地上101層、地下5層。"
    "該大樓於1999年動工，2004年12月31日完工啟用，曾於2004年至2010年間保持世界第一高樓的紀錄。\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    from cxkb.app import create_app, launch_options
    from cxkb.index import build_index
    from cxkb.kb import KnowledgeBase

    root = tmp_path_factory.mktemp("browser")
    hostile_entry = {"title": "<img src=x onerror=\"document.title='pwned'\">抓取", "publisher": "Web"}
    corpus = write_tiny_corpus(root / "corpus", {"scraped.txt": (HOSTILE, hostile_entry)})
    settings = Settings(corpus=corpus, index=root / "index", model="hash:64", chunk_size=80, answerable_threshold=0.0)
    build_index(settings)
    kb = KnowledgeBase.open(settings.index, settings)
    demo = create_app(kb, kb.settings)
    port = _free_port()
    demo.launch(**launch_options(kb.settings, "127.0.0.1", port), prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/", kb.settings
    finally:
        demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cxkb-chromium-")
    downloads = Path(profile) / "downloads"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.cxkb_downloads = downloads
    driver.set_page_load_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, condition, timeout: float = WAIT_S):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def _css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def _open(driver, url: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url)
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#question textarea"))
    # The report filter is filled by the page-load event: wait for it so later events see a settled page.
    _wait(driver, lambda d: "Ask a question" in _css(d, "#answers").text)


def _tab(driver, label: str) -> None:
    from selenium.webdriver.common.by import By

    tab = _wait(driver, lambda d: d.find_element(By.XPATH, f"//button[@role='tab'][contains(., '{label}')]"))
    tab.click()


def _ask(driver, question: str) -> str:
    """Type ``question``, press the button, return the text of the newest answer."""
    from selenium.webdriver.common.by import By

    before = len(driver.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn"))
    box = _css(driver, "#question textarea")
    box.clear()
    box.send_keys(question)
    _css(driver, "#ask").click()
    _wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn")) > before)
    return driver.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn")[0].text


def _upload(driver, path: Path, title: str = "") -> str:
    """Upload ``path`` through the Reports tab's maintainer form; the status message once it changes."""
    from selenium.webdriver.common.by import By

    _tab(driver, "Reports")
    shown = driver.find_elements(By.CSS_SELECTOR, "#upload-add")
    if not (shown and shown[0].is_displayed()):  # open the accordion (its content renders when opened)
        driver.find_element(By.XPATH, "//button[contains(., '添加报告')]").click()
    _wait(driver, lambda d: any(e.is_displayed() for e in d.find_elements(By.CSS_SELECTOR, "#upload-add")))
    clear = driver.find_elements(By.CSS_SELECTOR, "#upload-file button[aria-label='Clear']")
    if clear:
        clear[0].click()
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#upload-file input[type=file]"))
    _css(driver, "#upload-file input[type=file]").send_keys(str(path))
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"#upload-file [aria-label='{path.name}']"))
    box = _css(driver, "#upload-title textarea, #upload-title input")
    box.clear()
    if title:
        box.send_keys(title)
    before = _status(driver)
    _css(driver, "#upload-add").click()
    return _wait(driver, lambda d: (text := _status(d)).strip() and text != before and text)


def _status(driver) -> str:
    """The upload's message, read from its own element: Gradio's progress tracker writes its timer
    ("4/4 steps | 0.4s") into the same box while the upload runs, next to the previous message."""
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, "#upload-status .cxkb-answer, #upload-status .cxkb-error")
    return found[0].text if found else ""


def _generation(settings: Settings) -> str:
    return json.loads((Path(settings.index) / "manifest.json").read_text(encoding="utf-8"))["generation"]


def test_chat_shows_answer_citation_and_passage(served, browser) -> None:
    from selenium.webdriver.common.by import By

    url, _ = served
    started = time.perf_counter()
    _open(browser, url)
    text = _ask(browser, "有核心客户体验指标的组织占多少？")
    assert "87%" in text  # the answer
    assert "[1]" in text  # its citation marker
    assert "客户体验管理报告" in text and "Qualtrics" in text and "qualtrics.txt" in text  # the citation
    turn = browser.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn")[0]
    quote = turn.find_element(By.CSS_SELECTOR, ".cxkb-cite .cxkb-quote")
    assert "核心的客户体验指标" in quote.text  # the cited passage
    assert "87%" in [m.text for m in quote.find_elements(By.TAG_NAME, "mark")]  # the figure, highlighted
    details = turn.find_element(By.CSS_SELECTOR, ".cxkb-cite details")
    details.find_element(By.TAG_NAME, "summary").click()
    assert "151 名" in details.text  # expandable context: the surrounding report text

    traditional = _ask(browser, "有核心客戶體驗指標的組織佔多少？")
    assert "87%" in traditional and "組織" in traditional

    missing = _ask(browser, "贝恩公司调查的门店里有多少家咖啡店？")
    assert "没有找到" in missing and "nearest passages" in missing
    assert time.perf_counter() - started < 30


def test_report_text_is_shown_escaped(served, browser) -> None:
    from selenium.webdriver.common.by import By

    url, _ = served
    _open(browser, url)
    text = _ask(browser, "计划增加客户体验预算的企业占多少？")
    assert "52%" in text
    _tab(browser, "Reports")
    table = _wait(browser, lambda d: "抓取" in _css(d, "#report-table").text and _css(d, "#report-table"))
    assert "onerror" in table.text  # the hostile title is shown as text
    dropdown = _css(browser, "#report-select input")
    dropdown.click()
    option = _wait(browser, lambda d: d.find_element(By.XPATH, "//ul[@role='listbox']//li[contains(., '抓取')]"))
    option.click()
    view = _wait(browser, lambda d: "document.title" in _css(d, "#report-text").text and _css(d, "#report-text"))
    assert "<script>document.title='pwned'</script>" in view.text
    assert "${document.title}" in view.text and "{{value}}" in view.text
    page = browser.find_element(By.CSS_SELECTOR, "#report-text")
    assert not page.find_elements(By.TAG_NAME, "script") and not page.find_elements(By.TAG_NAME, "img")
    assert browser.title != "pwned"


def test_upload_then_ask_and_empty_upload_changes_nothing(served, browser, tmp_path: Path) -> None:
    url, settings = served
    _open(browser, url)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    generation = _generation(settings)
    status = _upload(browser, empty)
    assert "empty" in status and "Nothing was added" in status
    assert _generation(settings) == generation
    assert not (Path(settings.corpus) / "empty.txt").exists()

    report = tmp_path / "taipei101.txt"
    report.write_text(DRCD, encoding="utf-8")
    status = _upload(browser, report, title="臺北101")
    assert "已添加" in status and "taipei101" in status
    assert _generation(settings) != generation
    assert (Path(settings.corpus) / "taipei101.txt").read_text(encoding="utf-8") == DRCD

    _tab(browser, "Chat")
    text = _ask(browser, "臺北101地上有多少層？")
    assert "101層" in text and "509.2公尺" in text and "taipei101.txt" in text


def test_statistics_table_and_csv_download(served, browser) -> None:

    url, _ = served
    _open(browser, url)
    _tab(browser, "Statistics")
    box = _wait(browser, lambda d: _css(d, "#stats-query textarea"))
    box.send_keys("核心指标")
    _css(browser, "#stats-search").click()
    table = _wait(browser, lambda d: "87%" in _css(d, "#stats-table").text and _css(d, "#stats-table"))
    assert "客户体验管理报告" in table.text and "percent" in table.text
    downloads = Path(browser.cxkb_downloads)
    _css(browser, "#stats-csv").click()
    saved = _wait(browser, lambda d: [p for p in downloads.glob("*.csv")])
    raw = saved[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert any(row["value"] == "87%" and row["title"] == "客户体验管理报告" for row in rows)


def test_follow_up_is_shown_as_understood_and_can_be_asked_as_typed(served, browser) -> None:
    from selenium.webdriver.common.by import By

    url, _ = served
    _open(browser, url)
    _ask(browser, "有核心客户体验指标的组织占多少？")
    text = _ask(browser, "那 NPS 呢？")
    assert "理解为" in text and "有核心客户体验指标的组织" in text  # the question as understood
    assert "NPS" in text and "[1]" in text
    button = _wait(browser, lambda d: (b := _css(d, "#ask-typed")).is_displayed() and b)
    turns = len(browser.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn"))
    button.click()
    newest = _wait(
        browser,
        lambda d: "理解为" not in (t := d.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn")[0].text) and t,
    )
    assert newest.startswith("那 NPS 呢？") or "那 NPS 呢？" in newest  # asked as typed, replacing the rewrite
    assert len(browser.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn")) == turns


def test_copy_with_sources_puts_markdown_on_the_clipboard(served, browser) -> None:
    url, _ = served
    _open(browser, url)
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": url.rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    _ask(browser, "有核心客户体验指标的组织占多少？")
    _css(browser, "#copy-sources").click()
    read = "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('ERR ' + e));"
    copied = _wait(browser, lambda d: (t := d.execute_async_script(read)) and "87%" in t and t)
    assert "[1]" in copied and "References:" in copied
    assert "客户体验管理报告" in copied and "?report=qualtrics&start=" in copied


def test_citation_link_opens_the_passage_highlighted(served, browser) -> None:
    from selenium.webdriver.common.by import By

    url, _ = served
    _open(browser, url)
    _ask(browser, "有核心客户体验指标的组织占多少？")
    link = browser.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn")[0].find_element(By.CSS_SELECTOR, "a.cxkb-link")
    href = link.get_attribute("href")
    assert "report=qualtrics" in href and "start=" in href
    browser.get(href)
    mark = _wait(browser, lambda d: (m := d.find_elements(By.CSS_SELECTOR, "#report-text mark#cxkb-target")) and m[0])
    assert "87%" in mark.text and "核心的客户体验指标" in mark.text
    assert _css(browser, "button[role='tab'][aria-selected='true']").text.startswith("报告")


def test_thumbs_down_with_a_correction_lands_in_the_feedback_file_and_is_evaluated(served, browser, tmp_path) -> None:
    from click.testing import CliRunner

    from cxkb.cli import main
    from cxkb.feedback import feedback_path

    url, settings = served
    _open(browser, url)
    _ask(browser, "只有多少受访者认为其组织的客户体验技能和能力很强？")
    path = feedback_path(settings.index)
    before = path.read_text(encoding="utf-8").count("\n") if path.is_file() else 0
    _css(browser, "#feedback button").click()  # open the accordion
    box = _wait(browser, lambda d: (b := _css(d, "#fb-correction textarea, #fb-correction input")).is_displayed() and b)
    box.send_keys("41%")
    _css(browser, "#fb-down").click()
    _wait(browser, lambda d: "recorded" in _css(d, "#fb-status").text)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == before + 1
    row = rows[-1]
    assert row["answers"] == ["41%"] and row["given"]["verdict"] == "down"
    assert row["question"] == "只有多少受访者认为其组织的客户体验技能和能力很强？"
    config = tmp_path / "cxkb.toml"
    config.write_text("answerable_threshold = 0.0\n")
    args = ["--config", str(config), "eval", "--set", str(path), "--index", str(settings.index)]
    out = CliRunner().invoke(main, [*args, "--no-peers", "--out", str(tmp_path / "fb")])
    assert out.exit_code == 0, out.output
    result = json.loads((tmp_path / "fb" / "eval.json").read_text(encoding="utf-8"))
    assert result["questions"]["total"] == len([r for r in rows if r["answerable"] is not None])


def test_the_conversation_exports_as_markdown(served, browser) -> None:
    url, _ = served
    _open(browser, url)
    _ask(browser, "有核心客户体验指标的组织占多少？")
    _ask(browser, "那 NPS 呢？")
    downloads = Path(browser.cxkb_downloads)
    before = set(downloads.glob("cxkb-conversation-*.md"))
    _wait(browser, lambda d: _css(d, "#export-conversation").is_enabled())
    _css(browser, "#export-conversation").click()
    saved = _wait(browser, lambda d: [p for p in downloads.glob("cxkb-conversation-*.md") if p not in before])
    text = _wait(browser, lambda d: (t := saved[0].read_text(encoding="utf-8")) and "那 NPS 呢？" in t and t)
    assert "有核心客户体验指标的组织占多少？" in text and "理解为" in text and "References:" in text
