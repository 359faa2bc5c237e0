"""Headless Chromium for the docs pages: Debian's /usr/bin/chromium driven by Playwright.

Installed with apt-get when missing and running as root; otherwise the browser tests fail
with the command to run (never a skip).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too, for when these tests run without the repository's pyproject.toml.
    config.addinivalue_line("markers", "e2e: needs a browser or a real server")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            subprocess.run(command, env=env, capture_output=True, timeout=1800, check=False)
    if not CHROMIUM.exists():
        pytest.fail(
            f"The docs-page tests need Chromium at {CHROMIUM}: install it with "
            "`sudo apt-get install chromium` and run them again.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
