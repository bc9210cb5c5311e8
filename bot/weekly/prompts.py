"""The bank of weekly prompts that teach QI, and the rotation that picks the next one.

The prompts live in ``bot/data/weekly_prompts.toml`` so the QI lead can edit them without a code
change. Each prompt's ``theme`` is the id of a ``/qi-commons learn`` primer, so a post can link to it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from bot.core.runtime import Runtime
from bot.weekly.claims import history
from bot.weekly.schedules import PROMPT


@dataclass(frozen=True)
class WeeklyPrompt:
    id: str
    question: str
    teaching_point: str
    theme: str  # a learn topic id
    source: str | None = None


@cache
def all_prompts() -> tuple[WeeklyPrompt, ...]:
    """The bank in its file order, which is also the rotation order."""
    raw = tomllib.loads((files("bot") / "data" / "weekly_prompts.toml").read_text(encoding="utf-8"))
    prompts = tuple(
        WeeklyPrompt(
            id=entry["id"],
            question=entry["question"].strip(),
            teaching_point=entry["teaching_point"].strip(),
            theme=entry["theme"],
            source=entry.get("source"),
        )
        for entry in raw["prompt"]
    )
    ids = [prompt.id for prompt in prompts]
    if len(set(ids)) != len(ids):
        # A duplicate id would make the rotation skip one of the two prompts forever.
        duplicates = sorted({prompt_id for prompt_id in ids if ids.count(prompt_id) > 1})
        raise ValueError(f"weekly_prompts.toml: duplicate prompt ids {duplicates}")
    return prompts


def next_prompt(used_ids: Sequence[str], bank: Sequence[WeeklyPrompt] | None = None) -> WeeklyPrompt:
    """The first prompt in bank order not posted since the last complete pass through the bank.

    ``used_ids`` is the posting history, most recent last. Ids no longer in the bank are ignored,
    so removing a prompt never stalls the rotation; a prompt added to the bank has not been used
    in the current pass, so it comes up before the pass ends. ``bank`` defaults to ``all_prompts()``.
    """
    prompts = tuple(bank) if bank is not None else all_prompts()
    if not prompts:
        raise ValueError("the weekly prompt bank is empty")
    bank_ids = {prompt.id for prompt in prompts}
    used_this_pass: set[str] = set()
    for prompt_id in used_ids:
        if prompt_id not in bank_ids:
            continue
        used_this_pass.add(prompt_id)
        if used_this_pass == bank_ids:
            used_this_pass = set()  # a pass is complete: the next one starts from the top
    return next(prompt for prompt in prompts if prompt.id not in used_this_pass)


async def next_weekly_prompt(runtime: Runtime, team_id: str) -> WeeklyPrompt:
    """The prompt to post next: the first in the bank that no earlier weekly prompt used."""
    async with runtime.db.session() as session:
        used = await history(session, team_id, PROMPT)
    return next_prompt([detail["prompt_id"] for detail in used if "prompt_id" in detail])
