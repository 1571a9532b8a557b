"""A CRM's daily call allowance as its answers count it: once none is left today, no call is sent.

Some CRMs say in every answer how many calls of the day's allowance are left (HubSpot's
`X-HubSpot-RateLimit-Daily` and `-Daily-Remaining`). The last count is kept with the UTC day it
was read on; a call made the same day after the count reached zero is refused before it is sent
(`check`, a `Caller`'s `before_call`) with `BudgetExhausted`, which ends the cycle, and the next
cycle resumes from the same cursor. A count from an earlier day stops nothing.
"""

from __future__ import annotations

from leadsync.adapter_api import BudgetExhausted, Clock

__all__ = ["DailyAllowance"]


class DailyAllowance:
    """The calls of today's allowance used and allowed, when the CRM's answers said; `spent` words
    the refusal of a call once none is left (`{limit}` is filled in)."""

    def __init__(self, clock: Clock, *, spent: str) -> None:
        self._clock, self._spent = clock, spent
        self.used: int | None = None
        self.limit: int | None = None
        self._day = ""  # the UTC day the count was read on

    def counted(self, limit: int, remaining: int) -> None:
        """The CRM's count in its latest answer."""
        self.limit, self.used, self._day = limit, limit - remaining, self._today()

    def check(self) -> None:
        """Raise `BudgetExhausted` when none of today's allowance is left; nothing is to be sent."""
        used, limit = self.used, self.limit
        if used is not None and limit is not None and used >= limit and self._day == self._today():
            raise BudgetExhausted(self._spent.format(limit=limit))

    def _today(self) -> str:
        return self._clock.now().date().isoformat()
