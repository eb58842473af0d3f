"""Plain-words explanations for every Recall bot sub-code, and our own reasons.

The sub-code lists below are copied on purpose from Recall's published list
(https://docs.recall.ai/docs/sub-codes) plus codes seen in reports, not taken from the module's
tables, so a code missing from the tables fails here instead of silently falling back.
"""

import re

import pytest

from bot.model.explanations import (
    CALL_ENDED,
    FATAL,
    REASONS,
    RECORDING_PERMISSION_DENIED,
    STATUS,
    Explanation,
    explain,
)

# call_ended: why the bot left the meeting.
CALL_ENDED_SUB_CODES = [
    "call_ended_by_host",
    "call_ended_by_platform_idle",
    "call_ended_by_platform_max_length",
    "call_ended_by_platform_waiting_room_timeout",
    "timeout_exceeded_waiting_room",
    "timeout_exceeded_noone_joined",
    "timeout_exceeded_everyone_left",
    "timeout_exceeded_silence_detected",
    "timeout_exceeded_only_bots_detected_using_participant_names",
    "timeout_exceeded_only_bots_detected_using_participant_events",
    "timeout_exceeded_only_bots_in_call",
    "timeout_exceeded_in_call_not_recording",
    "timeout_exceeded_in_call_recording",
    "timeout_exceeded_recording_permission_denied",
    "timeout_exceeded_max_duration",
    "bot_kicked_from_call",
    "bot_kicked_from_waiting_room",
    "bot_received_leave_call",
    "meeting_ended_by_host",
]

# fatal: generic, Google Meet, Zoom, Teams, Webex, then codes reported but not on Recall's list.
FATAL_SUB_CODES = [
    "bot_errored",
    "meeting_not_found",
    "meeting_not_started",
    "meeting_requires_registration",
    "meeting_requires_sign_in",
    "meeting_link_expired",
    "meeting_link_invalid",
    "meeting_password_incorrect",
    "meeting_locked",
    "meeting_full",
    "meeting_ended",
    # Google Meet
    "google_meet_internal_error",
    "google_meet_sign_in_failed",
    "google_meet_sign_in_captcha_failed",
    "google_meet_bot_blocked",
    "google_meet_sso_sign_in_failed",
    "google_meet_sign_in_missing_login_credentials",
    "google_meet_sign_in_missing_recovery_credentials",
    "google_meet_sso_sign_in_missing_login_credentials",
    "google_meet_sso_sign_in_missing_totp_secret",
    "google_meet_video_error",
    "google_meet_meeting_room_not_ready",
    "google_meet_login_not_available",
    "google_meet_permission_denied_breakout",
    # Zoom
    "zoom_sdk_credentials_missing",
    "zoom_sdk_update_required",
    "zoom_sdk_app_not_published",
    "zoom_email_blocked_by_admin",
    "zoom_registration_required",
    "zoom_captcha_required",
    "zoom_account_blocked",
    "zoom_invalid_join_token",
    "zoom_invalid_signature",
    "zoom_internal_error",
    "zoom_join_timeout",
    "zoom_email_required",
    "zoom_web_disallowed",
    "zoom_connection_failed",
    "zoom_error_multiple_device_join",
    "zoom_meeting_not_accessible",
    "zoom_meeting_host_inactive",
    "zoom_invalid_webinar_invite",
    # Microsoft Teams
    "microsoft_teams_call_dropped",
    "microsoft_teams_sign_in_credentials_missing",
    "microsoft_teams_sign_in_failed",
    "microsoft_teams_internal_error",
    "microsoft_teams_captcha_detected",
    "microsoft_teams_bot_not_invited",
    "microsoft_teams_breakout_room_unsupported",
    "microsoft_teams_event_not_started_for_external",
    "microsoft_teams_2fa_required",
    # Webex
    "webex_join_meeting_error",
    # reported but not on the official list (unconfirmed)
    "invalid_meeting_url",
    "failed_to_launch_in_time",
    "google_meet_knocking_disabled",
    "google_meet_watermark_kicked",
    "zoom_another_meeting_in_progress",
    "microsoft_teams_captcha_error",
    # Zoom's on-behalf-of rule (since March 2, 2026), seen in reports of Recall's bots
    "zoom_obf_user_not_in_meeting",
]

# recording_permission_denied (Zoom): why the host's permission to record was not given.
RECORDING_PERMISSION_DENIED_SUB_CODES = [
    "zoom_local_recording_disabled",
    "zoom_local_recording_request_disabled",
    "zoom_local_recording_request_disabled_by_host",
    "zoom_bot_in_waiting_room",
    "zoom_host_not_present",
    "zoom_local_recording_request_denied_by_host",
    "zoom_local_recording_denied",
    "zoom_local_recording_grant_not_supported",
    "zoom_sdk_key_blocked_by_host_admin",
]

DOCUMENTED = (
    [("call_ended", sub) for sub in CALL_ENDED_SUB_CODES]
    + [("fatal", sub) for sub in FATAL_SUB_CODES]
    + [("recording_permission_denied", sub) for sub in RECORDING_PERMISSION_DENIED_SUB_CODES]
)

OUR_REASONS = [
    "no_video",
    "deadline_exceeded",
    "no_recorder_available",
    "recall_rejected",
    "recall_auth",
    "recall_payment",
    "recall_unavailable",
    "bot_gone",
    "stopped",
    "video_failed",
    "media_deleted",
]

