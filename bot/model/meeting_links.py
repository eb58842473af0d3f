"""Recognise the meeting link typed after `/record` and say which platform it is.

The check is deliberately generous: Recall's own advice is that the real validation is Create
Bot's 400 answer, so this module only turns away what is clearly not a
meeting, and does so with a message a Slack user can act on. It never echoes the user's text
back, so its error messages are safe to post as they are.

    parse_meeting_link(text) -> MeetingLink      (or raises MeetingLinkError)

Everything a `MeetingLink` reports (display name, dedup key) is derived from its cleaned `url`,
so a link rebuilt from a stored URL behaves exactly like the one first parsed.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from itertools import accumulate
from typing import NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

MAX_LINK_LENGTH = 2048

SUPPORTED = "Zoom, Google Meet, Microsoft Teams, Webex or GoTo Meeting"


class Platform(StrEnum):
    """Recall's platform names (the `meeting_url.platform` field of a bot)."""

    ZOOM = "zoom"
    GOOGLE_MEET = "google_meet"
    MICROSOFT_TEAMS = "microsoft_teams"
    MICROSOFT_TEAMS_LIVE = "microsoft_teams_live"
    WEBEX = "webex"
    GOTO_MEETING = "goto_meeting"
    SLACK_HUDDLE = "slack_huddle"

    @property
    def label(self) -> str:
        """The name people know the product by."""
        return _LABELS[self]


_LABELS = {
    Platform.ZOOM: "Zoom",
    Platform.GOOGLE_MEET: "Google Meet",
    Platform.MICROSOFT_TEAMS: "Microsoft Teams",
    Platform.MICROSOFT_TEAMS_LIVE: "Microsoft Teams",
    Platform.WEBEX: "Webex",
    Platform.GOTO_MEETING: "GoTo Meeting",
    Platform.SLACK_HUDDLE: "Slack huddle",
}


class MeetingLinkError(ValueError):
    """Raised with a short, friendly, user-facing message (plain words, no jargon)."""


@dataclass(frozen=True)
class MeetingLink:
    url: str  # cleaned absolute https URL for Recall; query kept (Zoom needs ?pwd=)
    platform: Platform
    meeting_id: str | None  # for display, when the link carries one

    @property
    def joinable_by_url(self) -> bool:
        """Recall joins huddles through its Slack huddle bot, never from a URL."""
        return self.platform is not Platform.SLACK_HUDDLE

    @property
    def display_name(self) -> str:
        """A name to show people; built from the id or host only, never the passcode."""
        match self.platform:
            case Platform.GOOGLE_MEET | Platform.GOTO_MEETING:
                return f"{self.platform.label} {self.meeting_id or 'meeting'}"
            case Platform.WEBEX:
                return f"Webex meeting ({urlsplit(self.url).hostname})"
            case Platform.SLACK_HUDDLE:
                return "Slack huddle"
        suffix = f" {self.meeting_id}" if self.meeting_id else ""
        return f"{self.platform.label} meeting{suffix}"

    @property
    def dedup_key(self) -> str:
        """Same string for every link to the same meeting, e.g. "zoom:81234567890"."""
        split = urlsplit(self.url)
        try:
            return _classify(split.hostname or "", split.path, split.query).key
        except MeetingLinkError:  # built by hand from a URL we would not have accepted
            return f"{self.platform.value}:{self.url}"


def parse_meeting_link(text: str) -> MeetingLink:
    """Turn one token of `/record` text into a MeetingLink, or raise MeetingLinkError."""
    url = _clean(text)
    split = urlsplit(url)
    found = _classify(split.hostname or "", split.path, split.query)
    return MeetingLink(url=url, platform=found.platform, meeting_id=found.meeting_id)


# --- Cleaning: from whatever Slack delivered to one absolute https URL -----------------------

_NOT_A_MEETING = (
    "That doesn't look like a meeting link. Paste the join link of a meeting on "
    f"{SUPPORTED}, for example https://zoom.us/j/1234567890."
)
_EMPTY = f"Add a meeting link after /record. I can record meetings on {SUPPORTED}."
_TOO_LONG = "That link is too long to be a meeting link. Paste just the meeting's join link."
_HIDDEN = "That link has spaces or hidden characters in it. Paste just the meeting's join link."
_SCHEME = "Paste the meeting's web link, the one that starts with https://."
_USERINFO = (
    "That link has a name and an @ before the website, which meeting links never have. "
    "Paste the join link exactly as it appears in the invite."
)

# Slack's escaped link forms: <https://…> and <https://…|label> (Slack's message formatting).
_WRAPPED = re.compile(r"<([^<>|]*)(?:\|[^<>]*)?>")
_OTHER_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:(.?)", re.IGNORECASE)
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_CLOSERS = ".,;:!?)'\""
_OPENERS = "('\""
# Characters left as they are when re-quoting path and query; everything else (non-ASCII, `|`,
# quotes, braces) is percent-encoded so the URL is safe inside a Slack <url|label> link.
_URL_SAFE = "!$&'()*+,/:;=?@~%-._"


