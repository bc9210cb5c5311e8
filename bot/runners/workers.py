"""HTTP_WORKERS: several bot processes serving one port, so a burst of requests uses every core.

One Python process runs on one core at a time, and under a burst of quick shares the bot's own work
(signature, database round trips, Block Kit, replies) is what members wait for. With HTTP_WORKERS=N
the process started by `qi-commons run --http` migrates the database, then starts N-1 more, each
the same command with `WORKER` set in its environment (no migration, no workers of its own). All N
listen on the port with SO_REUSEPORT, so the kernel spreads connections across them.

Each worker runs its own scheduler, sweeps and outbox drain. That is safe because it is safe for
replicas: every weekly post and nudge first claims its row under a unique key, and every outbox
attempt first leases its row with a conditional UPDATE, so two workers never send one thing twice.

The workers stop with the first process: it passes on SIGTERM and waits for them, and a worker is
told SIGTERM by the kernel if the first process dies (even by SIGKILL), so none is left holding the
port. If a worker exits by itself, the first process stops too, for the process manager to restart.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import sys

log = logging.getLogger(__name__)

WORKER = "QI_COMMONS_HTTP_WORKER"  # set in the environment of each process the first one starts
_PR_SET_PDEATHSIG = 1


def is_worker() -> bool:
    return os.environ.get(WORKER) == "1"


def _die_with_parent() -> None:
    """In the new worker, before it runs: SIGTERM when the process that started it dies (Linux)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Workers:
    """The extra processes of the first one: started once it serves, stopped before it stops."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.processes: list[asyncio.subprocess.Process] = []

    async def start(self, on_exit: asyncio.Event) -> None:
        """Start `count` workers; `on_exit` is set if one of them exits before `stop` is called."""
        env = {**os.environ, WORKER: "1"}
        for _ in range(self.count):
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.runners.cli", "run", "--http", env=env, preexec_fn=_die_with_parent)
            self.processes.append(process)
            asyncio.ensure_future(self._watch(process, on_exit))
        log.info("Started %d more HTTP worker process(es): %s", self.count, [p.pid for p in self.processes])

    async def _watch(self, process: asyncio.subprocess.Process, on_exit: asyncio.Event) -> None:
        code = await process.wait()
        if process in self.processes:  # not stopped by us
            log.error("HTTP worker %s exited with %s; stopping QI Commons for a restart", process.pid, code)
            on_exit.set()

    async def stop(self, timeout: float) -> None:
        """SIGTERM to every worker (each finishes its requests in flight), then wait up to `timeout`."""
        running, self.processes = self.processes, []
        for process in running:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in running)), timeout)
        except TimeoutError:
            log.warning("HTTP workers still running after %ss; killing them", timeout)
            for process in running:
                if process.returncode is None:
                    process.kill()
