"""Plain words for every bot `sub_code` Recall documents (its "Bot status codes" page).

Data only: each table maps a sub_code to (summary, advice). `bot.explanations` turns them into
`Explanation`s and adds the fallbacks for codes Recall invents later (the set is open).
Advice is given only where the person who typed /record (or an admin) can do something.
The words are plain text: callers escape them before they go into Slack mrkdwn.
"""

Words = tuple[str, str | None]

# Most fixes for sign-in and credential problems are in Recall's dashboard, out of users' reach.
ADMIN = "Please tell whoever runs this app; it needs fixing in the Recall dashboard."
RETRY = "Try /record again. If it keeps happening, tell whoever runs this app."
LATER = "Try /record again in a few minutes."

# call_ended sub-codes: why the bot left the meeting.
CALL_ENDED: dict[str, Words] = {
    "call_ended_by_host": ("The host ended the meeting.", None),
    "call_ended_by_platform_idle": ("The meeting was closed because nothing was happening.", None),
    "call_ended_by_platform_max_length": (
        "The meeting reached its time limit.",
        "Free plans often cap meeting length; a paid plan for the host removes the limit.",
    ),
    "call_ended_by_platform_waiting_room_timeout": (
        "The bot waited in the waiting room too long, so the meeting turned it away.",
        "Ask the host to let the bot in soon after you use /record.",
    ),
    "timeout_exceeded_waiting_room": (
        "Nobody let the bot into the meeting in time.",
        "Ask the host to admit the bot from the waiting room, then try again.",
    ),
    "timeout_exceeded_noone_joined": (
        "Nobody else joined the meeting, so the bot left.",
        "Use /record once people are in the meeting.",
    ),
    "timeout_exceeded_everyone_left": ("Everyone else left the meeting, so the bot left.", None),
    "timeout_exceeded_silence_detected": (
        "The meeting was silent for a long time, so the bot left.",
        "If the meeting is still going, use /record again.",
    ),
    "timeout_exceeded_only_bots_detected_using_participant_names": (
        "Only other bots seemed to be left in the meeting, so the bot left.",
        None,
    ),
    "timeout_exceeded_only_bots_detected_using_participant_events": (
        "Only silent participants were left in the meeting, so the bot left.",
        None,
    ),
    "timeout_exceeded_only_bots_in_call": ("Only bots were left in the meeting.", None),
    "timeout_exceeded_in_call_not_recording": (
        "The bot was in the meeting but never got to record, so it left.",
        "Check that the host allows recording, then try again.",
    ),
    "timeout_exceeded_in_call_recording": ("The recording reached its maximum length.", None),
    "timeout_exceeded_recording_permission_denied": (
        "The bot was not allowed to record, so it left.",
        "Ask the host to allow recording when the bot asks, then try again.",
    ),
    "timeout_exceeded_max_duration": (
        "The bot reached the longest time it may stay in a meeting.",
        None,
    ),
    "bot_kicked_from_call": ("Someone removed the bot from the meeting.", None),
    "bot_kicked_from_waiting_room": (
        "The bot was turned away from the waiting room.",
        "Ask the host to let the bot in, then try again.",
    ),
    "bot_received_leave_call": ("The bot was asked to leave the meeting.", None),
}
# Seen in an example payload in Recall's webhook event catalog.
CALL_ENDED["meeting_ended_by_host"] = CALL_ENDED["call_ended_by_host"]

# Zoom admits a recorder to a meeting hosted outside this app's Zoom account only on behalf of
# a Zoom user who has connected their account and is in the meeting.
OBF_NEEDED = "Zoom only admits the recorder on behalf of someone in the meeting, and you weren't."
OBF_FIX = (
    "Connect your Zoom account once with /record connect zoom, join the meeting yourself, then "
    "use /record again. The recorder joins once you are in, and leaves when you leave."
)
_GUESTS = "Ask the host to let guests from outside the organisation join, then try again."
_HUMAN_CHECK = "asked the bot to prove it is human, and it could not."

