"""Tests of the whole process (the Procfile's command, the CLI, a browser, the edge under
attack, fault injection): slower, so marked `slow` (`pytest -m "not slow"` skips them)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.slow)
