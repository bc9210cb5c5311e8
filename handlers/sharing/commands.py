"""`/qi-share`: no text opens the form; `list`, `new` and `help` as named; any other text is a quick share."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import phi
from bot.core.runtime import Runtime
from bot.core.text import mention
from bot.sharing import services
from bot.sharing.updates import LIMITS, SUBCOMMANDS
from handlers.charts.data_entry import DATA_TEXT, store_data_text
from handlers.charts.data_import import IMPORT_TEXT, open_import_form
from handlers.charts.notes import NOTE_TEXT, store_note_text
from handlers.commands.context import CommandContext, answer_in_ack, message
from handlers.commands.help import SECTIONS
from handlers.sharing.listing import MAX_LISTED, list_message
from handlers.sharing.modals import project_modal, share_modal
from handlers.sharing.posting import RENDER
from handlers.sharing.quick_choice import choice_message
from handlers.sharing.share import NO_CHANNEL, deliver_share

log = logging.getLogger(__name__)

PHI_EDIT = "sharing_phi_edit"
SAVE_FAILED = ("Sorry, I could not save your update just now, so nothing was shared. Please try again in a "
               "minute; if it keeps happening, tell your QI Commons admin.")


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.command("/qi-share")
    async def qi_share(ack: AsyncAck, command: dict[str, Any], context: dict[str, Any], client: AsyncWebClient,
                       respond: AsyncRespond) -> None:
        ctx = CommandContext.from_command(runtime, command, context, client, respond, command.get("text", ""))
        response_url = command.get("response_url")
        word = ctx.text.lower()
        chart_text = DATA_TEXT.match(ctx.text) or NOTE_TEXT.match(ctx.text)
        if chart_text:
            # Data points and chart notes are a member's work too: stored before the ack, which carries the answer.
            store = store_data_text if chart_text.re is DATA_TEXT else store_note_text
            try:
                answer = await store(runtime, team_id=ctx.team_id, user_id=ctx.user_id,
                                     slug=chart_text.group(1), text=chart_text.group(2))
            except Exception:  # noqa: BLE001 - the member is told in the ack itself; nothing was half-stored
                log.exception("Could not store chart data from %s", ctx.user_id)
                answer = {"text": SAVE_FAILED}
            await answer_in_ack(ack, respond, answer)
            return
        if wanted := IMPORT_TEXT.match(ctx.text):
            await ack()
            if refused := await open_import_form(runtime, ctx.client, team_id=ctx.team_id, trigger_id=ctx.trigger_id,
                                                 slug=wanted.group(1)):
                await ctx.reply(refused)
            return
        if ctx.text and word not in SUBCOMMANDS:
            # A member's work is committed before the ack: once Slack shows the command as taken, a
            # crash can no longer lose it (the store is one short transaction, well inside 3 s).
            try:
                stored = await store_quick_share(ctx)
            except Exception:  # noqa: BLE001 - the member is told in the ack itself; nothing was half-stored
                log.exception("Could not store a quick share from %s", ctx.user_id)
                await answer_in_ack(ack, respond, message(SAVE_FAILED))
                return
            await ack()
            await reply_to_quick_share(ctx, stored, response_url)
            return
        await ack()
        if not ctx.text:
            await open_share_form(ctx, response_url)
        else:
            await run_subcommand(ctx, word, response_url)


async def run_subcommand(ctx: CommandContext, word: str, response_url: str | None) -> None:
    """`/qi-share list`, `help` or `new` (bot.sharing.updates.SUBCOMMANDS), typed or chosen after a quick
    share that looked like one."""
    if word == "list":
        await show_list(ctx)
    elif word == "help":
        await ctx.reply(*share_help())
    elif word == "new":
        await ctx.client.views_open(trigger_id=ctx.trigger_id,
                                    view=project_modal(None, channel_id=ctx.channel_id, response_url=response_url))


def share_help() -> tuple[str, list[dict[str, Any]]]:
    title = "Share QI work"
    body = "\n".join(f"`{example}` {what}" for example, what in dict(SECTIONS)[title])
    return f"{title}: /qi-share, /qi-share list, /qi-share new", [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*\n{body}"}}]


async def open_share_form(ctx: CommandContext, response_url: str | None, *, prompt_id: str | None = None) -> None:
    projects = await services.active_projects(ctx.runtime, ctx.team_id, ctx.user_id)
    await ctx.client.views_open(trigger_id=ctx.trigger_id, view=share_modal(
        projects, selected=None, channel_id=ctx.channel_id, response_url=response_url, prompt_id=prompt_id))


async def show_list(ctx: CommandContext) -> None:
    await ctx.reply(**await list_for(ctx.runtime, ctx.team_id, ctx.user_id))


async def list_for(runtime: Runtime, team_id: str, user_id: str) -> dict[str, Any]:
    listing = await services.project_list(runtime, team_id, user_id, limit=MAX_LISTED)
    return list_message(listing.projects, listing.last_updates, listing.total, runtime.settings.tz)


async def store_quick_share(ctx: CommandContext) -> services.QuickShare | services.QuickShareHasPhi | None:
    """Store a quick share (or learn why it cannot be); None when sharing is not set up."""
    if not ctx.runtime.settings.community_channel_id:
        return None
    try:
        return await services.quick_share(ctx.runtime, team_id=ctx.team_id, user_id=ctx.user_id, text=ctx.text,
                                          render=RENDER)
    except services.QuickShareHasPhi as refused:
        return refused


async def reply_to_quick_share(ctx: CommandContext, result: services.QuickShare | services.QuickShareHasPhi | None,
                               response_url: str | None) -> None:
    """Post a stored quick share at once (to `#slug`, the only active project, or as a general update),
    ask where an ambiguous one goes, or tell the member why nothing was posted."""
    runtime = ctx.runtime
    if result is None:
        await ctx.reply(NO_CHANNEL)
        return
    if isinstance(result, services.QuickShareHasPhi):
        await ctx.reply(**phi_refusal(phi.describe(result.hits, {"tried": "Your update"}),
                                      phi.redact(result.body, runtime.settings.staff_email_domains),
                                      result.project_id))
        return
    if result.too_long is not None:
        await ctx.reply(f"That update is {result.too_long:,} characters; a share can be at most "
                        f"{LIMITS['tried']:,}. Please shorten it, or use `/qi-share` (no text) for the form, which "
                        "has separate boxes for what you tried, what you learned and the help you want. "
                        "Nothing was posted.")
    elif result.unknown_slug:
        yours = [p.slug for p in await services.active_projects(runtime, ctx.team_id, ctx.user_id)]
        known = ", ".join(f"`#{slug}`" for slug in yours) or "none yet (`/qi-share new` starts one)"
        await ctx.reply(f"I can't find a project called `#{result.unknown_slug}`. Your active projects: {known}. "
                        "Nothing was posted.")
    elif result.not_allowed_slug is not None:
        await ctx.reply(f"Only the team of `#{result.not_allowed_slug}` can post to it. Ask "
                        f"{mention(result.owner_id)} to add you to the team, or share without the project "
                        "name as a general update.")
    elif result.ask is not None:
        await ctx.reply(**choice_message(result.ask, result.text, result.choices))
    elif result.shared is None:
        await ctx.reply(missing_text(result.missing_text_slug))
    else:
        await deliver_share(runtime, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, shared=result.shared,
                            channel_id=ctx.channel_id, response_url=response_url)


def missing_text(slug: str | None) -> str:
    return ("Add your update after the project name, e.g. "
            f"`/qi-share #{slug or 'project'} Tried a new checklist`. Nothing was posted.")


def phi_refusal(explanation: str, text: str, project_id: int | None) -> dict[str, Any]:
    """Kinds and field only, never the value. The text rides in the Edit button (not our database) with
    each identifier already replaced, so the identifier itself never goes back to Slack."""
    return {
        "text": explanation,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f":no_entry: {explanation}"}},
            {"type": "actions", "block_id": f"{PHI_EDIT}:{project_id or ''}", "elements": [
                {"type": "button", "action_id": PHI_EDIT, "style": "primary", "value": text,
                 "text": {"type": "plain_text", "text": "Edit and share"}},
            ]},
        ],
    }
