"""Searching 2,000 hours of transcripts: search time, and storage per transcript hour.

    python bench/transcript_search.py [--hours 2000] [--queries 600] [--keep PATH]

Builds a synthetic corpus once, into a temporary SQLite file (or PATH, reused if it is there):
`--hours` one-hour meetings of about 9,000 words each (about 18 million words for 2,000
hours), four speakers taking turns, words drawn from a Zipf distribution over a vocabulary of
common English words and made-up topic words and names, so a few words are in nearly every
line and most are rare, as in speech. The meetings are spread over channels of unequal size:
one of 20% of the hours, two of 10%, the rest in channels of 2.5% each. Every meeting is
stored the way the app stores one (bot/store/transcript_lines.py: phrases, in transactions of
200, with the full-text index kept by triggers), and a finished recording row points at it.

Then `--queries` searches, each in a random channel (picked in proportion to its hours: a busy
channel is searched more), through the code `/record search` runs
(bot/workflow/transcript_search.py: the FTS5 query within the channel's range of ids, the
ranking of its newest matches, the recordings behind the best lines, the links): single words
of every frequency (from the most common of those not left out as too common, down to the
rare), two-word queries, quoted phrases taken from the text (common words and all), names.
Prints the machine, how long the corpus took to build, p50/p95/p99/max per kind of query and
per size of channel, and the bytes per transcript hour (the lines table with its index, and the
full-text index). Target: p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import percentile, print_end, print_start

from bot.model.search_query import STOP_WORDS, SearchQueryError, parse_search
from bot.model.transcript import Phrase
from bot.slack.status_message import LinkStyle
from bot.store import Store
from bot.store.timestamps import ts
from bot.workflow.transcript_search import TranscriptSearch

WORDS_PER_HOUR = 9000  # about 150 a minute: a lively meeting
COMMON = [
    *sorted(STOP_WORDS),
    *("going", "think", "know", "really", "right", "want", "need", "get", "got", "make"),
    *("people", "time", "good", "thing", "things", "actually", "mean", "well", "kind"),
    *("look", "see", "said", "say", "way", "maybe", "sure", "work", "working", "team"),
    *("week", "today", "next", "last", "point", "question", "use", "back", "still", "first"),
]
NAMES = [
    f"{first} {last}"
    for first, last in itertools.product(
        ["Ada", "Bob", "Chloé", "Dmitri", "Eve", "Farid", "Grace", "Hiro", "Ines", "Jonas"],
        ["Lovelace", "Smith", "Durand", "Иванов", "Okafor", "Nakamura", "García", "Müller"],
    )
]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Common words first (the Zipf head), then made-up topic words, then names."""
    syllables = ["ka", "ro", "mi", "te", "su", "la", "no", "vi", "de", "pa", "zo", "ri", "bu"]
    made_up: set[str] = set()
    while len(made_up) < size:
        made_up.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    names = [name.split()[0].lower() for name in NAMES[:10]]
    return list(dict.fromkeys(COMMON + sorted(made_up) + names))


def channel_sizes(hours: int) -> list[int]:
    """Hours per channel: 20%, 10%, 10%, then channels of 2.5% each."""
    sizes = [hours // 5, hours // 10, hours // 10]
    rest, each = hours - sum(sizes), max(1, hours // 40)
    while rest > 0:
        sizes.append(min(each, rest))
        rest -= sizes[-1]
    return sizes


def build(path: Path, hours: int, seed: int) -> tuple[list[tuple[str, str]], list[str], float]:
    rng = random.Random(seed)
    words = vocabulary(rng, 12_000)
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(len(words))))
    total = cumulative[-1]
    store = Store(path)
    store.migrate()
    channels = [("T0001", f"C{n:05d}") for n in range(len(channel_sizes(hours)))]
    started = time.perf_counter()
    now = datetime.now(UTC)
    for (team, channel), meetings in zip(channels, channel_sizes(hours), strict=True):
        scope = store.transcripts.lines.scope(team, channel, create=True)
        assert scope is not None
        for meeting in range(meetings):
            recording_id = secrets.token_hex(12)
            _recording_row(store, recording_id, team, channel, now - timedelta(hours=meeting))
            people = rng.sample(NAMES, 4)
            lines, at, count = [], 0.0, 0
            while count < WORDS_PER_HOUR:
                size = rng.randint(6, 14)
                text = " ".join(
                    words[bisect.bisect_left(cumulative, rng.random() * total)] for _ in range(size)
                )
                lines.append(Phrase(at, at + size * 0.4, rng.choice(people), text + "."))
                at += size * 0.4 + 0.2
                count += size
            store.transcripts.lines.replace(recording_id, scope, lines)
    return channels, words, time.perf_counter() - started


