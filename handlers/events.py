"""Events API: the app was uninstalled, or its tokens were revoked. Stop posting to that
workspace (its recordings are kept), and forget the installation when there is one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import App, BoltContext

from bot.store import Store

# Posting stays paused; every hour one attempt shows whether the app is back.
PAUSE = timedelta(hours=1)


def register(app: App, store: Store, clock: Callable[[], datetime]) -> None:
    @app.event("app_uninstalled")
    def app_uninstalled(context: BoltContext, logger: logging.Logger) -> None:
        _forget(app, context, bot_only=False)
        _pause(store, context, "app_uninstalled", clock, logger)

    @app.event("tokens_revoked")
    def tokens_revoked(event: dict[str, Any], context: BoltContext, logger: logging.Logger) -> None:
        if event.get("tokens", {}).get("bot"):
            _forget(app, context, bot_only=True)
            _pause(store, context, "tokens_revoked", clock, logger)


def _forget(app: App, context: BoltContext, *, bot_only: bool) -> None:
    installations = app.installation_store
    if installations is None:
        return  # one workspace: the token lives in the environment, not in a store
    if bot_only:
        installations.delete_bot(enterprise_id=context.enterprise_id, team_id=context.team_id)
    else:
        installations.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)


def _pause(
    store: Store,
    context: BoltContext,
    reason: str,
    clock: Callable[[], datetime],
    logger: logging.Logger,
) -> None:
    # An org-wide uninstall on Enterprise Grid names only the org: pausing its id pauses every
    # workspace of it (recordings keep their enterprise_id; see Store.slack_block).
    team_id = context.team_id or context.enterprise_id or ""
    now = clock()
    store.block_slack(team_id, reason, now + PAUSE, now)
    logger.warning("workspace %s: %s; posting there stops, recordings are kept", team_id, reason)
