"""The sandbox page in headless Chromium (Debian's /usr/bin/chromium), driving the real bot.

Each scenario is what a person does on the page; what they see is asserted on the page itself. On
failure a screenshot is saved to tests/sandbox/screenshots/ (the test names it in its message).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.runners.sandbox import Sandbox, sandbox_running
from bot.runners.sandbox_demo import ADMIN, CLINICIAN, MENTOR
from storage.models import MeasureDataPoint, QiProject

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
GOLDEN = Path(__file__).parents[1] / "golden"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
                       reason=f"no Chromium at {CHROMIUM} (scripts/test.sh installs Debian's chromium)"),
]


@pytest.fixture
async def sandbox(database_url, db) -> AsyncIterator[Sandbox]:  # `db` empties the PostgreSQL tables first
    async with sandbox_running(database_url=database_url) as running:
        yield running


@pytest.fixture
async def page(sandbox, request):
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 860})
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(sandbox.url)
        await page.wait_for_selector(".nav-item")
        yield page
        failed = getattr(request.node, "failed", False)
        if failed or os.environ.get("SANDBOX_SCREENSHOTS"):
            SCREENSHOTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
        await browser.close()
        assert not errors, f"the page raised: {errors}"


async def type_in_composer(page, text: str) -> None:
    await page.fill("#compose", text)
    await page.press("#compose", "Enter")


async def be(page, member_id: str) -> None:
    await page.select_option("#you", member_id)
    await page.wait_for_function(f"document.querySelector('#you').value === {json.dumps(member_id)}")


async def test_page_is_a_workspace_with_the_channel_dms_home_and_the_switcher(page):
    assert await page.title() == "QI Commons sandbox"
    nav = await page.inner_text("#nav")
    assert "# qi-commons" in nav and "QI Commons Home" in nav
    people = await page.locator("#you option").all_inner_texts()
    assert {CLINICIAN.name, MENTOR.name, ADMIN.name} <= set(people)
    await page.fill("#compose", "/qi")
    suggestions = await page.inner_text("#suggestions")
    assert "/qi-share" in suggestions and "/qi-commons" in suggestions and "/cpd-log" not in suggestions


async def test_qi_share_with_text_posts_the_share_to_the_channel(page, sandbox):
    await type_in_composer(page, "/qi-share Week 2 of our handover PDSA: 14 of 20 handovers used the checklist")
    share = page.locator(".message:not(.ephemeral)", has_text="Week 2 of our handover PDSA")
    await share.wait_for()
    assert CLINICIAN.name in await share.inner_text()  # <@U…> shown as the member's name
    assert "14 of 20 handovers" in await share.inner_text()
    [posted] = [m for m in sandbox.workspace.messages("C0COMMUNITY") if "handover PDSA" in m["text"]]
    assert posted["user"] == "UBOTQI"


async def test_kudos_changes_the_count_on_the_share(page):
    await type_in_composer(page, "/qi-share Trialled a huddle board on the unit")
    share = page.locator(".message:not(.ephemeral)", has_text="Trialled a huddle board")
    await share.wait_for()
    before = await share.inner_text()
    await share.locator("button", has_text="Kudos").click()
    await page.wait_for_function(
        "(before) => [...document.querySelectorAll('.message')].some(m => m.innerText.includes('huddle board') "
        "&& m.innerText !== before)", arg=before)
    assert "1" in await share.locator("button", has_text="Kudos").inner_text() or "kudos" in (
        await share.inner_text()).lower()


async def test_empty_qi_share_opens_the_form_and_submitting_it_posts(page):
    await type_in_composer(page, "/qi-share")
    modal = page.locator(".modal")
    await modal.wait_for()
    assert "(optional)" in await modal.inner_text()
    await modal.locator('[data-block-id="title"] input').fill("Discharge checklist")
    await modal.locator('[data-block-id="tried"] textarea, [data-block-id="tried"] input').fill(
        "Moved the discharge checklist to the huddle")
    await modal.locator("[data-submit]").click()
    await page.locator(".modal").wait_for(state="detached")
    await page.locator(".message", has_text="Moved the discharge checklist to the huddle").wait_for()


async def test_modal_errors_show_under_their_field(page):
    await type_in_composer(page, "/qi-share")
    modal = page.locator(".modal")
    await modal.wait_for()
    await modal.locator('[data-block-id="tried"] textarea, [data-block-id="tried"] input').fill(
        "Called the patient at 416-555-0199 about the change")
    await modal.locator("[data-submit]").click()
    error = modal.locator('[data-block-id="tried"] .field-error')
    await error.wait_for()
    assert await error.inner_text()


async def test_cpd_quick_log_shows_the_summary(page, sandbox):
    await type_in_composer(page, "/cpd-log 1.5h s1 Grand rounds")
    logged = page.locator(".message.ephemeral", has_text="Grand rounds")
    await logged.wait_for()
    assert "Only visible to you" in await logged.inner_text()
    assert "1.5" in await logged.inner_text()


async def test_app_home_opens(page):
    await page.click('[data-place="home"]')
    await page.locator(".home .blocks").wait_for()
    assert "QI Commons" in await page.inner_text("#pane")


async def test_find_a_mentor_then_the_mentor_accepts(page, sandbox):
    await page.click('[data-control="demo"]')
    await page.wait_for_function("document.querySelector('#control-said').innerText.includes('Seeded')",
                                 timeout=60_000)
    await type_in_composer(page, "/find-mentor run charts")
    ask = page.locator("button", has_text=f"Ask {MENTOR.name}")
    await ask.wait_for()
    await ask.click()
    await be(page, MENTOR.id)
    await page.click(f'[data-place="{sandbox.workspace.dm_channel(MENTOR.id)}"]')
    accept = page.locator(".message", has_text=CLINICIAN.name).locator("button", has_text="Accept").last
    await accept.wait_for()
    await accept.click()
    await page.wait_for_function("document.querySelector('#pane').innerText.toLowerCase().includes('accepted')")


async def test_weekly_prompt_posts_once_through_the_schedulers_claim(page):
    await page.click('[data-control="post-prompt"]')
    await page.wait_for_function("document.querySelector('#control-said').innerText.startsWith('Posted')")
    await page.click('[data-control="post-prompt"]')
    await page.wait_for_function("document.querySelector('#control-said').innerText.includes('already posted')")


async def test_every_golden_fixture_renders_without_the_unsupported_marker(page, sandbox):
    fixtures = {path.name: json.loads(path.read_text()) for path in sorted(GOLDEN.glob("*.json"))}
    assert len(fixtures) > 50
    unsupported = await page.evaluate("""(fixtures) => {
        const ctx = { users: {}, members: [], channels: [], errors: {}, dispatches: () => false,
                      confirm: () => {}, act: () => {} };
        const found = {};
        for (const [name, payload] of Object.entries(fixtures)) {
            const blocks = payload.blocks || [];
            const node = Blocks.render(blocks, ctx);
            const markers = [...node.querySelectorAll('[data-unsupported]')].map(m => m.dataset.unsupported);
            // A text-only message is mrkdwn; it must render to something visible.
            if (!blocks.length && !Mrkdwn.render(payload.text || '').trim()) markers.push('nothing to show');
            if (markers.length) found[name] = markers;
        }
        return found;
    }""", fixtures)
    assert unsupported == {}
    assert sandbox.workspace.unrendered == []


async def test_mrkdwn_shows_what_slack_shows(page):
    shown = await page.evaluate("""() => {
        const node = document.createElement('div');
        node.innerHTML = Mrkdwn.render(
            '*bold* _it_ ~gone~ `a<b` 1 &lt; 2 &amp;&amp; 3 &gt; 2 <https://example.org|the site> ' +
            '<@U0MEMBER1> <#C0COMMUNITY> <!date^1766448000^{date_short}|2026-12-23>\\n&gt; quoted',
            { U0MEMBER1: 'Dr. Robin Example', C0COMMUNITY: 'qi-commons' });
        return { text: node.innerText, bold: node.querySelector('b').innerText,
                 link: node.querySelector('a').getAttribute('href'), quote: node.querySelector('blockquote').innerText };
    }""")
    assert shown["bold"] == "bold"
    assert "1 < 2 && 3 > 2" in shown["text"]
    assert "@Dr. Robin Example" in shown["text"] and "#qi-commons" in shown["text"]
    assert "2026-12-23" in shown["text"] and "@2026" not in shown["text"]
    assert shown["link"] == "https://example.org" and "the site" in shown["text"]
    assert shown["quote"] == "quoted"


async def test_a_csv_picked_in_the_import_form_is_checked_then_imported(page, sandbox, tmp_path):
    await page.click('[data-control="demo"]')
    await page.wait_for_function("document.querySelector('#control-said').innerText.includes('Seeded')",
                                 timeout=60_000)
    async with sandbox.runtime.db.session() as session:
        slug = await session.scalar(select(QiProject.slug).where(QiProject.owner_id == CLINICIAN.id))
        before = await session.scalar(select(func.count()).select_from(MeasureDataPoint))
    csv = tmp_path / "baseline.csv"
    csv.write_text("date,value\n2025-01-06,41\n2025-01-13,44\n2025-01-20,39\n")
    await type_in_composer(page, f"/qi-share #{slug} import")
    modal = page.locator(".modal")
    await modal.wait_for()
    await modal.locator('[data-block-id="measure"] select').select_option(label="% summaries sent within 48 h")
    await modal.locator('[data-block-id="file"] input[type=file]').set_input_files(str(csv))
    await modal.locator("[data-submit]").click()
    await page.locator(".modal", has_text="Ready to import 3 points").wait_for()
    assert "06 Jan 2025 to 20 Jan 2025" in await page.inner_text(".modal")
    await page.locator(".modal [data-submit]").click()
    await page.locator(".modal", has_text="Imported 3 points").wait_for()
    async with sandbox.runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(MeasureDataPoint)) == before + 3
    # The bot read the picked file from Slack's side (for the dry run, then again to import it), never the page.
    reads = [c for c in sandbox.workspace.calls if c.method == "files-pri"]
    assert len(reads) == 2 and all(c.status == 200 for c in reads)
