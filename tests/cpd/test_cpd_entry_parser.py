"""The /cpd-log quick-entry parser: the accepted forms, the refusals, and never inventing hours."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.cpd.quick_entry import MAX_TITLE, NeedsType, ParsedEntry, ParseError, parse_hours, parse_quick_entry
from bot.cpd.rules import frameworks

D = Decimal
TODAY = dt.date(2025, 6, 15)
MOC = "rcpsc-moc"


def parsed(text: str, framework: str = MOC) -> ParsedEntry:
    result = parse_quick_entry(text, framework, TODAY)
    assert isinstance(result, ParsedEntry), result
    return result


def asked(text: str, framework: str = MOC) -> NeedsType:
    result = parse_quick_entry(text, framework, TODAY)
    assert isinstance(result, NeedsType), result
    return result


def refused(text: str, framework: str = MOC) -> ParseError:
    result = parse_quick_entry(text, framework, TODAY)
    assert isinstance(result, ParseError), result
    return result


def test_the_issue_example():
    entry = parsed("1.5h s1 Grand rounds on suicide risk")
    assert (entry.activity_type, entry.hours, entry.title) == (
        "s1-accredited",
        D("1.5"),
        "Grand rounds on suicide risk",
    )
    assert (entry.date, entry.assumptions, entry.quantity) == (TODAY, (), None)


@pytest.mark.parametrize(
    ("token", "hours"),
    [
        ("1.5", "1.5"),
        ("1.5h", "1.5"),
        ("90m", "1.5"),
        ("1h30", "1.5"),
        ("1:30", "1.5"),
        ("2 h", "2"),
        ("2hrs", "2"),
        ("2 hours", "2"),
        ("45 min", "0.75"),
        ("1h30m", "1.5"),
        ("0:20", "0.33"),
        ("1H", "1"),
        ("20 minutes", "0.33"),
        ("24", "24"),
        ("1h5", "1.08"),
    ],
)
def test_time_forms(token, hours):
    entry = parsed(f"{token} s2 Reading on clozapine")
    assert (entry.hours, entry.hours_token, entry.title) == (D(hours), token, "Reading on clozapine")


def test_type_and_time_in_either_order_and_any_case():
    assert parsed("S3 2h Chart audit").activity_type == "s3-practice-assessment"
    assert parsed("2h PLP Chart audit").activity_type == "s2-plp"
    assert parsed("1h s1u Drug rep lunch").activity_type == "s1-unaccredited"


def test_a_title_that_starts_with_a_type_word_keeps_it_once_a_type_is_given():
    entry = parsed("2h s3 Audit of lithium monitoring")
    assert (entry.activity_type, entry.title) == ("s3-practice-assessment", "Audit of lithium monitoring")
    assert parsed("1h course Course on CBT", "hours").title == "Course on CBT"


def test_iso_date_anywhere_in_the_head():
    assert parsed("2025-03-02 1h s1 Rounds").date == dt.date(2025, 3, 2)
    assert parsed("1h 2025-06-15 Notes on lithium").date == TODAY


def test_title_keeps_its_own_spacing_and_numbers_later_on():
    assert parsed("1h s1  Rounds:  5 pearls, 2025 update").title == "Rounds:  5 pearls, 2025 update"


def test_counted_items():
    entry = parsed("3 articles Lithium toxicity reviews")
    assert (entry.activity_type, entry.quantity, entry.hours, entry.quantity_token) == (
        "s2-scan-article",
        D(3),
        None,
        "3 articles",
    )
    assert parsed("1 Podcast Curbsiders on SSRIs").activity_type == "s2-scan-podcast"


def test_no_type_means_the_framework_default_is_assumed_and_said():
    entry = parsed("1.5 Clozapine monitoring")
    assert entry.activity_type == "s2-plp"
    assert entry.assumptions == (
        "Assumed Section 2 · Personal learning project: add s1 (accredited group learning), s1u "
        "(unaccredited) or s3 (assessment) to change.",
    )
    assert parsed("2h Clozapine", "cfpc-mainpro").activity_type == "noncert"
    assert parsed("2h Clozapine", "hours").activity_type == "other"


def test_words_that_fit_two_types_are_asked_about_not_guessed():
    question = asked("1.5 Grand rounds")
    assert (question.choices, question.because) == (("s1-accredited", "s1-unaccredited"), "Grand rounds")
    assert (question.entry.hours, question.entry.title) == (D("1.5"), "Grand rounds")
    assert parsed("1.5 s1u Grand rounds").activity_type == "s1-unaccredited"  # a type word settles it


def test_framework_aliases():
    assert parsed("2h assess Practice audit", "cfpc-mainpro").activity_type == "cert-assess"
    assert parsed("2h cert Conference", "cfpc-mainpro").activity_type == "cert-group"
    assert parsed("45 min read Trauma-informed care", "hours").activity_type == "reading"
    # another framework's alias is just the start of the title
    assert parsed("2h s1 Notes", "cfpc-mainpro").title == "s1 Notes"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Grand rounds on suicide risk", "no_amount"),
        ("Top 10 pearls on lithium", "no_amount"),
        ("Grand rounds 10", "no_amount"),
        ("1.5.2 Rounds", "bad_number"),
        ("1,555h Rounds", "bad_number"),
        ("1h teaching residents", "no_credit"),
        ("1h90 Rounds", "bad_number"),
        (".5 Rounds", "bad_number"),
        ("1.5 mins Rounds", "bad_number"),
        ("2h 30 Rounds", "two_amounts"),
        ("2h 1h30 Rounds", "two_amounts"),
        ("2h s1 3 articles", "two_amounts"),
        ("3 articles s1 Reviews", "type_conflict"),
        ("2025-03-02 2025-03-03 1h Rounds", "two_dates"),
        ("2025-02-30 1h Rounds", "bad_date"),
        ("2025/03/02 1h Rounds", "bad_date"),
        ("2025-06-16 1h Rounds", "future_date"),
        ("2000-06-16 1h Rounds", "date_too_old"),
        ("0h Rounds", "hours_out_of_range"),
        ("0:00 Rounds", "hours_out_of_range"),
        ("25h Rounds", "hours_out_of_range"),
        ("24:01 Rounds", "hours_out_of_range"),
        ("0 articles Reviews", "quantity_out_of_range"),
        ("1.5 articles Reviews", "quantity_out_of_range"),
        ("101 articles Reviews", "quantity_out_of_range"),
        ("2h s1", "missing_title"),
        ("2h " + "x" * (MAX_TITLE + 1), "title_too_long"),
        ("2h " + "x" * 1000, "too_long"),
    ],
)
def test_refusals(text, code):
    assert refused(text).code == code


def test_a_title_of_exactly_the_limit_is_accepted():
    assert len(parsed("2h " + "x" * MAX_TITLE).title) == MAX_TITLE


def test_shape_errors_show_the_accepted_forms_with_examples():
    message = refused("Grand rounds on suicide risk").message
    assert "/cpd-log 1.5h s1 Grand rounds on suicide risk" in message
    assert "1h30" in message and "1:30" in message and "90m" in message
    assert "s1u = unaccredited group learning" in message
    assert "2 articles" in message


def test_limit_errors_say_what_was_wrong_without_the_whole_help():
    message = refused("25h Rounds").message
    assert "24 hours" in message and "25h" in message and "/cpd-log 1.5h" not in message


# --- properties ----------------------------------------------------------------------------------

FRAMEWORKS = st.sampled_from(sorted(frameworks()))


@given(st.text(max_size=300), FRAMEWORKS)
@example("1.5h s1 Grand rounds", MOC)
@example("٣h s1 Arabic-Indic digit is not a time", MOC)
@example("1" * 5000 + "h Rounds", MOC)
def test_never_raises_and_never_invents_hours(text, framework):
    result = parse_quick_entry(text, framework, TODAY)
    assert isinstance(result, ParsedEntry | NeedsType | ParseError)
    if isinstance(result, NeedsType):
        assert len(result.choices) > 1 and result.entry.activity_type == result.choices[0]
        result = result.entry
    if isinstance(result, ParseError):
        assert result.message and result.code
        return
    assert (result.hours is None) != (result.quantity is None)
    if result.hours is not None:
        assert result.hours_token is not None and result.hours_token in text
        assert parse_hours(result.hours_token) == result.hours
        assert D(0) < result.hours <= D(24)
    else:
        assert result.quantity_token is not None and result.quantity_token in text
        assert result.quantity_token.split()[0] == str(result.quantity)
    assert result.title and result.title in text and len(result.title) <= MAX_TITLE


HEAD_TOKEN_LIKE = st.text(alphabet="0123456789.:hm sS1uplrtcaes-", max_size=30)


@given(HEAD_TOKEN_LIKE, st.text(max_size=40), FRAMEWORKS)
def test_number_heavy_text_never_invents_hours(head, tail, framework):
    text = f"{head} {tail}"
    result = parse_quick_entry(text, framework, TODAY)
    result = result.entry if isinstance(result, NeedsType) else result
    if isinstance(result, ParsedEntry) and result.hours is not None:
        assert result.hours_token in text and parse_hours(result.hours_token) == result.hours


def _minutes_to_hours(minutes: int) -> Decimal:
    return (D(minutes) / 60).quantize(D("0.01"), rounding=ROUND_HALF_UP)


@st.composite
def time_tokens(draw) -> tuple[str, Decimal]:
    """A time written in one of the accepted forms, with the hours it means."""
    form = draw(
        st.sampled_from(["decimal", "unit", "spaced_unit", "minutes", "spaced_minutes", "hm", "colon"])
    )
    if form in ("decimal", "unit", "spaced_unit"):
        hundredths = draw(st.integers(min_value=1, max_value=2400))
        hours = D(hundredths) / 100
        number = draw(st.sampled_from([f"{hours:f}", f"{hours.normalize():f}"]))
        unit = draw(st.sampled_from(["h", "H", "hr", "hrs", "hour", "hours"]))
        token = {"decimal": number, "unit": f"{number}{unit}", "spaced_unit": f"{number} {unit}"}[form]
        return token, hours
    if form in ("minutes", "spaced_minutes"):
        minutes = draw(st.integers(min_value=1, max_value=1440))
        unit = draw(st.sampled_from(["m", "min", "mins", "minute", "minutes"]))
        return (f"{minutes}{unit}" if form == "minutes" else f"{minutes} {unit}"), _minutes_to_hours(minutes)
    hours = draw(st.integers(min_value=0, max_value=23))
    minutes = draw(st.integers(min_value=1 if hours == 0 else 0, max_value=59))
    separator = "h" if form == "hm" else ":"
    return f"{hours}{separator}{minutes:02d}", _minutes_to_hours(hours * 60 + minutes)


HEAD_WORDS = {
    word
    for framework in frameworks().values()
    for activity in framework.activities.values()
    for word in (*activity.aliases, activity.item, activity.items)
    if word
} | {"h", "hr", "hrs", "hour", "hours", "m", "min", "mins", "minute", "minutes"}

# Words that say a type or a date by themselves; the round trip below is about titles that say neither.
MEANINGFUL_WORDS = {
    part for framework in frameworks().values() for group in framework.keywords for word in group.words
    for part in word.split()
} | {"today", "yesterday", "last"}

TITLE_WORDS = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=12)


@given(
    FRAMEWORKS.flatmap(
        lambda fid: st.tuples(
            st.just(fid),
            st.sampled_from(
                [None, *sorted({a for act in frameworks()[fid].activities.values() for a in act.aliases})]
            ),
        )
    ),
    time_tokens(),
    st.lists(TITLE_WORDS, min_size=1, max_size=8).filter(
        lambda words: words[0].lower() not in HEAD_WORDS and not MEANINGFUL_WORDS & {w.lower() for w in words}
    ),
    st.booleans(),
    st.dates(min_value=dt.date(2017, 1, 1), max_value=TODAY) | st.none(),
)
def test_valid_entries_round_trip(framework_and_alias, time, words, alias_first, day):
    framework_id, alias = framework_and_alias
    token, hours = time
    head = [token] if alias is None else ([alias, token] if alias_first else [token, alias])
    if day is not None:
        head.append(day.isoformat())
    title = " ".join(words)
    entry = parsed(" ".join([*head, title]), framework_id)
    framework = frameworks()[framework_id]
    expected_type = (
        framework.default_activity
        if alias is None
        else next(a.id for a in framework.activities.values() if alias in a.aliases)
    )
    assert (entry.hours, entry.hours_token, entry.activity_type) == (hours, token, expected_type)
    assert (entry.title, entry.date) == (title, day or TODAY)
    assert bool(entry.assumptions) == (alias is None)
