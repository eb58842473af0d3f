"""Transcripts at Recall: every request we send validates against Recall's OpenAPI document
(tests/data/openapi.json); everything Recall may send (its schemas, its download format, odd
shapes) is read without an error."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from openapi_schema_validator import OAS30WriteValidator
from referencing import Registry, Resource

from bot.model.lifecycle import State
from bot.model.recording import MeetingRequest, Recording
from bot.recall.payload import BotDefaults, bot_payload
from bot.recall.transcript_reader import read_speaker_timeline, read_transcript
from bot.recall.transcripts import (
    PROVIDERS,
    async_transcript_request,
    read_transcript_event,
    read_transcript_media,
)
from tests.fakes.recall_transcripts import segment, span
from tests.paths import DATA
from tests.recall_schemas import FORMATS, bots, json_schema, webhook_schemas

SPEC = json.loads((DATA / "openapi.json").read_text())
PROPERTY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def request_validator(path: str) -> OAS30WriteValidator:
    """Recall's own schema for a request body."""
    body = SPEC["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("", Resource.opaque(SPEC))
    return OAS30WriteValidator({**body, "components": SPEC["components"]}, registry=registry)


def recording() -> Recording:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 2, tzinfo=UTC)
    request = MeetingRequest("T1", "C1", "U1", "https://zoom.us/j/81234567890", "zoom")
    return Recording("r1", State.REQUESTED, request, now, now, now)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_create_bot_body_for_every_provider_is_what_recall_documents(provider: str) -> None:
    body = bot_payload(recording(), BotDefaults(transcript_provider=provider))
    errors = [e.message for e in request_validator("/api/v1/bot/").iter_errors(body)]
    assert errors == []
    transcript = body["recording_config"].get("transcript")
    if provider in ("none", "recallai_async"):  # nothing asked of the bot itself
        assert transcript is None
    else:
        assert list(transcript["provider"]) == [provider]


def test_create_bot_asks_recalls_transcription_for_accuracy() -> None:
    body = bot_payload(recording(), BotDefaults(transcript_provider="recallai_streaming"))
    provider = body["recording_config"]["transcript"]["provider"]
    assert provider == {"recallai_streaming": {"mode": "prioritize_accuracy"}}


def test_async_transcript_request_is_what_recall_documents() -> None:
    validator = request_validator("/api/v1/recording/{id}/create_transcript/")
    assert [e.message for e in validator.iter_errors(async_transcript_request())] == []
    assert list(async_transcript_request()["provider"]) == ["recallai_async"]


def test_download_format_is_read_into_segments() -> None:
    document = [
        segment(None, "before we knew", start=0.0),
        segment("Ada", "hello there", start=2.0),
        {"participant": {"name": "  Bob\n"}, "words": [{"text": "untimed"}]},
    ]
    segments = read_transcript(document)
    assert [s.speaker for s in segments] == [None, "Ada", "Bob"]
    assert segments[1].words[0].text == "hello" and segments[1].words[0].start == 2.0
    assert segments[2].words[0].start is None


@pytest.mark.parametrize(
    "odd",
    [
        None,
        {},
        "text",
        [None, 1, "x", {"words": "nope"}, {"participant": 7, "words": [None, {"text": 3}]}],
        [{"words": [{"text": "a", "start_timestamp": {"relative": True}}]}],
        [{"words": [{"text": "a", "start_timestamp": {"relative": float("nan")}}]}],
        [{"words": [{"text": "   "}]}],
    ],
)
def test_odd_shapes_are_read_without_an_error(odd: Any) -> None:
    for segment_ in read_transcript(odd):
        assert segment_.words
    read_speaker_timeline(odd)


JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=30,
)


@PROPERTY_SETTINGS
@given(JSON)
def test_any_json_is_read_without_an_error(document: Any) -> None:
    read_transcript(document)
    read_speaker_timeline(document)
    read_transcript([{"participant": document, "words": [document, {"text": "x"}]}])


