"""Screenshots for the README: a two-turn conversation and an open question, in headless Chromium.

Serves the default index (``cxkb build`` first) on a free loopback port in this process and drives the chat
with Selenium, as the browser tests do. Writes ``docs/chat-followup.png`` and ``docs/chat-open.png``.

    .venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from cxkb.app import create_app, launch_options, open_kb

DOCS = Path(__file__).resolve().parent
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1500")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask(driver, question: str) -> None:
    before = len(driver.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn"))
    box = driver.find_element(By.CSS_SELECTOR, "#question textarea")
    box.clear()
    box.send_keys(question)
    driver.find_element(By.CSS_SELECTOR, "#ask").click()
    WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#answers .cxkb-turn")) > before)


def main() -> None:
    kb = open_kb()
    demo = create_app(kb, kb.settings)
    port = _port()
    demo.launch(**launch_options(kb.settings, "127.0.0.1", port), prevent_thread_lock=True, quiet=True)
    profile = tempfile.mkdtemp(prefix="cxkb-shots-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        for name, questions in (
            ("chat-followup.png", ["石化领先者中开发人物角色的比例是多少？", "那其他企业呢？"]),
            ("chat-open.png", ["企业应该如何推动客户体验的数字化转型？"]),
        ):
            driver.get(f"http://127.0.0.1:{port}/")
            WebDriverWait(driver, 30).until(lambda d: "Ask a question" in d.find_element(By.ID, "answers").text)
            for question in questions:
                _ask(driver, question)
            driver.find_element(By.ID, "answers").screenshot(str(DOCS / name))
            print("wrote", DOCS / name)
    finally:
        driver.quit()
        demo.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
