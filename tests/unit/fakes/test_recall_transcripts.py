"""The Recall fake's transcripts have Recall's shapes: bots with transcript and participant-event
shortcuts validate against the OpenAPI `Bot` schema, Create Async Transcript answers a
`TranscriptArtifact`, and the pre-signed downloads behave like S3's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4

from tests.fakes.recall import FakeRecall
from tests.fakes.recall_transcripts import segment, span
from tests.unit.fakes.test_fakes import _SPEC_URI, _spec_as_recall_serves_it

BOTS = "/api/v1/bot/"
CAPTIONS = {"transcript": {"provider": {"meeting_captions": {}}}}


@pytest.fixture(scope="module")
def schema() -> Callable[[str], Any]:
    """Validators for `components.schemas.<name>`, as tests/unit/fakes/test_fakes.py builds them,
    with one more place where Recall's document disagrees with what it serves: it marks every
    async provider `required` in a transcript's `provider`, which names the one provider used."""
    spec = _spec_as_recall_serves_it()
    del spec["components"]["schemas"]["TranscriptArtifactProvider"]["required"]
    resource = DRAFT4.create_resource(spec)
    registry = Registry().with_resource(_SPEC_URI, resource)

    def validator(name: str) -> Any:
        ref = {"$ref": f"{_SPEC_URI}#/components/schemas/{name}"}
        return OAS30ReadValidator(ref, registry=registry, format_checker=oas30_format_checker)

    return validator


def finished_bot(api: httpx.Client, recall: FakeRecall) -> str:
    bot = api.post(
        BOTS, json={"meeting_url": "https://zoom.us/j/81234567890", "recording_config": CAPTIONS}
    )
    bot_id = bot.json()["id"]
    recall.run_meeting(bot_id)
    return bot_id


@pytest.mark.parametrize("status", ["done", "processing", "failed"])
def test_bot_with_a_transcript_matches_the_openapi_schema(
    api: httpx.Client, recall: FakeRecall, schema: Callable[[str], Any], status: str
) -> None:
    bot_id = finished_bot(api, recall)
    recall.set_transcript(
        bot_id, [segment("Ada", "hello")], status=status, speaker_timeline=[span("Ada", 0, 1)]
    )
    bot = api.get(f"{BOTS}{bot_id}/").json()
    schema("Bot").validate(bot)
    shortcuts = bot["recordings"][0]["media_shortcuts"]
    url = shortcuts["transcript"]["data"]["download_url"]
    assert (url is not None) is (status == "done")
    assert shortcuts["transcript"]["provider"] == {"meeting_captions": {}}
    assert shortcuts["participant_events"]["data"]["speaker_timeline_download_url"]


def test_downloads_are_recalls_format_and_die_like_s3_links(
    api: httpx.Client, recall: FakeRecall
) -> None:
    bot_id = finished_bot(api, recall)
    said = [segment(None, "first"), segment("Zoë", "hello there", start=1.0)]
    recall.set_transcript(bot_id, said)
    url = api.get(f"{BOTS}{bot_id}/").json()["recordings"][0]["media_shortcuts"]["transcript"][
        "data"
    ]["download_url"]

    document = httpx.get(url).json()
    assert document[0]["participant"] is None
    assert document[1]["participant"]["name"] == "Zoë"
    assert document[1]["words"][0]["start_timestamp"]["relative"] == 1.0
    assert httpx.get(url.replace("X-Amz-Signature=", "X-Amz-Signature=0")).status_code == 403
    recall.expire_document_urls()
    assert httpx.get(url).status_code == 403


def test_create_async_transcript_answers_a_transcript_artifact(
    api: httpx.Client, recall: FakeRecall, schema: Callable[[str], Any]
) -> None:
    bot_id = finished_bot(api, recall)
    recording_id = api.get(f"{BOTS}{bot_id}/").json()["recordings"][0]["id"]
    path = f"/api/v1/recording/{recording_id}/create_transcript/"

    created = api.post(path, json={"provider": {"recallai_async": {"language_code": "auto"}}})

    assert created.status_code == 200
    schema("TranscriptArtifact").validate(created.json())
    assert created.json()["status"]["code"] == "processing"
    assert api.post(path, json={"provider": {"whisper": {}}}).status_code == 400
    assert api.post(path, json={}).status_code == 400
    unknown = "/api/v1/recording/00000000-0000-0000-0000-000000000000/create_transcript/"
    assert api.post(unknown, json={"provider": {"recallai_async": {}}}).status_code == 404
