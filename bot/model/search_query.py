"""What people type after `/record search`, read into a full-text query for SQLite's FTS5.

Every word and quoted phrase becomes a quoted FTS5 string, so nothing typed is ever read as
FTS5 syntax (`OR`, `NEAR`, `*`, a stray quote): any text gives a query or a friendly
`SearchQueryError`. All words must match (in any order); "quoted words" must match as a
phrase. The most common English words are left out of a query that has other words, since
they match nearly every line and say nothing about which one is meant.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
# BM25's usual constants: how soon more mentions in one line stop adding, and how much a long
# line is discounted against a short one.
_K1 = 1.2
_B = 0.75
# Around the matched words in a result's context (control characters no transcript keeps, see
# bot/model/transcript.py's clean_text), for each way of showing results to mark them its own.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"

_PHRASE = re.compile(r"[\"“”„]([^\"“”„]*)[\"“”„]?")
_WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to search by alone.
STOP_WORDS = frozenset(
    """a about after all also am an and any are as at be been but by can could did do does
    for from had has have he her him his how i if in into is it its just me my no not now of
    on or our out over she so some than that the their them then there these they this to too
    up us was we were what when which who will with would yeah yes you your okay ok um uh
    like""".split()  # noqa: SIM905 (a list of 90 words, one per line, reads worse)
)


class SearchQueryError(ValueError):
    """Nothing searchable was typed; `str(error)` says so in plain words."""


@dataclass(frozen=True)
class SearchQuery:
    text: str  # what was asked, tidied, for the answer's first line
    fts: str  # the FTS5 MATCH expression


def parse_search(text: str | None) -> SearchQuery:
    raw = (text or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()
    if not raw:
        raise SearchQueryError("What should I look for? Usage: `/record search <words>`.")
    if len(raw) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"That is too long to search for (at most {MAX_QUERY_CHARS}).")
    phrases = []
    for match in _PHRASE.finditer(raw):
        words = _WORD.findall(match[1].lower())
        if len(words) > 1:
            phrases.append(" ".join(words))
        elif words:
            phrases.append(words[0])
    loose = _WORD.findall(_PHRASE.sub(" ", raw).lower())
    telling = [w for w in loose if w not in STOP_WORDS]
    if not telling and not phrases:
        if loose:
            raise SearchQueryError(
                "Those words are too common to search for: add a more telling one, "
                "like a name or a topic."
            )
        raise SearchQueryError("Search for words, like `/record search budget review`.")
    terms = list(dict.fromkeys(phrases + telling))[:MAX_TERMS]
    shown = " ".join(f'"{t}"' if " " in t else t for t in terms)
    return SearchQuery(text=shown, fts=" ".join(f'"{t}"' for t in terms))


def best_first(lines: Sequence[str]) -> list[int]:
    """The order of matching lines, best first: their positions in `lines`, each the text of a
    line with its matches between HIGHLIGHT_START and HIGHLIGHT_END.

    BM25's weighing of mentions against the line's length, without its rarity part: every line
    here holds every word searched for, so rarity would add the same to each. Equals keep the
    order given.
    """
    lengths = [max(1, len(_WORD.findall(line))) for line in lines]
    average = sum(lengths) / len(lengths) if lengths else 1.0

    def score(at: int) -> float:
        hits = lines[at].count(HIGHLIGHT_START)
        return hits * (_K1 + 1) / (hits + _K1 * (1 - _B + _B * lengths[at] / average))

    return sorted(range(len(lines)), key=lambda at: -score(at))
