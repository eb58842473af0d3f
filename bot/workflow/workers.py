"""The one worker pool for steps that should not wait for the poller: a recording just asked
for, a webhook's news, a Stop press. The poller is the safety net: work dropped at shutdown is
still due in SQLite and runs on the next start."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

log = logging.getLogger(__name__)

# Threads that create Recall bots right after a /record, and follow webhook news.
WORKER_THREADS = 8


class Workers:
    def __init__(self, threads: int = WORKER_THREADS, *, inline: bool = False):
        # `inline`: run each task at once in the caller's thread (the CLI's one-off pass).
        self._pool = None if inline else ThreadPoolExecutor(threads, thread_name_prefix="step")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, task: Callable[[], None], what: str) -> None:
        """Run `task` soon; an error is logged with `what` it was, and nothing else happens
        (the row stays due, so the poller tries again)."""

        def run() -> None:
            try:
                task()
            except Exception:
                log.exception("%s failed; the poller will retry", what)

        if self._pool is None:
            run()
            return
        future = self._pool.submit(run)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def wait(self, timeout: float) -> bool:
        """Wait for what was submitted so far; True if it all finished in time."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        return not not_done

    def shutdown(self) -> None:
        """Take no more work and drop what has not started (it is still due in SQLite)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)
