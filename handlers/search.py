"""`/record search <words>`: the recordings of the channel where it is typed that mention them,
answered privately from the lazy listener (handlers/commands.py)."""

from __future__ import annotations

from typing import Any

from bot.model.grammar import SearchCommand
from bot.slack.transcript_words import search_answer
from handlers.services import Services


def answer_search(app: Services, command: dict[str, Any], parsed: SearchCommand) -> str:
    if app.search is None:
        return "Searching recordings is not available here."
    found = app.search.in_channel(command["team_id"], command["channel_id"], parsed.query)
    return search_answer(parsed.query.text, found)
