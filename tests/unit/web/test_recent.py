"""The few recent transcripts' captions and panels kept built (bot/web/transcript_pages.py):
built once, rebuilt after they have been kept their time, the oldest let go first."""

from __future__ import annotations

from bot.web.transcript_pages import Recent


def test_built_once_then_kept_for_their_time_only() -> None:
    now = [0.0]
    recent = Recent(size=2, seconds=300, clock=lambda: now[0])
    built: list[str] = []

    def build(what: str) -> str:
        built.append(what)
        return what.upper()

    assert recent.get("a", lambda: build("a")) == "A"
    assert recent.get("a", lambda: build("a")) == "A"
    now[0] = 299.0
    assert recent.get("a", lambda: build("a")) == "A"
    assert built == ["a"]
    now[0] = 301.0  # a deleted recording's words do not stay in memory
    recent.get("a", lambda: build("a"))
    assert built == ["a", "a"]


def test_the_least_recently_used_goes_first() -> None:
    recent = Recent(size=2, seconds=300, clock=lambda: 0.0)
    built: list[str] = []
    for key in ("a", "b", "a", "c", "a", "b"):
        recent.get(key, lambda key=key: built.append(key))
    assert built == ["a", "b", "c", "b"]  # "b" made way for "c"; "a" was in use
