import random
from dataclasses import replace

import pytest

from bot.mentoring.matching import MentorCandidate, MentorRequestSpec, match_mentors

RUN_CHARTS = "measurement-run-charts"
STAKEHOLDERS = "stakeholder-engagement"
CHANGE = "change-management"


def mentor(user_id="UMENTOR", **changes) -> MentorCandidate:
    base = MentorCandidate(
        user_id=user_id,
        expertise=frozenset({RUN_CHARTS}),
        discipline="nursing",
        career_stage="mid-career",
        capacity=2,
        active_mentees=0,
        formats=frozenset({"formal", "informal"}),
        modes=frozenset({"virtual"}),
        accepting=True,
        do_not_match=frozenset(),
        median_response_hours=None,
    )
    return replace(base, **changes)


def ask(**changes) -> MentorRequestSpec:
    base = MentorRequestSpec(
        mentee_id="UMENTEE",
        topics=(RUN_CHARTS,),
        format="formal",
        mode=None,
        preferred_discipline=None,
        preferred_career_stage=None,
        mentee_discipline="psychiatry",
        mentee_do_not_match=frozenset(),
        declined_by=frozenset(),
    )
    return replace(base, **changes)


def ids(matches):
    return [m.user_id for m in matches]


# --- who is left out -------------------------------------------------------------------------------


def test_a_suitable_mentor_is_offered():
    assert ids(match_mentors(ask(), [mentor("U1")])) == ["U1"]


@pytest.mark.parametrize(
    ("request_changes", "mentor_changes"),
    [
        pytest.param({}, {"user_id": "UMENTEE"}, id="the mentee themself"),
        pytest.param({}, {"accepting": False}, id="not accepting"),
        pytest.param({}, {"capacity": 2, "active_mentees": 2}, id="at capacity"),
        pytest.param({}, {"capacity": 2, "active_mentees": 3}, id="over capacity"),
        pytest.param({}, {"capacity": 0}, id="no capacity at all"),
        pytest.param({"declined_by": frozenset({"U1"})}, {}, id="declined this request"),
        pytest.param({"mentee_do_not_match": frozenset({"U1"})}, {}, id="on the mentee's do-not-match list"),
        pytest.param({}, {"do_not_match": frozenset({"UMENTEE"})}, id="mentee on the mentor's list"),
        pytest.param({"format": "informal"}, {"formats": frozenset({"formal"})}, id="format not offered"),
        pytest.param({}, {"formats": frozenset()}, id="no format offered"),
        pytest.param(
            {"topics": (RUN_CHARTS, CHANGE)}, {"expertise": frozenset({STAKEHOLDERS})}, id="no topic"
        ),
    ],
)
def test_mentor_is_excluded(request_changes, mentor_changes):
    assert match_mentors(ask(**request_changes), [mentor(**({"user_id": "U1"} | mentor_changes))]) == []


def test_exclusions_leave_the_others_in():
    mentors = [mentor("U1", accepting=False), mentor("U2"), mentor("U3", active_mentees=2)]
    assert ids(match_mentors(ask(), mentors)) == ["U2"]


def test_a_mentor_with_one_place_left_is_still_offered():
    assert ids(match_mentors(ask(), [mentor("U1", capacity=3, active_mentees=2)])) == ["U1"]


def test_a_request_without_topics_considers_every_otherwise_suitable_mentor():
    mentors = [mentor("U1", expertise=frozenset()), mentor("U2", expertise=frozenset({CHANGE}))]
    assert ids(match_mentors(ask(topics=()), mentors)) == ["U1", "U2"]


def test_mode_mismatch_lowers_the_rank_but_does_not_exclude():
    mentors = [mentor("U1", modes=frozenset({"in-person"})), mentor("U2", modes=frozenset({"virtual"}))]
    assert ids(match_mentors(ask(mode="virtual"), mentors)) == ["U2", "U1"]


def test_no_mentors_gives_an_empty_shortlist():
    assert match_mentors(ask(), []) == []


def test_shortlist_is_capped_at_the_limit():
    mentors = [mentor(f"U{i}") for i in range(10)]
    assert len(match_mentors(ask(), mentors)) == 3
    assert len(match_mentors(ask(), mentors, limit=5)) == 5
    assert match_mentors(ask(), mentors, limit=0) == []


def test_mentors_may_be_any_iterable():
    assert ids(match_mentors(ask(), (mentor(f"U{i}") for i in range(2)))) == ["U0", "U1"]


