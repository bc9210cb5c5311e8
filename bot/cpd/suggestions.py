"""CPD suggestions: which CPD entry a QI update or a mentoring meeting turns into (DESIGN.md §5)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.cpd.rules import ZERO, CpdActivity, Framework, SuggestionRule, credits_for, get_framework, money


@dataclass(frozen=True)
class CpdSuggestion:
    framework: str
    activity_type: str | None  # None: nothing to log for the activity itself
    hours: Decimal | None  # None when the time is not known (the member fills it in)
    credits: Decimal | None  # None while hours are unknown
    explanation: str


# Phrases that say feedback on the data was received. Checked for a negation just before them,
# because "still waiting for feedback" must not turn 2 credits/h into 3.
_FEEDBACK = re.compile(
    r"\b(audit and feedback|peer[- ]review(?:ed)?|feedback|"
    r"reviewed (?:our|the|my) (?:data|results|run charts?|charts?|audit) with|"
    r"presented (?:our|the|my) (?:data|results|run charts?) to)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(no|not|without|awaiting|await|waiting|pending|yet to|before|haven't|hasn't|didn't|never)\b",
    re.IGNORECASE,
)
_NEGATION_WINDOW = 40  # characters before the phrase, within the same sentence


def feedback_mentioned(text: str) -> str | None:
    """The first phrase saying feedback on the data was received, lower-cased; None if there is none."""
    for match in _FEEDBACK.finditer(text):
        before = re.split(r"[.!?;\n]", text[max(0, match.start() - _NEGATION_WINDOW) : match.start()])[-1]
        after = text[match.end() : match.end() + 20]
        if not _NEGATION.search(before) and not re.match(r"\s+(?:is\s+)?(?:still\s+)?pending", after, re.I):
            return " ".join(match.group(0).lower().split())
    return None


def explain(framework: Framework, rule: SuggestionRule, on: dt.date) -> str:
    """A suggestion's explanation with the activity ids in braces replaced by their rates on `on`."""
    rates = {a.id: framework.rate_text(a, on) for a in framework.activities.values()}
    return rule.explanation.format_map(rates)


def suggest_for_qi_update(
    framework_id: str, feedback_received: bool, text: str, on: dt.date
) -> CpdSuggestion:
    """The CPD entry to offer after a QI update; the flag wins when True, else the text is read."""
    framework = get_framework(framework_id)
    phrase = None if feedback_received else feedback_mentioned(text)
    rule = framework.suggestions["qi_with_feedback" if feedback_received or phrase else "qi_without_feedback"]
    explanation = explain(framework, rule, on)
    if phrase:
        explanation = f'Your update mentions "{phrase}". {explanation}'
    return CpdSuggestion(framework_id, rule.activity, None, None, explanation)


def suggest_for_mentoring_meeting(
    framework_id: str, role: Literal["mentee", "mentor"], minutes: int, on: dt.date
) -> CpdSuggestion:
    """The CPD entry to offer after a logged mentoring meeting of `minutes` on day `on`."""
    if minutes <= 0:
        raise ValueError(f"a meeting lasts more than 0 minutes, got {minutes}")
    framework = get_framework(framework_id)
    rule = framework.suggestions[role]
    explanation = explain(framework, rule, on)
    if rule.activity is None:
        return CpdSuggestion(framework_id, None, None, ZERO, explanation)
    hours = money(Decimal(minutes) / 60)
    credits = credits_for(CpdActivity(framework_id, rule.activity, on, hours, None))
    return CpdSuggestion(framework_id, rule.activity, hours, credits, explanation)
