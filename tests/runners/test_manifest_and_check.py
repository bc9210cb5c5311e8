"""The app manifest validates against Slack's schema; `qi-commons check` says exactly what to fix."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.runners.checks import run_checks
from bot.runners.cli import main
from bot.runners.manifest import BOT_SCOPES, build_manifest, manifest_yaml
from sandbox import SlackStandIn

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "slack_manifest.schema.1.0.0.json"


@pytest.mark.parametrize("request_url", [None, "https://qi.example.org/slack/events"])
def test_manifest_validates_against_slacks_schema(request_url):
    schema = json.loads(SCHEMA.read_text())
    manifest = yaml.safe_load(manifest_yaml(request_url))
    jsonschema.validate(manifest, schema)
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == {"/qi-share", "/find-mentor", "/cpd-log", "/qi-commons"}
    assert manifest["settings"]["socket_mode_enabled"] is (request_url is None)
    if request_url:
        assert manifest["settings"]["interactivity"]["request_url"] == request_url
        assert manifest["settings"]["event_subscriptions"]["request_url"] == request_url
        assert all(c["url"] == request_url for c in manifest["features"]["slash_commands"])
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]


def test_committed_manifest_is_the_socket_mode_one():
    assert yaml.safe_load((ROOT / "manifest.yml").read_text()) == build_manifest()


def test_manifest_command_prints_http_manifest(capsys):
    assert main(["manifest", "--request-url", "https://qi.example.org/slack/events"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)


async def test_check_with_a_wrong_token_says_what_to_fix(make_settings):
    async with SlackStandIn(bot_token="xoxb-right") as slack:
        checks = await run_checks(make_settings(slack_api_url=slack.api_url, slack_bot_token="xoxb-wrong"))
    lines = {check.name: check for check in checks}
    assert lines["configuration"].ok and lines["database"].ok and lines["migrations"].ok
    token = lines["slack token"]
    assert not token.ok
    assert "invalid_auth" in token.detail and "OAuth & Permissions" in token.detail
    assert "xoxb-wrong" not in token.line()


async def test_check_passes_when_everything_is_ready(make_settings):
    async with SlackStandIn() as slack:
        checks = await run_checks(make_settings(slack_api_url=slack.api_url))
    assert all(check.ok for check in checks), [check.line() for check in checks]
    assert any("member of #qi-commons" in check.detail for check in checks)


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (dict(is_private=True, bot_member=False), "`/invite @QI Commons`"),
        (dict(is_archived=True), "is archived"),
        (dict(bot_member=False), "will join it"),
    ],
)
async def test_check_explains_channel_problems(make_settings, channel, expected):
    async with SlackStandIn() as slack:
        slack.add_channel("C0OTHER", name="qi-team", **channel)
        checks = await run_checks(make_settings(slack_api_url=slack.api_url, community_channel_id="C0OTHER"))
    [line] = [check for check in checks if check.name == "community channel"]
    assert expected in line.detail


async def test_check_reports_an_unmigrated_database(make_settings, tmp_path):
    sqlite3.connect(tmp_path / "new.db").close()  # an empty database file, never migrated
    async with SlackStandIn() as slack:
        checks = await run_checks(make_settings(slack_api_url=slack.api_url,
                                                database_url=f"sqlite+aiosqlite:///{tmp_path}/new.db"))
    [line] = [check for check in checks if check.name == "migrations"]
    assert not line.ok and "qi-commons db upgrade" in line.detail


async def test_check_does_not_create_a_missing_database_file(make_settings, tmp_path):
    async with SlackStandIn() as slack:
        checks = await run_checks(make_settings(slack_api_url=slack.api_url,
                                                database_url=f"sqlite+aiosqlite:///{tmp_path}/missing.db"))
    [line] = [check for check in checks if check.name == "database"]
    assert not line.ok and "no database at" in line.detail and "qi-commons db upgrade" in line.detail
    assert not (tmp_path / "missing.db").exists()
