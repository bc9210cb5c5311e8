"""Configuration errors stop the program with one line that names the variable and the fix."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.core.config import ConfigError, WeeklyTime, load_settings


def load(**values):
    return load_settings(_env_file=None, **values)


@pytest.mark.parametrize(
    ("values", "variable", "fix"),
    [
        ({"slack_bot_token": "xoxp-user-token"}, "SLACK_BOT_TOKEN", "OAuth & Permissions"),
        ({"slack_app_token": "xoxb-not-app"}, "SLACK_APP_TOKEN", "App-Level Tokens"),
        ({"timezone": "America/Torontoo"}, "TIMEZONE", "America/Toronto"),
        ({"weekly_prompt_at": "monday at 9"}, "WEEKLY_PROMPT_AT", "mon 09:00"),
        ({"weekly_digest_at": "fri 25:00"}, "WEEKLY_DIGEST_AT", "fri 15:00"),
        ({"weekly_digest_at": "xyz 10:00"}, "WEEKLY_DIGEST_AT", "fri 15:00"),
        ({"database_url": "mysql://u:p@h/db"}, "DATABASE_URL", "postgresql+asyncpg://"),
        ({"database_url": "not a url"}, "DATABASE_URL", "sqlite+aiosqlite:///"),
        ({"community_channel_id": "#qi-commons"}, "COMMUNITY_CHANNEL_ID", "About tab"),
        ({"admin_user_ids": "U0ADMIN, bob"}, "ADMIN_USER_IDS", "Copy member ID"),
        ({"cpd_default_framework": "moc"}, "CPD_DEFAULT_FRAMEWORK", "rcpsc-moc"),
        ({"port": "eighty"}, "PORT", "between 1 and 65535"),
        ({"log_level": "LOUD"}, "LOG_LEVEL", "DEBUG, INFO"),
    ],
)
def test_bad_values_name_the_variable_and_the_fix(values, variable, fix):
    with pytest.raises(ConfigError) as caught:
        load(**values)
    message = str(caught.value)
    assert message.startswith(f"Configuration error: {variable} ")
    assert fix in message
    assert "\n" not in message


def test_secrets_are_never_echoed():
    with pytest.raises(ConfigError) as caught:
        load(slack_bot_token="xoxp-very-secret-value")
    assert "very-secret" not in str(caught.value)
    settings = load(slack_bot_token="xoxb-very-secret-value")
    assert "very-secret" not in repr(settings)


def test_defaults_match_the_contract():
    settings = load()
    assert settings.database_url == "sqlite+aiosqlite:///qi_commons.db"
    assert settings.timezone == "America/Toronto"
    assert settings.prompt_time == WeeklyTime.parse("mon 09:00")
    assert str(settings.digest_time) == "fri 15:00"
    assert settings.cpd_default_framework == "rcpsc-moc"
    assert (settings.port, settings.host, settings.log_level) == (3000, "0.0.0.0", "INFO")
    assert settings.admin_user_ids == [] and settings.staff_email_domains == []
    assert settings.run_mode() == "http"


def test_lists_and_driver_aliases_are_normalised():
    settings = load(admin_user_ids="U0A1, U0B2 ,", staff_email_domains="@UHN.ca, utoronto.ca",
                    database_url="postgresql://qi:pw@db.example:5432/qi", weekly_prompt_at="Monday 9:05")
    assert settings.admin_user_ids == ["U0A1", "U0B2"]
    assert settings.staff_email_domains == ["uhn.ca", "utoronto.ca"]
    assert settings.database_url == "postgresql+asyncpg://qi:pw@db.example:5432/qi"
    assert settings.weekly_prompt_at == "mon 09:05"
    assert settings.is_admin("U0A1") and not settings.is_admin("U0C3")


def test_app_token_selects_socket_mode_and_mode_requirements_are_checked():
    settings = load(slack_app_token="xapp-1-abc")
    assert settings.run_mode() == "socket" and settings.run_mode("http") == "http"
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set.*OAuth & Permissions"):
        settings.require_for_run("socket")
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set.*Signing Secret"):
        load(slack_bot_token="xoxb-1").require_for_run("http")


def test_cli_prints_one_line_and_no_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": "xoxb-ok", "WEEKLY_DIGEST_AT": "friday",
           "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "bot.runners.cli", "check"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("Configuration error: WEEKLY_DIGEST_AT")
    assert "Traceback" not in result.stderr


def test_env_example_lists_every_setting_and_loads():
    from pathlib import Path

    from bot.core.config import HOW_TO_FIX, Settings

    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in Settings.model_fields:
        assert name.upper() in example, f"{name.upper()} missing from .env.example"
        assert f"`{name.upper()}`" in readme, f"{name.upper()} missing from README's configuration table"
        assert name.upper() in HOW_TO_FIX, f"{name.upper()} has no fix hint"
    settings = load_settings(_env_file=str(Path(__file__).resolve().parents[2] / ".env.example"))
    assert settings.database_url == "sqlite+aiosqlite:///qi_commons.db" and settings.slack_bot_token is None
