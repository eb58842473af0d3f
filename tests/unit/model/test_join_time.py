"""`--at`: every form people type, the instant it names in the requester's zone, and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from bot.model.join_time import EXAMPLES, JoinTimeError, parse_join_time

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # 13:00 in Berlin, 04:00 in Los Angeles
BERLIN = ZoneInfo("Europe/Berlin")  # CET, +01:00 in November
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # PST, -08:00 in November
ZONES = {"berlin": BERLIN, "los_angeles": LOS_ANGELES, "utc": UTC}


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# The same wall-clock text read in each zone, as a UTC instant: (text, berlin, los_angeles, utc).
WALL_CLOCK = [
    ("14:30", utc(26, 13, 30), utc(26, 22, 30), utc(26, 14, 30)),
    ("2:30pm", utc(26, 13, 30), utc(26, 22, 30), utc(26, 14, 30)),
    ("2:30 PM", utc(26, 13, 30), utc(26, 22, 30), utc(26, 14, 30)),
    ("2pm", utc(26, 13), utc(26, 22), utc(26, 14)),
    ("  2 pm ", utc(26, 13), utc(26, 22), utc(26, 14)),
    # Los Angeles' evening is already the next day in UTC
    ("23:59", utc(26, 22, 59), utc(27, 7, 59), utc(26, 23, 59)),
    ("today 18:00", utc(26, 17), utc(27, 2), utc(26, 18)),
    ("Today 6pm", utc(26, 17), utc(27, 2), utc(26, 18)),
    ("tomorrow 9am", utc(27, 8), utc(27, 17), utc(27, 9)),
    ("tomorrow 14:30", utc(27, 13, 30), utc(27, 22, 30), utc(27, 14, 30)),
    ("TOMORROW   9AM", utc(27, 8), utc(27, 17), utc(27, 9)),
    # Berlin's midnight is still the day before in UTC
    ("tomorrow 12am", utc(26, 23), utc(27, 8), utc(27, 0)),
    ("2026-11-27T14:30", utc(27, 13, 30), utc(27, 22, 30), utc(27, 14, 30)),
    ("2026-11-27 14:30", utc(27, 13, 30), utc(27, 22, 30), utc(27, 14, 30)),
    ("2026-11-27t14:30:00", utc(27, 13, 30), utc(27, 22, 30), utc(27, 14, 30)),
]


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        pytest.param(text, ZONES[name], expected, id=f"{text.strip()}-{name}")
        for text, *instants in WALL_CLOCK
        for name, expected in zip(ZONES, instants, strict=True)
    ],
)
def test_wall_clock_time_is_read_in_the_requesters_zone(
    text: str, zone: tzinfo, expected: datetime
) -> None:
    join_time = parse_join_time(text, NOW)
    assert join_time.needs_timezone
    assert join_time.resolve(zone, NOW).astimezone(UTC) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 12am", utc(27, 0)),
        ("tomorrow 12:30am", utc(27, 0, 30)),
        ("tomorrow 12pm", utc(27, 12)),
        ("tomorrow 12:30pm", utc(27, 12, 30)),
        ("tomorrow 1am", utc(27, 1)),
        ("tomorrow 11pm", utc(27, 23)),
        ("tomorrow 0:00", utc(27, 0)),
        ("tomorrow 00:05", utc(27, 0, 5)),
        ("tomorrow 7:05", utc(27, 7, 5)),
    ],
)
def test_twelve_hour_clock_around_midnight_and_noon(text: str, expected: datetime) -> None:
    assert parse_join_time(text, NOW).resolve(UTC, NOW) == expected


@pytest.mark.parametrize(
    ("now", "zone", "text", "expected"),
    [
        # 23:30 UTC is already 00:30 tomorrow in Berlin: "today" is Berlin's today
        (utc(26, 23, 30), BERLIN, "9am", utc(27, 8)),
        (utc(26, 23, 30), BERLIN, "today 00:45", utc(26, 23, 45)),
        (utc(26, 23, 30), BERLIN, "tomorrow 9am", utc(28, 8)),
        # 05:00 UTC is still 21:00 yesterday in Los Angeles
        (utc(26, 5), LOS_ANGELES, "22:00", utc(26, 6)),
        (utc(26, 5), LOS_ANGELES, "tomorrow 9am", utc(26, 17)),
        (utc(26, 5), LOS_ANGELES, "2026-11-26T09:00", utc(26, 17)),
    ],
)
def test_today_and_tomorrow_are_the_requesters_local_days(
    now: datetime, zone: tzinfo, text: str, expected: datetime
) -> None:
    assert parse_join_time(text, now).resolve(zone, now).astimezone(UTC) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 20m", NOW + timedelta(minutes=20)),
        ("in 20 min", NOW + timedelta(minutes=20)),
        ("in 20 mins", NOW + timedelta(minutes=20)),
        ("in 20 minutes", NOW + timedelta(minutes=20)),
        ("In 5M", NOW + timedelta(minutes=5)),
        ("  in   20m  ", NOW + timedelta(minutes=20)),
        ("in 2h", NOW + timedelta(hours=2)),
        ("in 2 hrs", NOW + timedelta(hours=2)),
        ("in 1 hour", NOW + timedelta(hours=1)),
        ("in 1h30m", NOW + timedelta(minutes=90)),
        ("in 1h 30m", NOW + timedelta(minutes=90)),
        ("in 1 hour 30 minutes", NOW + timedelta(minutes=90)),
        ("in 90 minutes", NOW + timedelta(minutes=90)),
        ("in 0h5m", NOW + timedelta(minutes=5)),
        ("in 1440h", NOW + timedelta(days=60)),  # the limit itself is allowed
        ("2026-11-27T14:30Z", utc(27, 14, 30)),
        ("2026-11-27t14:30z", utc(27, 14, 30)),
        ("2026-11-27T14:30+00:00", utc(27, 14, 30)),
        ("2026-11-27T14:30+01:00", utc(27, 13, 30)),
        ("2026-11-27T14:30-08:00", utc(27, 22, 30)),
        ("2026-11-27 14:30+05:30", utc(27, 9)),
        ("2026-11-27T14:30:15Z", utc(27, 14, 30) + timedelta(seconds=15)),
        ("2027-01-25T12:00Z", NOW + timedelta(days=60)),
    ],
)
def test_relative_and_offset_times_are_absolute_at_once(text: str, expected: datetime) -> None:
    join_time = parse_join_time(text, NOW)
    assert not join_time.needs_timezone
    assert join_time.absolute == expected
    for zone in ZONES.values():
        assert join_time.resolve(zone, NOW) == expected


@pytest.mark.parametrize(
    ("text", "needs_timezone"),
    [
        ("14:30", True),
        ("2:30pm", True),
        ("2pm", True),
        ("today 14:30", True),
        ("tomorrow 9am", True),
        ("2026-11-27T14:30", True),
        ("2026-11-27 14:30", True),
        ("in 20m", False),
        ("in 2h", False),
        ("2026-11-27T14:30Z", False),
        ("2026-11-27T14:30+01:00", False),
    ],
)
def test_only_wall_clock_times_need_the_requesters_zone(text: str, needs_timezone: bool) -> None:
    assert parse_join_time(text, NOW).needs_timezone is needs_timezone


# --- the past, the present, and too far ahead -----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-26T11:00Z",
        "2026-11-26T11:58:59Z",  # 61 seconds ago: just outside the grace minute
        "2026-11-26T12:30+01:00",
        "2020-01-01T00:00Z",
    ],
)
def test_past_absolute_time_is_refused_at_once(text: str) -> None:
    with pytest.raises(JoinTimeError) as caught:
        parse_join_time(text, NOW)
    message = str(caught.value)
    assert f"`{text}` has already passed." in message
    assert EXAMPLES in message


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("11:00", UTC),
        ("11:58", UTC),
        ("12:30", BERLIN),  # 11:30 UTC
        ("3:30am", LOS_ANGELES),  # 11:30 UTC
        ("today 9am", BERLIN),
        ("2026-11-26T11:00", UTC),
        ("2026-11-25 18:00", LOS_ANGELES),
    ],
)
def test_past_wall_clock_time_is_refused_once_the_zone_is_known(text: str, zone: tzinfo) -> None:
    join_time = parse_join_time(text, NOW)
    with pytest.raises(JoinTimeError, match="has already passed"):
        join_time.resolve(zone, NOW)


def test_wall_clock_time_does_not_roll_over_to_tomorrow() -> None:
    # 11:00 has passed today; quietly recording tomorrow instead would surprise everyone.
    with pytest.raises(JoinTimeError, match="has already passed"):
        parse_join_time("11:00", NOW).resolve(UTC, NOW)


@pytest.mark.parametrize(
    ("text", "now", "zone"),
    [
        ("2026-11-26T11:59:30Z", NOW, UTC),
        ("2026-11-26T11:59Z", NOW, UTC),  # exactly a minute ago
        ("2026-11-26T12:59:30+01:00", NOW, UTC),
        ("12:00", NOW + timedelta(seconds=45), UTC),
        ("11:59", NOW, UTC),
        ("13:00", NOW + timedelta(seconds=20), BERLIN),
        ("4:00am", NOW + timedelta(seconds=59), LOS_ANGELES),
    ],
)
def test_time_within_the_last_minute_means_now(text: str, now: datetime, zone: tzinfo) -> None:
    assert parse_join_time(text, now).resolve(zone, now) == now


@pytest.mark.parametrize("text", ["in 1441h", "in 9999h", "2027-01-25T12:01Z", "2030-01-01T00:00Z"])
def test_absolute_time_more_than_60_days_ahead_is_refused(text: str) -> None:
    with pytest.raises(JoinTimeError, match="is more than 60 days away; pick a sooner time"):
        parse_join_time(text, NOW)


@pytest.mark.parametrize(
    ("text", "zone"),
    [("2027-01-26T09:00", UTC), ("2027-06-01 10:00", BERLIN), ("2062-11-27T14:30", LOS_ANGELES)],
)
def test_wall_clock_time_more_than_60_days_ahead_is_refused(text: str, zone: tzinfo) -> None:
    join_time = parse_join_time(text, NOW)
    with pytest.raises(JoinTimeError, match="is more than 60 days away"):
        join_time.resolve(zone, NOW)


@pytest.mark.parametrize("text", ["in 999999999h", "in 99999999999h", "in 9999999999999999m"])
def test_absurdly_far_relative_time_is_refused_not_a_crash(text: str) -> None:
    with pytest.raises(JoinTimeError, match="is more than 60 days away"):
        parse_join_time(text, NOW)


# --- what cannot be read --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "banana",
        "25:00",
        "24:00",
        "12:60",
        "14:5",
        "14",  # a bare number is too ambiguous to guess
        "13pm",
        "0am",
        "in 0m",
        "in 0h 0m",
        "in 20",
        "in 20s",
        "in",
        "noon",
        "today",
        "tomorrow",
        "tomorrow banana",
        "14:30 tomorrow",
        "tomorrow 2026-11-27T14:30",
        "2026-13-01T10:00",
        "2026-11-27T14:30+25:00",
    ],
)
def test_unreadable_time_is_refused_with_examples(text: str) -> None:
    with pytest.raises(JoinTimeError) as caught:
        parse_join_time(text, NOW)
    message = str(caught.value)
    assert message.startswith("I couldn't read `")
    assert EXAMPLES in message


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_time_asks_for_one(text: str) -> None:
    with pytest.raises(JoinTimeError, match="`--at` needs a time, like `--at 14:30`"):
        parse_join_time(text, NOW)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<!here>", "`&lt;!here&gt;`"),
        ("<@U0123ABC> 9am", "`&lt;@U0123ABC&gt; 9am`"),
        ("a`b", "`a'b`"),
        ("x" * 100, "`" + "x" * 40 + "`"),
    ],
)
def test_unreadable_text_is_echoed_inert_and_short(text: str, shown: str) -> None:
    with pytest.raises(JoinTimeError) as caught:
        parse_join_time(text, NOW)
    message = str(caught.value)
    assert f"I couldn't read {shown} as a time." in message
    assert "<!" not in message and "<@" not in message


# --- daylight saving time -------------------------------------------------------------------

# Europe/Berlin leaves summer time on 2026-10-25 at 03:00 CEST (01:00 UTC): 02:00-03:00 happens
# twice. America/Los_Angeles does the same on 2026-11-01 at 02:00 PDT (09:00 UTC).
BERLIN_EVE = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # 22:00 CEST on the 24th
BERLIN_AFTER_MIDNIGHT = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)  # 00:30 CEST on the 25th


@pytest.mark.parametrize(
    ("text", "now", "zone", "expected"),
    [
        ("tomorrow 1:30am", BERLIN_EVE, BERLIN, utc(24, 23, 30, month=10)),  # still CEST
        # 02:30 happens twice; fold=0 reads the first (CEST), so the recorder is early, not late
        ("tomorrow 2:30am", BERLIN_EVE, BERLIN, utc(25, 0, 30, month=10)),
        ("tomorrow 3:30am", BERLIN_EVE, BERLIN, utc(25, 2, 30, month=10)),  # CET from here on
        ("tomorrow 9am", BERLIN_EVE, BERLIN, utc(25, 8, month=10)),
        ("2026-10-25T12:00", BERLIN_EVE, BERLIN, utc(25, 11, month=10)),
        ("2026-10-26 09:00", BERLIN_EVE, BERLIN, utc(26, 8, month=10)),
        ("14:30", BERLIN_AFTER_MIDNIGHT, BERLIN, utc(25, 13, 30, month=10)),
        ("today 9am", BERLIN_AFTER_MIDNIGHT, BERLIN, utc(25, 8, month=10)),
        # the day before, still summer time
        ("2026-10-24T23:30", BERLIN_EVE, BERLIN, utc(24, 21, 30, month=10)),
        # spring forward: 2026-03-29, CET -> CEST at 01:00 UTC
        ("tomorrow 9am", datetime(2026, 3, 28, 20, tzinfo=UTC), BERLIN, utc(29, 7, month=3)),
        # Los Angeles: PDT until 2026-11-01 09:00 UTC, PST after
        (
            "tomorrow 9am",
            datetime(2026, 10, 31, 18, tzinfo=UTC),
            LOS_ANGELES,
            utc(1, 17),
        ),
        ("2026-10-31T20:00", datetime(2026, 10, 31, 18, tzinfo=UTC), LOS_ANGELES, utc(1, 3)),
    ],
)
def test_resolve_across_a_daylight_saving_change(
    text: str, now: datetime, zone: tzinfo, expected: datetime
) -> None:
    assert parse_join_time(text, now).resolve(zone, now).astimezone(UTC) == expected


def test_relative_time_is_unaffected_by_the_clocks_going_back() -> None:
    # Six real hours after 22:00 CEST is 03:00 CET, not 04:00.
    join_time = parse_join_time("in 6h", BERLIN_EVE)
    moment = join_time.resolve(BERLIN, BERLIN_EVE)
    assert moment == utc(25, 2, month=10)
    assert moment.astimezone(BERLIN).hour == 3
