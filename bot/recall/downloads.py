"""Fetching what Recall's pre-signed download links point at (a transcript, a speaker timeline).

The links carry their own signature, so no API key goes with them (a storage service refuses
a request signed twice, and the key has no business there). A link is a short-lived credential:
it is used at once and never logged or kept. Bodies are read as a stream and refused past
`MAX_DOWNLOAD_BYTES`, so a surprise cannot fill the memory. Failures are the client's own
(bot/recall/errors.py): RecallUnavailable (network, timeout, 5xx: try again), RecallNotFound
(403/404: the link died; ask Recall for a fresh one), RecallRejected (too big, or not JSON).

A transcript is read item by item (`items`, with ijson's C parser): `json.loads` of a
three-hour meeting holds the GIL for over 100 ms in one go, and the event loop answering slash
commands in the same process would wait that long.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import ijson

from bot.recall.errors import RecallNotFound, RecallRejected, RecallUnavailable

# A three-hour meeting's transcript is a few megabytes; ten hours of dense speech stays under
# this.
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=5.0)


class MediaDownloads:
    def __init__(self, http: httpx.Client | None = None, max_bytes: int = MAX_DOWNLOAD_BYTES):
        self._http = http or httpx.Client(
            timeout=DOWNLOAD_TIMEOUT,
            headers={"User-Agent": "slack-record"},
            follow_redirects=True,
            transport=httpx.HTTPTransport(retries=2),
        )
        self._max_bytes = max_bytes

    def json(self, url: str) -> Any:
        """The JSON document at a pre-signed link."""
        body = self._bytes(url)
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise RecallRejected(200, "the download is not JSON") from exc

    def items(self, url: str) -> Iterator[Any]:
        """The items of the JSON list at a pre-signed link, parsed one at a time as they are
        asked for (none when the document is not a list). Downloads at once; the iterator
        raises RecallRejected if the document turns out not to be JSON."""
        return _items(self._bytes(url))

    def close(self) -> None:
        self._http.close()

    def _bytes(self, url: str) -> bytes:
        try:
            with self._http.stream("GET", url) as response:
                if response.status_code in (403, 404, 410):
                    raise RecallNotFound(f"the download link answered {response.status_code}")
                if response.status_code >= 400:
                    raise RecallUnavailable(f"the download answered {response.status_code}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise RecallRejected(200, f"the download is over {self._max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise RecallUnavailable(f"the download timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise RecallUnavailable(f"could not download ({type(exc).__name__})") from exc


def _items(body: bytes) -> Iterator[Any]:
    try:
        yield from ijson.items(io.BytesIO(body), "item", use_float=True)
    except (ijson.JSONError, RecursionError) as exc:
        raise RecallRejected(200, "the download is not JSON") from exc
