"""What can go wrong talking to Slack, as one exception tree, and the error codes that decide
which:

    SlackUnavailable        try again later (outage, rate limit left over, lost answer)
     ├── SlackAuthRevoked   the workspace's token no longer works: stop posting there
     └── MessageGone        the status message to edit no longer exists
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.model.times import retry_after_seconds

# Errors meaning "this conversation will not take our message": go to the requester instead.
UNREACHABLE = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_non_threadable_channel",
        "restricted_action_thread_only_channel",
        "method_not_supported_for_channel_type",
        "cannot_dm_bot",
    }
)
# chat.update errors meaning our status message no longer exists where we left it.
GONE = frozenset({"message_not_found", "cant_update_message", "channel_not_found", "is_archived"})
BAD_BLOCKS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long"})
# The token is dead: uninstalled app, revoked token, deactivated workspace.
REVOKED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "team_access_not_granted",
        "org_login_required",
    }
)
# History we will never be allowed to read: give up checking and post again.
CANNOT_LOOK = frozenset(
    {
        "missing_scope",
        "not_in_channel",
        "channel_not_found",
        "thread_not_found",
        "not_allowed_token_type",
    }
)


class SlackUnavailable(Exception):
    """Slack could not take the message now; retry later (after `retry_after` if given)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class SlackAuthRevoked(SlackUnavailable):
    """The workspace's token no longer works (uninstalled, revoked); posting there stops."""


class MessageGone(SlackUnavailable):
    """The status message we meant to edit is gone (deleted, channel archived)."""


class translated:
    """Turn what slack-sdk raises into our exception tree."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> bool:
        if exc is None or isinstance(exc, SlackUnavailable):
            return False
        if isinstance(exc, SlackApiError):
            error = error_code(exc)
            if error in REVOKED:
                raise SlackAuthRevoked(f"Slack answered {error}") from exc
            retry_after = retry_after_seconds(exc.response.headers.get("Retry-After"))
            raise SlackUnavailable(f"Slack answered {error}", retry_after) from exc
        if isinstance(exc, SlackClientError | OSError):
            raise SlackUnavailable(f"could not reach Slack ({type(exc).__name__})") from exc
        return False


def error_code(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "unknown_error"))
