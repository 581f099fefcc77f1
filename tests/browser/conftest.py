"""A real browser for the page tests: Playwright driving Debian's Chromium.

`./dev test` installs Debian's `chromium` and `fonts-noto-cjk` when it can; elsewhere set
TENANTRY_CHROMIUM to a Chromium binary. Playwright's own browser download is not used.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

# Quiet on a closed network: no update checks, no sync, no first-run pages.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("TENANTRY_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "the browser tests need Chromium: `apt-get install chromium fonts-noto-cjk` "
            "(./dev test does this when it runs as root) or set TENANTRY_CHROMIUM"
        )
    return path


# Module scope, not session: the sync driver runs an event loop on the main thread while
# it is open, and the suite's asyncio tests cannot run beside it.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