# --- order -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_changes", "advantage"),
    [
        pytest.param(
            {"preferred_discipline": "psychiatry"}, {"discipline": "psychiatry"}, id="preferred discipline"
        ),
        pytest.param(
            {"preferred_career_stage": "resident"}, {"career_stage": "resident"}, id="preferred stage"
        ),
        pytest.param({"mode": "in-person"}, {"modes": frozenset({"in-person"})}, id="mode"),
        pytest.param({}, {"active_mentees": 0, "capacity": 5}, id="room"),
        pytest.param({}, {"median_response_hours": 1.0}, id="replies fast"),
    ],
)
def test_one_more_requested_topic_outranks_any_single_other_advantage(request_changes, advantage):
    request = ask(
        topics=("process-mapping", RUN_CHARTS, STAKEHOLDERS, CHANGE, "root-cause-analysis"), **request_changes
    )
    two_topics = frozenset({RUN_CHARTS, STAKEHOLDERS})
    more_topics = mentor(
        "UB", expertise=two_topics | {CHANGE}, capacity=5, active_mentees=4, median_response_hours=200.0
    )
    fewer_topics = replace(more_topics, user_id="UA", expertise=two_topics, **advantage)
    assert ids(match_mentors(request, [fewer_topics, more_topics])) == ["UB", "UA"]


@pytest.mark.parametrize(
    ("request_changes", "better", "worse"),
    [
        pytest.param(
            {"preferred_discipline": "psychiatry"},
            {"discipline": "psychiatry"},
            {},
            id="preferred discipline",
        ),
        pytest.param(
            {"preferred_career_stage": "late-career"},
            {"career_stage": "late-career"},
            {},
            id="preferred career stage",
        ),
        pytest.param({}, {"discipline": "psychiatry"}, {}, id="same discipline as the mentee"),
        pytest.param(
            {}, {"capacity": 4, "active_mentees": 1}, {"capacity": 4, "active_mentees": 3}, id="more room"
        ),
        pytest.param({"mode": "in-person"}, {"modes": frozenset({"in-person"})}, {}, id="mode"),
        pytest.param(
            {}, {"median_response_hours": 2.0}, {"median_response_hours": 90.0}, id="faster replies"
        ),
        pytest.param({}, {"median_response_hours": 2.0}, {}, id="fast beats unknown"),
        pytest.param({}, {}, {"median_response_hours": 119.0}, id="unknown beats slow"),
    ],
)
def test_a_better_fit_ranks_first_whatever_the_user_ids(request_changes, better, worse):
    request = ask(**request_changes)
    for better_id, worse_id in (("UA", "UB"), ("UB", "UA")):
        mentors = [mentor(worse_id, **worse), mentor(better_id, **better)]
        assert ids(match_mentors(request, mentors)) == [better_id, worse_id]


def test_a_stated_discipline_preference_outweighs_likeness():
    request = ask(preferred_discipline="nursing")
    mentors = [mentor("UA", discipline="psychiatry"), mentor("UB", discipline="nursing")]
    assert ids(match_mentors(request, mentors)) == ["UB", "UA"]


def test_other_discipline_is_not_counted_as_alike():
    request = ask(mentee_discipline="other")
    mentors = [mentor("UB", discipline="other"), mentor("UA", discipline="pharmacy")]
    assert ids(match_mentors(request, mentors)) == ["UA", "UB"]


# --- ties --------------------------------------------------------------------------------------------


def test_equal_fit_goes_to_more_free_places_then_to_the_lower_user_id():
    # Half of their places free for all three: the same score.
    mentors = [
        mentor("U3", capacity=2, active_mentees=1),
        mentor("U2", capacity=4, active_mentees=2),
        mentor("U1", capacity=2, active_mentees=1),
    ]
    assert ids(match_mentors(ask(), mentors)) == ["U2", "U1", "U3"]


def test_shuffled_input_gives_the_same_shortlist():
    rng = random.Random(5)
    topics = [RUN_CHARTS, STAKEHOLDERS, CHANGE, "process-mapping"]
    mentors = [
        mentor(
            f"U{i:03}",
            expertise=frozenset(rng.sample(topics, rng.randint(1, 3))),
            discipline=rng.choice(["psychiatry", "nursing", "other"]),
            capacity=rng.randint(1, 4),
            active_mentees=rng.randint(0, 1),
            modes=frozenset(rng.sample(["virtual", "in-person"], rng.randint(1, 2))),
            median_response_hours=rng.choice([None, 3.0, 30.0]),
        )
        for i in range(60)
    ]
    request = ask(topics=(RUN_CHARTS, STAKEHOLDERS), mode="virtual")
    expected = match_mentors(request, mentors, limit=10)
    assert len(expected) == 10
    for _ in range(20):
        rng.shuffle(mentors)
        assert match_mentors(request, mentors, limit=10) == expected


# --- reasons -----------------------------------------------------------------------------------------


def test_reason_text_reads_like_the_issue():
    request = ask(topics=(RUN_CHARTS, STAKEHOLDERS, CHANGE))
    suggested = mentor(
        "U1",
        expertise=frozenset({STAKEHOLDERS, RUN_CHARTS}),
        discipline="psychiatry",
        capacity=3,
        active_mentees=2,
    )
    [match] = match_mentors(request, [suggested])
    assert match.reason_text() == (
        "offers 2 of your 3 topics: run charts, stakeholder engagement; psychiatrist like you; 1 of 3 places free"
    )
    assert match.topics_offered == (RUN_CHARTS, STAKEHOLDERS)