RECALL_STATUS_CODES = [
    "ready",
    "joining_call",
    "in_waiting_room",
    "in_call_not_recording",
    "recording_permission_allowed",
    "recording_permission_denied",
    "in_call_recording",
    "recording_done",
    "call_ended",
    "done",
    "fatal",
    "media_expired",
    "analysis_done",
    "analysis_failed",
]

FALLBACK = re.compile(r"reported|Recall")


def assert_plain_words(explanation: Explanation) -> None:
    """Short sentences, no Slack markup or emoji: they are escaped and shown as they are."""
    for text in (explanation.summary, explanation.advice):
        if text is None:
            continue
        assert text.strip() == text and text.endswith("."), text
        assert not re.search(r"[<>*`~]|(?<!\w)_|_(?!\w)|:[a-z_]+:", text), text
        assert all(ord(char) < 0x2190 or char == "→" for char in text), text
    assert len(explanation.summary) <= 100, explanation.summary


@pytest.mark.parametrize(("code", "sub_code"), DOCUMENTED)
def test_every_documented_sub_code_has_its_own_words(code: str, sub_code: str):
    explanation = explain(code, sub_code)
    assert sub_code not in explanation.summary  # not the raw-code fallback
    assert not FALLBACK.search(explanation.summary)
    assert_plain_words(explanation)


def test_the_tables_cover_exactly_the_documented_sub_codes():
    assert set(CALL_ENDED) == set(CALL_ENDED_SUB_CODES)
    assert set(FATAL) == set(FATAL_SUB_CODES)
    assert set(RECORDING_PERMISSION_DENIED) == set(RECORDING_PERMISSION_DENIED_SUB_CODES)


@pytest.mark.parametrize(
    ("code", "sub_code", "summary"),
    [
        ("call_ended", "call_ended_by_host", "The host ended the meeting."),
        ("call_ended", "meeting_ended_by_host", "The host ended the meeting."),
        (
            "recording_permission_denied",
            "zoom_local_recording_disabled",
            "Local recording is turned off in the host's Zoom settings.",
        ),
        (
            "fatal",
            "zoom_web_disallowed",
            "The Zoom meeting does not allow joining from a web browser.",
        ),
    ],
)
def test_known_sub_codes_read_naturally(code: str, sub_code: str, summary: str):
    assert explain(code, sub_code).summary == summary


def test_zoom_recording_refused_tells_the_host_where_the_setting_is():
    advice = explain("recording_permission_denied", "zoom_local_recording_disabled").advice
    assert advice is not None
    assert "Settings → Recording" in advice


@pytest.mark.parametrize(
    ("sub_code", "summary"),
    [
        ("zoom_new_thing", "Zoom reported a problem (zoom_new_thing)."),
        ("google_meet_new_thing", "Google Meet reported a problem (google_meet_new_thing)."),
        (
            "microsoft_teams_new_thing",
            "Microsoft Teams reported a problem (microsoft_teams_new_thing).",
        ),
        ("webex_new_thing", "Webex reported a problem (webex_new_thing)."),
        ("some_new_code", "Recall reported: some_new_code."),
    ],
)
@pytest.mark.parametrize("code", ["fatal", "call_ended", "recording_permission_denied", None])
def test_unknown_sub_codes_fall_back_and_show_the_raw_code(
    code: str | None, sub_code: str, summary: str
):
    assert explain(code, sub_code).summary == summary


def test_unknown_fatal_sub_code_keeps_the_fatal_advice():
    assert explain("fatal", "zoom_new_thing").advice == explain("fatal", None).advice


def test_sub_code_is_explained_even_under_another_code():
    # e.g. our no_video reason carrying the call_ended sub-code that caused it
    assert explain("no_video", "timeout_exceeded_noone_joined") == explain(
        "call_ended", "timeout_exceeded_noone_joined"
    )


@pytest.mark.parametrize("code", OUR_REASONS)
def test_our_reason_codes_are_explained(code: str):
    explanation = explain(code, None)
    assert explanation == REASONS[code]
    assert not FALLBACK.search(explanation.summary)
    assert_plain_words(explanation)


@pytest.mark.parametrize("code", RECALL_STATUS_CODES)
def test_recall_status_codes_are_explained(code: str):
    explanation = explain(code, None)
    assert explanation == STATUS[code]
    assert_plain_words(explanation)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("recall_auth", "RECALL_API_KEY"),
        ("recall_payment", "credit"),
        ("no_recorder_available", "again"),
    ],
)
def test_advice_says_what_to_do(code: str, words: str):
    advice = explain(code, None).advice
    assert advice is not None
    assert words in advice


def test_unknown_code_without_sub_code_mentions_the_code():
    assert explain("brand_new_status", None).summary == "Recall reported: brand_new_status."


@pytest.mark.parametrize(("code", "sub_code"), [(None, None), ("", ""), ("  ", None)])
def test_no_code_at_all_still_gives_a_sentence(code: str | None, sub_code: str | None):
    explanation = explain(code, sub_code)
    assert explanation.summary
    assert_plain_words(explanation)


def test_our_reasons_do_not_shadow_recall_codes():
    assert not set(REASONS) & set(STATUS)
