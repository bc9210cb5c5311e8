"""PHI guard: find patient identifiers in free text before it is stored or posted to Slack.

Slack is not a health record (Ontario PHIPA), so every free-text field a clinician types is
scanned first. A hit names the *kind* of identifier and where it is; callers tell the user the
kind only (never the value), keep nothing, and let them edit.

Every pattern is anchored on a literal or a bounded digit group so a 50,000-character paste scans
in linear time: no nested unbounded quantifiers, and e-mail addresses are found from their `@`
outwards instead of by a regex that would rescan every word.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

KINDS: dict[str, str] = {
    "health_number": "an Ontario health card number",
    "mrn": "a medical record or chart number",
    "dob": "a date of birth",
    "phone": "a phone number",
    "email": "an e-mail address",
    "postal_code": "a postal code",
    "name": "a patient's name or initials",
    "age_sex": "a patient's age and sex",
}

# Slack rejects a modal field error longer than this.
FIELD_ERROR_LIMIT = 150


@dataclass(frozen=True)
class PhiHit:
    kind: str
    # The span is for tests and highlighting only: it must never reach a user-facing message.
    start: int
    end: int

    @property
    def label(self) -> str:
        return KINDS[self.kind]


# Unicode dashes and no-break spaces are folded one character for one character, so offsets in
# the folded text are offsets in the original.
_FOLD = str.maketrans(
    {
        **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-"),
        **dict.fromkeys(map(ord, "\u00a0\u2007\u202f"), " "),
    }
)

# How far back to look for a context word such as "OHIP" or "call": a few words.
_CONTEXT_WINDOW = 60
_FEW_WORDS = r"\W*(?:\w+\W+){0,3}\Z"

# --- Ontario health card number ----------------------------------------------------------------

# Ten digits as a health card shows them (4-3-3, with dashes, dots, slashes or spaces), run
# together, or typed with a space between every digit.
_HEALTH_NUMBER = re.compile(
    r"(?<![\w+])(?<!\d[ ./,-])"  # not the tail of a longer number
    r"(?:(?P<g1>\d{4})(?P<sep>[ ./-]?)(?P<g2>\d{3})(?P=sep)(?P<g3>\d{3})|(?P<spaced>\d(?: \d){9}))"
    r"(?![ ./-]?\d|[.,]\d)"  # not the head of a longer number
    r"(?:[ -]?[A-Z]{2}(?!\w))?"  # version code: upper case, or "1234567890 is" would take "is"
)
_HEALTH_CONTEXT = re.compile(
    r"(?:health\s*(?:card|number|no\b|#)|ohip|hcn|version\s*code|carte\s*sant[ée]|assurance[- ]maladie"
    r"|patient|pt\b|client|resident|bed|m\.?r\.?n|chart)"
    + _FEW_WORDS,
    re.IGNORECASE,
)
# A number with nothing around it but punctuation is what someone pasted from a chart.
_STANDS_ALONE = re.compile(r"[\W_]*\Z")


def _luhn_ok(digits: str) -> bool:
    # Ontario's MOH check: Luhn over the first nine digits gives the tenth, i.e. the whole
    # ten-digit number passes an ordinary Luhn check.
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _preceded_by(context: re.Pattern[str], text: str, start: int) -> bool:
    return context.search(text, max(0, start - _CONTEXT_WINDOW), start) is not None


def _health_numbers(text: str) -> Iterator[PhiHit]:
    for m in _HEALTH_NUMBER.finditer(text):
        digits = "".join(ch for ch in m.group() if ch.isdigit())
        # A mistyped number that fails the check is still PHI when the writer says what it is,
        # names a patient before it, or posts the number on its own.
        if _luhn_ok(digits) or (_STANDS_ALONE.fullmatch(text, 0, m.start()) and _STANDS_ALONE.fullmatch(text, m.end())):
            yield PhiHit("health_number", m.start(), m.end())
        elif _preceded_by(_HEALTH_CONTEXT, text, m.start()) and not _preceded_by(_PHONE_CONTEXT, text, m.start()):
            # "patient's cell 6475550177" is a phone number: the phone detector has it.
            yield PhiHit("health_number", m.start(), m.end())


# --- numbers that follow a patient word ---------------------------------------------------------

# "patient 00123456", "pt #1234567", "client no. 987654", "#1234567": six to ten digits that name
# a person, not a count ("12 patients", "pt 3 of 12" are too short to be identifiers).
_PATIENT_NUMBER = re.compile(
    r"(?:(?<!\w)(?:patient|pt|client|resident|bed)s?\.?[ \t]*(?:(?:no\.?|number|id)[ \t]*)?[#:]?[ \t]*|#[ \t]?)"
    r"(?P<id>\d{6,10})(?![\d-]|[.,]\d)",
    re.IGNORECASE,
)


def _patient_numbers(text: str) -> Iterator[PhiHit]:
    for m in _PATIENT_NUMBER.finditer(text):
        yield PhiHit("mrn", m.start("id"), m.end("id"))


# --- names and descriptions of a patient --------------------------------------------------------

# Mr/Mrs/Ms/Miss/Mx (and French Mme/Mlle) before a capitalised name is how notes name patients;
# clinicians' titles (Dr, Prof, RN) are not on the list: staff are not patients.
_HONORIFIC_NAME = re.compile(r"(?<![\w.])(?:Mrs|Mr|Ms|Miss|Mx|Mme|Mlle)\.?[ \t]+[A-Z][a-zà-ÿ'’-]+(?:-[A-Z][a-z'’-]+)?")
_SEX = r"(?:[MF]|male|female|man|woman|boy|girl|homme|femme)"
_AGE_MARK = r"(?:[ \t]?(?:y/?o|y\.o\.|yo|yrs?(?:[ \t]old)?|years?[ \t-]old|-year-old|ans))"
# "J.D., 45M", "JD 45 y/o F", "J.D. (45, F)"
_INITIALS_AGE_SEX = re.compile(
    rf"(?<![\w.])[A-Z]\.?[ \t]?[A-Z]\.?,?[ \t]*\(?\d{{1,3}}{_AGE_MARK}?[ \t,]*{_SEX}(?![\w])\)?"
)
# "45 y/o F", "45-year-old woman", "a 45yo male": an age written as an age, with a sex.
_AGE_SEX = re.compile(rf"(?<![\w.])\d{{1,3}}{_AGE_MARK}[ \t,]*{_SEX}(?!\w)", re.IGNORECASE)


def _names(text: str) -> Iterator[PhiHit]:
    for pattern in (_INITIALS_AGE_SEX, _HONORIFIC_NAME):
        for m in pattern.finditer(text):
            yield PhiHit("name", m.start(), m.end())
    for m in _AGE_SEX.finditer(text):
        yield PhiHit("age_sex", m.start(), m.end())


# --- medical record / chart number -------------------------------------------------------------

# The identifier must follow the context word directly (allowing "#", ":", "no.", "number"), which
# is what separates "chart #A-55321" from "chart review of 30 charts" or "run chart of 12 weeks".
_MRN = re.compile(
    r"(?<!\w)(?P<ctx>"
    r"m\.?r\.?n\.?"
    r"|medical\s+record(?:\s+number)?"
    r"|(?:health\s+)?record\s+(?:number|no\.|#)"
    r"|chart(?:\s+(?:number|no\.|#))?"
    r"|hospital\s+(?:number|no\.|#|id)"
    r"|patient\s+(?:id(?:entifier)?(?:\s+number)?|number|no\.|#)"
    r"|encounter\s+(?:number|no\.|#|id)"
    r"|(?:num[ée]ro|no\.?)\s+de\s+dossier|dossier\s+(?:no\.?|n°|#)"
    r")"
    r"(?P<link>[ \t#:=]*(?:(?:no\.|n°|number|is|was)[ \t#:=]*)?)"
    r"(?P<id>(?:[A-Z]{1,3}-?)?\d[\d-]*\d[A-Z]?)(?![\w-])",
    re.IGNORECASE,
)
_CHART_KINDS_THAT_ARE_NOT_RECORDS = re.compile(r"(?:run|control|flow|pie|bar|gantt)\s*\Z", re.IGNORECASE)
_YEARS = re.compile(r"(?:19|20)\d\d(?:-(?:19|20)?\d\d)?")


def _mrns(text: str) -> Iterator[PhiHit]:
    for m in _MRN.finditer(text):
        identifier = m["id"]
        if sum(ch.isdigit() for ch in identifier) < 4:
            continue
        if m["ctx"].lower() == "chart":
            if _CHART_KINDS_THAT_ARE_NOT_RECORDS.search(text, max(0, m.start() - 10), m.start()):
                continue
            # "chart 2023-24" charts a period; only "chart #2023" or "chart no. 2023" is a record.
            if not m["link"].strip() and _YEARS.fullmatch(identifier):
                continue
        yield PhiHit("mrn", m.start("id"), m.end("id"))


# --- date of birth ------------------------------------------------------------------------------

_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|janv|f[ée]vr|avr|juil|d[ée]c)(?![^\W\d_])\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er)?(?!\d)"
_FULL_YEAR = r"(?:1[89]|20)\d\d(?!\d)"
_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d\d)(?!\d)"
    rf"|{_MONTH}\s+{_DAY}(?:,?\s+{_FULL_YEAR})?"
    rf"|{_DAY}[\s-]+(?:de\s+)?{_MONTH}(?:,?[\s-]+{_FULL_YEAR})?"
    rf"|{_MONTH},?\s+{_FULL_YEAR})"
)
_DOB = re.compile(
    r"(?<!\w)(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?|b\."
    r"|date\s+de\s+naissance|n[ée]e?\s+le|ddn)"
    r"[ \t:=,-]*(?:(?:on|is|was|le)\s+)?"
    rf"(?P<date>{_DATE})",
    re.IGNORECASE,
)


def _dobs(text: str) -> Iterator[PhiHit]:
    for m in _DOB.finditer(text):
        yield PhiHit("dob", m.start("date"), m.end("date"))


# --- e-mail address -----------------------------------------------------------------------------

_AT = re.compile("@")
_LOCAL_PART_CHARS = frozenset(".%+-_'")
_LOCAL_PART_MAX = 64  # RFC 5321
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _is_staff(domain: str, staff_domains: tuple[str, ...]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in staff_domains)


def _emails(text: str, staff_domains: tuple[str, ...]) -> Iterator[PhiHit]:
    for at in _AT.finditer(text):
        start = at.start()
        floor = max(0, start - _LOCAL_PART_MAX)
        while start > floor and (text[start - 1].isalnum() or text[start - 1] in _LOCAL_PART_CHARS):
            start -= 1
        while start < at.start() and text[start] == ".":
            start += 1
        domain = _DOMAIN.match(text, at.end())
        if start == at.start() or domain is None:
            continue  # a Slack mention such as "@channel", or a stray "@"
        name = domain.group().lower()
        if not name.rsplit(".", 1)[1].isalpha() or _is_staff(name, staff_domains):
            continue
        yield PhiHit("email", start, domain.end())


# --- phone number -------------------------------------------------------------------------------

# North American numbering: area code and exchange never start with 0 or 1, which alone rules out
# most dates, counts and room numbers.
_PHONE = re.compile(
    r"(?<![\w+./-])"
    r"(?P<country>\+?1[ .-]?)?"
    r"(?:(?P<paren>\([2-9]\d\d\)) ?|[2-9]\d\d(?P<sep1>[ .-]?))"
    r"[2-9]\d\d(?P<sep2>[ .-]?)\d{4}"
    r"(?:[ \t]*,?[ \t]*(?:ext\.?|x|extension|poste)[ \t]*\d{1,6})?"
    r"(?![\w]|[.,/:-]\d)",
    re.IGNORECASE,
)
_PHONE_CONTEXT = re.compile(
    r"(?:phone|tel\.?|t[ée]l[ée]phone|cell(?:ulaire)?|mobile|call|text|fax|sms|reach\s+\w+\s+at)"
    + _FEW_WORDS,
    re.IGNORECASE,
)


def _phones(text: str) -> Iterator[PhiHit]:
    for m in _PHONE.finditer(text):
        # A bare leading "1" is just another digit; "+1" or "1-" is written as a phone number.
        formatted = m["paren"] or m["sep1"] or m["sep2"] or m["country"] not in (None, "1")
        # Ten bare digits are as likely a study or order number; call them a phone only when
        # the writer says so.
        if formatted or _preceded_by(_PHONE_CONTEXT, text, m.start()):
            yield PhiHit("phone", m.start(), m.end())


# --- postal code --------------------------------------------------------------------------------

# Canada Post never uses D, F, I, O, Q or U, and never W or Z as the first letter.
_POSTAL_CODE = re.compile(
    r"(?<!\w)[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d(?!\w)",
    re.IGNORECASE,
)


def _postal_codes(text: str) -> Iterator[PhiHit]:
    for m in _POSTAL_CODE.finditer(text):
        yield PhiHit("postal_code", m.start(), m.end())


# --- public API ---------------------------------------------------------------------------------


# When two detectors claim overlapping text the earlier one wins: an identifier introduced by its
# own context word ("MRN 1234567897") is that kind, and a ten-digit health number is never also a
# phone number.
def _candidates(text: str, staff_domains: tuple[str, ...]) -> Iterator[PhiHit]:
    yield from _mrns(text)
    yield from _health_numbers(text)
    yield from _patient_numbers(text)
    yield from _names(text)
    yield from _dobs(text)
    yield from _emails(text, staff_domains)
    yield from _phones(text)
    yield from _postal_codes(text)


def scan(text: str | None, staff_domains: Iterable[str] = ()) -> list[PhiHit]:
    """Every patient identifier in `text`, sorted by position and never overlapping."""
    if not text:
        return []
    folded = text.translate(_FOLD)
    domains = tuple(d.strip().lstrip("@.").lower() for d in staff_domains if d.strip())
    starts: list[int] = []
    kept: list[PhiHit] = []
    for hit in _candidates(folded, domains):
        i = bisect.bisect_left(starts, hit.start)
        if (i > 0 and kept[i - 1].end > hit.start) or (i < len(kept) and kept[i].start < hit.end):
            continue
        starts.insert(i, hit.start)
        kept.insert(i, hit)
    return kept


def scan_fields(
    fields: Mapping[str, str | None], staff_domains: Iterable[str] = ()
) -> dict[str, list[PhiHit]]:
    """Hits per field name, for the fields that have any."""
    domains = tuple(staff_domains)  # read once: it may be a one-shot iterator
    found = {name: scan(value, domains) for name, value in fields.items()}
    return {name: hits for name, hits in found.items() if hits}


def _kinds_in_order(hits: Iterable[PhiHit]) -> list[str]:
    seen = {hit.kind for hit in hits}
    return [kind for kind in KINDS if kind in seen]


def _and_list(items: list[str], last_joiner: str = " and ") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last_joiner + items[-1]


REDACTED = "[identifier removed]"


def redact(text: str, staff_domains: Iterable[str] = ()) -> str:
    """`text` with every identifier replaced by REDACTED, so it can be handed back for editing
    without the identifier ever travelling back to Slack."""
    for hit in reversed(scan(text, staff_domains)):
        text = text[: hit.start] + REDACTED + text[hit.end :]
    return text


def describe(hits_by_field: Mapping[str, list[PhiHit]], field_labels: Mapping[str, str] | None = None) -> str:
    """One friendly sentence naming which fields hold which kinds of identifier ("" if none).

    Only kinds are named, never the text that matched: repeating a health number back in Slack
    would leak it all the same.
    """
    labels = field_labels or {}
    clauses = [
        f"*{labels.get(field, field)}* contains {_and_list([KINDS[k] for k in _kinds_in_order(hits)])}"
        for field, hits in hits_by_field.items()
        if hits
    ]
    if not clauses:
        return ""
    return (
        f"It looks like {_and_list(clauses, ', and ')}. Slack is not a health record, so we kept "
        "nothing: please remove patient identifiers and try again."
    )


def field_error(hits: list[PhiHit]) -> str:
    """A modal field error naming the kinds found, within Slack's 150-character limit ("" if none)."""
    if not hits:
        return ""
    # "a phone number" -> "the phone number"
    nouns = ["the " + KINDS[kind].split(" ", 1)[1] for kind in _kinds_in_order(hits)]
    message = f"Remove {_and_list(nouns)}: patient identifiers must not be shared in Slack."
    if len(message) <= FIELD_ERROR_LIMIT:
        return message
    return "Remove the patient identifiers in this field: they must not be shared in Slack."


