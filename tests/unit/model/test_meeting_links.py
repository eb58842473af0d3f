"""Meeting links: what /record accepts, what it turns away, and how it names and dedups them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.model.meeting_links import (
    MAX_LINK_LENGTH,
    MeetingLink,
    MeetingLinkError,
    Platform,
    parse_meeting_link,
)

ZOOM, MEET, TEAMS, TEAMS_LIVE = (
    Platform.ZOOM,
    Platform.GOOGLE_MEET,
    Platform.MICROSOFT_TEAMS,
    Platform.MICROSOFT_TEAMS_LIVE,
)
WEBEX, GOTO, HUDDLE = Platform.WEBEX, Platform.GOTO_MEETING, Platform.SLACK_HUDDLE

TEAMS_JOIN = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjE1ZTk2%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%2272F988BF-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22x%22%7d"
)
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # lower-cased from the link's "72F988BF-86f1…"
UNKNOWN_SITE = "Zoom, Google Meet, Microsoft Teams, Webex"


@pytest.mark.parametrize(
    ("url", "platform", "meeting_id"),
    [
        # Zoom: every path form, company subdomains, zoom.com, personal links
        ("https://zoom.us/j/81234567890?pwd=abc", ZOOM, "812 3456 7890"),
        ("https://us02web.zoom.us/j/8123456789", ZOOM, "812 345 6789"),
        ("https://acme.zoom.us/s/123456789", ZOOM, "123 456 789"),
        ("https://zoom.us/wc/join/81234567890", ZOOM, "812 3456 7890"),
        ("https://zoom.us/wc/81234567890/join?pwd=x", ZOOM, "812 3456 7890"),
        ("https://zoom.com/j/12345678", ZOOM, "12345678"),
        ("https://zoom.us/w/81234567890?tk=abc", ZOOM, "812 3456 7890"),
        ("https://zoom.us/my/jane.doe", ZOOM, "jane.doe"),
        # Google Meet
        ("https://meet.google.com/abc-defg-hij", MEET, "abc-defg-hij"),
        ("https://meet.google.com/ABC-DEFG-HIJ?authuser=1", MEET, "abc-defg-hij"),
        ("https://meet.google.com/lookup/teamsync", MEET, None),
        # Microsoft Teams
        (TEAMS_JOIN, TEAMS, None),
        ("https://teams.microsoft.com/meet/2345678901234?p=AbCdEf", TEAMS, "2345678901234"),
        ("https://teams.live.com/meet/9876543210987?p=XyZ", TEAMS_LIVE, "9876543210987"),
        ("https://teams.live.com/l/meetup-join/19%3ameeting_x%40thread.v2/0", TEAMS_LIVE, None),
        ("https://teams.live.com/l/invite/FEAxyz", TEAMS_LIVE, None),
        ("https://gov.teams.microsoft.us/l/meetup-join/19%3ameeting_g%40thread.v2/0", TEAMS, None),
        ("https://dod.teams.microsoft.us/l/meetup-join/19%3ameeting_d%40thread.v2/0", TEAMS, None),
        # Webex
        ("https://acme.webex.com/meet/jane", WEBEX, None),
        ("https://acme.webex.com/acme/j.php?MTID=m1234abcd", WEBEX, None),
        (
            "https://acme.my.webex.com/wbxmjs/joinservice/sites/acme/meeting/download/abc",
            WEBEX,
            None,
        ),
        # GoTo Meeting
        ("https://meet.goto.com/123456789", GOTO, "123-456-789"),
        ("https://app.goto.com/meeting/123456789", GOTO, "123-456-789"),
        ("https://global.gotomeeting.com/join/123456789", GOTO, "123-456-789"),
        ("https://gotomeeting.com/join/1234567890", GOTO, "1234567890"),
        ("https://gotomeet.me/JaneDoe", GOTO, "JaneDoe"),
        # Slack huddles: recognised so the caller can explain they are not joined by link
        ("https://app.slack.com/huddle/T0123ABC/C0456DEF", HUDDLE, None),
        ("https://acme.slack.com/huddle/T0123ABC/C0456DEF", HUDDLE, None),
    ],
)
def test_accepts_meeting_link(url: str, platform: Platform, meeting_id: str | None):
    assert parse_meeting_link(url) == MeetingLink(url, platform, meeting_id)


ZOOM_URL = "https://zoom.us/j/81234567890"


@pytest.mark.parametrize(
    ("text", "url"),
    [
        (f"<{ZOOM_URL}?pwd=abc>", f"{ZOOM_URL}?pwd=abc"),
        (f"<{ZOOM_URL}|Join Zoom Meeting>", ZOOM_URL),
        (f"<{ZOOM_URL}?pwd=a&amp;uname=b|zoom.us/j/1>", f"{ZOOM_URL}?pwd=a&uname=b"),
        (f"{ZOOM_URL}?pwd=a&amp;uname=b", f"{ZOOM_URL}?pwd=a&uname=b"),
        (f"{ZOOM_URL}?pwd=a&amp;amp;uname=b", f"{ZOOM_URL}?pwd=a&uname=b"),
        (f"&lt;{ZOOM_URL}?pwd=a&amp;uname=b&gt;", f"{ZOOM_URL}?pwd=a&uname=b"),
        ("http://zoom.us/j/81234567890", ZOOM_URL),
        ("zoom.us/j/81234567890", ZOOM_URL),
        ("//zoom.us/j/81234567890", ZOOM_URL),
        ("HTTPS://Zoom.US/j/81234567890", ZOOM_URL),
        ("https://zoom.us./j/81234567890", ZOOM_URL),
        (f"  {ZOOM_URL}.  ", ZOOM_URL),
        (f"({ZOOM_URL}),", ZOOM_URL),
        (f'"{ZOOM_URL}"!', ZOOM_URL),
        (f"<{ZOOM_URL}>.", ZOOM_URL),
        (f"{ZOOM_URL}>", ZOOM_URL),
        (f"<{ZOOM_URL}", ZOOM_URL),
        (f"{ZOOM_URL}#success", ZOOM_URL),
        ("https://zoom.us:443/j/81234567890", ZOOM_URL),
        (
            "<https://meet.google.com/abc-defg-hij|meet.google.com/abc-defg-hij>",
            "https://meet.google.com/abc-defg-hij",
        ),
        ("meet.google.com/abc-defg-hij", "https://meet.google.com/abc-defg-hij"),
        (f"<{TEAMS_JOIN}|Join the meeting now>", TEAMS_JOIN),
        ("https://acme.webex.com/meet/(jane)", "https://acme.webex.com/meet/(jane)"),
        ("https://acme.webex.com/meet/jöe?x=a|b", "https://acme.webex.com/meet/j%C3%B6e?x=a%7Cb"),
    ],
)
def test_cleans_what_slack_and_people_add_around_a_link(text: str, url: str):
    assert parse_meeting_link(text).url == url


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Add a meeting link after /record"),
        ("   ", "Add a meeting link after /record"),
        ("hello", UNKNOWN_SITE),
        ("<@U0123ABC>", UNKNOWN_SITE),
        ("<@U0123ABC|jane>", UNKNOWN_SITE),
        ("<!channel>", UNKNOWN_SITE),
        ("<#C0123ABC|general>", UNKNOWN_SITE),
        ("https://example.com", UNKNOWN_SITE),
        ("https://example.com/j/81234567890", UNKNOWN_SITE),
        ("https://evil.com/zoom.us/j/81234567890", UNKNOWN_SITE),
        ("evil.com/zoom.us/j/81234567890", UNKNOWN_SITE),
        ("https://zoom.us.evil.com/j/81234567890", UNKNOWN_SITE),
        ("https://evilzoom.us/j/81234567890", UNKNOWN_SITE),
        ("https://meet.google.com.evil.com/abc-defg-hij", UNKNOWN_SITE),
        ("https://app.slack.com/client/T0123ABC/C0456DEF", UNKNOWN_SITE),
        ("https://[zoom.us/j/81234567890", UNKNOWN_SITE),
        ("https://zoom.us:port/j/81234567890", UNKNOWN_SITE),
        ("https://zoom.us\\@evil.com/j/1", UNKNOWN_SITE),
        ("https://zoom.us", "That Zoom link doesn't point to a meeting"),
        ("https://zoom.us/signin", "That Zoom link doesn't point to a meeting"),
        ("https://us02web.zoom.us/j/notdigits", "That Zoom link doesn't point to a meeting"),
        ("https://zoomgov.com/j/1612345678", "ZoomGov"),
        ("https://acme.zoomgov.com/j/1612345678", "does not support ZoomGov"),
        ("https://meet.google.com", "That Google Meet link doesn't point to a meeting"),
        ("https://meet.google.com/new", "That Google Meet link doesn't point to a meeting"),
        ("https://teams.microsoft.com/", "That Microsoft Teams link doesn't point to a meeting"),
        ("https://teams.microsoft.com/l/channel/19%3axyz/General", "Microsoft Teams link"),
        ("https://gov.teams.microsoft.us/meet/123?p=x", "Microsoft Teams link"),
        ("https://acme.webex.com", "That Webex link doesn't point to a meeting"),
        ("https://acme.webex.com/", "That Webex link doesn't point to a meeting"),
        ("https://www.webex.com/pricing", "That Webex link doesn't point to a meeting"),
        ("https://meet.goto.com/jane", "That GoTo Meeting link doesn't point to a meeting"),
        ("ftp://zoom.us/j/81234567890", "starts with https://"),
        ("javascript:alert(1)", "starts with https://"),
        ("mailto:jane@zoom.us", "starts with https://"),
        ("zoommtg://zoom.us/join?confno=81234567890", "starts with https://"),
        ("https://jane@zoom.us/j/81234567890", "an @ before the website"),
        ("https://jane:secret@zoom.us/j/81234567890", "an @ before the website"),
        ("https://zoom.us/j/812 34567890", "spaces or hidden characters"),
        ("https://zoom.us/j/8123\t4567890", "spaces or hidden characters"),
        ("https://zoom.us/j/8123\x004567890", "spaces or hidden characters"),
        ("https://zoom.us/j/8123\u200b4567890", "spaces or hidden characters"),
        ("https://zoom.us/j/81234567890?pwd=" + "a" * MAX_LINK_LENGTH, "too long"),
        ("x" * 1_000_000, "too long"),
    ],
)
def test_rejects_with_a_message_the_user_can_act_on(text: str, says: str):
    with pytest.raises(MeetingLinkError) as caught:
        parse_meeting_link(text)
    assert says in str(caught.value)


def test_rejection_never_echoes_what_the_user_typed():
    with pytest.raises(MeetingLinkError) as caught:
        parse_meeting_link("<https://evil.example/<!channel>|zoom.us/j/1>")
    assert "evil" not in str(caught.value)
    assert "<" not in str(caught.value)


@pytest.mark.parametrize(
    "variants",
    [
        [
            "https://zoom.us/j/81234567890?pwd=abc",
            "https://us02web.zoom.us/j/81234567890?pwd=abc",
            "https://acme.zoom.us/j/81234567890",
            "https://zoom.us/wc/join/81234567890?pwd=abc",
            "https://zoom.us/wc/81234567890/join",
            "https://zoom.us/s/81234567890",
            "https://zoom.com/j/81234567890?pwd=abc&utm_source=mail",
            "<http://ZOOM.us/j/81234567890?pwd=abc&amp;from=addon|Join>",
        ],
        ["https://meet.google.com/abc-defg-hij", "https://meet.google.com/ABC-DEFG-HIJ?authuser=2"],
        [TEAMS_JOIN, TEAMS_JOIN.replace("%3a", "%3A").replace("/0?", "/0?utm=x&")],
        [
            "https://teams.microsoft.com/meet/2345678901234?p=AbC",
            "https://teams.microsoft.com/meet/2345678901234",
        ],
        [
            "https://acme.webex.com/acme/j.php?MTID=m1234",
            "https://acme.webex.com/acme/j.php?mtid=m1234&utm_campaign=x",
        ],
        ["https://acme.webex.com/meet/jane", "https://acme.webex.com/meet/Jane/"],
        [
            "https://meet.goto.com/123456789",
            "https://app.goto.com/meeting/123456789",
            "https://global.gotomeeting.com/join/123456789",
        ],
        ["https://zoom.us/my/jane.doe", "https://acme.zoom.us/my/Jane.Doe"],
    ],
)
def test_links_to_the_same_meeting_share_a_dedup_key(variants: list[str]):
    keys = {parse_meeting_link(text).dedup_key for text in variants}
    assert len(keys) == 1


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("https://zoom.us/j/81234567890?pwd=abc", "zoom:81234567890"),
        ("https://meet.google.com/ABC-defg-hij", "google_meet:abc-defg-hij"),
        ("https://meet.goto.com/123456789", "goto_meeting:123456789"),
        (
            "https://teams.microsoft.com/meet/2345678901234?p=x",
            "microsoft_teams:meet:2345678901234",
        ),
        (TEAMS_JOIN, f"microsoft_teams:{TENANT}:19:meeting_NjE1ZTk2@thread.v2"),
        ("https://app.slack.com/huddle/T0123ABC/C0456DEF", "slack_huddle:T0123ABC/C0456DEF"),
    ],
)
def test_dedup_key_is_a_readable_platform_prefixed_id(text: str, key: str):
    assert parse_meeting_link(text).dedup_key == key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://zoom.us/j/81234567890", "https://zoom.us/j/81234567891"),
        ("https://meet.google.com/abc-defg-hij", "https://meet.google.com/abc-defg-hik"),
        ("https://acme.webex.com/meet/jane", "https://other.webex.com/meet/jane"),
        ("https://acme.webex.com/meet/jane", "https://acme.webex.com/meet/john"),
        (
            "https://acme.webex.com/acme/j.php?MTID=m1",
            "https://acme.webex.com/acme/j.php?MTID=m2",
        ),
        (
            "https://teams.microsoft.com/meet/2345678901234",
            "https://teams.live.com/meet/2345678901234",
        ),
        (TEAMS_JOIN, TEAMS_JOIN.replace("72F988BF", "00000000")),
        (TEAMS_JOIN, TEAMS_JOIN.replace("NjE1ZTk2", "OTHER")),
        ("https://zoom.us/j/123456789", "https://meet.goto.com/123456789"),
        ("https://gotomeet.me/123456789", "https://meet.goto.com/123456789"),
        ("https://app.slack.com/huddle/T1/C1", "https://app.slack.com/huddle/T1/C2"),
    ],
)
def test_different_meetings_have_different_dedup_keys(first: str, second: str):
    assert parse_meeting_link(first).dedup_key != parse_meeting_link(second).dedup_key


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("https://zoom.us/j/81234567890?pwd=s3cretPass", "Zoom meeting 812 3456 7890"),
        ("https://zoom.us/my/jane.doe?pwd=s3cretPass", "Zoom meeting jane.doe"),
        ("https://meet.google.com/abc-defg-hij", "Google Meet abc-defg-hij"),
        ("https://meet.google.com/lookup/teamsync", "Google Meet meeting"),
        (TEAMS_JOIN, "Microsoft Teams meeting"),
        ("https://teams.microsoft.com/meet/234567?p=s3cretPass", "Microsoft Teams meeting 234567"),
        ("https://teams.live.com/meet/987654?p=s3cretPass", "Microsoft Teams meeting 987654"),
        ("https://acme.webex.com/a/j.php?MTID=m1&pwd=s3cretPass", "Webex meeting (acme.webex.com)"),
        ("https://meet.goto.com/123456789", "GoTo Meeting 123-456-789"),
        ("https://gotomeet.me/JaneDoe", "GoTo Meeting JaneDoe"),
        ("https://app.slack.com/huddle/T0123ABC/C0456DEF", "Slack huddle"),
    ],
)
def test_display_name_never_shows_the_passcode(text: str, name: str):
    display = parse_meeting_link(text).display_name
    assert display == name
    assert "pwd" not in display
    assert "s3cretPass" not in display


@pytest.mark.parametrize(
    ("platform", "label"),
    [
        (ZOOM, "Zoom"),
        (MEET, "Google Meet"),
        (TEAMS, "Microsoft Teams"),
        (TEAMS_LIVE, "Microsoft Teams"),
        (WEBEX, "Webex"),
        (GOTO, "GoTo Meeting"),
        (HUDDLE, "Slack huddle"),
    ],
)
def test_platform_label(platform: Platform, label: str):
    assert platform.label == label


def test_only_slack_huddles_cannot_be_joined_by_url():
    for platform in Platform:
        link = MeetingLink(url="https://example.com/x", platform=platform, meeting_id=None)
        assert link.joinable_by_url is (platform is not Platform.SLACK_HUDDLE)


def test_hand_built_link_still_has_a_deterministic_dedup_key():
    link = MeetingLink(url="https://example.com/x", platform=Platform.ZOOM, meeting_id=None)
    assert link.dedup_key == "zoom:https://example.com/x"


FRAGMENTS = st.sampled_from(
    [
        "zoom.us/j/",
        "https://",
        "http://",
        "meet.google.com/",
        "teams.microsoft.com/l/meetup-join/",
        "acme.webex.com/",
        "<",
        "|",
        ">",
        "&amp;",
        "&lt;",
        "&gt;",
        "?pwd=",
        "@",
        "#",
        ":",
        "/",
        ".",
        ")",
        "%",
        "123456789",
        "abc-defg-hij",
    ]
)
TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=12).map("".join)


@given(TEXT)
def test_any_text_gives_a_link_or_a_friendly_error(text: str):
    try:
        link = parse_meeting_link(text)
    except MeetingLinkError as error:
        assert str(error)
        return
    assert link.url.startswith("https://")
    assert not any(char.isspace() or char in "<>|" for char in link.url)
    assert len(link.url) <= MAX_LINK_LENGTH
    assert link.dedup_key.startswith(f"{link.platform.value}:")
    # The stored URL parses back to the same link, so later messages can rebuild it.
    assert parse_meeting_link(link.url) == link