@pytest.mark.parametrize(
    ("topics", "expertise", "reason"),
    [
        ((RUN_CHARTS,), {RUN_CHARTS}, "offers your topic: run charts"),
        ((RUN_CHARTS, RUN_CHARTS), {RUN_CHARTS}, "offers your topic: run charts"),
        (
            (CHANGE, RUN_CHARTS),
            {RUN_CHARTS, CHANGE},
            "offers both of your topics: change management, run charts",
        ),
        (
            (RUN_CHARTS, STAKEHOLDERS, CHANGE),
            {RUN_CHARTS, STAKEHOLDERS, CHANGE},
            "offers all 3 of your topics: run charts, stakeholder engagement, change management",
        ),
        (("retired-topic", RUN_CHARTS), {"retired-topic"}, "offers 1 of your 2 topics: retired-topic"),
    ],
)
def test_topic_reason(topics, expertise, reason):
    [match] = match_mentors(ask(topics=topics), [mentor(expertise=frozenset(expertise))])
    assert match.reasons[0] == reason


def test_every_reason_that_holds_is_given_in_order():
    request = ask(preferred_discipline="social-work", preferred_career_stage="mid-career", mode="in-person")
    suggested = mentor(
        discipline="social-work",
        career_stage="mid-career",
        modes=frozenset({"in-person"}),
        capacity=1,
        median_response_hours=6.0,
    )
    [match] = match_mentors(request, [suggested])
    assert match.reasons == (
        "offers your topic: run charts",
        "social worker as you asked",
        "mid career as you asked",
        "meets in person",
        "usually replies within a day",
        "1 of 1 place free",
    )


def test_the_mentor_reads_every_reason_in_their_own_words():
    """Issue 16 item 6: the mentor's DM says "you offer ...", never the mentee's "offers your topic"."""
    request = ask(preferred_discipline="occupational-therapy", preferred_career_stage="mid-career",
                  mode="in-person")
    suggested = mentor(
        discipline="occupational-therapy",
        career_stage="mid-career",
        modes=frozenset({"in-person"}),
        capacity=1,
        median_response_hours=6.0,
    )
    [match] = match_mentors(request, [suggested])
    assert match.reasons_for_mentor == (
        "you offer run charts, which they need",
        "they asked for an occupational therapist",
        "they asked for someone at your career stage (mid career)",
        "you meet in person, as they prefer",
        "you usually reply within a day",
        "you have 1 of 1 place free",
    )
    assert len(match.reasons_for_mentor) == len(match.reasons)


@pytest.mark.parametrize(
    ("topics", "expertise", "discipline", "text"),
    [
        (
            (RUN_CHARTS, "inpatient-psychiatry"),
            {RUN_CHARTS, "inpatient-psychiatry"},
            "nursing",
            "you offer run charts and inpatient psychiatry, which they need; you have 2 of 2 places free",
        ),
        (
            (RUN_CHARTS, STAKEHOLDERS, CHANGE),
            {RUN_CHARTS, STAKEHOLDERS},
            "psychiatry",
            "you offer run charts and stakeholder engagement, 2 of the 3 topics they need; "
            "like them, you're a psychiatrist; you have 2 of 2 places free",
        ),
    ],
)
def test_mentor_reason_text(topics, expertise, discipline, text):
    [match] = match_mentors(ask(topics=topics), [mentor(expertise=frozenset(expertise), discipline=discipline)])
    assert match.mentor_reason_text() == text
    for mentee_words in ("your topic", "offers ", "as you asked", "like you;"):
        assert mentee_words not in match.mentor_reason_text()


def test_reasons_state_nothing_untrue():
    request = ask(preferred_career_stage="resident", mode="virtual")
    suggested = mentor(
        discipline="psychiatry",
        career_stage="mid-career",
        modes=frozenset({"in-person"}),
        median_response_hours=30.0,
    )
    [match] = match_mentors(request, [suggested])
    # Same discipline but a stage preference was stated: likeness still counts, the miss is unsaid.
    assert match.reasons == ("offers your topic: run charts", "psychiatrist like you", "2 of 2 places free")


def test_no_likeness_claimed_when_a_discipline_was_asked_for_or_differs():
    preferred = match_mentors(ask(preferred_discipline="nursing"), [mentor(discipline="psychiatry")])
    different = match_mentors(ask(mentee_discipline="psychology"), [mentor(discipline="psychiatry")])
    other = match_mentors(ask(mentee_discipline="other"), [mentor(discipline="other")])
    for [match] in (preferred, different, other):
        assert match.reasons == ("offers your topic: run charts", "2 of 2 places free")


def test_a_request_without_topics_gives_no_topic_reason():
    [match] = match_mentors(ask(topics=(), mentee_discipline=None), [mentor()])
    assert match.reasons == ("2 of 2 places free",)
    assert match.topics_offered == ()


def test_scores_are_between_zero_and_one_and_descend():
    mentors = [
        mentor(f"U{i}", capacity=5, active_mentees=i % 5, median_response_hours=float(i)) for i in range(8)
    ]
    scores = [m.score for m in match_mentors(ask(), mentors, limit=8)]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
