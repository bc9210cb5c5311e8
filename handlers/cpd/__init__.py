"""CPD logging: /cpd-log, its forms and buttons, and the one-click CPD offers (issue 4).

Other features offer CPD with `handlers.cpd.offers.offer_cpd_for_update` / `offer_cpd_for_meeting`.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.runtime import Runtime
from bot.cpd.offer_delivery import OFFER, offer_by_dm_instead
from handlers.cpd import commands, entries_list, entry_form, reflection, settings, undo


def register(app: AsyncApp, runtime: Runtime) -> None:
    commands.register(app, runtime)
    entry_form.register(app, runtime)
    reflection.register(app, runtime)
    settings.register(app, runtime)
    entries_list.register(app, runtime)
    undo.register(app, runtime)
    runtime.outbox.on_dead(OFFER, offer_by_dm_instead(runtime))
