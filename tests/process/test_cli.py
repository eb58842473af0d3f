"""The `slack-record` command line as an operator runs it: `python -m bot <command>` in a real
process, configured through environment variables that point at the local Slack and Recall
fakes and a throwaway database."""

from __future__ import annotations

import argparse
import base64
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app.cli import COMMANDS, build_parser
from bot.model.lifecycle import State
from tests.app_process import app_env, base_env, free_port
from tests.conftest import SIGNING_SECRET, App
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack

ZOOM = "https://us02web.zoom.us/j/81234567890?pwd=s3cr3tPass"
OTHER_ZOOM = "https://us02web.zoom.us/j/89876543210?pwd=an0therPass"
CREATE = r"^/api/v1/bot/$"
HEADER = ["ID", "CREATED (UTC)", "STATE", "PLATFORM", "CHANNEL", "ASKED BY", "NOTIFIED"]
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"not-a-real-webhook-secret!!").decode()


def subcommands() -> dict[str, tuple[str | None, argparse.ArgumentParser]]:
    """What the real parser offers: each command's one-line help and its own parser."""
    parser = build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    summaries = {choice.dest: choice.help for choice in action._choices_actions}
    return {name: (summaries.get(name), sub) for name, sub in action.choices.items()}


# Both lists: a command added to the parser but not to COMMANDS (or the reverse) is tested too.
ALL_COMMANDS = sorted(set(COMMANDS) | set(subcommands()))


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def words(text: str) -> str:
    """Whitespace collapsed, so argparse's line wrapping does not matter."""
    return " ".join(text.split())


def table(stdout: str) -> list[list[str]]:
    """`list` output as rows of cells (cells are separated by at least two spaces)."""
    return [re.split(r"\s{2,}", line) for line in stdout.splitlines()]


def assert_no_secrets(result: subprocess.CompletedProcess[str], *secrets: str) -> None:
    for secret in secrets:
        assert secret not in result.stdout + result.stderr


@pytest.fixture
def env(tmp_path: Path, slack: FakeSlack, recall: FakeRecall, db_path: Path) -> dict[str, str]:
    """A complete configuration pointed at the fakes, sharing the `app` fixture's database."""
    return app_env(tmp_path, slack, recall, free_port()) | {"DATABASE_PATH": str(db_path)}


# --- help -------------------------------------------------------------------------------------


