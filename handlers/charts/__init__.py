"""Run charts in Slack: `/qi-commons chart #slug [measure]` to the member's DM, "Run chart" on a project's card
into its thread."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.charts.signals import note_new_signals
from bot.core.runtime import Runtime
from handlers.charts import actions, data_entry, data_form, data_import
from handlers.charts.signals import signal_message


def register(app: AsyncApp, runtime: Runtime) -> None:
    actions.register(app, runtime)
    data_entry.register(app, runtime)
    data_form.register(app, runtime)
    data_import.register(app, runtime)
    runtime.on_data_point(lambda team_id, measure_id: note_new_signals(runtime, signal_message, team_id=team_id,
                                                                       measure_id=measure_id))
