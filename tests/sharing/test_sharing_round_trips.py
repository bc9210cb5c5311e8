"""A quick share's work on the database, counted: under a burst each transaction and statement is CPU and
waiting that members feel (bench/ack_latency.py times it; this keeps the count from creeping back).

A member who has shared before shares again; everything up to their confirmation and CPD offer is counted.
"""

from __future__ import annotations

from sqlalchemy import event

from tests.conftest import MEMBER_ID
from tests.sharing_helpers import posts, share_reply, updates

# Store (route, update, audit, its post queued and leased) and the post's result: two transactions. The
# replay check, the permalink, the CPD offer and the App Home check are single statements outside any.
TRANSACTIONS = 2
STATEMENTS = 14


async def test_a_quick_share_takes_two_transactions_and_few_statements(env):
    env.slack.add_user(MEMBER_ID, name="ria.resident", email="ria.resident@uhn.ca")
    await env.driver.command("/qi-share", "First huddle on 4B", user_id=MEMBER_ID)
    await env.settle()
    counted = {"transactions": 0, "statements": 0}

    def begun(connection) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            counted["transactions"] += 1

    def executed(*_args) -> None:
        counted["statements"] += 1

    engine = env.runtime.db.engine.sync_engine
    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        await env.driver.command("/qi-share", "Second huddle on 4B, the checklist stuck", user_id=MEMBER_ID)
        await env.settle()
    finally:
        event.remove(engine, "begin", begun)
        event.remove(engine, "before_cursor_execute", executed)

    # Everything a member notices still happened: stored, posted once, confirmed with a link, CPD offered.
    assert [u.tried for u in await updates(env)][-1] == "Second huddle on 4B, the checklist stuck"
    assert sum("Second huddle on 4B" in str(post) for post in posts(env)) == 1
    assert "See your update" in share_reply(env)["text"]
    assert env.slack.responses()[-1]["text"].startswith("Log time on this as CPD?")
    assert counted["transactions"] <= TRANSACTIONS, counted
    assert counted["statements"] <= STATEMENTS, counted
