"""Downloads from Recall's pre-signed links (bot/recall/downloads.py), over httpx's own test
transport: a transcript read item by item, whatever the document holds."""

from __future__ import annotations

import httpx
import pytest

from bot.recall.downloads import MediaDownloads
from bot.recall.errors import RecallNotFound, RecallRejected
from bot.recall.transcript_reader import segments_of

LINK = "https://storage.example.com/transcript.json?X-Amz-Signature=abc"


def serving(body: bytes, status: int = 200) -> MediaDownloads:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    return MediaDownloads(httpx.Client(transport=transport))


def test_a_transcript_is_read_item_by_item_with_plain_numbers() -> None:
    body = (
        b'[{"participant": {"name": "Zo\\u00eb"}, "words": [{"text": "hi", '
        b'"start_timestamp": {"relative": 1.5}, "end_timestamp": {"relative": 2}}]}, 7]'
    )
    [segment] = segments_of(serving(body).items(LINK))
    assert segment.speaker == "Zoë"
    assert (segment.words[0].start, segment.words[0].end) == (1.5, 2.0)
    assert isinstance(segment.words[0].start, float)


def test_a_document_that_is_not_a_list_holds_no_items() -> None:
    assert list(serving(b'{"words": []}').items(LINK)) == []


@pytest.mark.parametrize("body", [b"<Error>not json</Error>", b'[{"words": [', b""])
def test_a_document_that_is_not_json_is_refused_in_plain_words(body: bytes) -> None:
    with pytest.raises(RecallRejected, match="not JSON"):
        list(serving(body).items(LINK))


def test_a_dead_link_is_not_found_before_anything_is_read() -> None:
    with pytest.raises(RecallNotFound):
        serving(b"<Error>AccessDenied</Error>", 403).items(LINK)
