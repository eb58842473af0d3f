"""What the operator commands do (`slack-record poll-once | list | check`), kept out of the
CLI so each is a plain function of the settings."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.app.config import METRICS_TOKEN_WEAK, Settings
from bot.app.zoom_check import check_zoom
from bot.model.history import describe
from bot.model.times import utcnow
from bot.recall.client import RecallClient, make_http_client
from bot.recall.errors import RecallAuthError, RecallError, RecallRejected, RecallUnavailable
from bot.slack.messages import meeting_name
from bot.store import Store
from bot.workflow.polling import poll_once


@dataclass(frozen=True)
class Finding:
    subject: str
    ok: bool
    words: str
    warning: bool = False  # works, but not as well as it should: printed as WARN


def poll_once_and_report(settings: Settings) -> int:
    from bot.app.runtime import Runtime  # builds the whole app: only when this command runs

    runtime = Runtime(settings)
    runtime.store.migrate()
    try:
        summary = poll_once(runtime.steps, runtime.survey, utcnow())
        runtime.workers.wait(30)
    finally:
        runtime.stop()
    print(f"poll-once: {summary.claimed} recording(s) looked at, {summary.errors} failed")
    return 1 if summary.errors else 0


def recordings_table(settings: Settings, limit: int, only_open: bool) -> str:
    store = Store(settings.database_path)
    store.migrate()
    rows = store.recordings.newest(limit, only_open)
    header = ("ID", "CREATED (UTC)", "STATE", "PLATFORM", "CHANNEL", "ASKED BY", "NOTIFIED")
    table = [header] + [
        (
            r.id[:12],
            f"{r.created_at:%Y-%m-%d %H:%M}",
            r.state.value + (" (deleted)" if r.sharing.deleted_at else ""),
            r.request.platform,
            r.request.channel_id,
            r.request.user_id,
            "yes" if r.slack.notified_at else "-",
        )
        for r in rows
    ]
    if len(table) == 1:
        return "No recordings yet." if not only_open else "No recordings in progress."
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    )


def recording_history(settings: Settings, id_prefix: str) -> tuple[str, int]:
    """`list --events ID`: what happened to one recording, oldest first; the exit status."""
    store = Store(settings.database_path)
    store.migrate()
    try:
        found = store.recordings.starting_with(id_prefix.strip())
        if not found:
            return f"No recording has an id starting with {id_prefix!r}.", 1
        if len(found) > 1:
            return f"Several recordings have ids starting with {id_prefix!r}: give more of it.", 1
        rec = found[0]
        events = store.events.of(rec.id)
    finally:
        store.close()
    lines = [
        f"Recording {rec.id}: {meeting_name(rec)}, in channel {rec.request.channel_id} "
        f"of {rec.request.team_id}, asked by {rec.request.user_id}; now {rec.state.value}"
    ]
    for event in events:
        source = event.cause.kind
        # What Recall said: its status code, or how it told us it lost the video.
        if event.cause.detail and event.cause.kind in ("recall", "webhook", "media_lost"):
            source += f": {event.cause.detail}" + (
                f" ({event.cause.sub_code})" if event.cause.sub_code else ""
            )
        lines.append(
            f"{event.at:%Y-%m-%d %H:%M:%S}  {event.to_state.value:<12}  {describe(event)}"
            + (f"  [{source}]" if source not in ("requested", "stop", "deleted") else "")
        )
    return "\n".join(lines), 0


def check(settings: Settings) -> list[Finding]:
    findings = [
        Finding("configuration", True, f"complete ({_mode_words(settings)})"),
        _check_database(settings),
        *_check_slack(settings),
        _check_recall(settings),
    ]
    if not settings.public_base_url:
        findings.append(
            Finding(
                "links",
                True,
                "PUBLIC_BASE_URL is not set: recordings are posted with Recall's own links, "
                "which stop working after about 5 hours",
                warning=True,
            )
        )
    if settings.metrics_token_weak:
        findings.append(Finding("metrics", True, METRICS_TOKEN_WEAK, warning=True))
    if settings.recall_webhook_secret:
        where = f"{settings.public_base_url or 'https://YOUR-HOST'}/recall/webhook"
        findings.append(
            Finding("webhooks", True, f"on: add {where} in Recall's dashboard (Webhooks)")
        )
    if zoom := check_zoom(settings):
        findings.append(Finding("Zoom", zoom.ok, zoom.words))
    return findings


def recover_and_report(settings: Settings, days: float | None) -> int:
    """`recover`: rebuild what the database lacks from Recall; print it; the exit status."""
    from bot.app.recover_report import report_lines
    from bot.app.runtime import Runtime  # builds the whole app: only when this command runs

    runtime = Runtime(settings)
    runtime.store.migrate()
    try:
        report = runtime.recover(days)
    finally:
        runtime.stop()
    print("\n".join(report_lines(report, settings.slack_mode, settings.meeting.zoom_on)))
    return 0 if report.trouble is None else 1


def _mode_words(settings: Settings) -> str:
    return {
        "http": "one workspace, Slack calls us over HTTP",
        "socket": "one workspace, Socket Mode",
        "oauth": "installable in many workspaces",
    }[settings.slack_mode]


def _check_database(settings: Settings) -> Finding:
    store = Store(settings.database_path)
    try:
        store.migrate()
        with store.database.transaction():  # proves we can write, then changes nothing
            pass
        total = store.database.count("recordings")
        open_now = store.recordings.count_open()
        return Finding(
            "database",
            True,
            f"{settings.database_path} ({total} recordings, {open_now} in progress)",
        )
    except (sqlite3.Error, OSError) as exc:
        return Finding("database", False, f"can't use {settings.database_path}: {exc}")
    finally:
        store.close()


def _check_slack(settings: Settings) -> list[Finding]:
    if settings.slack_mode == "oauth":
        return [
            Finding(
                "Slack",
                True,
                "OAuth install is on at /slack/install (credentials are checked by Slack when "
                "someone installs)",
            )
        ]
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10)
    try:
        who = client.auth_test()
        findings = [
            Finding("Slack", True, f"bot token works: @{who.get('user')} in {who.get('team')}")
        ]
    except SlackApiError as exc:
        error = exc.response.get("error")
        if not error:
            return [
                Finding(
                    "Slack",
                    False,
                    f"{settings.slack_api_url} did not answer like Slack's Web API "
                    f"(HTTP {exc.response.status_code}): check SLACK_API_URL",
                )
            ]
        return [
            Finding(
                "Slack",
                False,
                f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token from "
                "the app's OAuth & Permissions page again",
            )
        ]
    except (SlackClientError, OSError) as exc:
        return [Finding("Slack", False, f"could not reach {settings.slack_api_url} ({exc})")]
    if settings.slack_mode == "socket":
        app_client = WebClient(
            token=settings.slack_app_token, base_url=settings.slack_api_url, timeout=10
        )
        try:
            app_client.apps_connections_open()
            findings.append(Finding("Socket Mode", True, "the app-level token can connect"))
        except (SlackClientError, OSError) as exc:
            findings.append(
                Finding(
                    "Socket Mode",
                    False,
                    f"SLACK_APP_TOKEN can't open a connection ({_slack_error(exc)}): turn on "
                    "Socket Mode and create an app-level token with connections:write",
                )
            )
    return findings


def _check_recall(settings: Settings) -> Finding:
    http = make_http_client(settings.recall_api_base_url, settings.recall_api_key)
    try:
        RecallClient(http).list_bots(status=["in_call_recording"])  # a documented filter
        return Finding("Recall", True, f"API key accepted at {settings.recall_api_base_url}")
    except RecallAuthError as exc:
        return Finding(
            "Recall",
            False,
            f"Recall refused RECALL_API_KEY (HTTP {exc.status}). Keys only work in their own "
            f"region: is your account in {settings.recall_region}? (set RECALL_REGION)",
        )
    except RecallUnavailable as exc:
        base = settings.recall_api_base_url
        if exc.__cause__ is not None:  # a network failure, not an HTTP answer
            return Finding("Recall", False, f"could not reach {base} ({exc})")
        return Finding("Recall", False, f"{base} is not answering properly ({exc})")
    except RecallRejected as exc:
        return Finding(
            "Recall",
            False,
            f"Recall refused the request (HTTP {exc.status}: {exc.detail}); check "
            "RECALL_API_BASE_URL / RECALL_REGION",
        )
    except RecallError as exc:
        return Finding("Recall", False, f"unexpected answer from Recall ({exc})")
    finally:
        http.close()


def _slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error"))
    return type(exc).__name__
