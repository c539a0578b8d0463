"""Drive the app in Debian's headless Chromium (the browser test and scripts/screenshot.py).

Selenium is a test/dev dependency, imported only here.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-dev-shm-usage", "--window-size=1280,1400",
)


def missing_browser() -> str | None:
    """Why the browser cannot run here, or None when chromium and its driver are installed."""
    absent = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    if absent:
        return f"{' and '.join(absent)} not installed (make browser installs them with apt)"
    return None


def chromium(user_data_dir: Path) -> Any:
    """A headless Chromium WebDriver with a fresh profile; the caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    service = Service(executable_path=shutil.which("chromedriver") or "chromedriver")
    return webdriver.Chrome(options=options, service=service)


def ask_in_browser(driver: Any, url: str, question: str, timeout: float = 180) -> dict[str, str]:
    """Type `question` on the Ask tab, press Ask, and return the answer and evidence text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, timeout)
    driver.get(url)
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#question textarea")))
    box.send_keys(question)
    driver.find_element(By.CSS_SELECTOR, "button#ask-button, #ask-button button").click()
    wait.until(lambda d: d.find_element(By.ID, "answer").text.strip())
    wait.until(lambda d: d.find_element(By.ID, "route").text.strip())
    return {
        "answer": driver.find_element(By.ID, "answer").text,
        "route": driver.find_element(By.ID, "route").text,
        "evidence": driver.find_element(By.ID, "evidence").text,
    }
