"""Headless Chromium for the browser tests: Debian's `chromium`, driven by Playwright.

When `/usr/bin/chromium` is missing and we are root with apt-get, it is installed once per
session; otherwise the tests fail with the command to run. Never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_TIMEOUT = 1800  # seconds: a cold apt cache on a slow mirror
# `expect(...)` waits this long (ms) for the page to get there: generous, for loaded machines.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _install_chromium() -> str:
    """Install Debian's chromium with apt-get; what went wrong, or '' when it worked."""
    try:
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                check=False,
            )
            if done.returncode != 0:
                return f"`{' '.join(command)}` failed: {done.stderr.strip()[-500:]}"
    except subprocess.TimeoutExpired as exc:
        return f"`{' '.join(exc.cmd)}` took more than {INSTALL_TIMEOUT} s"
    return ""


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    problem = ""
    if not CHROMIUM.exists():
        if os.geteuid() == 0 and shutil.which("apt-get"):
            problem = _install_chromium()
        else:
            problem = "not running as root with apt-get, so it was not installed automatically"
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM} ({problem or 'still missing'}). "
            "Install it with `sudo apt-get install chromium` (Debian/Ubuntu) and run the tests "
            "again.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
