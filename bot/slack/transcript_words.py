"""What slack-record says in Slack about transcripts: the Transcript link and the speakers on
the ready message, the ready thread reply with its links, and `/record search` results.

What people said in a meeting is the least trusted text there is: every word of it (and every
speaker's name) goes through `inert`, which escapes `&`, `<` and `>` (no `<!channel>`, no
disguised links) and swaps mrkdwn's formatting marks for look-alikes, so a transcript can neither
ping anyone nor format our message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.model.recording import Recording
from bot.model.search_query import HIGHLIGHT_END, HIGHLIGHT_START
from bot.model.talk_time import shown
from bot.model.transcript import TranscriptStatus, TranscriptSummary
from bot.model.transcript_formats import clock, why_no_transcript
from bot.slack.meeting_notes import availability
from bot.slack.messages import Message, escape, format_duration, meeting_name, slack_time

# mrkdwn's formatting marks, and characters that look like them but mean nothing to Slack.
_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})
QUOTE_CHARS = 160


def inert(text: str) -> str:
    """Text from a meeting, safe to put in mrkdwn: shown as written, never acted on."""
    return escape(text).translate(_LOOKALIKES)


def transcript_key(summary: TranscriptSummary | None) -> str:
    """Changes whenever what the messages say about the transcript changes."""
    if summary is None:
        return ""
    return f"transcript:{summary.status.value}:{summary.lines}"


def transcript_link(watch: str, summary: TranscriptSummary | None) -> str:
    """` · <…|Transcript>` after the Watch link, when there is a transcript to read."""
    return f" · <{watch}#transcript|Transcript>" if summary and summary.ready else ""


def transcript_context(summary: TranscriptSummary | None) -> str | None:
    """The ready message's line about the transcript: who spoke how much (or, with no names,
    the first words), or why there is none."""
    if summary is None or summary.status in (TranscriptStatus.AWAITED, TranscriptStatus.REQUESTED):
        return None
    if summary.ready:
        if summary.speakers:
            return "Speakers: " + ", ".join(
                f"{inert(s.name)} {s.percent}%" for s in shown(summary.speakers)
            )
        if summary.first_lines:
            return "Begins: “" + inert(_quote(" ".join(p.text for p in summary.first_lines))) + "”"
        return None
    # Our words, and Recall's reason code: escaped like Recall's other words (bot/slack).
    return escape(why_no_transcript(summary.status, summary.provider, summary.detail))


def with_transcript(message: Message, watch: str, summary: TranscriptSummary | None) -> Message:
    """The ready message, with a line about the transcript under it: its link and who spoke
    how much, or why there is none (nothing while it is still coming)."""
    about = transcript_context(summary)
    link = transcript_link(watch, summary).removeprefix(" · ")
    line = " · ".join(part for part in (link, about) if part)
    if not line:
        return message
    block = {"type": "context", "elements": [{"type": "mrkdwn", "text": line}]}
    return Message(
        text=message.text,
        blocks=[*message.blocks, block],
        fallback_blocks=[*message.fallback_blocks, block] if message.fallback_blocks else None,
    )


def ready_reply(rec: Recording, watch: str | None, summary: TranscriptSummary | None) -> str:
    """The thread reply when the video is ready: it mentions the requester and carries the
    links and until when they work, so nobody has to scroll up to the status message."""
    name = escape(meeting_name(rec))
    ran = format_duration(rec.duration_seconds)
    text = f"<@{rec.request.user_id}> your recording of {name} is ready" + (
        f" ({ran})." if ran else "."
    )
    # The status message's own words, so the two never disagree about the retention.
    if available := availability(rec):
        text += f" It is {available}."
    if watch:
        text += f" <{watch}|Watch the recording>" + transcript_link(watch, summary)
    about = transcript_context(summary) if watch else None
    return text + (f"\n{about}" if about else "")


@dataclass(frozen=True)
class Found:
    """One search result: a line of a recording's transcript."""

    recording: Recording
    start: float
    speaker: str | None
    context: str  # with HIGHLIGHT_START/END around the matched words
    link: str | None  # …/r/<token>/watch?t=<seconds>, with PUBLIC_BASE_URL


def search_answer(query: str, found: Sequence[Found]) -> str:
    """`/record search`: the best matches first, each with the meeting, the date, who spoke,
    the words around the match, and a link that starts the video there."""
    if not found:
        return (
            f"No recording of this channel mentions {inert(query)}. "
            "(Only finished recordings with a transcript are searched.)"
        )
    lines = [f"*Recordings of this channel mentioning {inert(query)}*, best matches first:"]
    for hit in found:
        rec = hit.recording
        name = escape(meeting_name(rec))
        title = f"<{hit.link}|{name}>" if hit.link else name
        when = slack_time(rec.recall.started_at or rec.created_at, "date_short_pretty")
        who = inert(hit.speaker) if hit.speaker else "someone"
        at = f"<{hit.link}|{clock(hit.start)}>" if hit.link else clock(hit.start)
        lines.append(f"• {title} · {when} · {who} at {at}\n> {_highlighted(hit.context)}")
    return "\n".join(lines)


def _highlighted(context: str) -> str:
    """The matched words in bold, everything else inert."""
    return (
        inert(context).replace(HIGHLIGHT_START, "*").replace(HIGHLIGHT_END, "*").replace("\n", " ")
    )


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