def _clean(text: str) -> str:
    token = text.strip()
    if len(token) > 3 * MAX_LINK_LENGTH:  # cheap guard before doing any work on it
        raise MeetingLinkError(_TOO_LONG)
    # Slack may HTML-escape the text , `&` sometimes twice over.
    while "&amp;" in token:
        token = token.replace("&amp;", "&")
    token = _trim(token.replace("&lt;", "<").replace("&gt;", ">"), _CLOSERS)
    wrapped = _WRAPPED.fullmatch(token)
    token = wrapped.group(1) if wrapped else token.lstrip("<")
    if token[:1] in ("@", "#", "!"):  # a Slack mention, channel or <!here>, not a link
        raise MeetingLinkError(_NOT_A_MEETING)
    # The fragment (Zoom's "#success") means nothing to Recall; drop it before trimming.
    token = _trim(token.partition("#")[0], _CLOSERS + ">")
    if not token:
        raise MeetingLinkError(_EMPTY if not text.strip() else _NOT_A_MEETING)
    if len(token) > MAX_LINK_LENGTH:
        raise MeetingLinkError(_TOO_LONG)
    if any(unicodedata.category(char)[0] in "CZ" for char in token):  # controls, spaces
        raise MeetingLinkError(_HIDDEN)
    if any(char in "<>\\" for char in token):  # leftovers of mangled markup, or a trick
        raise MeetingLinkError(_NOT_A_MEETING)
    return _rebuild(_with_https(token))


def _trim(token: str, closers: str) -> str:
    """Drop quotes/brackets around a link and sentence punctuation after it."""
    token = token.lstrip(_OPENERS)
    while token and token[-1] in closers:
        if token[-1] == ")" and token.count("(") >= token.count(")"):
            break  # a balanced ")" belongs to the URL
        token = token[:-1]
    return token


def _with_https(token: str) -> str:
    lower = token.lower()
    if lower.startswith("https://"):
        return "https://" + token[8:]
    if lower.startswith("http://"):  # every platform serves its links over https
        return "https://" + token[7:]
    if token.startswith("//"):
        return "https:" + token
    scheme = _OTHER_SCHEME.match(token)
    if scheme and not scheme.group(1).isdigit():  # "zoom.us:443/j/1" is a host and port
        raise MeetingLinkError(_SCHEME)
    return "https://" + token  # a bare "zoom.us/j/123"


def _rebuild(url: str) -> str:
    """Lower-case host, no port, userinfo or fragment; path and query safely encoded."""
    try:
        split = urlsplit(url)
        _ = split.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise MeetingLinkError(_NOT_A_MEETING) from None
    if "@" in split.netloc:  # https://zoom.us@evil.example/ goes to evil.example
        raise MeetingLinkError(_USERINFO)
    host = (split.hostname or "").rstrip(".")
    if len(host) > 253 or not _HOST.fullmatch(host):  # 253: DNS's limit
        raise MeetingLinkError(_NOT_A_MEETING)
    path = quote(split.path, safe=_URL_SAFE)
    query = quote(split.query, safe=_URL_SAFE)
    cleaned = f"https://{host}{path}" + (f"?{query}" if query else "")
    if len(cleaned) > MAX_LINK_LENGTH:
        raise MeetingLinkError(_TOO_LONG)
    return cleaned


# --- Classifying: which platform, which meeting ----------------------------------------------


class _Found(NamedTuple):
    platform: Platform
    meeting_id: str | None
    key: str  # see MeetingLink.dedup_key


def _not_meeting(label: str, example: str) -> MeetingLinkError:
    return MeetingLinkError(
        f"That {label} link doesn't point to a meeting. "
        f"Use the meeting's join link from the invite, which looks like {example}."
    )


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _match(pattern: str, path: str) -> re.Match[str] | None:
    return re.fullmatch(pattern, path, re.IGNORECASE | re.ASCII)


