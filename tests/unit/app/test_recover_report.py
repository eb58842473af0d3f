"""What `slack-record recover` says it could not bring back, and how far back it looks."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app.recover_report import report_lines
from bot.workflow.recovery import FOREVER_DAYS, RecoveryReport, default_days


def test_a_rebuild_looks_back_over_the_retention_period() -> None:
    assert default_days(168) == 7
    assert default_days(36) == 1.5
    assert default_days(None) == FOREVER_DAYS  # media kept forever


def test_what_lives_only_in_the_database_is_named_for_the_mode_in_use() -> None:
    report = RecoveryReport(7.0, datetime(2026, 12, 1, tzinfo=UTC))

    plain = "\n".join(report_lines(report, "http"))
    assert "OAuth" not in plain and "Zoom" not in plain

    oauth_and_zoom = "\n".join(report_lines(report, "oauth", zoom_on=True))
    assert "install the app again at /slack/install" in oauth_and_zoom
    assert "/record connect zoom again" in oauth_and_zoom
