"""What every handler and job needs, built once by the composition root (bot/app.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.outbox import Outbox
from bot.core.slack import SlackPeople, sessions
from storage.db import Database

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Nudge

log = logging.getLogger(__name__)

MemberChanged = Callable[[str, str], Awaitable[None]]
DataPointAdded = Callable[[str, int], Awaitable[Any]]  # (team_id, measure_id)
REFRESHES = 4  # member-view refreshes (App Home publishes) running at once
SweepStep = Callable[["Runtime"], Awaitable[None]]
# Queues the nudge's DM with `runtime.outbox.enqueue` in the given session (the claim's transaction)
# and returns the outbox row's id, or None when there is nothing left to say (the nudge is dropped).
NudgeSender = Callable[["Runtime", "AsyncSession", "Nudge"], Awaitable["int | None"]]


class InFlight:
    """Tracks handler work still running after its ack, so shutdown and tests can wait for it."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Future[Any]] = set()

    def track(self, task: asyncio.Future[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self.track(task)
        return task

    def __len__(self) -> int:
        return len(self._tasks)

    async def wait(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is in flight (new work started meanwhile included); False on timeout."""
        # Bolt schedules a listener's task during dispatch but the task registers itself only when it
        # first runs; yielding once lets every already-scheduled task start (the ready queue is FIFO).
        await asyncio.sleep(0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        # A tracked job that itself waits (a sweep run by hand, say) waits for the others, not for itself.
        while others := self._tasks - {asyncio.current_task()}:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await asyncio.wait(others, timeout=remaining)
        return True


@dataclass
class Runtime:
    """Built once by the composition root; each feature's `register(app, runtime)` adds its hooks.

    `client` is for handlers/ and the outbox only; services ask `people` who someone is.
    """

    settings: Settings
    db: Database
    client: AsyncWebClient
    clock: Clock = field(default_factory=Clock)
    inflight: InFlight = field(default_factory=InFlight)
    scheduler_running: bool = False
    slack_problem: str | None = None  # set at start when Slack could not confirm the bot token
    outbox: Outbox = field(init=False)
    people: SlackPeople = field(init=False)

    member_change_listeners: list[MemberChanged] = field(default_factory=list)
    data_point_listeners: list[DataPointAdded] = field(default_factory=list)
    # What the every-minute sweep runs (bot/core/nudges.py), registered explicitly by features.
    sweep_steps: dict[str, SweepStep] = field(default_factory=dict)
    nudge_senders: dict[str, NudgeSender] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict, repr=False)
    # Members whose views wait for a refresh, and how many refreshes may run at once (member_changed).
    _changed: set[tuple[str, str]] = field(default_factory=set, repr=False)
    _refresh_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(REFRESHES), repr=False)

    def __post_init__(self) -> None:
        self.outbox = Outbox(self.db, self.client, self.clock,
                             may_join=lambda channel: channel == self.settings.community_channel_id)
        self.people = SlackPeople(self.client)

    def on_member_changed(self, listener: MemberChanged) -> None:
        """Run `listener(team_id, user_id)` whenever what that member sees has changed."""
        self.member_change_listeners.append(listener)

    def on_data_point(self, listener: DataPointAdded) -> None:
        """Run `listener(team_id, measure_id)` after a measure gains a data point (run-chart signals)."""
        self.data_point_listeners.append(listener)

    def data_point_added(self, team_id: str, measure_id: int) -> None:
        """In the background, like member_changed: the point is stored whatever the listeners do."""
        for listener in self.data_point_listeners:
            self.inflight.spawn(_logged(listener(team_id, measure_id), "A data-point listener"))

    def each_sweep(self, name: str, step: SweepStep) -> None:
        """A time-driven step (e.g. hand a request on) that every sweep runs before the nudges."""
        self.sweep_steps[name] = step

    def on_nudge_due(self, kind: str, sender: NudgeSender) -> None:
        """What a `kind` of nudge sends; the sender gets the claim's session and the claimed row."""
        self.nudge_senders[kind] = sender

    def lock(self, key: str) -> asyncio.Lock:
        """One lock per key in this process, for work whose last run must see the latest data."""
        return self._locks.setdefault(key, asyncio.Lock())

    async def close(self) -> None:
        """At shutdown: close the kept-open connections to Slack, then the database's."""
        await sessions.close_all()
        await self.db.dispose()

    def member_changed(self, team_id: str, user_id: str) -> None:
        """Tell listeners (the App Home) that what this member sees has changed.

        Runs in the background and logs failures, so a view that fails to refresh never breaks the
        command that changed something. Refreshes are coalesced and a few at a time: under a burst the
        replies members wait for go first, and a member changed ten times while queued gets one
        refresh, which reads the latest data.
        """
        key = (team_id, user_id)
        if key not in self._changed:
            self._changed.add(key)
            self.inflight.spawn(self._refresh(key))

    async def _refresh(self, key: tuple[str, str]) -> None:
        async with self._refresh_slots:
            self._changed.discard(key)  # a change from now on queues another refresh
            for listener in self.member_change_listeners:
                await _logged(listener(*key), "A member-change listener")


async def _logged(work: Awaitable[Any], what: str) -> None:
    try:
        await work
    except Exception:  # noqa: BLE001 - listeners are best effort; the change itself is already saved
        log.exception("%s failed", what)
