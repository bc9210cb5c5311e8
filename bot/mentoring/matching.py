"""Explainable mentor matching: who could help this mentee, best first, and why.

Pure and deterministic: the same request and mentors give the same shortlist whatever their order.
Fit follows the mentoring literature the product is built on: complementary fit (the mentor offers
what the mentee needs) matters most; supplementary fit (shared discipline, the career stage asked
for) matters too; and load is spread so the same few mentors are not asked every time.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.text import plural
from bot.mentoring import vocabulary as mentor_vocabulary

# Score weights. They sum to 1, so a score reads as "share of a perfect fit".
# Topics dominate: with up to five requested topics, one more topic covered (>= 0.12) outweighs any
# single other factor, because a mentor who cannot help with the need is a poor fit however alike.
TOPIC_WEIGHT = 0.60
# A preference the mentee stated out loud is worth nearly a topic...
PREFERRED_DISCIPLINE_WEIGHT = 0.10
PREFERRED_CAREER_STAGE_WEIGHT = 0.10
# ...while a shared discipline nobody asked for is only a nudge between otherwise equal mentors.
SAME_DISCIPLINE_WEIGHT = 0.03
# Share of places still free: spreads requests so busy mentors are not asked first.
FREE_CAPACITY_WEIGHT = 0.10
# Meeting the way the mentee asked (virtual / in person) is convenient, not essential: no exclusion.
MODE_WEIGHT = 0.06
# Responsiveness is the smallest factor: a slow month should not bury an otherwise ideal mentor.
RESPONSIVENESS_WEIGHT = 0.04

# A median reply within a day earns the full responsiveness plus; by the time an unanswered request
# moves on to the next mentor (5 days) it earns none. Linear in between.
FAST_REPLY_HOURS = 24.0
SLOW_REPLY_HOURS = 120.0
# A mentor with no history yet sits halfway: neither rewarded nor penalised for it.
UNKNOWN_RESPONSIVENESS = 0.5

_MODE_REASONS = {"virtual": "meets virtually", "in-person": "meets in person"}
_MODE_REASONS_FOR_MENTOR = {"virtual": "you meet virtually, as they prefer",
                            "in-person": "you meet in person, as they prefer"}

# Rounding makes "equal" really equal, so ties fall to the documented tie-breakers, not float noise.
_SCORE_DECIMALS = 6


@dataclass(frozen=True)
class MentorCandidate:
    user_id: str
    expertise: frozenset[str]  # topic ids
    discipline: str | None
    career_stage: str | None
    capacity: int  # maximum active mentees
    active_mentees: int
    formats: frozenset[str]  # "formal", "informal"
    modes: frozenset[str]  # "virtual", "in-person"
    accepting: bool
    do_not_match: frozenset[str]  # user ids this mentor must not be paired with
    median_response_hours: float | None  # recent accept/decline latency; None = no history yet


@dataclass(frozen=True)
class MentorRequestSpec:
    mentee_id: str
    topics: tuple[str, ...]  # topic ids, most important first
    format: str  # "formal" or "informal"
    mode: str | None  # None = either
    preferred_discipline: str | None
    preferred_career_stage: str | None
    mentee_discipline: str | None
    mentee_do_not_match: frozenset[str]
    declined_by: frozenset[str]  # mentors who already declined this request


@dataclass(frozen=True)
class Match:
    user_id: str
    score: float  # 0..1, see the weights above
    reasons: tuple[str, ...]  # short, true statements to the mentee, most important first
    topics_offered: tuple[str, ...]  # requested topic ids this mentor offers, in request order
    # The same statements, one for one, as the mentor reads them: "you offer run charts, which they need".
    reasons_for_mentor: tuple[str, ...] = ()

    def reason_text(self) -> str:
        """One line for the mentee: "offers 2 of your 3 topics: run charts, ...; 1 of 3 places free"."""
        return "; ".join(self.reasons)

    def mentor_reason_text(self) -> str:
        """One line for the mentor: "you offer run charts and inpatient psychiatry, which they need; ..."."""
        return "; ".join(self.reasons_for_mentor)


def match_mentors(
    request: MentorRequestSpec, mentors: Iterable[MentorCandidate], limit: int = 3
) -> list[Match]:
    """The best ``limit`` mentors for ``request``, best first; fewer (or none) if fewer fit.

    A mentor is left out when they are the mentee, are not accepting, are full, declined this
    request, are on either person's do-not-match list, do not offer the requested format, or offer
    none of the requested topics (a request without topics leaves topics out of the score).
    Ties go to the mentor with more free places, then to the lower user id.
    """
    if limit <= 0:
        return []
    ask = _Ask.of(request)
    scored: list[tuple[float, int, str, MentorCandidate]] = []
    for mentor in mentors:
        if (
            not mentor.accepting
            or mentor.active_mentees >= mentor.capacity
            or mentor.user_id in ask.excluded
            or request.mentee_id in mentor.do_not_match
            or request.format not in mentor.formats
        ):
            continue
        offered = len(ask.topic_set & mentor.expertise) if ask.topic_set else 0
        if ask.topic_set and not offered:
            continue
        score = round(_score(ask, mentor, offered), _SCORE_DECIMALS)
        scored.append((score, mentor.capacity - mentor.active_mentees, mentor.user_id, mentor))
    best = heapq.nsmallest(limit, scored, key=lambda s: (-s[0], -s[1], s[2]))
    return [_explain(ask, mentor, score) for score, _free, _user_id, mentor in best]


@dataclass(frozen=True)
class _Ask:
    """What a request needs, worked out once so the per-mentor loop stays a few set look-ups."""

    request: MentorRequestSpec
    topics: tuple[str, ...]  # requested topic ids without repeats, in request order
    topic_set: frozenset[str]
    excluded: frozenset[str]  # the mentee, mentors who declined, the mentee's do-not-match list
    alike_discipline: str | None  # the mentee's discipline, when unasked-for likeness counts

    @classmethod
    def of(cls, request: MentorRequestSpec) -> _Ask:
        topics = tuple(dict.fromkeys(request.topics))
        alike = None
        # "Other" is not a shared discipline, so only disciplines with a person noun count; and a
        # stated preference replaces likeness rather than adding to it.
        if request.preferred_discipline is None and _person(request.mentee_discipline) is not None:
            alike = request.mentee_discipline
        return cls(
            request=request,
            topics=topics,
            topic_set=frozenset(topics),
            excluded=request.declined_by | request.mentee_do_not_match | {request.mentee_id},
            alike_discipline=alike,
        )


def _score(ask: _Ask, mentor: MentorCandidate, offered: int) -> float:
    request = ask.request
    score = TOPIC_WEIGHT * offered / len(ask.topic_set) if ask.topic_set else 0.0
    if request.preferred_discipline is not None and mentor.discipline == request.preferred_discipline:
        score += PREFERRED_DISCIPLINE_WEIGHT
    elif ask.alike_discipline is not None and mentor.discipline == ask.alike_discipline:
        score += SAME_DISCIPLINE_WEIGHT
    if request.preferred_career_stage is not None and mentor.career_stage == request.preferred_career_stage:
        score += PREFERRED_CAREER_STAGE_WEIGHT
    score += FREE_CAPACITY_WEIGHT * (mentor.capacity - mentor.active_mentees) / mentor.capacity
    if request.mode is not None and request.mode in mentor.modes:
        score += MODE_WEIGHT
    return score + RESPONSIVENESS_WEIGHT * _responsiveness(mentor.median_response_hours)


def _responsiveness(median_hours: float | None) -> float:
    if median_hours is None:
        return UNKNOWN_RESPONSIVENESS
    share = (SLOW_REPLY_HOURS - median_hours) / (SLOW_REPLY_HOURS - FAST_REPLY_HOURS)
    return min(1.0, max(0.0, share))


def _explain(ask: _Ask, mentor: MentorCandidate, score: float) -> Match:
    """Reasons for one shortlisted mentor; every clause mirrors a scoring rule that held, and is said
    twice: to the mentee about the mentor, and to the mentor about the mentee."""
    request = ask.request
    offered = tuple(t for t in ask.topics if t in mentor.expertise)
    reasons: list[tuple[str, str]] = []  # (to the mentee, to the mentor)
    if ask.topics:
        reasons.append(_topics_reason(offered, len(ask.topics)))
    if request.preferred_discipline is not None and mentor.discipline == request.preferred_discipline:
        person = _person(mentor.discipline)
        name = _lower_first(_choice_name("discipline", mentor.discipline))
        reasons.append((f"{person or name} as you asked",
                        f"they asked for {_a(person)}" if person else f"they asked for someone in {name}"))
    elif ask.alike_discipline is not None and mentor.discipline == ask.alike_discipline:
        person = _person(mentor.discipline)
        reasons.append((f"{person} like you", f"like them, you're {_a(person)}"))
    if request.preferred_career_stage is not None and mentor.career_stage == request.preferred_career_stage:
        stage = _lower_first(_choice_name("career_stage", mentor.career_stage))
        reasons.append((f"{stage} as you asked", f"they asked for someone at your career stage ({stage})"))
    if request.mode is not None and request.mode in mentor.modes:
        reasons.append((_MODE_REASONS.get(request.mode, f"meets {request.mode}"),
                        _MODE_REASONS_FOR_MENTOR.get(request.mode, f"you meet {request.mode}, as they prefer")))
    if mentor.median_response_hours is not None and mentor.median_response_hours <= FAST_REPLY_HOURS:
        reasons.append(("usually replies within a day", "you usually reply within a day"))
    places = f"{mentor.capacity - mentor.active_mentees} of {plural(mentor.capacity, 'place')} free"
    reasons.append((places, f"you have {places}"))
    return Match(user_id=mentor.user_id, score=score, reasons=tuple(r for r, _ in reasons), topics_offered=offered,
                 reasons_for_mentor=tuple(r for _, r in reasons))


def _topics_reason(offered: tuple[str, ...], wanted: int) -> tuple[str, str]:
    labels = [_topic_label(t) for t in offered]
    listed = ", ".join(labels)
    if len(offered) == wanted:
        for_mentor = f"you offer {_and_list(labels)}, which they need"
        if wanted == 1:
            return f"offers your topic: {listed}", for_mentor
        return f"offers {'both' if wanted == 2 else f'all {wanted}'} of your topics: {listed}", for_mentor
    return (f"offers {len(offered)} of your {wanted} topics: {listed}",
            f"you offer {_and_list(labels)}, {len(offered)} of the {wanted} topics they need")


def _and_list(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`: how a sentence lists things. Topics with an "and" of their own
    ("mood and anxiety disorders") get a comma before the last "and", so each still reads as one."""
    if len(items) == 1:
        return items[0]
    last = ", and " if any(" and " in item for item in items) else " and "
    return f"{', '.join(items[:-1])}{last}{items[-1]}"


def _a(noun: str | None) -> str:
    return f"{'an' if (noun or '')[:1] in 'aeiou' else 'a'} {noun}"


def _topic_label(topic_id: str) -> str:
    # A topic retired from the vocabulary may linger in an old request or profile: show its id.
    try:
        return mentor_vocabulary.term(topic_id).label
    except KeyError:
        return topic_id


def _person(discipline_id: str | None) -> str | None:
    if discipline_id is None:
        return None
    try:
        return mentor_vocabulary.choice("discipline", discipline_id).person
    except KeyError:
        return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _choice_name(kind: mentor_vocabulary.ChoiceKind, choice_id: str) -> str:
    try:
        return mentor_vocabulary.choice(kind, choice_id).name
    except KeyError:
        return choice_id
