"""The state machine: what Recall's reports mean, and that states never move backwards."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.model import lifecycle
from bot.model.lifecycle import ALLOWED, FINAL, Outcome, State, advance, decide
from bot.recall.reports import read_bot

T0 = "2026-01-15T10:00:00.000000Z"


def status(code: str, sub_code: str | None = None, at: str = T0) -> dict[str, Any]:
    return {"code": code, "sub_code": sub_code, "message": None, "created_at": at}


def recording(video: str | None = "done", recording_status: str = "done") -> dict[str, Any]:
    shortcuts: dict[str, Any] = {"video_mixed": None, "transcript": None}
    if video is not None:
        shortcuts["video_mixed"] = {
            "id": "v1",
            "status": {"code": video, "sub_code": None, "updated_at": T0},
            "format": "mp4",
            "data": {"download_url": "https://s3.example/v.mp4?X-Amz-Signature=abc"}
            if video == "done"
            else {"download_url": None},
        }
    return {
        "id": "r1",
        "created_at": T0,
        "started_at": "2026-01-15T10:00:00Z",
        "completed_at": "2026-01-15T10:42:00Z",
        "status": {"code": recording_status, "sub_code": None, "updated_at": T0},
        "media_shortcuts": shortcuts,
    }


def bot(*changes: dict[str, Any], recordings: list[dict[str, Any]] | None = None) -> dict:
    return {"id": "b1", "status_changes": list(changes), "recordings": recordings or []}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ready", State.SCHEDULED),
        ("joining_call", State.JOINING),
        ("in_waiting_room", State.WAITING_ROOM),
        ("in_call_not_recording", State.IN_CALL),
        ("recording_permission_allowed", State.IN_CALL),
        ("recording_permission_denied", State.IN_CALL),
        ("in_call_recording", State.RECORDING),
        ("recording_done", State.PROCESSING),
        ("call_ended", State.PROCESSING),
    ],
)
def test_running_codes_map_to_states(code: str, expected: State) -> None:
    assert decide(read_bot(bot(status(code)))) == Outcome(expected)


def test_finished_video_is_ready_even_before_done_arrives() -> None:
    report = read_bot(bot(status("call_ended", "call_ended_by_host"), recordings=[recording()]))
    assert decide(report) == Outcome(State.READY)


def test_done_alone_is_not_success_while_video_processes() -> None:
    report = read_bot(bot(status("done"), recordings=[recording(video="processing")]))
    assert decide(report) == Outcome(State.PROCESSING)


def test_done_without_any_recording_fails_with_why_the_bot_left() -> None:
    report = read_bot(
        bot(
            status("in_waiting_room", at="2026-01-15T10:00:00Z"),
            status("call_ended", "timeout_exceeded_waiting_room", at="2026-01-15T10:20:00Z"),
            status("done", at="2026-01-15T10:20:05Z"),
        )
    )
    assert decide(report) == Outcome(State.FAILED, "call_ended", "timeout_exceeded_waiting_room")


@pytest.mark.parametrize(
    ("video", "recording_status", "reason"),
    [("failed", "done", "video_failed"), ("deleted", "deleted", "media_deleted")],
)
def test_done_with_a_broken_video_fails(video: str, recording_status: str, reason: str) -> None:
    report = read_bot(bot(status("done"), recordings=[recording(video, recording_status)]))
    assert decide(report) == Outcome(State.FAILED, reason)


def test_done_with_recording_but_no_video_artifact_fails() -> None:
    report = read_bot(bot(status("done"), recordings=[recording(video=None)]))
    assert decide(report) == Outcome(State.FAILED, "no_video")


def test_fatal_fails_with_its_sub_code() -> None:
    report = read_bot(bot(status("joining_call"), status("fatal", "meeting_not_found")))
    assert decide(report) == Outcome(State.FAILED, "fatal", "meeting_not_found")


def test_latest_status_is_chosen_by_time_not_list_position() -> None:
    report = read_bot(
        bot(
            status("in_call_recording", at="2026-01-15T10:05:00Z"),
            status("joining_call", at="2026-01-15T10:00:00Z"),
        )
    )
    assert decide(report) == Outcome(State.RECORDING)


def test_unknown_code_means_still_running_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lifecycle._unknown_codes_logged.discard("teleported_to_mars")
    report = read_bot(bot(status("teleported_to_mars")))
    with caplog.at_level(logging.WARNING, logger="bot.lifecycle"):
        assert decide(report) is None
        assert decide(report) is None
    assert [r.getMessage() for r in caplog.records].count(
        "Recall reported unknown bot status 'teleported_to_mars'; treating it as still running"
    ) == 1


@pytest.mark.parametrize(
    "garbage",
    [
        {},
        {"status_changes": None},
        {"status_changes": [None, 3, {"code": None}]},
        {"recordings": "x"},
    ],
)
def test_malformed_reports_are_tolerated(garbage: dict[str, Any]) -> None:
    assert decide(read_bot(garbage)) is None


ORDER = [
    State.REQUESTED,
    State.SCHEDULED,
    State.JOINING,
    State.WAITING_ROOM,
    State.IN_CALL,
    State.RECORDING,
    State.PROCESSING,
]


@pytest.mark.parametrize("current", ORDER)
def test_states_only_move_forward(current: State) -> None:
    for earlier in ORDER[: ORDER.index(current) + 1]:
        assert advance(current, earlier) is None
    for later in ORDER[ORDER.index(current) + 1 :]:
        assert advance(current, later) == later
    assert advance(current, State.READY) == State.READY
    assert advance(current, State.FAILED) == State.FAILED


@pytest.mark.parametrize("final", sorted(FINAL))
def test_final_states_never_change(final: State) -> None:
    assert ALLOWED[final] == frozenset()
    for target in State:
        assert advance(final, target) is None


def test_only_unstarted_recordings_can_be_cancelled() -> None:
    can_cancel = {state for state in State if advance(state, State.CANCELLED)}
    assert can_cancel == {State.REQUESTED, State.SCHEDULED}


def test_a_late_report_cannot_pull_a_recording_back() -> None:
    late = decide(read_bot(bot(status("in_call_recording"))))
    assert late is not None
    assert advance(State.PROCESSING, late.state) is None