# fatal sub-codes: why the bot could not join or carry on (generic, then by platform, then
# unconfirmed).
FATAL: dict[str, Words] = {
    "bot_errored": ("The recording bot ran into an unexpected error.", RETRY),
    "meeting_not_found": (
        "The meeting could not be found.",
        "Check the link is complete and correct, then try again.",
    ),
    "meeting_not_started": (
        "The meeting had not started yet.",
        "Try again once the host has started the meeting.",
    ),
    "meeting_requires_registration": (
        "The meeting needs registration, which the bot cannot do.",
        "Ask the host to turn off registration for this meeting.",
    ),
    "meeting_requires_sign_in": (
        "The meeting only lets signed-in people join.",
        "Ask the host to let guests join without signing in.",
    ),
    "meeting_link_expired": ("The meeting link has expired.", "Ask the host for a new link."),
    "meeting_link_invalid": (
        "The meeting link does not work.",
        "Copy the link again from the invite and try again.",
    ),
    "meeting_password_incorrect": (
        "The meeting passcode was wrong or missing.",
        "Use the full invite link, including its passcode (for Zoom, the part with pwd=).",
    ),
    "meeting_locked": ("The meeting is locked.", "Ask the host to unlock the meeting."),
    "meeting_full": ("The meeting is full.", "Ask the host to make room, then try again."),
    "meeting_ended": ("The meeting had already ended.", None),
    # Google Meet
    "google_meet_internal_error": ("Google Meet had an internal error.", RETRY),
    "google_meet_sign_in_failed": ("The bot could not sign in to Google.", ADMIN),
    "google_meet_sign_in_captcha_failed": (f"Google {_HUMAN_CHECK}", LATER),
    "google_meet_bot_blocked": ("Google Meet did not let the bot in.", _GUESTS),
    "google_meet_sso_sign_in_failed": (
        "The bot could not sign in through your company's single sign-on.",
        ADMIN,
    ),
    "google_meet_sign_in_missing_login_credentials": (
        "The bot's Google sign-in details are missing.",
        ADMIN,
    ),
    "google_meet_sign_in_missing_recovery_credentials": (
        "The bot's Google account recovery details are missing.",
        ADMIN,
    ),
    "google_meet_sso_sign_in_missing_login_credentials": (
        "The bot's single sign-on details are missing.",
        ADMIN,
    ),
    "google_meet_sso_sign_in_missing_totp_secret": (
        "The bot's two-step sign-in code is not set up.",
        ADMIN,
    ),
    "google_meet_video_error": ("Google Meet had a video problem.", RETRY),
    "google_meet_meeting_room_not_ready": ("The Google Meet room was not ready yet.", LATER),
    "google_meet_login_not_available": ("Google sign-in was not available to the bot.", LATER),
    "google_meet_permission_denied_breakout": (
        "The bot was not allowed into a Google Meet breakout room.",
        None,
    ),
    # Zoom
    "zoom_sdk_credentials_missing": ("This app's Zoom connection is not set up.", ADMIN),
    "zoom_sdk_update_required": ("The bot's Zoom software needs an update.", ADMIN),
    "zoom_sdk_app_not_published": (
        "The Zoom app behind the bot may only join meetings of its own Zoom account.",
        ADMIN,
    ),
    "zoom_email_blocked_by_admin": (
        "The meeting's Zoom admin has blocked the bot.",
        "Ask the host's Zoom admin to allow it.",
    ),
    "zoom_registration_required": (
        "The Zoom meeting needs registration, which the bot cannot do.",
        "Ask the host to turn off registration for this meeting.",
    ),
    "zoom_captcha_required": (f"Zoom {_HUMAN_CHECK}", LATER),
    "zoom_account_blocked": ("Zoom has blocked the bot's account.", ADMIN),
    "zoom_invalid_join_token": ("Zoom did not accept the bot's join token.", RETRY),
    "zoom_invalid_signature": ("Zoom did not accept the bot's credentials.", ADMIN),
    "zoom_internal_error": ("Zoom had an internal error.", RETRY),
    "zoom_join_timeout": ("Joining the Zoom meeting took too long.", RETRY),
    "zoom_email_required": (
        "The Zoom meeting asks for an email address before joining.",
        "Ask the host to turn off that requirement, then try again.",
    ),
    "zoom_web_disallowed": (
        "The Zoom meeting does not allow joining from a web browser.",
        "Ask the host to turn off end-to-end encryption and allow joining from the browser.",
    ),
    "zoom_connection_failed": ("The bot could not connect to Zoom.", RETRY),
    "zoom_error_multiple_device_join": (
        "The bot's Zoom account was already in a meeting on another device.",
        LATER,
    ),
    "zoom_meeting_not_accessible": ("The bot is not allowed into this Zoom meeting.", _GUESTS),
    "zoom_meeting_host_inactive": (
        "The Zoom host's account is not active.",
        "Ask the host to check their Zoom account.",
    ),
    "zoom_invalid_webinar_invite": (
        "The Zoom webinar link does not work for the bot.",
        "Ask the host for an attendee join link for the webinar.",
    ),
    # Microsoft Teams
    "microsoft_teams_call_dropped": ("Microsoft Teams dropped the bot's connection.", RETRY),
    "microsoft_teams_sign_in_credentials_missing": (
        "The bot's Microsoft sign-in details are missing.",
        ADMIN,
    ),
    "microsoft_teams_sign_in_failed": ("The bot could not sign in to Microsoft Teams.", ADMIN),
    "microsoft_teams_internal_error": ("Microsoft Teams had an internal error.", RETRY),
    "microsoft_teams_captcha_detected": (f"Microsoft Teams {_HUMAN_CHECK}", LATER),
    "microsoft_teams_bot_not_invited": (
        "The Teams meeting only admits invited people, and the bot was not invited.",
        "Ask the organiser to let anyone with the link join, then try again.",
    ),
    "microsoft_teams_breakout_room_unsupported": (
        "The bot cannot join Microsoft Teams breakout rooms.",
        None,
    ),
    "microsoft_teams_event_not_started_for_external": (
        "The Teams event had not started yet for people outside the organisation.",
        "Try again once the organiser has started the event.",
    ),
    "microsoft_teams_2fa_required": (
        "Microsoft asked the bot for two-step sign-in, which it cannot do.",
        ADMIN,
    ),
    # Webex
    "webex_join_meeting_error": (
        "The bot could not join the Webex meeting.",
        "Check the link. If it is right, Webex may not be set up for the bot yet: "
        "tell whoever runs this app.",
    ),
    # Reported but not on Recall's official list (unconfirmed).
    "invalid_meeting_url": (
        "The meeting link was not accepted.",
        "Copy the full link from the invite and try again.",
    ),
    "failed_to_launch_in_time": ("The recording bot took too long to start.", RETRY),
    "google_meet_knocking_disabled": (
        "The Google Meet meeting does not let guests ask to join.",
        "Ask the host to allow people to ask to join, then try again.",
    ),
    "google_meet_watermark_kicked": ("Google Meet removed the bot from the meeting.", None),
    "zoom_another_meeting_in_progress": (
        "The bot's Zoom account was busy in another meeting.",
        LATER,
    ),
    "microsoft_teams_captcha_error": (f"Microsoft Teams {_HUMAN_CHECK}", LATER),
    # Zoom's on-behalf-of rule (since March 2, 2026); seen in reports of Recall's bots.
    "zoom_obf_user_not_in_meeting": (OBF_NEEDED, OBF_FIX),
}