def _group_digits(digits: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    if len(digits) != sum(sizes):
        return digits
    ends = accumulate(sizes)
    return sep.join(digits[end - size : end] for size, end in zip(sizes, ends, strict=True))


_ZOOM_LAYOUT = {9: (3, 3, 3), 10: (3, 3, 4), 11: (3, 4, 4)}


def _zoom(host: str, path: str, query: str) -> _Found:
    # /w/ is a webinar link; Recall handles webinars (it has a zoom_invalid_webinar_invite code).
    if numeric := _match(r"/(?:j|s|w|wc|wc/join)/(\d+)(?:/.*)?", path):
        digits = numeric.group(1)
        shown = _group_digits(digits, _ZOOM_LAYOUT.get(len(digits), (len(digits),)))
        return _Found(Platform.ZOOM, shown, f"zoom:{digits}")
    if personal := _match(r"/my/([\w.-]+)/?", path):
        name = personal.group(1)
        return _Found(Platform.ZOOM, name, f"zoom:my:{name.lower()}")
    raise _not_meeting("Zoom", "https://zoom.us/j/1234567890?pwd=…")


def _google_meet(host: str, path: str, query: str) -> _Found:
    if code := _match(r"/([a-z]{3}-[a-z]{4}-[a-z]{3})/?", path):
        meeting_code = code.group(1).lower()  # Meet codes are case-insensitive
        return _Found(Platform.GOOGLE_MEET, meeting_code, f"google_meet:{meeting_code}")
    if lookup := _match(r"/lookup/([\w-]+)/?", path):
        return _Found(Platform.GOOGLE_MEET, None, f"google_meet:lookup:{lookup.group(1).lower()}")
    raise _not_meeting("Google Meet", "https://meet.google.com/abc-defg-hij")


def _teams(host: str, path: str, query: str) -> _Found:
    live = host == "teams.live.com"
    platform = Platform.MICROSOFT_TEAMS_LIVE if live else Platform.MICROSOFT_TEAMS
    short = _match(r"/meet/([\w-]+)/?", path)
    if short and host in ("teams.live.com", "teams.microsoft.com"):
        return _Found(platform, short.group(1), f"{platform}:meet:{short.group(1)}")
    # A meetup-join thread id is unique within a tenant; the tenant is in the `context` JSON.
    if join := _match(r"/l/meetup-join/([^/]+)(?:/.*)?", path):
        thread = unquote(join.group(1))
        return _Found(platform, None, f"{platform}:{_teams_tenant(query)}:{thread}")
    if live and _match(r"/l/.+", path):
        return _Found(platform, None, f"{platform}:{unquote(path).rstrip('/')}")
    raise _not_meeting("Microsoft Teams", "https://teams.microsoft.com/l/meetup-join/…")


def _teams_tenant(query: str) -> str:
    for context in parse_qs(query).get("context", []):
        try:
            tenant = json.loads(context).get("Tid")
        except (ValueError, AttributeError):  # not JSON, or JSON that is not an object
            continue
        if isinstance(tenant, str):
            return tenant.lower()
    return "-"


def _webex(host: str, path: str, query: str) -> _Found:
    # webex.com and www.webex.com are Cisco's own site; meetings live on <site>.webex.com.
    if host in ("webex.com", "www.webex.com") or not path.strip("/"):
        raise _not_meeting("Webex", "https://yourcompany.webex.com/meet/name")
    mtids = [v for k, vs in parse_qs(query).items() if k.lower() == "mtid" for v in vs]
    where = f"mtid:{mtids[0]}" if mtids else unquote(path).rstrip("/").lower()
    return _Found(Platform.WEBEX, None, f"webex:{host}:{where}")


_GOTO_PATHS = (  # (domain, path); GoTo's hosts are unconfirmed
    ("meet.goto.com", r"/(\d+)/?"),
    ("app.goto.com", r"/meeting/(\d+)(?:/.*)?"),
    ("gotomeeting.com", r"/join/(\d+)/?"),  # also global. and www.
    ("gotomeet.me", r"/([\w.-]+)/?"),  # a personal room name
)


def _goto(host: str, path: str, query: str) -> _Found:
    for domain, pattern in _GOTO_PATHS:
        found = _under(host, domain) and _match(pattern, path)
        if found and domain == "gotomeet.me":
            room = found.group(1)
            return _Found(Platform.GOTO_MEETING, room, f"goto_meeting:me:{room.lower()}")
        if found:
            digits = found.group(1)
            shown = _group_digits(digits, (3, 3, 3), sep="-")  # GoTo shows 123-456-789
            return _Found(Platform.GOTO_MEETING, shown, f"goto_meeting:{digits}")
    raise _not_meeting("GoTo Meeting", "https://meet.goto.com/123456789")


def _slack(host: str, path: str, query: str) -> _Found:
    huddle = _match(r"/huddle/([^/]+(?:/[^/]+)?)(?:/.*)?", path)
    if not huddle:  # other Slack pages are simply not meetings
        raise MeetingLinkError(_NOT_A_MEETING)
    return _Found(Platform.SLACK_HUDDLE, None, f"slack_huddle:{huddle.group(1).upper()}")


_TEAMS_HOSTS = (
    "teams.microsoft.com",
    "teams.live.com",
    "gov.teams.microsoft.us",  # US government clouds: meetup-join links only
    "dod.teams.microsoft.us",
)
_GOTO_DOMAINS = ("goto.com", "gotomeeting.com", "gotomeet.me")


def _classify(host: str, path: str, query: str) -> _Found:
    if _under(host, "zoomgov.com"):
        raise MeetingLinkError(
            "ZoomGov meetings can't be recorded: Recall, the recording service this app uses, "
            "does not support ZoomGov."
        )
    if _under(host, "zoom.us") or _under(host, "zoom.com"):
        return _zoom(host, path, query)
    if host == "meet.google.com":
        return _google_meet(host, path, query)
    if host in _TEAMS_HOSTS:
        return _teams(host, path, query)
    if _under(host, "webex.com"):
        return _webex(host, path, query)
    if any(_under(host, domain) for domain in _GOTO_DOMAINS):
        return _goto(host, path, query)
    if _under(host, "slack.com"):
        return _slack(host, path, query)
    raise MeetingLinkError(_NOT_A_MEETING)
