"""The one Slack adapter of the domain: who people are (people.py) and what Slack will accept (payloads.py).

Besides the outbox and the runners, this package is the only place under bot/ that imports slack_sdk.
"""

from bot.core.slack.people import LookupFailed, Person, SlackPeople, person_from

__all__ = ["LookupFailed", "Person", "SlackPeople", "person_from"]
