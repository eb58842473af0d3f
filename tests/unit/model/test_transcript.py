"""The transcript's rules: phrases from timed words (and from words without times), turns,
WebVTT and plain text, talk time, and what `/record search` makes of any text."""

from __future__ import annotations

import io
import math
import sqlite3
from html import unescape

import pytest
import webvtt
from hypothesis import given
from hypothesis import strategies as st

from bot.model.search_query import SearchQueryError, best_first, parse_search
from bot.model.talk_time import Span, shares, shown
from bot.model.transcript import (
    MAX_PHRASE_CHARS,
    MAX_PHRASE_SECONDS,
    Phrase,
    Segment,
    Word,
    phrases,
    turns,
    word_count,
)
from bot.model.transcript_formats import clock, plain_text, vtt_time
from bot.model.transcript_formats import webvtt as to_webvtt


def said(speaker: str | None, text: str, start: float = 0.0, step: float = 0.4) -> Segment:
    words = text.split()
    return Segment(
        speaker,
        tuple(
            Word(w, start + i * step, start + i * step + step * 0.8) for i, w in enumerate(words)
        ),
    )


def test_a_phrase_ends_at_a_sentence_end() -> None:
    lines = phrases([said("Ada", "Hello there everyone. Shall we begin with the budget?")])
    assert [p.text for p in lines] == [
        "Hello there everyone.",
        "Shall we begin with the budget?",
    ]
    assert lines[1].start == pytest.approx(1.2)


def test_a_pause_starts_a_new_phrase() -> None:
    first = said("Ada", "one two", start=0.0)
    later = Segment("Ada", (*first.words, Word("three", 5.0, 5.3)))
    assert [p.text for p in phrases([later])] == ["one two", "three"]


def test_phrases_stay_short_enough_to_read_as_captions() -> None:
    text = " ".join(["word"] * 200)
    lines = phrases([said("Ada", text, step=0.3)])
    assert len(lines) > 10
    assert all(len(p.text) <= MAX_PHRASE_CHARS for p in lines)
    assert all(p.end - p.start <= MAX_PHRASE_SECONDS + 0.3 for p in lines)
    assert word_count(lines) == 200


def test_words_without_times_follow_the_segment_before() -> None:
    timed = said("Ada", "first words here", start=10.0)
    untimed = Segment("Bob", tuple(Word(w, None, None) for w in ["then", "mine"]))
    lines = phrases([timed, untimed])
    assert lines[-1].speaker == "Bob"
    assert lines[-1].start >= lines[0].end - 0.01
    assert lines[-1].end > lines[-1].start


def test_a_caption_chunk_holding_many_words_is_split_and_timed_evenly() -> None:
    chunk = Segment("Ada", (Word("one two three four", 2.0, 4.0),))
    [line] = phrases([chunk])
    assert (line.start, line.end, line.text) == (2.0, 4.0, "one two three four")


def test_impossible_times_are_mended() -> None:
    odd = Segment(
        "Ada",
        (
            Word("a", -5.0, -4.0),
            Word("b", math.nan, math.inf),
            Word("c", 3.0, 1.0),
            Word("d\x00\u202e", 4.0, 4.2),
        ),
    )
    lines = phrases([odd])
    assert all(0 <= p.start < p.end and math.isfinite(p.end) for p in lines)
    assert "\x00" not in " ".join(p.text for p in lines)


def test_overlapping_speakers_stay_apart_in_time_order() -> None:
    lines = phrases([said("Bob", "no no no", start=2.0), said("Ada", "I think so", start=1.0)])
    assert [(p.speaker, p.start) for p in lines] == [("Ada", 1.0), ("Bob", 2.0)]


def test_turns_group_a_speakers_phrases_in_a_row() -> None:
    lines = [Phrase(0, 1, "A", "x."), Phrase(1, 2, "A", "y."), Phrase(2, 3, None, "z.")]
    assert [(t.speaker, len(t.phrases), t.start) for t in turns(lines)] == [
        ("A", 2, 0),
        (None, 1, 2),
    ]


def test_times_as_people_and_webvtt_read_them() -> None:
    assert clock(3723.9) == "01:02:03"
    assert clock(-1) == "00:00:00" and clock(math.nan) == "00:00:00"
    assert vtt_time(62.5) == "00:01:02.500"
    assert vtt_time(36000) == "10:00:00.000"


