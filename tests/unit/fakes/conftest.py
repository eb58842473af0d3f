"""The fakes' own tests: an HTTP client that talks to the Recall fake with its API key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.recall import FakeRecall


@pytest.fixture
def api(recall: FakeRecall) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Token {recall.api_key}"}
    with httpx.Client(base_url=recall.base_url, headers=headers, timeout=5) as client:
        yield client
