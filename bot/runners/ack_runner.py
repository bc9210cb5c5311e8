"""Bolt's listener runner, waiting for each listener's ack on an event instead of waking every 10 ms.

Bolt starts a listener in its own task and then, to learn when it has called `ack()`, sleeps 10 ms and
looks again, until the ack or the 3 s deadline. Our listeners store a member's work before they ack
(issue 17), so under a burst of 300 commands hundreds of requests wait at once, and their polling was
a fifth of the bot's CPU: without it, reply p99 at 300 concurrent on PostgreSQL fell from 4.0 s to
3.1-3.8 s in bench/ack_latency.py (the README's reliability section). Here `ack()` sets an event and the request waits on it, or on the listener
ending, or on the deadline, whichever comes first.

What Bolt does is otherwise kept: start, error and completion handlers, the 500 when a listener fails
before its ack, the "didn't call ack()" warning and its None (a 404 to Slack), but a listener that
fails right after its ack keeps that ack (Bolt's runner could lose it). Lazy listeners and
process_before_response (we use neither) go to Bolt's own runner.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener import AsyncListener
from slack_bolt.listener.asyncio_runner import AsyncioListenerRunner
from slack_bolt.logger.messages import warning_did_not_call_ack
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse


class SignallingAck(AsyncAck):
    """Bolt's ack, which also says that it was called, and (`late`) that Slack stopped waiting for it: a
    listener whose answer was to be the ack then sends it another way (handlers.commands.context)."""

    def __init__(self) -> None:
        super().__init__()
        self.called = asyncio.Event()
        self.late = False

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await super().__call__(*args, **kwargs)
        self.called.set()
        return response


class PromptAckRunner(AsyncioListenerRunner):
    @classmethod
    def replacing(cls, runner: AsyncioListenerRunner) -> PromptAckRunner:
        return cls(logger=runner.logger, process_before_response=runner.process_before_response,
                   listener_error_handler=runner.listener_error_handler,
                   listener_start_handler=runner.listener_start_handler,
                   listener_completion_handler=runner.listener_completion_handler,
                   lazy_listener_runner=runner.lazy_listener_runner)

    async def run(self, request: AsyncBoltRequest, response: BoltResponse, listener_name: str,
                  listener: AsyncListener, starting_time: float | None = None) -> BoltResponse | None:
        if self.process_before_response or request.lazy_only or listener.lazy_functions:
            return await super().run(request, response, listener_name, listener, starting_time)
        starting_time = starting_time if starting_time is not None else time.time()
        ack = request.context.ack
        if ack.response is None and not isinstance(ack, SignallingAck):
            ack = request.context["ack"] = SignallingAck()  # what the listener is given as `ack`
        if listener.auto_acknowledgement:
            await ack()  # events are acknowledged at once, as Bolt does
        listening = asyncio.ensure_future(self._listen(ack, request, response, listener))
        if ack.response is None:
            called = asyncio.ensure_future(ack.called.wait())
            remaining = max(0.0, listener.ack_timeout - (time.time() - starting_time))
            await asyncio.wait({called, listening}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            called.cancel()
        if response is None and ack.response is None:
            self.logger.warning(warning_did_not_call_ack(listener_name))
            if isinstance(ack, SignallingAck):
                ack.late = True  # set before anything else runs: an ack() from now on reaches no one
            return None
        return response if response is not None else ack.response

    async def _listen(self, ack: AsyncAck, request: AsyncBoltRequest, response: BoltResponse | None,
                      listener: AsyncListener) -> None:
        """Bolt's `run_ack_function_asynchronously`: the listener in its own task."""
        try:
            await self.listener_start_handler.handle(request=request, response=response)
            await listener.run_ack_function(request=request, response=response)
        except Exception as error:  # noqa: BLE001 - as Bolt: the error handler decides what is said
            acked = ack.response is not None
            if not acked:
                response = response or BoltResponse(status=500)
                response.status = 500
            await self.listener_error_handler.handle(error=error, request=request,
                                                     response=None if acked else response)
            if not acked:
                # Bolt sets this even after an ack, to None, which turns an ack not yet sent into a 404.
                ack.response = response
        finally:
            await self.listener_completion_handler.handle(request=request, response=response)
