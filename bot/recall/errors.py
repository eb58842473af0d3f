"""What can go wrong talking to Recall, as one exception tree (every non-2xx answer, network
failure or budget refusal of bot/recall/client.py becomes one of these):

    RecallError
     ├── RecallUnavailable        network error, timeout, 5xx, 409: try again later
     │    └── RecallRateLimited   429; `.retry_after` seconds
     │         └── BudgetSpent    our own rate budget (bot/recall/rate_budget.py) says wait
     ├── RecallNoCapacity         507 on create: no free bot right now; `.retry_after`
     ├── RecallRejected           400/403/other 4xx; `.detail` is Recall's own words
     ├── RecallNotFound           404: Recall does not know this bot (any more)
     └── RecallAuthError          401 or 402: only an operator can fix it; `.status`
"""

from __future__ import annotations


class RecallError(Exception):
    """Base of every error this client raises."""


class RecallUnavailable(RecallError):
    """Recall could not be reached or answered 5xx/409; the same request may succeed later."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RecallRateLimited(RecallUnavailable):
    """429: over the per-workspace rate limit; wait `retry_after` seconds."""


class BudgetSpent(RecallRateLimited):
    """Not Recall's 429 but our own: this endpoint class has used its share for now."""


class RecallNoCapacity(RecallError):
    """507: the ad-hoc bot pool is empty; retry creation after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class RecallRejected(RecallError):
    """Recall refused the request (400/403/4xx); `detail` explains why in Recall's words."""

    def __init__(self, status: int, detail: str, code: str | None = None):
        super().__init__(f"Recall rejected the request ({status}): {detail}")
        self.status = status
        self.detail = detail
        self.code = code


class RecallNotFound(RecallError):
    """404: no such bot in this Recall region/workspace."""


class RecallAuthError(RecallError):
    """401 (API key refused) or 402 (account out of credit): an operator must act."""

    def __init__(self, status: int, detail: str):
        super().__init__(f"Recall refused our credentials ({status}): {detail}")
        self.status = status
