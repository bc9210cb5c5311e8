"""Nothing lost, nothing doubled when the bot is killed: real processes, SIGKILL, restarts (issue 17).

The harness is bench/crash.py's; here it runs smaller (bounded in count and time, loopback only).
"""

from __future__ import annotations

from bench.crash import crash_run


async def test_every_acked_share_is_stored_and_posted_exactly_once_across_sigkills(database_url, db, backend,
                                                                                     tmp_path):
    result = await crash_run(database_url, backend=backend, shares=48, kills=2, seed=11, workdir=tmp_path,
                             drain_timeout=60)
    print("\n" + result.row())
    assert result.acked > 0
    assert result.lost == 0, result.row()
    assert result.acked <= result.stored == result.posted_once, result.row()
    assert result.posted_twice == 0, result.row()
