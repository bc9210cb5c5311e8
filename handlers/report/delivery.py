"""Send a value report to one admin's DM: the summary, then the participation PNG and the indicator CSV.

An upload is several calls the outbox cannot replay; both files are drawn afresh from stored data, so
when Slack refuses one, nothing is lost: `/qi-commons admin report` sends it again.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.csv_safe import FILE_ENCODING
from bot.report.build import ValueReport
from bot.report.chart import alt_text, participation_png
from bot.report.export import matrix_csv
from handlers.report.blocks import files_comment

log = logging.getLogger(__name__)


async def upload_files(client: AsyncWebClient, admin_id: str, report: ValueReport) -> bool:
    """The chart and the CSV in the admin's DM with the bot; False (logged) when Slack refused them."""
    picture = await asyncio.to_thread(participation_png, report)  # drawing takes a CPU moment: off the loop
    key = report.period.key.replace("..", "-to-")
    try:
        dm = await client.conversations_open(users=admin_id)
        await client.files_upload_v2(
            channel=dm["channel"]["id"], initial_comment=files_comment(report),
            file_uploads=[
                {"content": picture, "filename": f"qi-commons-participation-{key}.png",
                 "title": f"Participation, 12 months to {report.period.label}", "alt_txt": alt_text(report)[:1000]},
                {"content": matrix_csv(report).encode(FILE_ENCODING), "filename": f"qi-commons-value-{key}.csv",
                 "title": f"Value report {report.period.label}"},
            ])
    except (SlackApiError, OSError, TimeoutError) as error:
        log.warning("Value report files for %s not sent: %s", admin_id,
                    error.response.get("error") if isinstance(error, SlackApiError) else type(error).__name__)
        return False
    return True