# recording_permission_denied sub-codes: why Zoom did not let the bot record (Zoom asks the
# host for permission).
RECORDING_PERMISSION_DENIED: dict[str, Words] = {
    "zoom_local_recording_disabled": (
        "Local recording is turned off in the host's Zoom settings.",
        "Ask the host to allow local recording in Zoom (Settings → Recording), then try again.",
    ),
    "zoom_local_recording_request_disabled": (
        "The host's Zoom settings do not let participants ask to record.",
        "Ask the host to allow recording requests in Zoom (Settings → Recording), then try again.",
    ),
    "zoom_local_recording_request_disabled_by_host": (
        "The host turned off recording requests in this meeting.",
        "Ask the host to allow recording requests, then try again.",
    ),
    "zoom_bot_in_waiting_room": (
        "The bot could not ask to record because it was still in the waiting room.",
        "Ask the host to admit the bot.",
    ),
    "zoom_host_not_present": (
        "The host was not in the meeting to allow recording.",
        "Try again once the host has joined.",
    ),
    "zoom_local_recording_request_denied_by_host": (
        "The host declined the bot's request to record.",
        "If that was a mistake, try again and ask the host to accept.",
    ),
    "zoom_local_recording_denied": (
        "Zoom did not let the bot record.",
        "Ask the host to allow recording, then try again.",
    ),
    "zoom_local_recording_grant_not_supported": (
        "The host's Zoom app cannot give recording permission.",
        "Ask the host to update Zoom or join from the Zoom desktop app.",
    ),
    "zoom_sdk_key_blocked_by_host_admin": (
        "The host's Zoom admin has blocked this recording bot.",
        "Ask the host's Zoom admin to allow it.",
    ),
}

# `code` values in a Create Bot 400 answer, for our recall_rejected reason.
CREATE_BOT_REJECTED: dict[str, Words] = {
    "teams_blacklisted_tenant": (
        "This Microsoft Teams organisation does not allow recording bots.",
        "Ask the organiser's Teams admin whether recording bots can be allowed.",
    ),
}
