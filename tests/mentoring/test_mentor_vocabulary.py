import pytest

from bot.mentoring import vocabulary as vocab

QI_METHODS = {
    "model-for-improvement",
    "measurement-run-charts",
    "process-mapping",
    "root-cause-analysis",
    "stakeholder-engagement",
    "change-management",
    "patient-partnership",
    "qi-research-ethics",
    "writing-up-qi",
    "cpd-moc-planning",
}


def test_vocabulary_offers_the_qi_methods_and_clinical_areas():
    groups = {t.id: t.group for t in vocab.terms()}
    assert QI_METHODS <= {i for i, g in groups.items() if g == "QI methods"}
    clinical = {i for i, g in groups.items() if g == "Clinical areas"}
    assert {"addictions", "child-youth", "geriatric-psychiatry", "suicide-prevention"} <= clinical


def test_every_name_fits_a_slack_option():
    names = [t.name for t in vocab.terms()] + [c.name for k in vocab.CHOICE_KINDS for c in vocab.choices(k)]
    assert all(0 < len(name) <= 75 for name in names)


@pytest.mark.parametrize("topic", vocab.terms(), ids=lambda t: t.id)
def test_every_spelling_of_a_topic_finds_that_topic(topic):
    for spelling in topic.spellings():
        assert vocab.match_term(spelling) == topic
        assert vocab.match_term(f"  {spelling.upper()}. ") == topic
        assert vocab.topics_from_text(f"I need help with {spelling}, please") == [topic.id]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Run Charts", "measurement-run-charts"),
        ("root cause analysis", "root-cause-analysis"),
        ("ROOT-CAUSE  ANALYSIS!", "root-cause-analysis"),
        ("pdsa-cycles", "model-for-improvement"),
        ("Mood & anxiety disorders", "mood-anxiety"),
        ("measurement-run-charts", "measurement-run-charts"),
    ],
)
def test_match_term_ignores_case_punctuation_and_plurals(typed, expected):
    assert vocab.match_term(typed) == vocab.term(expected)


@pytest.mark.parametrize("typed", ["", "   ", "basket weaving", "run", "process"])
def test_match_term_returns_none_for_unknown_text(typed):
    assert vocab.match_term(typed) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help with run charts", ["measurement-run-charts"]),
        ("SPC, control charts and a fishbone", ["measurement-run-charts", "root-cause-analysis"]),
        # In order of first mention, each once.
        (
            "fishbone first, then a run chart, then RCA again",
            ["root-cause-analysis", "measurement-run-charts"],
        ),
        # The longest synonym wins, and its words are not read again on their own.
        ("statistical process control", ["measurement-run-charts"]),
        ("statistical process control and a process map", ["measurement-run-charts", "process-mapping"]),
        ("patient engagement", ["patient-partnership"]),
        ("staff engagement", ["stakeholder-engagement"]),
        ("QI vs research", ["qi-research-ethics"]),
        (
            "run charts for our early psychosis clinic",
            ["measurement-run-charts", "psychosis-early-intervention"],
        ),
    ],
)
def test_topics_from_text(text, expected):
    assert vocab.topics_from_text(text) == expected


@pytest.mark.parametrize("text", ["", "inspection of the respect specs", "a sudden rcat", "hello there"])
def test_topics_from_text_matches_whole_words_only(text):
    assert vocab.topics_from_text(text) == []


def test_disciplines_name_their_people_except_other():
    people = {d.id: d.person for d in vocab.disciplines()}
    assert people["psychiatry"] == "psychiatrist"
    assert people["social-work"] == "social worker"
    assert people["other"] is None
    assert {
        "psychiatry",
        "nursing",
        "social-work",
        "psychology",
        "occupational-therapy",
        "pharmacy",
        "family-medicine",
        "other",
    } == set(people)


def test_small_vocabularies_hold_the_expected_options():
    assert [c.id for c in vocab.career_stages()] == ["resident", "early-career", "mid-career", "late-career"]
    assert [c.id for c in vocab.formats()] == ["formal", "informal"]
    assert [c.id for c in vocab.modes()] == ["virtual", "in-person"]
    assert [c.id for c in vocab.cadences()] == ["weekly", "every-two-weeks", "monthly", "as-needed"]


@pytest.mark.parametrize(
    ("kind", "typed", "expected"),
    [
        ("discipline", "Psychiatrist", "psychiatry"),
        ("discipline", "RN", "nursing"),
        ("discipline", "Social Work", "social-work"),
        ("career_stage", "early career", "early-career"),
        ("career_stage", "Senior", "late-career"),
        ("format", "INFORMAL", "informal"),
        ("mode", "in-person", "in-person"),
        ("mode", "Face to face", "in-person"),
        ("cadence", "every 2 weeks", "every-two-weeks"),
    ],
)
def test_match_choice(kind, typed, expected):
    assert vocab.match_choice(kind, typed) == vocab.choice(kind, expected)


def test_match_choice_keeps_kinds_apart():
    assert vocab.match_choice("mode", "formal") is None
    assert vocab.match_choice("discipline", "resident") is None


def test_a_topic_reads_the_same_in_a_select_and_mid_sentence():
    """Issue 16 item 14: "Emergency and crisis psychiatry" in the form, "emergency psychiatry" in the reasons."""
    for topic in vocab.terms():
        assert topic.label.casefold() == topic.name.casefold(), topic.id
    assert vocab.term("emergency-psychiatry").label == "emergency and crisis psychiatry"
    assert vocab.term("cpd-moc-planning").label == "CPD and MOC planning"  # acronyms keep their case


def test_old_topic_wordings_are_still_understood():
    assert vocab.match_term("Measurement and run charts").id == "measurement-run-charts"
    assert vocab.match_term("emergency psychiatry").id == "emergency-psychiatry"
    assert vocab.topics_from_text("help with collaborative care") == ["collaborative-care"]


def test_unknown_ids_raise_key_error():
    with pytest.raises(KeyError):
        vocab.term("basket-weaving")
    with pytest.raises(KeyError):
        vocab.choice("mode", "telepathy")


def _raw(**topic_overrides):
    topic = {"id": "a", "name": "A", "group": "QI methods", "synonyms": []} | topic_overrides
    other = {"id": "b", "name": "B", "group": "QI methods", "synonyms": ["shared"]}
    choice = [{"id": "x", "name": "X", "synonyms": []}]
    return {"topic": [topic, other]} | {kind: choice for kind in vocab.CHOICE_KINDS}


def test_loader_refuses_a_synonym_that_would_mean_two_topics():
    vocab._build(_raw())
    with pytest.raises(ValueError, match="'shared' already means 'a'"):
        vocab._build(_raw(synonyms=["Shared!"]))


def test_loader_refuses_a_name_too_long_for_slack():
    with pytest.raises(ValueError, match="name must be"):
        vocab._build(_raw(name="x" * 76))
