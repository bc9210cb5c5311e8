import pytest
from slack_sdk.models.blocks import ButtonElement, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.learn.primers import LearnTopic, find_topic, suggest, topics

REQUIRED_IDS = (
    "model-for-improvement",
    "pdsa",
    "smart-aims",
    "measures",
    "run-charts",
    "spreading-change",
    "qi-vs-research",
    "qi-and-cpd",
    "finding-a-mentor",
    "being-a-mentor",
)
TOPICS = topics()
# Two minutes at a relaxed 200 words a minute.
MAX_WORDS = 400


def _topic(topic_id: str) -> LearnTopic:
    topic = find_topic(topic_id)
    assert topic is not None and topic.id == topic_id
    return topic


def _text(topic: LearnTopic) -> str:
    return "\n".join(topic.paragraphs)


def test_every_promised_topic_exists_once():
    ids = [topic.id for topic in TOPICS]
    assert len(set(ids)) == len(ids)
    assert set(REQUIRED_IDS) <= set(ids)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.id)
def test_topic_fits_slack_limits(topic: LearnTopic):
    assert 0 < len(topic.title) <= 150
    assert 0 < len(topic.summary) <= 150
    assert 0 < len(topic.button_label) <= 30
    assert topic.paragraphs
    assert all(0 < len(paragraph) <= 2900 for paragraph in topic.paragraphs)
    # slack_sdk refuses to serialise a block that breaks one of Slack's limits.
    HeaderBlock(text=topic.title).to_dict()
    ButtonElement(text=topic.button_label, action_id="learn", value=topic.id).to_dict()
    for paragraph in topic.paragraphs:
        SectionBlock(text=MarkdownTextObject(text=paragraph)).to_dict()


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.id)
def test_topic_reads_in_under_two_minutes(topic: LearnTopic):
    assert sum(len(paragraph.split()) for paragraph in topic.paragraphs) <= MAX_WORDS


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.id)
def test_topic_text_is_not_slack_markup(topic: LearnTopic):
    for text in (topic.title, topic.summary, topic.button_label, *topic.paragraphs):
        assert not set("<>&") & set(text), text


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.id)
def test_facts_carry_sources_with_https_links(topic: LearnTopic):
    assert topic.sources
    assert all(source.title and source.url.startswith("https://") for source in topic.sources)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pdsa", "pdsa"),
        ("PDSA", "pdsa"),
        ("  qi-vs-research ", "qi-vs-research"),
        ("qi vs research", "qi-vs-research"),
        ("QI-vs-Research", "qi-vs-research"),
        ("QI vs. research", "qi-vs-research"),
        ("run chart", "run-charts"),
        ("Run Charts", "run-charts"),
        ("smart aim", "smart-aims"),
        ("model", "model-for-improvement"),
        ("plan do study act", "pdsa"),
        ("REB", "qi-vs-research"),
        ("TCPS 2", "qi-vs-research"),
        ("Mainpro+", "qi-and-cpd"),
        ("moc", "qi-and-cpd"),
        ("spread", "spreading-change"),
        ("sustaining", "spreading-change"),
        ("balancing measures", "measures"),
        ("find a mentor", "finding-a-mentor"),
        ("become a mentor", "being-a-mentor"),
        ("spre", "spreading-change"),
    ],
)
def test_find_topic_understands_how_people_type(query: str, expected: str):
    topic = find_topic(query)
    assert topic is not None and topic.id == expected


@pytest.mark.parametrize("query", ["", "   ", "---", "banana", "m", "mentor"])
def test_find_topic_refuses_unknown_or_ambiguous_queries(query: str):
    assert find_topic(query) is None


def test_suggest_corrects_a_typo():
    assert suggest("run chrts")[0].id == "run-charts"
    assert suggest("PSDA")[0].id == "pdsa"


def test_suggest_offers_both_sides_of_an_ambiguous_word():
    assert {topic.id for topic in suggest("mentor")} == {"finding-a-mentor", "being-a-mentor"}


def test_suggest_returns_nothing_for_nonsense_and_respects_the_limit():
    assert suggest("xyzzy") == []
    assert suggest("") == []
    assert len(suggest("e", limit=2)) <= 2


def test_model_for_improvement_asks_the_three_questions():
    text = _text(_topic("model-for-improvement"))
    for question in (
        "What are we trying to accomplish?",
        "How will we know that a change is an improvement?",
        "What change can we make that will result in improvement?",
    ):
        assert question in text


def test_pdsa_plans_a_prediction_and_acts_by_adopt_adapt_abandon():
    text = _text(_topic("pdsa")).lower()
    assert "predict" in text
    assert all(word in text for word in ("adopt", "adapt", "abandon", "ramp"))


def test_run_charts_state_the_ihi_and_anhoej_rules():
    text = _text(_topic("run-charts"))
    assert "median" in text
    assert "6 or more consecutive points" in text
    assert "5 or more consecutive points" in text
    assert "round(log2(n)) + 3" in text
    assert "Perla" in text and "Anhøj" in text


def test_qi_vs_research_cites_tcps2_article_2_5():
    topic = _topic("qi-vs-research")
    text = _text(topic)
    assert "TCPS 2" in text and "article 2.5" in text
    assert "check your institution's policy" in text
    assert any("ethics.gc.ca" in source.url for source in topic.sources)


def test_qi_and_cpd_gives_the_section_3_and_mainpro_rates():
    text = _text(_topic("qi-and-cpd"))
    assert "Section 3" in text and "3 credits per hour" in text
    assert "Section 2" in text and "2 credits per hour" in text
    assert "1 credit per hour" in text and "Mainpro+" in text
    assert "250 credits" in text


def test_mentoring_primers_cover_fit_and_kickoff_expectations():
    assert "fit" in _text(_topic("finding-a-mentor")).lower()
    assert "expectations" in _text(_topic("being-a-mentor")).lower()
