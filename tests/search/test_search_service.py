"""Search finds the right things on a seeded corpus, with the same top results on SQLite and PostgreSQL.

Every expected list below is asserted on both databases (the `env` fixture runs each test on each), so
the two backends agree on the seeded corpus by construction of the test.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from bot.core.phi import ContainsPhi
from bot.search import query as search
from bot.sharing import services
from bot.sharing.updates import UpdateFields
from storage.models import SearchDocument
from tests.search.corpus import ME, OTHER, TEAM, seed


async def found(env, typed: str) -> list[tuple[str, int]]:
    page = await search.search(env.runtime, team_id=TEAM, typed=typed)
    return [(r.kind, r.ref_id) for r in page.results]


@pytest.fixture
async def corpus(env):
    return await seed(env)


async def test_plural_and_singular_find_the_same_in_the_same_order(env, corpus):
    falls = await found(env, "falls")
    assert falls == await found(env, "fall") == await found(env, "FALL")
    # The project named for it first, then the update that tried something, then the mentor who coached it.
    assert falls[:2] == [("project", corpus["falls"]), ("update", corpus["falls_update"])]
    assert falls[2][0] == "mentor"
    assert ("project", corpus["other_team_falls"]) not in falls  # another workspace's work is never shown


async def test_accents_do_not_matter(env, corpus):
    expected = [("project", corpus["readmission"])]
    assert (await found(env, "réadmission"))[:1] == expected
    assert (await found(env, "readmissions"))[:1] == expected
    assert (await found(env, "READMISSION jours"))[:1] == expected


async def test_every_word_must_match_and_the_title_counts_most(env, corpus):
    assert (await found(env, "discharge summary")) == [("project", corpus["discharge"])]
    # "discharge" alone: the project titled with it before the one that only mentions it, then the update.
    assert await found(env, "discharge") == [("project", corpus["discharge"]), ("update", corpus["general_update"]),
                                             ("project", corpus["readmission"])]


async def test_filters(env, corpus):
    assert await found(env, "type:update falls") == [("update", corpus["falls_update"])]
    assert [kind for kind, _ in await found(env, "type:mentor falls")] == ["mentor"]
    assert await found(env, "type:projects safety") == [("project", corpus["restraint"]), ("project", corpus["falls"])]
    # A project's tags are its updates' topics too.
    assert set(await found(env, "topic:falls")) == {("project", corpus["falls"]), ("update", corpus["falls_update"])}
    # The update is about rounding, the project only lists it among its change ideas.
    assert await found(env, "topic:falls rounding") == [("update", corpus["falls_update"]),
                                                        ("project", corpus["falls"])]
    assert await found(env, "falls since:2030-01") == []
    assert await found(env, "falls since:2026") != []


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "empty"), ("   ", "empty"), ("x" * 201, "too_long"), ("the and of", "stop_words"),
    ('"*" - : ( )', "no_words"), ("type:recipes falls", "bad_type"), ("since:yesterday falls", "bad_since"),
    ("since:2026-13 falls", "bad_since"), ("topic:", "bad_topic")])
async def test_bad_input_is_explained_never_a_database_error(env, typed, reason):
    with pytest.raises(search.BadQuery) as refused:
        await search.search(env.runtime, team_id=TEAM, typed=typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize("typed", ['"falls', "falls*", "falls NEAR rounding", "-falls", "falls:", "falls AND OR NOT",
                                   "falls) OR (x", "fall's", "'falls'", "falls & rounding | x", "falls !rounding",
                                   "falls\\", "falls; DROP TABLE search_documents"])
async def test_fts_syntax_typed_by_a_person_is_just_a_separator(env, corpus, typed):
    results = await found(env, typed)
    assert isinstance(results, list)  # no database error, whatever the database's query syntax makes of it
    if typed in ('"falls', "falls*", "-falls", "falls:", "'falls'", "fall's"):
        assert results[:1] == [("project", corpus["falls"])]


async def test_a_query_that_looks_like_phi_is_refused(env, corpus):
    with pytest.raises(ContainsPhi):
        await search.search(env.runtime, team_id=TEAM, typed="falls OHIP 1234-567-897")


async def test_more_pages(env, corpus):
    for n in range(12):
        await services.share_update(env.runtime, team_id=TEAM, user_id=OTHER, project_id=None,
                                    fields=UpdateFields(tried=f"Handover huddle number {n}"))
    first = await search.search(env.runtime, team_id=TEAM, typed="handover")
    second = await search.search(env.runtime, team_id=TEAM, typed="handover", offset=10)
    assert len(first.results) == 10 and first.more
    assert len(second.results) == 3 and not second.more
    assert not {r.ref_id for r in first.results if r.kind == "update"} & {r.ref_id for r in second.results
                                                                       if r.kind == "update"}


async def test_a_common_word_is_ranked_among_its_newest_matches(env, corpus, monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 3)  # 2,000 in use: a test corpus that size would be slow
    shared = [(await services.share_update(env.runtime, team_id=TEAM, user_id=OTHER, project_id=None,
                                           fields=UpdateFields(tried=f"Handover huddle number {n}"))).update_id
              for n in range(5)]
    newest = {("update", update_id) for update_id in shared[-3:]}
    assert set(await found(env, "handover")) == newest
    # Another workspace's matches do not take places in this one's window.
    await services.share_update(env.runtime, team_id="T0OTHER", user_id=OTHER, project_id=None,
                                fields=UpdateFields(tried="Handover huddle elsewhere"))
    assert set(await found(env, "handover")) == newest
    # The older ones are still found with a word of their own.
    assert await found(env, "handover 0") == [("update", shared[0])]


async def test_edits_and_deletes_change_results_at_once(env, corpus):
    await services.edit_shared_update(env.runtime, team_id=TEAM, user_id=ME, update_id=corpus["falls_update"],
                                      fields=UpdateFields(tried="Tried a sensory room", pdsa_stage="do"))
    assert ("update", corpus["falls_update"]) not in await found(env, "rounding")
    assert ("update", corpus["falls_update"]) in await found(env, "sensory")
    await services.delete_update(env.runtime, team_id=TEAM, user_id=ME, update_id=corpus["falls_update"])
    assert ("update", corpus["falls_update"]) not in await found(env, "sensory")
    async with env.runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(SearchDocument).where(
            SearchDocument.kind == "update", SearchDocument.ref_id == corpus["falls_update"])) == 0


async def test_the_database_full_text_index_holds_the_stems(env, backend, corpus):
    """The backend's own index is there and in step (the schema test leaves it out of the comparison)."""
    async with env.runtime.db.session() as session:
        if backend == "sqlite":
            rows = await session.scalar(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"readmiss\"'"))
        else:
            rows = await session.scalar(text(
                "SELECT count(*) FROM search_documents WHERE search_vector @@ to_tsquery('simple', 'readmiss')"))
    assert rows == 1
