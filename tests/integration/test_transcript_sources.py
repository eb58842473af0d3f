"""Where transcripts come from, per TRANSCRIPT_PROVIDER, and how we hear they are done:
Recall's `transcript.done` / `.failed` webhooks (signed, shaped as its catalog says), the
async transcription we ask for once the video is ready (the request validated against
Recall's OpenAPI document), and the transcription asked for with the bot."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from openapi_schema_validator import OAS30WriteValidator
from referencing import Registry, Resource

from bot.model.transcript import TranscriptStatus
from tests.conftest import App
from tests.fakes.recall_transcripts import segment
from tests.integration.test_recall_webhooks import SECRET, deliver, payload
from tests.paths import DATA
from tests.transcripts import PUBLIC, record_meeting, settle

SPEC = json.loads((DATA / "openapi.json").read_text())
SAID = [segment("Ada", "The async transcript arrived.", start=1.0)]


def request_errors(path: str, body: object) -> list[str]:
    schema = SPEC["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("", Resource.opaque(SPEC))
    validator = OAS30WriteValidator({**schema, "components": SPEC["components"]}, registry=registry)
    return [e.message for e in validator.iter_errors(body)]


@pytest.fixture
def hooked(make_app: Callable[..., App]) -> App:
    return make_app(public_base_url=PUBLIC, recall_webhook_secret=SECRET)


def test_transcript_done_webhook_fetches_it_at_once(hooked: App) -> None:
    rec = record_meeting(hooked, None, status="processing", poll_after=301)
    assert "Transcript>" not in hooked.status_text()

    hooked.recall.set_transcript(rec.recall.bot_id, SAID)
    response = deliver(hooked, payload("transcript.done", rec.recall.bot_id))
    settle(hooked)

    assert response.status_code == 200 and response.json() == {"result": "ok"}
    assert "Transcript>" in hooked.status_text()
    summary = hooked.runtime.store.transcripts.summary(rec.id)
    assert summary is not None and summary.ready


def test_transcript_failed_webhook_is_said_in_plain_words(hooked: App) -> None:
    rec = record_meeting(hooked, None, status="processing", poll_after=301)

    hooked.recall.set_transcript(rec.recall.bot_id, status="failed", sub_code="provider_error")
    deliver(hooked, payload("transcript.failed", rec.recall.bot_id, sub_code="provider_error"))
    settle(hooked)

    assert (
        "Recall could not make a transcript of this meeting (provider_error)."
        in hooked.status_text()
    )


def test_a_transcript_webhook_for_a_bot_not_ours_is_ignored(hooked: App) -> None:
    response = deliver(hooked, payload("transcript.done", "a-bot-of-another-app"))
    assert response.json() == {"result": "not ours"}


def test_recallai_async_asks_recall_to_transcribe_the_posted_recording(
    make_app: Callable[..., App],
) -> None:
    app = make_app(public_base_url=PUBLIC, transcript_provider="recallai_async")
    rec = record_meeting(app, None)

    [create] = app.recall.requests_to("POST", r"^/api/v1/bot/$")
    assert "transcript" not in create.json["recording_config"]  # asked for afterwards
    [asked] = app.recall.requests_to("POST", r"/create_transcript/$")
    recording_id = app.recall.bot(rec.recall.bot_id)["recordings"][0]["id"]
    assert asked.path == f"/api/v1/recording/{recording_id}/create_transcript/"
    assert request_errors("/api/v1/recording/{id}/create_transcript/", asked.json) == []
    assert asked.json == {"provider": {"recallai_async": {"language_code": "auto"}}}
    assert app.runtime.store.transcripts.get(rec.id).status == TranscriptStatus.REQUESTED

    app.recall.set_transcript(rec.recall.bot_id, SAID)
    app.clock.advance(seconds=30)
    app.runtime.transcript_work.follow_due()
    settle(app)

    assert "Transcript>" in app.status_text()
    assert len(app.recall.requests_to("POST", r"/create_transcript/$")) == 1  # asked once


def test_recallai_async_that_recall_refuses_is_said(make_app: Callable[..., App]) -> None:
    app = make_app(public_base_url=PUBLIC, transcript_provider="recallai_async")
    app.recall.inject(
        "POST", r"/create_transcript/$", 400, json={"detail": "Recording has no audio."}
    )
    record_meeting(app, None)

    assert "Recall could not make a transcript" in app.status_text()
    assert "Recording has no audio." in app.status_text()


def test_recallai_streaming_is_asked_for_with_the_bot(make_app: Callable[..., App]) -> None:
    app = make_app(public_base_url=PUBLIC, transcript_provider="recallai_streaming")
    record_meeting(app, SAID)

    [create] = app.recall.requests_to("POST", r"^/api/v1/bot/$")
    assert create.json["recording_config"]["transcript"] == {
        "provider": {"recallai_streaming": {"mode": "prioritize_accuracy"}}
    }
    assert request_errors("/api/v1/bot/", create.json) == []
    assert "Transcript>" in app.status_text()