def _recording_row(store: Store, recording_id: str, team: str, channel: str, at: datetime) -> None:
    store.database.write(
        "INSERT INTO recordings (id, team_id, channel_id, user_id, meeting_url, platform, "
        "state, created_at, updated_at, deadline_at, finished_at, recording_started_at, "
        "share_token) VALUES (?, ?, ?, 'U1', 'https://zoom.us/j/81234567890', 'zoom', "
        "'ready', ?, ?, ?, ?, ?, ?)",
        [recording_id, team, channel, *[ts(at)] * 5, secrets.token_urlsafe(16)],
    )


def queries(
    rng: random.Random, words: list[str], store: Store, count: int
) -> list[tuple[str, str]]:
    content = [w for w in words if w not in STOP_WORDS]
    sample_lines = [
        row[0]
        for row in store.database.db.execute(
            "SELECT text FROM transcript_lines WHERE rowid % 997 = 0 LIMIT 2000"
        )
    ]
    kinds = {
        "common word (1st-30th)": lambda: rng.choice(content[:30]),
        "frequent word (30-100th)": lambda: rng.choice(content[29:100]),
        "medium word (100-1,000th)": lambda: rng.choice(content[100:1000]),
        "rare word (1,000th on)": lambda: rng.choice(content[1000:]),
        "two words": lambda: f"{rng.choice(content[50:2000])} {rng.choice(content[50:2000])}",
        "quoted phrase": lambda: _phrase(rng, rng.choice(sample_lines)),
        "a name (rare in the text)": lambda: rng.choice(NAMES[:10]).split()[0],
    }
    return [(kind, kinds[kind]()) for kind in itertools.islice(itertools.cycle(kinds), count)]


def _phrase(rng: random.Random, line: str) -> str:
    words = line.rstrip(".").split()
    start = rng.randrange(max(1, len(words) - 2))
    return '"' + " ".join(words[start : start + 3]) + '"'


def storage(store: Store, hours: int) -> list[str]:
    db = store.database.db
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file itself
    try:
        sizes = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    except Exception:  # no dbstat in this SQLite: the whole file only
        sizes = {}
    lines = sum(v for k, v in sizes.items() if k.startswith(("transcript_lines", "idx_transcript")))
    fts = sum(v for k, v in sizes.items() if k.startswith("transcript_lines_fts"))
    file = os.path.getsize(store.path)
    return [
        f"database file: {file / 1e6:.0f} MB for {hours} hours = {file / hours / 1e3:.0f} kB "
        "per transcript hour (everything: lines, full-text index, recordings)",
        f"lines table and its indexes: {(lines - fts) / hours / 1e3:.0f} kB per hour; "
        f"full-text index (FTS5): {fts / hours / 1e3:.0f} kB per hour",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, help="build the corpus here, or reuse it")
    args = parser.parse_args()
    print_start()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "corpus.db"
        rng = random.Random(args.seed)
        if path.exists():
            store = Store(path)
            words = vocabulary(random.Random(args.seed), 12_000)
            channels = [("T0001", f"C{n:05d}") for n in range(len(channel_sizes(args.hours)))]
            print(f"corpus reused from {path}")
        else:
            channels, words, took = build(path, args.hours, args.seed)
            store = Store(path)
            print(f"corpus of {args.hours} hours built in {took:.0f} s")
        counted = store.database.db.execute(
            "SELECT COUNT(*), SUM(LENGTH(text) - LENGTH(REPLACE(text, ' ', '')) + 1) "
            "FROM transcript_lines"
        ).fetchone()
        print(f"{counted[0]:,} lines, {counted[1]:,} words, {len(channels)} channels")
        search = TranscriptSearch(store, LinkStyle("https://rec.example.com"))
        sizes = channel_sizes(args.hours)
        timings: dict[str, list[float]] = {}
        for kind, typed in queries(rng, words, store, args.queries):
            [index] = rng.choices(range(len(channels)), weights=sizes)
            try:
                query = parse_search(typed)
            except SearchQueryError:
                continue
            began = time.perf_counter()
            search.in_channel(*channels[index], query)
            elapsed = (time.perf_counter() - began) * 1000
            for label in (kind, f"channel of {sizes[index]} hours", "all"):
                timings.setdefault(label, []).append(elapsed)
        print_end()
        print("| searches | count | p50 ms | p95 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|")
        order = [*dict.fromkeys(k for k, _ in queries(random.Random(0), words, store, 7))]
        order += sorted(
            (k for k in timings if k.startswith("channel")), key=lambda k: int(k.split()[2])
        )
        for label in [*order, "all"]:
            values = timings.get(label)
            if not values:
                continue
            print(
                f"| {label} | {len(values)} | {percentile(values, 50):.1f} "
                f"| {percentile(values, 95):.1f} | {percentile(values, 99):.1f} "
                f"| {max(values):.1f} |"
            )
        for line in storage(store, args.hours):
            print(line)
        store.close()
    return 0 if percentile(timings["all"], 99) < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