def test_speaker_timeline_is_read_with_open_ends() -> None:
    spans = read_speaker_timeline([span("Ada", 0.0, 3.5), span("Bob", 3.5, None)])
    assert [(s.speaker, s.start, s.end) for s in spans] == [("Ada", 0.0, 3.5), ("Bob", 3.5, None)]


def _shortcut_schema(name: str) -> dict[str, Any]:
    components = copy.deepcopy(SPEC["components"]["schemas"])
    shortcut = components[name]
    if "provider" in shortcut["properties"]:
        # Dozens of providers' options: what we read never looks inside it.
        shortcut["properties"]["provider"] = {"type": "object", "maxProperties": 0}
    schema = json_schema(shortcut, components)
    return {"anyOf": [schema, {"type": "null"}]}


SHORTCUTS = st.tuples(
    from_schema(_shortcut_schema("TranscriptArtifactShortcut"), custom_formats=FORMATS),
    from_schema(_shortcut_schema("ParticipantEventsArtifactShortcut"), custom_formats=FORMATS),
)


@PROPERTY_SETTINGS
@given(bots(min_recordings=1), st.lists(SHORTCUTS, min_size=1, max_size=4))
def test_any_bot_with_transcripts_is_read_without_an_error(
    bot: dict[str, Any], shortcuts: list[tuple[Any, Any]]
) -> None:
    for recording_, (transcript, events) in zip(bot["recordings"], shortcuts, strict=False):
        if isinstance(recording_.get("media_shortcuts"), dict):
            recording_["media_shortcuts"]["transcript"] = transcript
            recording_["media_shortcuts"]["participant_events"] = events
    media = read_transcript_media(bot)
    assert media.done is (media.status == "done" and bool(media.download_url))


def test_the_posted_recordings_transcript_is_read() -> None:
    bot = {
        "id": "b1",
        "status_changes": [],
        "recordings": [
            {
                "id": "rec-1",
                "started_at": "2026-12-02T10:00:00Z",
                "completed_at": "2026-12-02T10:30:00Z",
                "media_shortcuts": {
                    "video_mixed": {
                        "status": {"code": "done"},
                        "data": {"download_url": "https://s3/v.mp4?X-Amz-Signature=v"},
                    },
                    "transcript": {
                        "status": {"code": "done", "sub_code": None},
                        "data": {"download_url": "https://s3/t.json?X-Amz-Signature=t"},
                    },
                    "participant_events": {
                        "data": {"speaker_timeline_download_url": "https://s3/s.json"}
                    },
                },
            }
        ],
    }
    media = read_transcript_media(bot)
    assert media.done and media.recording_id == "rec-1"
    assert media.download_url == "https://s3/t.json?X-Amz-Signature=t"
    assert media.speaker_timeline_url == "https://s3/s.json"
    assert media.recording_seconds == 1800
    assert read_transcript_media({"recordings": []}).status is None


@pytest.mark.parametrize("event", ["transcript.done", "transcript.failed"])
def test_transcript_webhooks_from_recalls_catalog_are_read(event: str) -> None:
    catalog = json.loads((DATA / "webhooks.json").read_text())["data"]
    [entry] = [item for item in catalog if item["name"] == event]
    example = entry["schemas"][max(entry["schemas"])]["examples"][0]
    read = read_transcript_event(example)
    assert read is not None and read.name == event
    assert read.bot_id == example["data"]["bot"]["id"]
    assert read_transcript_event({**example, "event": "video_mixed.done"}) is None


TRANSCRIPT_WEBHOOKS = st.one_of(
    [
        from_schema(schema, custom_formats=FORMATS)
        for name, schema in sorted(webhook_schemas().items())
        if name.startswith("transcript.")
    ]
)


@PROPERTY_SETTINGS
@given(TRANSCRIPT_WEBHOOKS)
def test_any_transcript_webhook_is_read(payload: dict[str, Any]) -> None:
    read = read_transcript_event(payload)
    assert read is None or read.bot_id == payload["data"]["bot"]["id"]
