"""The Gradio app in headless Chromium: type a question, press Ask, see answer and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.uitest_support import RunningServer
from ui.app.headless import ask_in_browser, chromium, missing_browser


def test_ask_in_the_browser_shows_answer_and_evidence(
    server: RunningServer, tmp_path: Path
) -> None:
    reason = missing_browser()
    if reason:
        print(f"skipping the browser test: {reason}")
        pytest.skip(reason)
    driver = chromium(tmp_path / "profile")
    try:
        seen = ask_in_browser(driver, server.url, "Who founded Brightwater Labs?")
        shot = tmp_path / "ask.png"
        driver.save_screenshot(str(shot))
    finally:
        driver.quit()
    assert "Orin Vale" in seen["answer"]
    assert "brightwater_labs" in seen["evidence"]
    assert shot.stat().st_size > 10_000
