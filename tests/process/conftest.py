"""Tests of the whole process (the Procfile's command, the CLI, a browser, the edge under
attack, fault injection): slower, so marked `slow` (`pytest -m "not slow"` skips them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium (tests/browser.py). CI installs it (.ci/run): there a missing browser
    fails the test; elsewhere the test is skipped."""
    if CHROMIUM is None and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    assert CHROMIUM, "chromium is required here (CI installs it)"
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
