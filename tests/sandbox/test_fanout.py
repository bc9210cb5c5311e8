"""A fan-out against the rate-limited stand-in: everyone gets the nudge once, and Retry-After is obeyed.

The harness is bench/fanout.py's; here it runs smaller. The delivery rate is printed, never asserted
(tests assert no wall-clock times); the bench compares it with the stand-in's bound.
"""

from __future__ import annotations

from bench.fanout import fanout_run


async def test_a_weekly_nudge_reaches_every_member_once_at_slacks_pace(database_url, db, backend):
    result = await fanout_run(database_url, backend=backend, members=60, per_minute=600, timeout=60)
    print("\n" + result.row())
    assert (result.delivered_once, result.doubled, result.lost) == (60, 0, 0), result.row()
    # A burst of 20, then 10 a second: each wait for Retry-After costs one refused call, not one a row.
    assert result.refused <= 6, result.row()
