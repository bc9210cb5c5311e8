"""The words of a run-chart signal's announcement: in the project's thread when better, to the owner when worse."""

from __future__ import annotations

from typing import Any

from bot.charts.signals import NewSignal
from bot.core.text import escape
from handlers.blocks import context, section

RULE_NAMES = {"longest_run": "a long run on one side of the centre line", "shift": "a shift",
              "trend": "a trend", "outside_limits": "a point outside the control limits"}


def signal_message(signal: NewSignal) -> dict[str, Any]:
    better = signal.verdict == "improvement"
    lead = (":chart_with_upwards_trend: *A signal of improvement*" if better
            else ":warning: *A signal of deterioration* (only you see this)")
    what = (f"{lead} in *{escape(signal.measure_name)}* (`#{signal.slug}`): {RULE_NAMES[signal.rule]}, "
            f"{signal.points} points from {signal.first_on:%d %b %Y} to {signal.last_on:%d %b %Y}.")
    then = ("Worth telling the team what changed, so others can try it." if better else
            "Worth a look with your team: is something new getting in the way? A PDSA cycle can test a fix.")
    return {"text": f"{'A signal of improvement' if better else 'A signal of deterioration'} in "
                    f"{escape(signal.measure_name)} (#{signal.slug})",
            "blocks": [section(what, verbatim=True), context(escape(signal.words), verbatim=True), context(then)],
            "unfurl_links": False}
