"""The `/cpd-log TEXT` quick entry: `1.5h s1 Grand rounds on suicide risk`, `90 min journal club`.

Grammar: "head" tokens in any order, then the title (everything after, spacing kept).
  time     1.5   1,5   1.5h   2 h   2hrs   90m   45 min   1h30   1:30   an hour   half an hour
           one and a half hours   (one per entry, 0 < h <= 24); also at the very END of the text
           when the head has none ("grand rounds 1.5h"), but only with a unit there: a title may end
           in a number ("Top 10") that is no time
  count    3 articles   1 podcast   2 searches ...  (the framework's per-item activities, whole 1-100),
           also after a verb, "read 3 articles" (the verb phrase is then the title)
  type     an alias from the framework's data: s1, s1u, s2, plp, s3, audit, cert, noncert, ...
           (once; a second type word starts the title, as in "2h s3 Audit of lithium monitoring")
  date     2026-11-28, today, yesterday, last tuesday, nov 28, 28 november (default today; never the future)
Without a type word, the title's words are read against the framework's `keywords` (bot/data): one
type found is logged and said; a title that fits several types (a journal club, accredited or not)
gives `NeedsType`, so the member picks (the form opens prefilled), never a silent guess; no keyword
at all gives the framework's default type, said in `assumptions`.

Never a guess about time: the hours always come from one token span recorded in `hours_token`,
and anything that looks like a number but is not one of the forms above is refused with the forms.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.cpd.rules import CpdActivity, Framework, KeywordGroup, frameworks, get_framework
from bot.cpd.suggestions import explain

MAX_TEXT = 1000
MAX_TITLE = 200
MAX_HOURS = Decimal(24)
MAX_QUANTITY = 100

_HOUR_WORDS = r"(?:h|hr|hrs|hour|hours)"
_MINUTE_WORDS = r"(?:m|min|mins|minute|minutes)"
# A decimal point or a decimal comma ("1,5 h", as French-speaking colleagues write it).
_NUMBER = r"[0-9]{1,4}(?:[.,][0-9]{1,2})?"
_FLAGS = re.IGNORECASE | re.ASCII  # ASCII: "٣" is not a digit, nor "ſ" an "s", that we read time from
_UNIT_WORDS = re.compile(rf"{_HOUR_WORDS}|{_MINUTE_WORDS}", _FLAGS)
_DECIMAL_HOURS = re.compile(rf"(?P<hours>{_NUMBER})(?:\s*{_HOUR_WORDS})?", _FLAGS)
_MINUTES = re.compile(rf"(?P<minutes>[0-9]{{1,4}})\s*{_MINUTE_WORDS}", _FLAGS)
_HOURS_MINUTES = re.compile(r"(?P<hours>[0-9]{1,2})(?:h|:)(?P<minutes>[0-9]{2})", _FLAGS)
_HOURS_MINUTES_SHORT = re.compile(r"(?P<hours>[0-9]{1,2})h(?P<minutes>[0-9]{1,2})(?:m|min)?", _FLAGS)
_BARE_NUMBER = re.compile(_NUMBER, _FLAGS)
_COUNT = re.compile(r"[0-9]{1,4}", _FLAGS)
# Anything made of digits and number punctuation, with or without a unit, that is not a form above
# ("1.5.2", "1,555h", "1h90", ".5"): refused rather than read as the start of the title.
_NUMBER_LIKE = re.compile(rf"[-+]?[0-9.,:]*[0-9][0-9.,:]*(?:{_HOUR_WORDS}|{_MINUTE_WORDS})?[0-9.,:]*", _FLAGS)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", _FLAGS)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_WORD_HOURS = re.compile(
    rf"(?:(?P<count>{'|'.join(_NUMBER_WORDS)})(?P<half>\s+and\s+a\s+half)?\s+{_HOUR_WORDS}"
    r"(?P<and_half>\s+and\s+a\s+half)?|(?P<half_hour>half\s+an?\s+hour|a\s+half\s+hour))", _FLAGS)
_WORD_HOURS_TOKENS = (5, 4, 3, 2)  # "an hour and a half" is the longest
_WEEKDAYS = {name: day for day, names in enumerate((
    ("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"), ("thursday", "thu", "thur", "thurs"),
    ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun"))) for name in names}
_MONTHS = {name: month for month, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
    ("november", "nov"), ("december", "dec")), start=1) for name in names}
_DAY_OF_MONTH = re.compile(r"[0-9]{1,2}(?:st|nd|rd|th)?,?", _FLAGS)
# Verbs that may come before a count: "read 3 articles", "listened to 2 podcasts".
_COUNT_VERBS = {"read", "scanned", "skimmed", "reviewed", "listened", "watched", "did"}
# Every framework's item words: under a framework that counts only time, "3 articles" is not 3 hours.
_ANY_ITEM_WORDS = {w for f in frameworks().values() for a in f.activities.values() for w in (a.item, a.items) if w}
_DATE_LIKE = re.compile(r"[0-9]{1,4}[-/][0-9]{1,2}[-/][0-9]{1,4}", _FLAGS)


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_hours(token: str) -> Decimal | None:
    """Hours written as one of the time forms (to 0.01 h), or None. No range check."""
    token = token.strip()
    if match := _DECIMAL_HOURS.fullmatch(token):
        return _round(Decimal(match["hours"].replace(",", ".")))
    if match := _WORD_HOURS.fullmatch(" ".join(token.split())):
        if match["half_hour"]:
            return Decimal("0.50")
        half = Decimal("0.5") if match["half"] or match["and_half"] else Decimal(0)
        return _round(Decimal(_NUMBER_WORDS[match["count"].lower()]) + half)
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
class NeedsType:
    """The entry is clear except its type: its words fit more than one. The member picks; nothing is stored."""

    entry: ParsedEntry  # with the first choice as its type, to prefill the form
    choices: tuple[str, ...]  # activity ids, in the data file's order
    because: str  # the words that fit several types ("journal club")


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
        f"Time: 1.5, 1,5, 1.5h, 90m, 1h30, 1:30 or an hour.{counts}\nType: {types}.\n"
        "Date (optional, default today): yesterday, last tuesday, nov 28 or YYYY-MM-DD.\n"
        "Or send /cpd-log alone to open the form."
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
    date_token: str | None = None
    title_start: int | None = None  # where the title starts when a head phrase belongs to it ("read 3 articles")


class _Refused(Exception):
    def __init__(self, code: str, message: str, show_forms: bool = True) -> None:
        super().__init__(code)
        self.code, self.message, self.show_forms = code, message, show_forms


def parse_quick_entry(text: str, framework_id: str, today: dt.date) -> ParsedEntry | NeedsType | ParseError:
    """Read a quick entry; any text gives a ParsedEntry, a NeedsType or a ParseError, never an exception."""
    framework = get_framework(framework_id)
    try:
        return _parse(text, framework, today)
    except _Refused as refused:
        message = f"{refused.message}\n\n{_forms(framework)}" if refused.show_forms else refused.message
        return ParseError(refused.code, message)


def _parse(text: str, framework: Framework, today: dt.date) -> ParsedEntry | NeedsType:
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
    while index < len(tokens) and head.title_start is None:
        consumed = _read_head_token(framework, tokens, index, text, head, aliases, item_words, today)
        if consumed == 0:
            break
        index += consumed
    end = len(tokens)
    if head.hours is None and head.quantity is None and head.title_start is None:
        end = _read_tail(tokens, index, text, head, aliases, today)
    last = tokens[end - 1].group(0).lower() if end - index > 1 else ""
    if head.alias is None and last in aliases and any(c.isdigit() for c in last):
        # A section code typed last, "2h workshop s1", is the type; a type that is a word ("audit") is
        # left to the title, where it may be the subject.
        head.alias, head.alias_activity = tokens[end - 1].group(0), aliases[last]
        end -= 1
    if head.title_start is not None:
        title = text[head.title_start : tokens[end - 1].end()].strip()
    else:
        title = text[tokens[index].start() : tokens[end - 1].end()].strip() if index < end else ""
        # "an hour of reading", "2h of chart review": the "of" joins the time to the title.
        if title[:3].lower() == "of " and title[3:].strip():
            title = title[3:].strip()
    entry_date = _check_date(framework, head.date or today, today)
    if head.hours is not None and not Decimal(0) < head.hours <= MAX_HOURS:
        raise _Refused(
            "hours_out_of_range",
            f"One entry can be more than 0 and at most 24 hours; you wrote “{head.hours_token}”. "
            "Log longer activities as one entry per day.",
            show_forms=False,
        )
    if head.hours is None and head.quantity is None:
        raise _Refused("no_amount", "I couldn't find how long it took in your entry.")
    if not title:
        raise _Refused("missing_title", "Add a title after the time, e.g. what the session or reading was.")
    if len(title) > MAX_TITLE:
        raise _Refused(
            "title_too_long",
            f"Keep the title to {MAX_TITLE} characters (it has {len(title)}); "
            "add details as a reflection afterwards.",
            show_forms=False,
        )
    activity_id, assumptions, choices, because = _activity(framework, head, title, entry_date)
    entry = ParsedEntry(
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
    return NeedsType(entry, choices, because) if len(choices) > 1 else entry


def _read_head_token(
    framework: Framework,
    tokens: list[re.Match[str]],
    index: int,
    text: str,
    head: _Head,
    aliases: dict[str, str],
    item_words: dict[str, str],
    today: dt.date,
) -> int:
    """Record the head token at `index` in `head`; the number of tokens read, 0 when the title starts."""
    token = tokens[index].group(0)
    word = token.lower()
    words = [t.group(0).lower() for t in tokens[index : index + 3]]
    following = words[1] if len(words) > 1 else None
    if consumed := _read_date_words(tokens, index, head, today):
        return consumed
    if _ISO_DATE.fullmatch(token) or _DATE_LIKE.fullmatch(token):
        _set_date(head, token, _read_date(token))
        return 1
    verb_count = 1 if word in _COUNT_VERBS else 0
    if verb_count and following == "to" and len(tokens) > index + 3:  # "listened to 2 podcasts"
        verb_count, words = 2, [t.group(0).lower() for t in tokens[index + 1 : index + 4]]
    if verb_count and len(words) > 2 and _BARE_NUMBER.fullmatch(words[1]) and words[2] in item_words:
        # The count belongs to the title too: "read 3 articles" says what was done.
        _read_count(tokens, index + verb_count, text, head, item_words)
        head.title_start = tokens[index].start()
        return verb_count + 2
    if word in aliases:
        if head.alias is not None:
            return 0  # a type word after the type begins the title: "2h s3 Audit of lithium monitoring"
        head.alias, head.alias_activity = token, aliases[word]
        return 1
    if _BARE_NUMBER.fullmatch(token) and following in item_words:
        return _read_count(tokens, index, text, head, item_words)
    if _BARE_NUMBER.fullmatch(token) and following in _ANY_ITEM_WORDS:
        raise _Refused(
            "counts_time",
            f"Under {framework.short_name} an entry counts time, not {following}: write how long it took, e.g. "
            f"“/cpd-log 45m Reading: {token} {following} on …”.",
            show_forms=False,
        )
    if _BARE_NUMBER.fullmatch(token) and following is not None and _UNIT_WORDS.fullmatch(following):
        span = text[tokens[index].start() : tokens[index + 1].end()]
        _set_hours(head, span)
        return 2
    if parse_hours(token) is not None:
        _set_hours(head, token)
        return 1
    if word in _NUMBER_WORDS or word == "half":
        for length in _WORD_HOURS_TOKENS:
            if index + length <= len(tokens):
                span = text[tokens[index].start() : tokens[index + length - 1].end()]
                if _WORD_HOURS.fullmatch(" ".join(span.split())):
                    _set_hours(head, span)
                    return length
    if _NUMBER_LIKE.fullmatch(token):
        raise _Refused("bad_number", f"I couldn't read “{token}” as a time.")
    return 0


def _read_count(
    tokens: list[re.Match[str]], index: int, text: str, head: _Head, item_words: dict[str, str]
) -> int:
    token, item = tokens[index].group(0), tokens[index + 1].group(0).lower()
    span = text[tokens[index].start() : tokens[index + 1].end()]
    _set_amount(head, span)
    if not _COUNT.fullmatch(token) or not 1 <= int(token) <= MAX_QUANTITY:
        raise _Refused(
            "quantity_out_of_range",
            f"Count whole items, 1 to {MAX_QUANTITY}; you wrote “{span}”.",
            show_forms=False,
        )
    head.quantity, head.quantity_token = Decimal(int(token)), span
    head.item_activity = item_words[item]
    return 2


def _read_tail(
    tokens: list[re.Match[str]], start: int, text: str, head: _Head, aliases: dict[str, str], today: dt.date
) -> int:
    """A time written at the end ("grand rounds 1.5h", "journal club 1h s1u"), with a type or a date next
    to it; returns where the title ends. Only a time with a unit (or 1h30, 1:30) counts there, since a
    title may end in a number ("Top 10"); nothing is taken from the end unless a time is among it."""
    end, found = len(tokens), _Head(alias=head.alias, date=head.date)
    while end - start > 1:
        last = tokens[end - 1].group(0)
        before = tokens[end - 2].group(0)
        if found.hours is None and _UNIT_WORDS.fullmatch(last) and _BARE_NUMBER.fullmatch(before) and end - start > 2:
            span, length = text[tokens[end - 2].start() : tokens[end - 1].end()], 2
            found.hours, found.hours_token = parse_hours(span), span
        elif found.hours is None and parse_hours(last) is not None and not _BARE_NUMBER.fullmatch(last):
            length, found.hours, found.hours_token = 1, parse_hours(last), last
        elif found.alias is None and last.lower() in aliases:
            length, found.alias, found.alias_activity = 1, last, aliases[last.lower()]
        elif found.date is None and (_ISO_DATE.fullmatch(last) or last.lower() in ("today", "yesterday")):
            day = _read_date(last) if _ISO_DATE.fullmatch(last) else _relative_day(last, today)
            length, found.date, found.date_token = 1, day, last
        else:
            break
        end -= length
    if found.hours_token is None:
        return len(tokens)
    _set_hours(head, found.hours_token)
    if found.alias_activity is not None:
        head.alias, head.alias_activity = found.alias, found.alias_activity
    if found.date_token is not None:
        _set_date(head, found.date_token, found.date)  # type: ignore[arg-type]
    return end


def _relative_day(word: str, today: dt.date) -> dt.date:
    return today if word.lower() == "today" else today - dt.timedelta(days=1)


def _read_date_words(tokens: list[re.Match[str]], index: int, head: _Head, today: dt.date) -> int:
    """today, yesterday, last tuesday, nov 28, 28 november: the number of tokens read, or 0."""
    words = [t.group(0).lower().rstrip(",") for t in tokens[index : index + 2]]
    if words[0] in ("today", "yesterday"):
        _set_date(head, tokens[index].group(0), _relative_day(words[0], today))
        return 1
    if len(words) < 2:
        return 0
    if words[0] == "last" and words[1] in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS[words[1]] - 1) % 7 + 1  # 1 to 7 days ago, never today
        _set_date(head, " ".join(words), today - dt.timedelta(days=back))
        return 2
    if words[0] in _MONTHS and _DAY_OF_MONTH.fullmatch(words[1]):
        month, day = _MONTHS[words[0]], words[1]
    elif words[1] in _MONTHS and _DAY_OF_MONTH.fullmatch(words[0]):
        month, day = _MONTHS[words[1]], words[0]
    else:
        return 0
    number = int(re.match(r"[0-9]+", day).group(0))  # type: ignore[union-attr]
    written = " ".join(t.group(0) for t in tokens[index : index + 2])
    for year in (today.year, today.year - 1):  # the most recent such day: entries are never in the future
        try:
            candidate = dt.date(year, month, number)
        except ValueError:
            raise _Refused("bad_date", f"“{written}” is not a date I can read.") from None
        if candidate <= today:
            _set_date(head, written, candidate)
            return 2
    raise _Refused("bad_date", f"“{written}” is not a date I can read.")


def _set_date(head: _Head, token: str, day: dt.date) -> None:
    if head.date is not None:
        raise _Refused("two_dates", f"I found two dates (“{head.date_token}” and “{token}”); give the date once.")
    head.date, head.date_token = day, token


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


def _keyword_group(framework: Framework, title: str) -> tuple[KeywordGroup, str] | None:
    """The first keyword group with a word in the title, and that word as written there."""
    for group in framework.keywords:
        for word in group.words:
            if match := re.search(rf"(?<!\w){re.escape(word)}(?!\w)", title, re.IGNORECASE):
                return group, match.group(0)
    return None


def _activity(
    framework: Framework, head: _Head, title: str, on: dt.date
) -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
    """(activity id, assumptions to show, choices when unsure, the words that made it unsure)."""
    if head.item_activity is not None:
        if head.alias_activity not in (None, head.item_activity):
            raise _Refused(
                "type_conflict",
                f"“{head.alias}” is a type logged in hours, but you counted “{head.quantity_token}”; "
                "give one of them.",
            )
        return head.item_activity, (), (), ""
    if head.alias_activity is not None:
        return head.alias_activity, (), (), ""
    found = _keyword_group(framework, title)
    if found is not None:
        group, word = found
        if group.no_credit:
            explanation = explain(framework, framework.suggestions["mentor"], on)
            raise _Refused("no_credit", f"I haven't logged this. {explanation}", show_forms=False)
        # A count's type comes from its item word; a keyword naming one only fits a count.
        choices = tuple(a for a in group.activities if framework.activity(a).unit == "hour")
        if choices:
            first = framework.activity(choices[0])
            if len(choices) > 1:
                return first.id, (), choices, word
            section = framework.section(first.section)
            note = f"Logged as {section.name} · {first.name} because of “{word}”: {framework.type_hint}."
            return first.id, (note,), (), ""
    default = framework.activity(framework.default_activity)
    section = framework.section(default.section)
    return default.id, (f"Assumed {section.name} · {default.name}: {framework.type_hint}.",), (), ""