# --- The one gate ---------------------------------------------------------------------------------

# Characters that change how text is shown or read without being visible: bidi overrides and
# isolates (U+202E reverses the rest of a digest line), zero-width characters (which also split a
# health number so the patterns miss it), the BOM. Newline and tab are the only controls we keep.
_INVISIBLE = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),  # C0 and C1 controls
     0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD,  # zero-width characters, soft hyphen
     0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)],  # bidi marks, overrides, isolates
)
# Full-width and other Unicode digits read as ASCII digits, so "１２３４" is a number to the guard too.
_DIGITS = {ord(c): str(int(c)) for c in map(chr, range(0x10000)) if c.isdecimal() and not c.isascii()}


def normalise(text: str) -> str:
    """User text as we store it: Unicode NFC, carriage returns as newlines, no invisible controls,
    every decimal digit in ASCII."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.translate(_INVISIBLE).translate(_DIGITS)


class ContainsPhi(Exception):
    """Free text holds what looks like a patient identifier; nothing was stored."""

    def __init__(self, hits: dict[str, list[PhiHit]]) -> None:
        super().__init__(", ".join(hits))
        self.hits = hits

    def field_errors(self, field_names: Mapping[str, str] | None = None) -> dict[str, str]:
        """Modal field errors: {block id: message}, `field_names` mapping a field to its block id."""
        names = field_names or {}
        return {names.get(field, field): field_error(hits) for field, hits in self.hits.items()}


def guard(staff_domains: Iterable[str], **fields: str | None) -> dict[str, str | None]:
    """The one gate every service passes user text through before storing it.

    Returns each field normalised (see `normalise`), as it must be stored; raises ContainsPhi naming
    the fields and kinds of identifier found, so the caller stores nothing.
    """
    clean = {name: normalise(value) if value is not None else None for name, value in fields.items()}
    if hits := scan_fields(clean, staff_domains):
        raise ContainsPhi(hits)
    return clean


def errors_alongside(staff_domains: Iterable[str], errors: Mapping[str, str], **fields: str | None) -> dict[str, str]:
    """A form refused for other reasons also names its identifiers, so the person fixes every field in
    one go. Stores nothing: a form with no other problem goes to its service, which is the gate."""
    try:
        guard(staff_domains, **fields)
    except ContainsPhi as refused:
        return {**errors, **refused.field_errors()}
    return dict(errors)
