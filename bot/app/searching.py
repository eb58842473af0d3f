"""`slack-record search <words>`: operators search every recording's transcript (or one
channel's), from the database alone, and get plain lines."""

from __future__ import annotations

from bot.app.config import Settings
from bot.model.search_query import HIGHLIGHT_END, HIGHLIGHT_START, SearchQueryError, parse_search
from bot.model.transcript_formats import clock
from bot.slack.messages import meeting_name
from bot.slack.status_message import LinkStyle
from bot.store import Store
from bot.workflow.transcript_search import TranscriptSearch


def search_transcripts(
    settings: Settings, words: str, team_id: str | None, channel_id: str | None, limit: int
) -> tuple[str, int]:
    """The results as text, and the exit status (1 when the words cannot be searched for)."""
    try:
        query = parse_search(words)
    except SearchQueryError as exc:
        return str(exc).replace("`/record search <words>`", "`slack-record search WORDS`"), 1
    store = Store(settings.database_path)
    store.migrate()
    try:
        search = TranscriptSearch(store, LinkStyle(settings.public_base_url))
        if channel_id and team_id:
            found = search.in_channel(team_id, channel_id, query)[:limit]
        else:
            found = search.everywhere(query, limit, channel_id)
    finally:
        store.close()
    if not found:
        return f"No transcript mentions {query.text}.", 0
    lines = []
    for hit in found:
        rec = hit.recording
        day = rec.recall.started_at or rec.created_at
        context = hit.context.replace(HIGHLIGHT_START, "[").replace(HIGHLIGHT_END, "]")
        lines.append(
            f"{day:%Y-%m-%d}  {rec.request.team_id}/{rec.request.channel_id}  "
            f"{meeting_name(rec)}  [{clock(hit.start)}] {hit.speaker or 'someone'}: {context}"
            + (f"\n    {hit.link}" if hit.link else "")
        )
    return "\n".join(lines), 0
