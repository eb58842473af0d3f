"""The transcript tables on a real SQLite file: lines in their channel's range of ids, the
full-text index kept in step, search within one channel, the lease, and deleting a
recording's transcript (rows and index entries) for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.model.search_query import parse_search
from bot.model.talk_time import SpeakerShare
from bot.model.transcript import Phrase, TranscriptStatus
from bot.store import Store
from bot.store.transcript_lines import CHUNK, NEWEST_MATCHES, SCOPE_BITS

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = Store(tmp_path / "t.db")
    made.migrate()
    return made


def lines(*texts: str, speaker: str = "Ada") -> list[Phrase]:
    return [Phrase(i * 5.0, i * 5.0 + 4, speaker, text) for i, text in enumerate(texts)]


def keep(store: Store, recording_id: str, channel: str, phrases: list[Phrase]) -> None:
    transcripts = store.transcripts
    transcripts.expect(recording_id, "meeting_captions", NOW)
    claimed = transcripts.claim(recording_id, NOW, LEASE)
    assert claimed is not None
    scope = transcripts.lines.scope("T1", channel, create=True)
    assert scope is not None
    shares = (SpeakerShare("Ada", 12.0, 1.0),)
    assert transcripts.store_ready(claimed, NOW, scope, phrases, 10, shares)


def search(store: Store, channel: str, words: str) -> list[str]:
    scope = store.transcripts.lines.scope("T1", channel)
    found = store.transcripts.lines.search(parse_search(words).fts, scope, 10) if scope else []
    return [hit.recording_id for hit in found]


def fts_rows(store: Store) -> int:
    return store.database.db.execute("SELECT COUNT(*) FROM transcript_lines_fts").fetchone()[0]


def test_each_channels_lines_take_ids_in_a_range_of_its_own(store: Store) -> None:
    keep(store, "r1", "C1", lines("alpha budget", "beta"))
    keep(store, "r2", "C2", lines("gamma budget"))
    keep(store, "r3", "C1", lines("delta budget"))

    ids = dict(store.database.db.execute("SELECT text, id FROM transcript_lines").fetchall())
    c1 = store.transcripts.lines.scope("T1", "C1")
    assert ids["alpha budget"] >> SCOPE_BITS == c1 and ids["delta budget"] >> SCOPE_BITS == c1
    assert ids["gamma budget"] >> SCOPE_BITS == store.transcripts.lines.scope("T1", "C2")
    assert ids["delta budget"] == ids["beta"] + 1
    assert sorted(search(store, "C1", "budget")) == ["r1", "r3"]
    assert search(store, "C2", "budget") == ["r2"]
    assert search(store, "C3", "budget") == []


def test_search_stems_words_and_ranks_the_best_match_first(store: Store) -> None:
    keep(store, "r1", "C1", lines("we discussed hiring", "hiring hiring plans for hiring"))

    scope = store.transcripts.lines.scope("T1", "C1")
    found = store.transcripts.lines.search(parse_search("hire").fts, scope, 10)

    assert [hit.start for hit in found] == [5.0, 0.0]
    assert "\x02hiring\x03" in found[0].context


def test_a_channel_search_ranks_its_newest_matching_lines(store: Store) -> None:
    # Bounded work however common the words: the best line of an old meeting is passed over
    # once the channel holds NEWEST_MATCHES newer matching lines.
    keep(store, "old", "C1", lines("budget budget budget"))
    many = [f"the budget line {n} of many" for n in range(NEWEST_MATCHES)]
    keep(store, "new", "C1", lines(*many))
    assert set(search(store, "C1", "budget")) == {"new"}

    store.transcripts.lines.delete_of("new")  # fewer matches: every one of them is ranked
    keep(store, "newer", "C1", lines("the budget again"))
    assert search(store, "C1", "budget") == ["old", "newer"]


def test_storing_again_replaces_and_a_large_transcript_goes_in_chunks(store: Store) -> None:
    many = lines(*[f"line {n} words" for n in range(CHUNK * 3 + 7)])
    keep(store, "r1", "C1", many)
    assert len(store.transcripts.lines.of("r1")) == len(many)

    store.transcripts.lines.replace("r1", 1, lines("just one"))

    assert [p.text for p in store.transcripts.lines.of("r1")] == ["just one"]
    assert fts_rows(store) == 1


def test_summary_says_what_the_messages_show(store: Store) -> None:
    keep(store, "r1", "C1", lines("one.", "two.", "three.", "four."))
    summary = store.transcripts.summary("r1")
    assert summary is not None and summary.ready
    assert [p.text for p in summary.first_lines] == ["one.", "two.", "three."]
    assert summary.lines == 4 and summary.speakers[0].name == "Ada"
    assert store.transcripts.summary("nope") is None


def test_an_empty_transcript_is_kept_as_empty(store: Store) -> None:
    keep(store, "r1", "C1", [])
    summary = store.transcripts.summary("r1")
    assert summary is not None and summary.status == TranscriptStatus.EMPTY
    assert not summary.ready


def test_only_the_claim_holder_writes(store: Store) -> None:
    transcripts = store.transcripts
    transcripts.expect("r1", "meeting_captions", NOW)
    mine = transcripts.claim("r1", NOW, LEASE)
    assert mine is not None
    assert transcripts.claim("r1", NOW, LEASE) is None  # leased
    later = NOW + LEASE + timedelta(seconds=1)
    theirs = transcripts.claim("r1", later, LEASE)  # the lease ran out: someone else's now
    assert theirs is not None
    assert not transcripts.save(mine, later, detail="stale")
    assert transcripts.save(theirs, later, detail="fresh")
    assert transcripts.get("r1").detail == "fresh"


def test_news_reopens_a_transcript_given_up_on_but_not_a_kept_one(store: Store) -> None:
    transcripts = store.transcripts
    transcripts.expect("r1", "meeting_captions", NOW)
    claimed = transcripts.claim("r1", NOW, LEASE)
    transcripts.save(claimed, NOW, status=TranscriptStatus.NONE, next_check_at=None)
    assert transcripts.make_due("r1", NOW)
    assert transcripts.get("r1").status == TranscriptStatus.AWAITED
    keep(store, "r2", "C1", lines("kept"))
    assert not transcripts.make_due("r2", NOW)


def test_delete_removes_rows_and_index_entries(store: Store) -> None:
    keep(store, "r1", "C1", lines(*[f"budget {n}" for n in range(CHUNK * 2 + 3)]))
    keep(store, "r2", "C1", lines("budget other"))

    store.transcripts.delete_of("r1")

    assert store.transcripts.get("r1") is None and store.transcripts.lines.of("r1") == []
    assert search(store, "C1", "budget") == ["r2"]
    assert fts_rows(store) == 1
