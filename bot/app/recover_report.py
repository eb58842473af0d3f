"""What `slack-record recover` prints: what came back, what was left alone, and, plainly, what
cannot come back."""

from __future__ import annotations

from bot.app.runtime import OAUTH_NOT_REBUILT
from bot.slack.messages import meeting_name
from bot.workflow.recovery import RecoveryReport

ZOOM_NOT_REBUILT = (
    "Not rebuilt: connected Zoom accounts live only in the database. People who had connected "
    "theirs type /record connect zoom again; until then their Zoom meetings hosted elsewhere "
    "cannot be recorded."
)


def report_lines(report: RecoveryReport, slack_mode: str, zoom_on: bool = False) -> list[str]:
    lines = [
        f"recover: looked at {report.bots_seen} Recall bot(s) that joined since "
        f"{report.since:%Y-%m-%d %H:%M} UTC ({report.pages} page(s) of List Bots)",
        f"Rebuilt {len(report.rebuilt)} recording(s)" + (":" if report.rebuilt else "."),
    ]
    for rec in sorted(report.rebuilt, key=lambda r: r.created_at):
        lines.append(
            f"  {rec.id[:12]}  {rec.created_at:%Y-%m-%d %H:%M}  {rec.state.value:<12}  "
            f"{meeting_name(rec)}, channel {rec.request.channel_id}, asked by "
            f"{rec.request.user_id}"
        )
    lines.append(
        f"Already in the database: {report.known}. Bots of other apps, left alone: {report.others}."
    )
    if report.new_links:
        lines.append(
            f"{report.new_links} of them were made before their link token was kept at Recall: "
            "they have new links (their status messages show them once serve runs); the old "
            "links stay dead."
        )
    if report.rebuilt:
        lines.append(
            "The running app (slack-record serve) follows the open ones again and finds their "
            "Slack messages; nothing is posted twice."
        )
    lines.append(
        "Never rebuilt: requests that had no Recall bot yet, recordings older than "
        f"{report.days:g} days, and the history from before the rebuild."
    )
    if slack_mode == "oauth":
        lines.append(OAUTH_NOT_REBUILT)
    if zoom_on:
        lines.append(ZOOM_NOT_REBUILT)
    if report.trouble:
        lines.append(f"Stopped early: {report.trouble}. Run slack-record recover again.")
    if report.stopped:
        lines.append("Stopped early: the process was asked to stop.")
    return lines
