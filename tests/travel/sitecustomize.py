"""Moves a child process's clock as far ahead as the test run's, when the suite runs years ahead.

The suite's `--clock-years-ahead` guard puts this folder on PYTHONPATH and the offset in
`TRAVEL_AHEAD_S`, so every `leadsync` process a test starts reads the same moved clock as the
test itself (an offset, not a destination: the run's clock has ticked on since it started).
"""

import os
from datetime import UTC, datetime, timedelta

_ahead_s = os.environ.get("TRAVEL_AHEAD_S")
if _ahead_s:
    import time_machine

    time_machine.travel(datetime.now(UTC) + timedelta(seconds=float(_ahead_s)), tick=True).start()  # noqa: TID251 - the real clock, to move it
