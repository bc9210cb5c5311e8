"""CPD credit rules: rates, caps, requirement versions, years and cycles, progress and suggestions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cpd.progress import CpdMember, cycle_start_for, progress
from bot.cpd.quick_entry import ParsedEntry, parse_quick_entry
from bot.cpd.rules import CpdActivity, activity_choices, credits_for, format_credits, frameworks
from bot.cpd.suggestions import suggest_for_mentoring_meeting, suggest_for_qi_update

D = Decimal
MOC = "rcpsc-moc"
MAINPRO = "cfpc-mainpro"
HOURS = "hours"


@dataclass(frozen=True)
class Entry:
    id: int
    framework: str
    activity_type: str
    date: dt.date
    hours: Decimal | None
    quantity: Decimal | None = None
    has_reflection: bool = True


def entry(
    id_: int,
    activity: str,
    day: dt.date,
    hours: str | None = None,
    *,
    framework: str = MOC,
    quantity: str | None = None,
    reflected: bool = True,
) -> Entry:
    return Entry(
        id_,
        framework,
        activity,
        day,
        D(hours) if hours else None,
        D(quantity) if quantity else None,
        reflected,
    )


def needed(report) -> list[str]:
    return [line.text for line in report.still_needed]


# --- rates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activity", "hours", "quantity", "expected"),
    [
        ("s1-accredited", "1.5", None, "1.50"),
        ("s1-unaccredited", "3", None, "1.50"),
        ("s2-plp", "1.5", None, "3.00"),
        ("s2-scan-article", None, "3", "3.00"),
        ("s2-scan-podcast", None, "3", "1.50"),
        ("s2-scan-search", None, "1", "0.50"),
        ("s2-scan-book", None, "1", "10.00"),
        ("s2-scan-chapter", None, "2", "4.00"),
        ("s3-practice-assessment", "2", None, "6.00"),
        ("s3-chart-audit", "0.25", None, "0.75"),
        ("s3-simulation", "1", None, "3.00"),
        ("s3-multi-source-feedback", "1", None, "3.00"),
        ("s3-teaching-feedback", "1", None, "3.00"),
    ],
)
def test_moc_rates(activity, hours, quantity, expected):
    logged = CpdActivity(
        MOC, activity, dt.date(2025, 3, 1), D(hours) if hours else None, D(quantity) if quantity else None
    )
    assert credits_for(logged) == D(expected)


@pytest.mark.parametrize("activity", ["cert-group", "cert-self", "cert-assess", "noncert"])
@pytest.mark.parametrize("day", [dt.date(2024, 12, 15), dt.date(2024, 12, 16)])
def test_mainpro_is_one_credit_an_hour_either_side_of_the_december_2024_change(activity, day):
    assert credits_for(CpdActivity(MAINPRO, activity, day, D("2.5"), None)) == D("2.50")


def test_hours_framework_awards_no_credits():
    assert credits_for(CpdActivity(HOURS, "course", dt.date(2025, 3, 1), D("3"), None)) == D("0")


def test_credits_round_to_two_places():
    # 20 minutes of unaccredited group learning: 0.33 h x 0.5 = 0.165 -> 0.17
    assert credits_for(CpdActivity(MOC, "s1-unaccredited", dt.date(2025, 3, 1), D("0.33"), None)) == D("0.17")


def test_an_hourly_entry_without_hours_is_refused():
    with pytest.raises(ValueError, match="hours"):
        credits_for(CpdActivity(MOC, "s2-plp", dt.date(2025, 3, 1), None, D("2")))


def test_entries_before_the_modelled_rules_are_refused_not_guessed():
    with pytest.raises(ValueError, match="no cfpc-mainpro rate"):
        credits_for(CpdActivity(MAINPRO, "noncert", dt.date(2015, 12, 31), D("1"), None))


def test_quick_entry_chart_audit_gives_six_section_3_credits():
    parsed = parse_quick_entry("2h s3 Chart audit of metabolic monitoring", MOC, dt.date(2025, 5, 1))
    assert isinstance(parsed, ParsedEntry)
    assert credits_for(parsed.activity()) == D("6")
    logged = Entry(1, MOC, parsed.activity_type, parsed.date, parsed.hours)
    report = progress(CpdMember(MOC, 2024, None), 2025, [logged], dt.date(2025, 5, 1))
    section_3 = next(s for s in report.sections if s.section.id == "s3")
    assert section_3.credits_year == D("6")
    assert "Section 3: 19 more credits this cycle" in needed(report)


# --- requirement versions, years and cycles --------------------------------------------------------


def test_last_day_of_2023_is_judged_by_the_pre_2024_rules():
    member = CpdMember(MOC, 2019, None)  # cycle 2019-2023
    report = progress(
        member, 2023, [entry(1, "s1-accredited", dt.date(2023, 12, 31), "1")], dt.date(2024, 1, 5)
    )
    assert report.credits_year == D("1")
    assert (report.year_requirements.per_year, report.cycle_requirements.per_cycle) == (D(40), D(400))
    assert needed(report) == [
        "39 more credits this year",
        "399 more credits this cycle",
        "Section 1: 24 more credits this cycle",
        "Section 2: 25 more credits this cycle",
        "Section 3: 25 more credits this cycle",
    ]


def test_first_day_of_2024_is_judged_by_the_2024_rules():
    member = CpdMember(MOC, 2019, None)  # the next cycle starts in 2024
    report = progress(
        member, 2024, [entry(1, "s1-accredited", dt.date(2024, 1, 1), "1")], dt.date(2024, 1, 5)
    )
    assert report.cycle_start == dt.date(2024, 1, 1)
    assert report.credits_year == D("1")
    assert needed(report) == [
        "24 more credits this year",
        "249 more credits this cycle",
        "Section 3: 25 more credits this cycle",
    ]
    assert report.cycle_requirements.notes  # the "feedback received" activity is mentioned


def test_a_cycle_open_in_2024_takes_the_reduced_cycle_rules_but_2023_keeps_its_annual_minimum():
    # The Royal College reduced requirements for every cycle still open in 2024.
    report = progress(CpdMember(MOC, 2022, None), 2023, [], dt.date(2023, 6, 1))
    assert report.year_requirements.per_year == D(40)
    assert report.cycle_requirements.per_cycle == D(250)


def test_credits_count_toward_the_year_they_are_dated_in_only():
    entries = [entry(1, "s2-plp", dt.date(2024, 12, 31), "1"), entry(2, "s2-plp", dt.date(2025, 1, 1), "1")]
    report = progress(CpdMember(MOC, 2024, None), 2025, entries, dt.date(2025, 2, 1))
    assert (report.credits_year, report.credits_cycle) == (D(2), D(4))


def test_mainpro_year_runs_1_july_to_30_june():
    entries = [
        entry(1, "cert-group", dt.date(2025, 6, 30), "1", framework=MAINPRO),
        entry(2, "cert-group", dt.date(2025, 7, 1), "2", framework=MAINPRO),
    ]
    member = CpdMember(MAINPRO, 2021, None)
    year_2024 = progress(member, 2024, entries, dt.date(2025, 7, 2))
    year_2025 = progress(member, 2025, entries, dt.date(2025, 7, 2))
    assert (year_2024.year_start, year_2024.year_end) == (dt.date(2024, 7, 1), dt.date(2025, 6, 30))
    assert year_2024.credits_year == D(1)
    assert year_2025.credits_year == D(2)
    assert year_2024.cycle_end == dt.date(2026, 6, 30)
    assert year_2025.cycle_start == dt.date(2021, 7, 1)


def test_cycles_repeat_from_the_cycle_start_year():
    member = CpdMember(MOC, 2019, None)
    assert [cycle_start_for(member, year) for year in (2018, 2019, 2023, 2024, 2029)] == [
        2014,
        2019,
        2019,
        2024,
        2029,
    ]


def test_mainpro_certified_and_certified_assessment_minimums():
    entries = [
        entry(1, "cert-assess", dt.date(2025, 9, 1), "4", framework=MAINPRO),
        entry(2, "cert-self", dt.date(2025, 9, 2), "21", framework=MAINPRO),
        entry(3, "noncert", dt.date(2025, 9, 3), "10", framework=MAINPRO),
    ]
    report = progress(CpdMember(MAINPRO, 2025, None), 2025, entries, dt.date(2025, 10, 1))
    assert needed(report) == [
        "215 more credits this cycle",
        "Certified: 100 more credits this cycle",
        "Certified assessment: 6 more credits this cycle",
    ]


def test_nothing_is_still_needed_once_every_requirement_is_met():
    entries = [entry(i, "s3-chart-audit", dt.date(2024, 1, 1) + dt.timedelta(days=i), "20") for i in range(5)]
    report = progress(CpdMember(MOC, 2024, None), 2024, entries, dt.date(2024, 12, 1))
    assert report.credits_cycle == D(300)
    assert report.still_needed == ()


# --- the unaccredited group-learning cap --------------------------------------------------------------


def test_unaccredited_group_learning_is_capped_at_50_credits_a_cycle_in_date_order():
    # 2024: 80 h = 40 credits; 2025: 40 h = 20 credits, of which only 10 fit under the cap.
    entries = [
        entry(1, "s1-unaccredited", dt.date(2024, 3, 1), "20"),
        entry(2, "s1-unaccredited", dt.date(2024, 4, 1), "20"),
        entry(3, "s1-unaccredited", dt.date(2024, 5, 1), "20"),
        entry(4, "s1-unaccredited", dt.date(2024, 6, 1), "20"),
        entry(5, "s1-unaccredited", dt.date(2025, 3, 1), "20"),
        entry(6, "s1-unaccredited", dt.date(2025, 4, 1), "20"),
        entry(7, "s1-accredited", dt.date(2025, 4, 2), "5"),
    ]
    report = progress(CpdMember(MOC, 2024, None), 2025, entries, dt.date(2025, 5, 1))
    assert report.credits_cycle == D(55)
    assert report.credits_year == D(15)
    section_1 = next(s for s in report.sections if s.section.id == "s1")
    assert (section_1.credits_year, section_1.credits_cycle, section_1.hours_cycle) == (D(15), D(55), D(125))
    [cap] = report.caps
    assert (cap.cap, cap.cut_cycle, cap.cut_year) == (D(50), D(10), D(10))
    assert cap.text == (
        "Unaccredited group learning is capped at 50 credits per cycle: 10 credits over the cap are not counted."
    )


def test_the_cap_starts_again_with_a_new_cycle():
    entries = [
        entry(1, "s1-unaccredited", dt.date(2023, 3, 1), "24"),
        entry(2, "s1-unaccredited", dt.date(2024, 3, 1), "24"),
    ]
    entries += [entry(i, "s1-unaccredited", dt.date(2024, 4, i), "24") for i in range(3, 7)]
    report = progress(CpdMember(MOC, 2019, None), 2024, entries, dt.date(2024, 5, 1))
    assert report.credits_cycle == D(50)  # 2024-2028: 5 x 12 = 60, capped; 2023's 12 belong to the old cycle
    assert report.caps[0].cut_cycle == D(10)


@given(st.lists(st.integers(min_value=1, max_value=24), max_size=30))
def test_capped_credits_never_exceed_the_cap_and_never_lose_more_than_the_excess(hours):
    entries = [
        entry(i, "s1-unaccredited", dt.date(2024, 1, 1) + dt.timedelta(days=i), str(h))
        for i, h in enumerate(hours)
    ]
    report = progress(CpdMember(MOC, 2024, None), 2024, entries, dt.date(2025, 1, 1))
    assert report.credits_cycle == min(D(sum(hours)) / 2, D(50))


# --- reflections, deadlines, other frameworks, goals ------------------------------------------------


def test_entries_without_a_reflection_are_listed_for_the_year():
    entries = [
        entry(7, "s2-plp", dt.date(2025, 2, 1), "1", reflected=False),
        entry(3, "s2-plp", dt.date(2025, 1, 5), "1", reflected=False),
        entry(4, "s2-plp", dt.date(2025, 1, 6), "1"),
        entry(5, "s2-plp", dt.date(2024, 1, 6), "1", reflected=False),
    ]
    report = progress(CpdMember(MOC, 2024, None), 2025, entries, dt.date(2025, 3, 1))
    assert report.needs_reflection == (3, 7)


@pytest.mark.parametrize(
    ("framework", "year", "year_deadline", "cycle_deadline"),
    [
        (MOC, 2025, dt.date(2026, 1, 31), dt.date(2029, 1, 31)),
        (MAINPRO, 2025, dt.date(2026, 6, 30), dt.date(2029, 6, 30)),
        (HOURS, 2025, None, None),
    ],
)
def test_reporting_deadlines(framework, year, year_deadline, cycle_deadline):
    report = progress(CpdMember(framework, 2024, None), year, [], dt.date(2025, 3, 1))
    assert (report.year_deadline, report.cycle_deadline) == (year_deadline, cycle_deadline)


def test_deadline_passed_only_after_the_deadline_day():
    member = CpdMember(MOC, 2024, None)
    assert not progress(member, 2024, [], dt.date(2025, 1, 31)).deadline_passed
    assert progress(member, 2024, [], dt.date(2025, 2, 1)).deadline_passed


def test_entries_under_another_framework_are_not_counted_but_reported():
    entries = [
        entry(1, "s2-plp", dt.date(2025, 2, 1), "1"),
        entry(2, "noncert", dt.date(2025, 2, 1), "5", framework=MAINPRO),
    ]
    report = progress(CpdMember(MOC, 2024, None), 2025, entries, dt.date(2025, 3, 1))
    assert (report.credits_year, report.other_framework_entries) == (D(2), 1)


def test_hours_framework_shows_hours_against_the_annual_goal():
    entries = [
        entry(1, "course", dt.date(2025, 2, 1), "6", framework=HOURS),
        entry(2, "qi", dt.date(2025, 3, 1), "1.5", framework=HOURS),
    ]
    report = progress(CpdMember(HOURS, 2025, D(10)), 2025, entries, dt.date(2025, 4, 1))
    assert (report.hours_year, report.credits_year) == (D("7.5"), D(0))
    assert needed(report) == ["2.5 more hours to reach your annual goal"]
    assert report.year_requirements is None


def test_a_credit_goal_above_the_minimum_is_tracked_and_singular_reads_well():
    report = progress(
        CpdMember(MOC, 2025, D(50)),
        2025,
        [entry(1, "s2-plp", dt.date(2025, 2, 1), "24.5")],
        dt.date(2025, 4, 1),
    )
    assert "1 more credit to reach your annual goal" in needed(report)


@pytest.mark.parametrize(
    ("value", "text"),
    [("6.00", "6"), ("0.50", "0.5"), ("1.25", "1.25"), ("100", "100"), ("0", "0"), ("2.345", "2.35")],
)
def test_format_credits(value, text):
    assert format_credits(D(value)) == text


# --- the modal's activity list -------------------------------------------------------------------


@pytest.mark.parametrize("framework", [MOC, MAINPRO, HOURS])
def test_activity_choices_fit_slack_option_text(framework):
    choices = activity_choices(framework, dt.date(2025, 3, 1))
    assert choices
    assert all(len(c.text) <= 75 and len(c.group) <= 75 for c in choices)
    assert {c.activity_type for c in choices} == set(frameworks()[framework].activities)


def test_activity_choices_show_section_and_rate_and_what_to_ask():
    choices = {c.activity_type: c for c in activity_choices(MOC, dt.date(2025, 3, 1))}
    assert choices["s3-chart-audit"].text == "Section 3 · Chart audit and feedback — 3 credits/h"
    assert choices["s3-chart-audit"].group == "Section 3 · Assessment"
    assert choices["s2-scan-podcast"].text == "Section 2 · Scanning: podcast — 0.5 credits/podcast"
    assert (choices["s2-scan-book"].asks, choices["s2-scan-book"].item) == ("quantity", "book")
    assert choices["s1-accredited"].asks == "hours"


def test_activity_choices_leave_out_types_without_rules_on_that_day():
    assert activity_choices(MAINPRO, dt.date(2015, 1, 1)) == []


# --- suggestions ---------------------------------------------------------------------------------

DAY = dt.date(2025, 3, 1)


def test_qi_update_with_feedback_flag_is_section_3_practice_assessment():
    suggestion = suggest_for_qi_update(MOC, True, "PDSA 3 done", DAY)
    assert suggestion.activity_type == "s3-practice-assessment"
    assert "Section 3" in suggestion.explanation and "3 credits/h" in suggestion.explanation
    assert (suggestion.hours, suggestion.credits) == (None, None)


def test_qi_update_without_feedback_is_a_personal_learning_project():
    suggestion = suggest_for_qi_update(MOC, False, "Ran PDSA 2 on the discharge checklist.", DAY)
    assert suggestion.activity_type == "s2-plp"
    assert "2 credits/h" in suggestion.explanation


@pytest.mark.parametrize(
    "text",
    [
        "We did an audit and feedback round with the unit.",
        "Peer review of our run chart this week",
        "We reviewed our data with the pharmacy team.",
        "Got great Feedback from the nurses on the new form",
        "Presented our results to the department QI committee.",
    ],
)
def test_qi_update_text_that_mentions_received_feedback_suggests_section_3(text):
    suggestion = suggest_for_qi_update(MOC, False, text, DAY)
    assert suggestion.activity_type == "s3-practice-assessment"
    assert suggestion.explanation.startswith("Your update mentions")


@pytest.mark.parametrize(
    "text",
    [
        "Still waiting for feedback on the audit.",
        "No feedback yet from the committee.",
        "We haven't had peer review so far.",
        "Feedback is pending.",
    ],
)
def test_feedback_not_yet_received_does_not_earn_section_3(text):
    assert suggest_for_qi_update(MOC, False, text, DAY).activity_type == "s2-plp"


def test_feedback_flag_wins_over_text():
    assert suggest_for_qi_update(MOC, True, "No feedback yet.", DAY).activity_type == "s3-practice-assessment"


def test_qi_update_under_mainpro_is_non_certified_and_says_why():
    suggestion = suggest_for_qi_update(MAINPRO, True, "", DAY)
    assert suggestion.activity_type == "noncert"
    assert "certified" in suggestion.explanation and "1 credit/h" in suggestion.explanation


def test_mentee_meeting_is_a_personal_learning_project():
    suggestion = suggest_for_mentoring_meeting(MOC, "mentee", 90, DAY)
    assert (suggestion.activity_type, suggestion.hours, suggestion.credits) == ("s2-plp", D("1.5"), D(3))


def test_mentor_meeting_earns_no_moc_credit_and_points_to_preparation():
    suggestion = suggest_for_mentoring_meeting(MOC, "mentor", 60, DAY)
    assert (suggestion.activity_type, suggestion.hours, suggestion.credits) == (None, None, D(0))
    assert "no credit" in suggestion.explanation
    assert "preparing" in suggestion.explanation and "personal learning project" in suggestion.explanation


def test_mentor_under_mainpro_earns_nothing_but_mentoring_counts_as_hours_for_learning_plans():
    assert suggest_for_mentoring_meeting(MAINPRO, "mentor", 60, DAY).activity_type is None
    hours = suggest_for_mentoring_meeting(HOURS, "mentor", 45, DAY)
    assert (hours.activity_type, hours.hours, hours.credits) == ("mentoring", D("0.75"), D(0))


def test_a_meeting_must_last_some_time():
    with pytest.raises(ValueError):
        suggest_for_mentoring_meeting(MOC, "mentee", 0, DAY)


def test_a_credit_goal_under_the_annual_minimum_adds_no_second_line():
    report = progress(CpdMember(MOC, 2025, D(20)), 2025, [], dt.date(2025, 4, 1))
    assert needed(report)[0] == "25 more credits this year"
    assert not any("goal" in line for line in needed(report))