def test_every_command_has_a_summary_and_a_description() -> None:
    offered = subcommands()
    assert set(offered) == set(COMMANDS)
    for name, (summary, parser) in offered.items():
        assert summary, f"`{name}` has no one-line help"
        assert parser.description, f"`{name}` has no description"


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_command_help_describes_the_command(command: str, tmp_path: Path) -> None:
    # No configuration at all: help must work before anything is set up.
    result = run_cli(command, "--help", env=base_env(tmp_path), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    description = subcommands()[command][1].description
    assert description, f"`{command}` has no description"
    assert words(description) in words(result.stdout)
    assert result.stdout.startswith(f"usage: slack-record {command}")


def test_top_level_help_lists_every_command_with_its_summary(tmp_path: Path) -> None:
    result = run_cli("--help", env=base_env(tmp_path), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Record meetings from Slack with Recall.ai bots." in result.stdout
    for name, (summary, _parser) in subcommands().items():
        assert summary, f"`{name}` has no one-line help"
        assert f"{name} {words(summary)}" in words(result.stdout)


def test_list_help_explains_its_options(tmp_path: Path) -> None:
    result = run_cli("list", "--help", env=base_env(tmp_path), cwd=tmp_path)

    assert "--limit LIMIT show at most this many (default 50)" in words(result.stdout)
    assert "--open only recordings still in progress" in words(result.stdout)


# --- bad configuration ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_missing_configuration_exits_2_with_one_clear_message(command: str, tmp_path: Path) -> None:
    result = run_cli(command, env=base_env(tmp_path), cwd=tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("configuration is incomplete") == 1
    assert "missing SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, RECALL_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # nothing was created on the way out


def test_every_configuration_problem_is_named_at_once(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {
        "SLACK_BOT_TOKEN": "xoxb-present",
        "RECALL_REGION": "mars-1",
        "POLL_INTERVAL_SECONDS": "soon",
    }
    result = run_cli("check", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "missing SLACK_SIGNING_SECRET, RECALL_API_KEY" in result.stderr
    assert "RECALL_REGION must be one of" in result.stderr
    assert "POLL_INTERVAL_SECONDS must be a number (got 'soon')" in result.stderr
    assert "Traceback" not in result.stderr
    assert "xoxb-present" not in result.stderr


# --- migrate ----------------------------------------------------------------------------------


def test_migrate_creates_a_private_database_and_says_where(
    env: dict[str, str], tmp_path: Path, db_path: Path
) -> None:
    assert not db_path.parent.exists()

    result = run_cli("migrate", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Database ready at {db_path}\n"
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_migrate_twice_is_harmless(env: dict[str, str], tmp_path: Path, db_path: Path) -> None:
    first = run_cli("migrate", env=env, cwd=tmp_path)
    second = run_cli("migrate", env=env, cwd=tmp_path)

    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert second.stdout == first.stdout
    assert run_cli("list", env=env, cwd=tmp_path).stdout == "No recordings yet.\n"


def test_migrate_uses_the_default_path_relative_to_where_it_runs(
    env: dict[str, str], tmp_path: Path
) -> None:
    del env["DATABASE_PATH"]
    result = run_cli("migrate", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Database ready at data/slack-record.db\n"
    assert (tmp_path / "data" / "slack-record.db").is_file()


# --- list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "says"),
    [((), "No recordings yet."), (("--open",), "No recordings in progress.")],
)
def test_list_on_an_empty_database(
    flags: tuple[str, ...], says: str, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli("list", *flags, env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{says}\n"


@pytest.fixture
def two_recordings(app: App) -> App:
    """One meeting recorded, posted and finished; then a second one still joining."""
    app.command(ZOOM)
    app.wait_idle()
    [done] = app.runtime.store.recordings.all()
    app.recall.run_meeting(done.recall.bot_id, minutes=42)
    app.poll()
    app.command(OTHER_ZOOM, hook="second")
    app.wait_idle()
    return app


def test_list_shows_every_recording_newest_first(
    two_recordings: App, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli("list", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    header, *rows = table(result.stdout)
    assert header == HEADER
    recordings = sorted(two_recordings.runtime.store.recordings.all(), key=lambda r: r.created_at)
    assert [r.state for r in recordings] == [State.READY, State.JOINING]
    expected = [
        [
            r.id[:12],
            f"{r.created_at:%Y-%m-%d %H:%M}",
            r.state.value,
            "zoom",
            "C0CHAN1",
            "U0USER1",
            notified,
        ]
        for r, notified in zip(recordings, ["yes", "-"], strict=True)
    ]
    assert rows == expected[::-1]


def test_list_open_shows_only_recordings_in_progress(
    two_recordings: App, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli("list", "--open", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    header, *rows = table(result.stdout)
    assert header == HEADER
    assert [(row[2], row[-1]) for row in rows] == [("joining", "-")]


def test_list_limit_shows_only_the_newest(
    two_recordings: App, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli("list", "--limit", "1", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    header, *rows = table(result.stdout)
    newest = max(two_recordings.runtime.store.recordings.all(), key=lambda r: r.created_at)
    assert header == HEADER
    assert [row[0] for row in rows] == [newest.id[:12]]


def test_list_events_tells_what_happened_to_one_recording(
    app: App, env: dict[str, str], tmp_path: Path
) -> None:
    app.command(ZOOM)
    app.wait_idle()
    rec = app.recording()
    app.recall.push_status(rec.recall.bot_id, "in_call_recording")
    app.poll()
    app.press("stop_recording")
    app.wait_for_reply("press")
    assert app.runtime.workers.wait(10)  # the bot was asked to leave before the meeting ends
    app.recall.run_meeting(rec.recall.bot_id, minutes=12)
    app.poll()
    app.poll()

    result = run_cli("list", "--events", rec.id[:12], env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    title, *lines = result.stdout.splitlines()
    assert title == (
        f"Recording {rec.id}: Zoom meeting 812 3456 7890, in channel C0CHAN1 of T0001, "
        "asked by U0USER1; now ready"
    )
    happened = [line[21:] for line in lines]  # without the time
    assert happened == [
        "requested     asked for by U0USER1",
        "joining       the recorder is joining  [recall: created]",
        "recording     recording  [recall: in_call_recording]",
        "recording     asked to stop by U0USER1",
        "processing    the meeting ended; the video is being prepared  "
        "[recall: call_ended (bot_received_leave_call)]",
        "ready         the video is ready  [recall: done]",
    ]
    times = [line[:19] for line in lines]
    assert times == sorted(times)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("nope", "No recording has an id starting with 'nope'."),
        ("'; DROP TABLE recordings; --", "No recording has an id starting with"),
    ],
)
def test_list_events_of_an_unknown_recording_says_so(
    app: App, env: dict[str, str], tmp_path: Path, given: str, says: str
) -> None:
    result = run_cli("list", "--events", given, env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert says in result.stderr
    assert "Traceback" not in result.stderr


# --- check ------------------------------------------------------------------------------------


def check_lines(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """`check` output as {subject: whole line}."""
    lines = result.stdout.splitlines()
    assert all(line.startswith(("ok  ", "FAIL  ", "WARN  ")) for line in lines), result.stdout
    return {line.split(None, 1)[1].split(":", 1)[0]: line for line in lines}


def test_check_against_healthy_services_is_all_ok(
    env: dict[str, str], tmp_path: Path, slack: FakeSlack, recall: FakeRecall
) -> None:
    result = run_cli("check", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = check_lines(result)
    assert list(lines) == ["configuration", "database", "Slack", "Recall"]
    assert all(line.startswith("ok") for line in lines.values())
    assert "one workspace, Slack calls us over HTTP" in lines["configuration"]
    assert "0 recordings, 0 in progress" in lines["database"]
    assert "bot token works" in lines["Slack"]
    assert f"API key accepted at {recall.base_url}" in lines["Recall"]
    assert len(slack.calls_to("auth.test")) == 1
    assert_no_secrets(result, slack.bot_token, SIGNING_SECRET, recall.api_key)


def refuse_recall_key(env: dict[str, str], slack: FakeSlack, recall: FakeRecall) -> None:
    recall.inject("GET", CREATE, 401)
    env["RECALL_REGION"] = "eu-central-1"  # the base URL still points at the fake


def refuse_slack_token(env: dict[str, str], slack: FakeSlack, recall: FakeRecall) -> None:
    slack.inject("auth.test", error="invalid_auth")


def unplug_recall(env: dict[str, str], slack: FakeSlack, recall: FakeRecall) -> None:
    env["RECALL_API_BASE_URL"] = f"http://127.0.0.1:{free_port()}"


@pytest.mark.parametrize(
    ("break_it", "subject", "says"),
    [
        (refuse_recall_key, "Recall", ["RECALL_API_KEY", "HTTP 401", "eu-central-1"]),
        (refuse_slack_token, "Slack", ["SLACK_BOT_TOKEN", "invalid_auth"]),
        (unplug_recall, "Recall", ["could not reach http://127.0.0.1:"]),
    ],
    ids=["recall-refuses-key", "slack-refuses-token", "recall-unreachable"],
)
def test_check_names_what_is_wrong_and_exits_1(
    break_it: Callable[[dict[str, str], FakeSlack, FakeRecall], None],
    subject: str,
    says: list[str],
    env: dict[str, str],
    tmp_path: Path,
    slack: FakeSlack,
    recall: FakeRecall,
) -> None:
    break_it(env, slack, recall)

    result = run_cli("check", env=env, cwd=tmp_path)

    assert result.returncode == 1
    lines = check_lines(result)
    failed = [s for s, line in lines.items() if line.startswith("FAIL")]
    assert failed == [subject]
    for phrase in says:
        assert phrase in lines[subject]
    assert "Traceback" not in result.stderr
    assert_no_secrets(result, slack.bot_token, SIGNING_SECRET, recall.api_key)


def test_check_with_webhooks_says_where_to_point_them(
    env: dict[str, str], tmp_path: Path, slack: FakeSlack, recall: FakeRecall
) -> None:
    env |= {"RECALL_WEBHOOK_SECRET": WEBHOOK_SECRET, "PUBLIC_BASE_URL": "https://rec.example.com"}

    result = run_cli("check", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert check_lines(result)["webhooks"] == (
        "ok    webhooks: on: add https://rec.example.com/recall/webhook in Recall's dashboard "
        "(Webhooks)"
    )
    assert_no_secrets(result, WEBHOOK_SECRET, slack.bot_token, SIGNING_SECRET, recall.api_key)


def test_check_without_public_url_warns_links_expire(env: dict[str, str], tmp_path: Path) -> None:
    del env["PUBLIC_BASE_URL"]

    result = run_cli("check", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    links = check_lines(result)["links"]
    assert links.startswith("WARN  links: ")
    assert "PUBLIC_BASE_URL is not set" in links
    assert "after about 5 hours" in links
    assert "webhooks" not in check_lines(result)


def test_check_warns_of_a_short_metrics_token(env: dict[str, str], tmp_path: Path) -> None:
    env["METRICS_TOKEN"] = "scrape-me"

    result = run_cli("check", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    metrics = check_lines(result)["metrics"]
    assert metrics.startswith("WARN  metrics: METRICS_TOKEN is shorter than 16 characters")
    assert "scrape-me" not in result.stdout + result.stderr


def unplug_slack(env: dict[str, str], slack: FakeSlack, recall: FakeRecall) -> None:
    env["SLACK_API_URL"] = f"http://127.0.0.1:{free_port()}/api/"


def test_check_keeps_library_lines_off_the_terminal_unless_verbose(
    env: dict[str, str], tmp_path: Path, slack: FakeSlack, recall: FakeRecall
) -> None:
    unplug_slack(env, slack, recall)

    quiet = run_cli("check", env=env, cwd=tmp_path)
    verbose = run_cli("check", "--verbose", env=env, cwd=tmp_path)

    assert (quiet.returncode, verbose.returncode) == (1, 1)
    assert "could not reach http://127.0.0.1:" in check_lines(quiet)["Slack"]
    assert quiet.stderr == ""  # slack_sdk's own ERROR line stays off the terminal
    assert check_lines(verbose) == check_lines(quiet)
    assert "ERROR slack_sdk" in verbose.stderr  # ...and is there for whoever asks
    assert_no_secrets(verbose, slack.bot_token, SIGNING_SECRET, recall.api_key)


# --- recover ----------------------------------------------------------------------------------


def test_recover_rebuilds_a_lost_database_and_says_what_it_did(
    app: App, env: dict[str, str], tmp_path: Path, db_path: Path
) -> None:
    app.command(ZOOM)
    app.wait_idle()
    rec = app.recording()
    app.recall.run_meeting(rec.recall.bot_id, minutes=42)
    app.poll()
    app.command(OTHER_ZOOM, hook="second")
    app.wait_idle()
    app.recall.create({"meeting_url": OTHER_ZOOM, "join_at": app.clock().isoformat()})
    app.runtime.stop()
    app.runtime.store.close()
    for extra in ("", "-wal", "-shm"):
        Path(f"{db_path}{extra}").unlink(missing_ok=True)

    result = run_cli("recover", "--days", "2", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("recover: looked at 3 Recall bot(s) that joined since ")
    assert lines[0].endswith("(1 page(s) of List Bots)")
    assert lines[1] == "Rebuilt 2 recording(s):"
    assert lines[2].startswith(f"  {rec.id[:12]}  ")
    assert "ready" in lines[2] and "Zoom meeting 812 3456 7890, channel C0CHAN1" in lines[2]
    assert "joining" in lines[3]
    assert lines[4] == "Already in the database: 0. Bots of other apps, left alone: 1."
    assert "Never rebuilt: requests that had no Recall bot yet" in result.stdout
    assert "OAuth" not in result.stdout
    assert result.stderr == ""
    listed = run_cli("list", env=env, cwd=tmp_path)
    assert [row[2] for row in table(listed.stdout)[1:]] == ["joining", "ready"]
    again = run_cli("recover", "--days", "2", env=env, cwd=tmp_path)
    assert "Rebuilt 0 recording(s)." in again.stdout
    assert "Already in the database: 2." in again.stdout


@pytest.mark.parametrize("days", ["0", "-3", "soon", "nan"])
def test_recover_refuses_days_that_are_not_a_positive_number(
    days: str, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli("recover", "--days", days, env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "--days: must be a number of days above 0" in result.stderr


def test_recover_says_plainly_what_oauth_mode_cannot_get_back(
    env: dict[str, str], tmp_path: Path
) -> None:
    del env["SLACK_BOT_TOKEN"]
    env |= {
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "client-secret-for-tests",
        "SLACK_STATE_SECRET": "state-secret-for-tests",
    }
    result = run_cli("recover", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "installations in Slack workspaces (OAuth mode) live only in the database" in words(
        result.stdout
    )
    assert "must install the app again at /slack/install" in words(result.stdout)


# --- poll-once --------------------------------------------------------------------------------


def test_poll_once_creates_the_bot_recall_was_down_for(
    app: App, env: dict[str, str], tmp_path: Path
) -> None:
    # Asked two minutes ago, while Recall was down: the retry is due by now in real time.
    app.clock.advance(minutes=-2)
    app.recall.inject("POST", CREATE, 503, times=3)
    app.command(ZOOM)
    app.wait_idle()
    assert app.recording().state == State.REQUESTED
    assert app.recall.created_bot_ids() == []

    result = run_cli("poll-once", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "poll-once: 1 recording(s) looked at, 0 failed\n"
    assert len(app.recall.created_bot_ids()) == 1
    assert app.recording().state == State.JOINING
    assert len(app.posts()) == 1  # the status message, posted by the command's process
    assert "Traceback" not in result.stderr
    assert_no_secrets(result, app.slack.bot_token, SIGNING_SECRET, app.recall.api_key)


def test_poll_once_with_nothing_due_does_nothing(
    env: dict[str, str], tmp_path: Path, recall: FakeRecall
) -> None:
    result = run_cli("poll-once", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "poll-once: 0 recording(s) looked at, 0 failed\n"
    assert recall.requests == []


def test_poll_once_exits_1_when_a_recording_cannot_be_stepped(
    app: App, env: dict[str, str], tmp_path: Path
) -> None:
    app.clock.advance(minutes=-2)
    app.command(ZOOM)
    app.wait_idle()
    # A row the code cannot read (say, hand-edited): its step raises, the pass carries on.
    app.runtime.store.database.db.execute(
        "UPDATE recordings SET deadline_at = 'soon' WHERE id = ?", [app.recording().id]
    )
    app.runtime.store.database.db.conn.commit()

    result = run_cli("poll-once", env=env, cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert result.stdout == "poll-once: 1 recording(s) looked at, 1 failed\n"
    assert "its row cannot be read" in result.stderr


# --- known bugs -------------------------------------------------------------------------------


def test_unknown_log_level_is_a_configuration_error(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("check", env=env | {"LOG_LEVEL": "loud"}, cwd=tmp_path)

    assert result.returncode == 2
    assert "LOG_LEVEL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["migrate", "list", "poll-once"])
def test_unusable_database_path_is_reported_without_a_traceback(
    command: str, env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "not-a-folder").write_text("")
    env["DATABASE_PATH"] = str(tmp_path / "not-a-folder" / "slack-record.db")

    result = run_cli(command, env=env, cwd=tmp_path)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert env["DATABASE_PATH"] in result.stderr  # says which file, as `check` does


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_list_refuses_a_limit_below_one(
    limit: str, two_recordings: App, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli("list", "--limit", limit, env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "--limit" in result.stderr


# --- search -----------------------------------------------------------------------------------


def test_search_finds_words_in_the_transcripts(
    app: App, env: dict[str, str], tmp_path: Path
) -> None:
    from tests.fakes.recall_transcripts import segment
    from tests.transcripts import record_meeting

    said = [segment("Ada", "The budget review starts now.", start=62.0)]
    rec = record_meeting(app, said, timeline=None)

    found = run_cli("search", "budget", "reviews", env=env, cwd=tmp_path)
    channel = run_cli("search", "budget", "reviews", "--channel", "C0CHAN1", env=env, cwd=tmp_path)
    elsewhere = run_cli("search", "budget", "--channel", "C0OTHER", env=env, cwd=tmp_path)

    assert found.returncode == 0, found.stderr
    first, link = found.stdout.splitlines()
    day = f"{rec.recall.started_at:%Y-%m-%d}"
    assert first == (
        f"{day}  T0001/C0CHAN1  Zoom meeting 812 3456 7890  "
        "[00:01:02] Ada: The [budget] [review] starts now."
    )
    assert link.strip() == f"{env['PUBLIC_BASE_URL']}/r/{rec.sharing.token}/watch?t=62"
    assert channel.stdout == found.stdout
    assert elsewhere.stdout == "No transcript mentions budget.\n"


@pytest.mark.parametrize(
    ("typed", "said"),
    [((), "What should I look for?"), (("the",), "Those words are too common")],
)
def test_search_for_nothing_searchable_says_why(
    env: dict[str, str], tmp_path: Path, typed: tuple[str, ...], said: str
) -> None:
    result = run_cli("search", *typed, env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith(said) and "Traceback" not in result.stderr
