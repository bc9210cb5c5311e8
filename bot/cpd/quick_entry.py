"""The `/cpd-log TEXT` quick entry: `1.5h s1 Grand rounds on suicide risk`.

Grammar: leading "head" tokens in any order, then the title (everything after, spacing kept).
  time     1.5   1.5h   2 h   2hrs   90m   45 min   1h30   1h30m   1:30   (one per entry, 0 < h <= 24)
  count    3 articles   1 podcast   2 searches ...  (the framework's per-item activities, whole 1-100)
  type     an alias from the framework's data: s1, s1u, s2, plp, s3, audit, cert, noncert, ...
           (once; a second type word starts the title, as in "2h s3 Audit of lithium monitoring")
  date     2025-03-02 (ISO only; default today; never in the future)
A bare number is hours unless an item word follows it. Without a type the framework's default
type is used and said so in `assumptions`, so the reply can show it before anyone relies on it.

Never a guess about time: the hours always come from one token span recorded in `hours_token`,
and anything that looks like a number but is not one of the forms above is refused with the forms.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.cpd.rules import CpdActivity, Framework, get_framework

MAX_TEXT = 1000
MAX_TITLE = 200
MAX_HOURS = Decimal(24)
MAX_QUANTITY = 100

_HOUR_WORDS = r"(?:h|hr|hrs|hour|hours)"
_MINUTE_WORDS = r"(?:m|min|mins|minute|minutes)"
_NUMBER = r"[0-9]{1,4}(?:\.[0-9]{1,2})?"
_FLAGS = re.IGNORECASE | re.ASCII  # ASCII: "٣" is not a digit, nor "ſ" an "s", that we read time from
_UNIT_WORDS = re.compile(rf"{_HOUR_WORDS}|{_MINUTE_WORDS}", _FLAGS)
_DECIMAL_HOURS = re.compile(rf"(?P<hours>{_NUMBER})(?:\s*{_HOUR_WORDS})?", _FLAGS)
_MINUTES = re.compile(rf"(?P<minutes>[0-9]{{1,4}})\s*{_MINUTE_WORDS}", _FLAGS)
_HOURS_MINUTES = re.compile(r"(?P<hours>[0-9]{1,2})(?:h|:)(?P<minutes>[0-9]{2})", _FLAGS)
_HOURS_MINUTES_SHORT = re.compile(r"(?P<hours>[0-9]{1,2})h(?P<minutes>[0-9]{1,2})(?:m|min)?", _FLAGS)
_BARE_NUMBER = re.compile(_NUMBER, _FLAGS)
_COUNT = re.compile(r"[0-9]{1,4}", _FLAGS)
# Anything made of digits and number punctuation, with or without a unit, that is not a form above
# ("1.5.2", "1,5h", "1h90", ".5"): refused rather than read as the start of the title.
_NUMBER_LIKE = re.compile(rf"[-+]?[0-9.,:]*[0-9][0-9.,:]*(?:{_HOUR_WORDS}|{_MINUTE_WORDS})?[0-9.,:]*", _FLAGS)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", _FLAGS)
_DATE_LIKE = re.compile(r"[0-9]{1,4}[-/][0-9]{1,2}[-/][0-9]{1,4}", _FLAGS)


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_hours(token: str) -> Decimal | None:
    """Hours written as one of the time forms (to 0.01 h), or None. No range check."""
    token = token.strip()
    if match := _DECIMAL_HOURS.fullmatch(token):
        return _round(Decimal(match["hours"]))
    if match := _MINUTES.fullmatch(token):
        return _round(Decimal(match["minutes"]) / 60)
    if match := _HOURS_MINUTES.fullmatch(token) or _HOURS_MINUTES_SHORT.fullmatch(token):
        minutes = int(match["minutes"])
        return _round(Decimal(match["hours"]) + Decimal(minutes) / 60) if minutes < 60 else None
    return None


@dataclass(frozen=True)
class ParsedEntry:
    framework: str
    activity_type: str
    date: dt.date
    hours: Decimal | None  # for per-hour activities
    quantity: Decimal | None  # for per-item activities
    title: str
    hours_token: str | None  # the text the hours were read from, exactly as typed ("1h30", "2 h")
    quantity_token: str | None  # "3 articles"
    assumptions: tuple[str, ...]  # what was filled in without being typed, to show the member

    def activity(self) -> CpdActivity:
        return CpdActivity(self.framework, self.activity_type, self.date, self.hours, self.quantity)


@dataclass(frozen=True)
class ParseError:
    code: str
    message: str  # friendly, plain text; the shape errors end with the accepted forms and examples


def _forms(framework: Framework) -> str:
    examples = "\n".join(f"  /cpd-log {example}" for example in framework.examples)
    types = "; ".join(
        f"{' or '.join(a.aliases)} = {a.name[0].lower()}{a.name[1:]}"
        for a in framework.activities.values()
        if a.aliases
    )
    items = [f"2 {a.items}" for a in framework.activities.values() if a.unit == "item"]
    counts = f"\nCount instead of time: {', '.join(items)}." if items else ""
    return (
        f"Write the time, then an optional type and date, then the title, for example:\n{examples}\n"
        f"Time: 1.5, 1.5h, 90m, 1h30 or 1:30.{counts}\nType: {types}.\n"
        "Date (optional, default today): YYYY-MM-DD.\nOr send /cpd-log alone to open the form."
    )


@dataclass
class _Head:
    """What the head tokens said so far; each kind may appear once."""

    hours: Decimal | None = None
    hours_token: str | None = None
    quantity: Decimal | None = None
    quantity_token: str | None = None
    item_activity: str | None = None
    alias: str | None = None
    alias_activity: str | None = None
    date: dt.date | None = None


class _Refused(Exception):
    def __init__(self, code: str, message: str, show_forms: bool = True) -> None:
        super().__init__(code)
        self.code, self.message, self.show_forms = code, message, show_forms


def parse_quick_entry(text: str, framework_id: str, today: dt.date) -> ParsedEntry | ParseError:
    """Read a quick entry; any text gives a ParsedEntry or a ParseError, never an exception."""
    framework = get_framework(framework_id)
    try:
        return _parse(text, framework, today)
    except _Refused as refused:
        message = f"{refused.message}\n\n{_forms(framework)}" if refused.show_forms else refused.message
        return ParseError(refused.code, message)


def _parse(text: str, framework: Framework, today: dt.date) -> ParsedEntry:
    if len(text) > MAX_TEXT:
        raise _Refused(
            "too_long",
            f"That is too long for a quick entry ({len(text)} characters; the limit is {MAX_TEXT}). "
            "Send /cpd-log alone to open the form.",
            show_forms=False,
        )
    if not text.strip():
        raise _Refused("empty", "Tell me what you did and how long it took.")
    aliases = {alias: a.id for a in framework.activities.values() for alias in a.aliases}
    item_words = {
        word: a.id for a in framework.activities.values() if a.unit == "item" for word in (a.item, a.items)
    }
    tokens = list(re.finditer(r"\S+", text))
    head = _Head()
    index = 0
    while index < len(tokens):
        consumed = _read_head_token(tokens, index, text, head, aliases, item_words)
        if consumed == 0:
            break
        index += consumed
    title = text[tokens[index].start() :].strip() if index < len(tokens) else ""
    activity_id, assumptions = _activity(framework, head)
    entry_date = _check_date(framework, head.date or today, today)
    if head.hours is not None and not Decimal(0) < head.hours <= MAX_HOURS:
        raise _Refused(
            "hours_out_of_range",
            f"One entry can be more than 0 and at most 24 hours; you wrote “{head.hours_token}”. "
            "Log longer activities as one entry per day.",
            show_forms=False,
        )
    if not title:
        raise _Refused("missing_title", "Add a title after the time, e.g. what the session or reading was.")
    if len(title) > MAX_TITLE:
        raise _Refused(
            "title_too_long",
            f"Keep the title to {MAX_TITLE} characters (it has {len(title)}); "
            "add details as a reflection afterwards.",
            show_forms=False,
        )
    return ParsedEntry(
        framework=framework.id,
        activity_type=activity_id,
        date=entry_date,
        hours=head.hours,
        quantity=head.quantity,
        title=title,
        hours_token=head.hours_token,
        quantity_token=head.quantity_token,
        assumptions=assumptions,
    )


def _read_head_token(
    tokens: list[re.Match[str]],
    index: int,
    text: str,
    head: _Head,
    aliases: dict[str, str],
    item_words: dict[str, str],
) -> int:
    """Record the head token at `index` in `head`; the number of tokens read, 0 when the title starts."""
    token = tokens[index].group(0)
    word = token.lower()
    following = tokens[index + 1].group(0).lower() if index + 1 < len(tokens) else None
    if _ISO_DATE.fullmatch(token) or _DATE_LIKE.fullmatch(token):
        if head.date is not None:
            raise _Refused("two_dates", "I found two dates; give the date once.")
        head.date = _read_date(token)
        return 1
    if word in aliases:
        if head.alias is not None:
            return 0  # a type word after the type begins the title: "2h s3 Audit of lithium monitoring"
        head.alias, head.alias_activity = token, aliases[word]
        return 1
    if _BARE_NUMBER.fullmatch(token) and following in item_words:
        span = text[tokens[index].start() : tokens[index + 1].end()]
        _set_amount(head, span)
        if not _COUNT.fullmatch(token) or not 1 <= int(token) <= MAX_QUANTITY:
            raise _Refused(
                "quantity_out_of_range",
                f"Count whole items, 1 to {MAX_QUANTITY}; you wrote “{span}”.",
                show_forms=False,
            )
        head.quantity, head.quantity_token = Decimal(int(token)), span
        head.item_activity = item_words[following]
        return 2
    if _BARE_NUMBER.fullmatch(token) and following is not None and _UNIT_WORDS.fullmatch(following):
        span = text[tokens[index].start() : tokens[index + 1].end()]
        _set_hours(head, span)
        return 2
    if parse_hours(token) is not None:
        _set_hours(head, token)
        return 1
    if _NUMBER_LIKE.fullmatch(token):
        raise _Refused("bad_number", f"I couldn't read “{token}” as a time.")
    return 0


def _set_amount(head: _Head, span: str) -> None:
    if head.hours_token is not None or head.quantity_token is not None:
        first = head.hours_token or head.quantity_token
        raise _Refused(
            "two_amounts",
            f"I found two amounts (“{first}” and “{span}”); give the time once. "
            "If your title starts with a number, begin it with a word.",
        )


def _set_hours(head: _Head, span: str) -> None:
    _set_amount(head, span)
    hours = parse_hours(span)
    if hours is None:
        raise _Refused("bad_number", f"I couldn't read “{span}” as a time.")
    head.hours, head.hours_token = hours, span


def _read_date(token: str) -> dt.date:
    try:
        if not _ISO_DATE.fullmatch(token):
            raise ValueError(token)
        return dt.date.fromisoformat(token)
    except ValueError:
        raise _Refused(
            "bad_date", f"“{token}” is not a date I can read; write dates as YYYY-MM-DD."
        ) from None


def _check_date(framework: Framework, day: dt.date, today: dt.date) -> dt.date:
    if day > today:
        raise _Refused(
            "future_date",
            f"{day.isoformat()} is in the future; log activities once they have happened.",
            show_forms=False,
        )
    if day < framework.rules_start:
        raise _Refused(
            "date_too_old",
            f"{day.isoformat()} is before the {framework.short_name} rules I know "
            f"(from {framework.rules_start.isoformat()}).",
            show_forms=False,
        )
    return day


def _activity(framework: Framework, head: _Head) -> tuple[str, tuple[str, ...]]:
    if head.hours is None and head.quantity is None:
        raise _Refused("no_amount", "I couldn't find how long it took at the start of your entry.")
    if head.item_activity is not None:
        if head.alias_activity not in (None, head.item_activity):
            raise _Refused(
                "type_conflict",
                f"“{head.alias}” is a type logged in hours, but you counted “{head.quantity_token}”; "
                "give one of them.",
            )
        return head.item_activity, ()
    if head.alias_activity is not None:
        return head.alias_activity, ()
    default = framework.activity(framework.default_activity)
    section = framework.section(default.section)
    return default.id, (f"Assumed {section.name} · {default.name}: {framework.type_hint}.",)