def test_webvtt_escapes_hostile_text_and_names_and_parses() -> None:
    lines = [
        Phrase(0.0, 1.5, "<b>Eve</b> & co", "--> <c.x>boom</c> &amp; <!channel>"),
        Phrase(2.0, 3.0, None, "plain"),
    ]
    text = to_webvtt(lines)
    assert text.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\n")
    assert "<b>" not in text and "<c.x>" not in text
    cues = list(webvtt.from_buffer(io.StringIO(text)))
    assert len(cues) == 2
    assert unescape(cues[0].voice) == "<b>Eve</b> & co"
    assert unescape(cues[0].text) == "--> <c.x>boom</c> &amp; <!channel>"
    assert cues[1].voice is None


def test_plain_text_is_one_line_per_turn() -> None:
    lines = [
        Phrase(62, 63, "Ada", "Hi."),
        Phrase(63, 64, "Ada", "Go on."),
        Phrase(70, 71, None, "Ok"),
    ]
    assert plain_text(lines) == "[00:01:02] Ada: Hi. Go on.\n[00:01:10] Unknown speaker: Ok\n"


def test_talk_time_from_a_timeline_with_an_open_last_span() -> None:
    # Bob's span has no end: it lasts until the next one (someone unknown) starts.
    spans = [Span("Ada", 0, 30), Span("Bob", 30, None), Span(None, 40, 50)]
    result = shares(spans, recording_end=60)
    assert [(s.name, s.seconds, s.percent) for s in result] == [
        ("Ada", 30.0, 75),
        ("Bob", 10.0, 25),
    ]
    assert shares([Span("Ada", 0, 5), Span("Bob", 5, None)], recording_end=60)[0].name == "Bob"


def test_talk_time_ignores_impossible_spans() -> None:
    spans = [Span("Ada", 10, 5), Span("Bob", math.nan, 3), Span("Cy", 0, 4)]
    assert [(s.name, s.percent) for s in shares(spans)] == [("Cy", 100)]
    assert shares([]) == ()


def test_many_speakers_show_the_rest_as_others() -> None:
    many = shares([Span(f"P{i}", i * 10, i * 10 + 10 - i * 0.1) for i in range(9)])
    compact = shown(many)
    assert len(compact) == 6 and compact[-1].name == "4 others"
    assert sum(s.share for s in compact) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("typed", "fts"),
    [
        ("budget review", '"budget" "review"'),
        ('"budget review" Ada', '"budget review" "ada"'),
        ("“curly quotes” here", '"curly quotes" "here"'),
        ("the budget", '"budget"'),
        ("OR NEAR( * ^ -x:", '"near" "x"'),
        ("Zoë café", '"zoë" "café"'),
        ("&lt;script&gt;", '"script"'),
    ],
)
def test_search_words_become_quoted_fts_strings(typed: str, fts: str) -> None:
    assert parse_search(typed).fts == fts


@pytest.mark.parametrize("typed", ["", "   ", "the and of", "!!! ???", "x" * 300])
def test_unsearchable_text_gets_a_friendly_reason(typed: str) -> None:
    with pytest.raises(SearchQueryError) as raised:
        parse_search(typed)
    assert str(raised.value)
    assert "`/record search" in str(raised.value) or "too" in str(raised.value)


@given(st.text(max_size=250))
def test_any_text_is_a_query_fts5_accepts_or_a_friendly_error(typed: str) -> None:
    try:
        query = parse_search(typed)
    except SearchQueryError:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61')")
    db.execute("INSERT INTO t VALUES ('budget review and hiring plan')")
    db.execute("SELECT rowid FROM t WHERE t MATCH ?", [query.fts]).fetchall()


def test_best_first_prefers_more_mentions_then_shorter_lines_and_keeps_ties_in_order() -> None:
    lines = [
        "we talked about the \x02budget\x03 for a long while before lunch today",  # long
        "\x02budget\x03 and \x02budget\x03 again",  # two mentions
        "the \x02budget\x03 is fine",  # short
        "the \x02budget\x03 is ok",  # as good as the one before: stays behind it
    ]
    assert best_first(lines) == [1, 2, 3, 0]
    assert best_first([]) == []
