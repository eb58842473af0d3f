"""Why a recording did not happen (or what the bot is doing), in plain words.

    explain(code, sub_code) -> Explanation(summary, advice)

`code` is a Recall bot status code or one of our own reason codes (REASONS);
`sub_code` is Recall's sub-code. Recall adds codes without notice, so nothing is ever dropped:
an unknown sub-code falls back to its platform ("Zoom reported a problem (zoom_x).") or is shown
raw ("Recall reported: x."). The words are plain text; callers escape them for Slack mrkdwn.
"""

from dataclasses import dataclass

from bot.model import subcodes
from bot.model.subcodes import LATER, RETRY


@dataclass(frozen=True)
class Explanation:
    summary: str  # one short sentence
    advice: str | None  # what to do next, when anyone can do something


def _table(words: dict[str, subcodes.Words]) -> dict[str, Explanation]:
    return {code: Explanation(*pair) for code, pair in words.items()}


CALL_ENDED = _table(subcodes.CALL_ENDED)
FATAL = _table(subcodes.FATAL)
RECORDING_PERMISSION_DENIED = _table(subcodes.RECORDING_PERMISSION_DENIED)
CREATE_BOT_REJECTED = _table(subcodes.CREATE_BOT_REJECTED)

# Recall's bot status codes, for progress messages and for failures without a sub-code.
STATUS = _table(
    {
        "ready": ("The recording bot is ready to join.", None),
        "joining_call": ("The bot is joining the meeting.", None),
        "in_waiting_room": (
            "The bot is waiting to be let into the meeting.",
            "Ask the host to admit it.",
        ),
        "in_call_not_recording": ("The bot is in the meeting but not recording yet.", None),
        "recording_permission_allowed": ("The host allowed the bot to record.", None),
        "recording_permission_denied": (
            "The bot was not allowed to record.",
            "Ask the host to allow recording, then try again.",
        ),
        "in_call_recording": ("The bot is recording the meeting.", None),
        "recording_done": ("The bot stopped recording.", None),
        "call_ended": ("The bot left the meeting.", None),
        "done": ("The recording is finished.", None),
        "fatal": ("The recording bot hit an error and stopped.", RETRY),
        "media_expired": ("The recording has expired and was deleted.", None),
        "analysis_done": ("The recording has been processed.", None),
        "analysis_failed": ("Processing the recording failed.", None),
    }
)

# Our own reason codes, for failures that Recall did not report as a bot status.
REASONS = _table(
    {
        "no_video": (
            "The bot finished, but no video was recorded.",
            "Check that the bot was let in and allowed to record, then try again.",
        ),
        "deadline_exceeded": (
            "The recording ran past this app's time limit, so I stopped following it.",
            "If meetings this long are normal, ask whoever runs this app to raise the limit.",
        ),
        "no_recorder_available": ("No recording bot was free, even after several tries.", LATER),
        "join_time_invalid": ("The time given with --at could not be used.", None),
        "recall_rejected": (
            "The recording service turned down this meeting link.",
            "Check that you pasted the full invite link, including any passcode, then try again.",
        ),
        "recall_auth": (
            "The recording service did not accept this app's access key.",
            "An admin needs to fix the app's RECALL_API_KEY setting.",
        ),
        "recall_payment": (
            "The recording service account has run out of credit.",
            "Ask whoever runs this app to add credit to the Recall account.",
        ),
        "recall_unavailable": ("The recording service could not be reached for too long.", LATER),
        "bot_gone": ("The recording service no longer knows about this recording.", None),
        "stopped": ("Someone stopped the recording.", None),
        "video_failed": ("The recording service could not produce the video.", RETRY),
        "media_deleted": ("The video has been deleted.", None),
    }
)

_BY_CODE = {
    "call_ended": CALL_ENDED,
    "fatal": FATAL,
    "recording_permission_denied": RECORDING_PERMISSION_DENIED,
    "recall_rejected": CREATE_BOT_REJECTED,
}
# Recall prefixes platform-specific sub-codes with the platform's name (`zoom_…`, `google_meet_…`).
_PLATFORM_PREFIXES = {
    "zoom_": "Zoom",
    "google_meet_": "Google Meet",
    "microsoft_teams_": "Microsoft Teams",
    "webex_": "Webex",
}


def explain(code: str | None, sub_code: str | None) -> Explanation:
    """Plain words for a status or reason code, made specific by the sub-code when known."""
    code = (code or "").strip()
    sub_code = (sub_code or "").strip()
    general = REASONS.get(code) or STATUS.get(code)
    if sub_code:
        return _explain_sub_code(code, sub_code, general)
    if general:
        return general
    if code:
        return Explanation(f"Recall reported: {code}.", None)
    return Explanation("The recording stopped, and no reason was given.", None)


def _explain_sub_code(code: str, sub_code: str, general: Explanation | None) -> Explanation:
    # The code's own table first; then the others, since a sub-code names one reason wherever
    # it turns up (e.g. our no_video carrying the call_ended sub-code that caused it).
    tables = [_BY_CODE[code]] if code in _BY_CODE else []
    for table in (*tables, *_BY_CODE.values()):
        if sub_code in table:
            return table[sub_code]
    advice = general.advice if general else None
    if sub_code.startswith("zoom_obf") or sub_code.startswith("zoom_on_behalf"):
        # Any of Zoom's on-behalf-of refusals has the same fix.
        return Explanation(subcodes.OBF_NEEDED, subcodes.OBF_FIX)
    for prefix, platform in _PLATFORM_PREFIXES.items():
        if sub_code.startswith(prefix):
            return Explanation(f"{platform} reported a problem ({sub_code}).", advice)
    return Explanation(f"Recall reported: {sub_code}.", advice)
