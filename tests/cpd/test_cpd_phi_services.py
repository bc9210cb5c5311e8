"""The CPD services that store free text refuse a patient identifier themselves, not only through Slack."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.core.phi import ContainsPhi
from bot.cpd.entries import NewEntry, add_entry, get_entry, set_reflection
from bot.cpd.rules import get_framework
from storage.models import CpdEntry, Member
from tests.conftest import MEMBER_ID

HEALTH_NUMBER = "1234-567-897"  # passes the Ontario health number check digit
CLEAN_ANSWERS = {"reflection_learned": "Run charts need 20 points", "reflection_change": None,
                 "reflection_further": None}


def new_entry(env, **texts: str | None) -> NewEntry:
    framework = get_framework(env.runtime.settings.cpd_default_framework)
    return replace(NewEntry(activity_type=framework.default_activity, date=date(2024, 3, 4), hours=Decimal("1.5"),
                            quantity=None, title="Grand rounds on delirium", reflection_learned="Screen daily"),
                   **texts)


async def count(env, model) -> int:
    async with env.runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_add_entry_stores_a_clean_entry(env):
    stored = await add_entry(env.runtime, "T1", MEMBER_ID, new_entry(env))
    assert (await get_entry(env.runtime, "T1", MEMBER_ID, stored.id)).title == "Grand rounds on delirium"


@pytest.mark.parametrize("field", ["title", "reflection_learned", "reflection_change", "reflection_further"])
async def test_add_entry_refuses_a_health_number_and_stores_nothing(env, field):
    with pytest.raises(ContainsPhi) as refused:
        await add_entry(env.runtime, "T1", MEMBER_ID, new_entry(env, **{field: f"Seen as {HEALTH_NUMBER}"}))
    assert [(name, [hit.kind for hit in hits]) for name, hits in refused.value.hits.items()] == [
        (field, ["health_number"])]
    assert await count(env, CpdEntry) == 0
    assert await count(env, Member) == 0  # refused before the member row is even created


@pytest.mark.parametrize("field", ["reflection_learned", "reflection_change", "reflection_further"])
async def test_set_reflection_refuses_a_health_number_and_keeps_the_old_answers(env, field):
    stored = await add_entry(env.runtime, "T1", MEMBER_ID, new_entry(env))
    with pytest.raises(ContainsPhi) as refused:
        await set_reflection(env.runtime, "T1", MEMBER_ID, stored.id,
                             {**CLEAN_ANSWERS, field: f"Patient {HEALTH_NUMBER} improved"})
    assert list(refused.value.hits) == [field]
    kept = await get_entry(env.runtime, "T1", MEMBER_ID, stored.id)
    assert (kept.reflection_learned, kept.reflection_change, kept.reflection_further) == ("Screen daily", None, None)


async def test_set_reflection_stores_clean_answers(env):
    stored = await add_entry(env.runtime, "T1", MEMBER_ID, new_entry(env))
    updated = await set_reflection(env.runtime, "T1", MEMBER_ID, stored.id, CLEAN_ANSWERS)
    assert updated.reflection_learned == "Run charts need 20 points"
