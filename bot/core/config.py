"""Configuration: the variables of DESIGN.md §6, read from the environment and `.env`.

Every value is validated when the program starts. A bad value stops the program with one line that
names the variable, says what is wrong and how to fix it; secrets are never echoed back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

APP_SETTINGS_URL = "https://api.slack.com/apps"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SUPPORTED_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}
# Operators paste URLs from other tools; map the common sync spellings to our async drivers.
DRIVER_ALIASES = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
}
CpdFramework = Literal["rcpsc-moc", "cfpc-mainpro", "hours"]
RunMode = Literal["http", "socket"]


class ConfigError(Exception):
    """A configuration problem, worded for the operator who has to fix it."""


@dataclass(frozen=True)
class WeeklyTime:
    """A weekly schedule such as `mon 09:00`, in the community's timezone."""

    day: str
    at: time

    @classmethod
    def parse(cls, text: str) -> WeeklyTime:
        match = re.fullmatch(r"\s*([a-zA-Z]{3})[a-zA-Z]*\s+(\d{1,2}):(\d{2})\s*", text)
        if not match:
            raise ValueError("must look like `mon 09:00` (a weekday and a 24-hour time)")
        day, hour, minute = match.group(1).lower(), int(match.group(2)), int(match.group(3))
        if day not in DAYS:
            raise ValueError(f"starts with an unknown weekday; use one of {', '.join(DAYS)}")
        if hour > 23 or minute > 59:
            raise ValueError("has an impossible time; use 00:00 to 23:59")
        return cls(day, time(hour, minute))

    def __str__(self) -> str:
        return f"{self.day} {self.at:%H:%M}"


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite+aiosqlite:///qi_commons.db"
    community_channel_id: str | None = None
    admin_user_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    timezone: str = "America/Toronto"
    weekly_prompt_at: str = "mon 09:00"
    weekly_digest_at: str = "fri 15:00"
    cpd_default_framework: CpdFramework = "rcpsc-moc"
    staff_email_domains: Annotated[list[str], NoDecode] = Field(default_factory=list)
    schedule_grace_hours: int = Field(default=24, ge=0, le=24 * 7)
    # Mentoring nudges and hand-offs (issue 5): how long a mentor has to answer before one reminder
    # and before the request moves on, how long an active pair goes without contact before a
    # check-in, how long a quick question waits before more mentors are asked, and how long a
    # formal request may go unmatched (from the first ask) before the admins are told.
    mentor_reminder_days: int = Field(default=2, ge=1, le=30)
    mentor_handoff_days: int = Field(default=5, ge=1, le=60)
    mentor_checkin_days: int = Field(default=21, ge=1, le=180)
    informal_widen_hours: int = Field(default=24, ge=1, le=24 * 14)
    mentor_escalate_days: int = Field(default=10, ge=1, le=90)
    port: int = Field(default=3000, ge=1, le=65535)
    host: str = "0.0.0.0"
    # HTTP mode: processes serving the one port (bot/runners/workers.py); more than one needs PostgreSQL.
    http_workers: int = Field(default=1, ge=1, le=32)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", "community_channel_id",
                     mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with `xoxb-`")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with `xapp-`")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL") from None
        driver = DRIVER_ALIASES.get(url.drivername, url.drivername)
        if driver not in SUPPORTED_DRIVERS:
            raise ValueError(f"uses `{url.drivername}`, which QI Commons does not support") from None
        if driver.startswith("postgresql") and not url.database:
            raise ValueError("names no database") from None
        return url.set(drivername=driver).render_as_string(hide_password=False)

    @field_validator("community_channel_id")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[CG][A-Z0-9]{2,}", value):
            raise ValueError("is not a Slack channel id (it looks like C0123ABCD)")
        return value

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _admins(cls, value: object) -> object:
        value = _split_list(value)
        for user_id in value if isinstance(value, list) else ():
            if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user_id):
                raise ValueError(f"contains `{user_id}`, which is not a Slack user id (like U0123ABCD)")
        return value

    @field_validator("staff_email_domains", mode="before")
    @classmethod
    def _domains(cls, value: object) -> object:
        value = _split_list(value)
        return [d.lower().lstrip("@") for d in value] if isinstance(value, list) else value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not an IANA timezone") from None
        return value

    @field_validator("weekly_prompt_at", "weekly_digest_at")
    @classmethod
    def _weekly(cls, value: str) -> str:
        return str(WeeklyTime.parse(value))

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def prompt_time(self) -> WeeklyTime:
        return WeeklyTime.parse(self.weekly_prompt_at)

    @property
    def digest_time(self) -> WeeklyTime:
        return WeeklyTime.parse(self.weekly_digest_at)

    @property
    def bot_token(self) -> str:
        return self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admin_user_ids

    def run_mode(self, forced: RunMode | None = None) -> RunMode:
        return forced or ("socket" if self.slack_app_token else "http")

    def require_for_run(self, mode: RunMode) -> None:
        """The values a running bot cannot do without, checked before anything starts."""
        if self.slack_bot_token is None:
            raise ConfigError(_fix_line("SLACK_BOT_TOKEN", "is not set"))
        if mode == "http" and self.slack_signing_secret is None:
            raise ConfigError(_fix_line("SLACK_SIGNING_SECRET", "is not set (HTTP mode verifies every request)"))
        if mode == "socket" and self.slack_app_token is None:
            raise ConfigError(_fix_line("SLACK_APP_TOKEN", "is not set (Socket Mode needs it)"))
        if mode == "http" and self.http_workers > 1 and make_url(self.database_url).get_backend_name() == "sqlite":
            # SQLite takes one writer at a time: processes writing at once would wait on, then fail, each other.
            raise ConfigError(_fix_line("HTTP_WORKERS", f"is {self.http_workers}, but SQLite serves one process"))


HOW_TO_FIX = {
    "SLACK_BOT_TOKEN": f"copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions in your app at {APP_SETTINGS_URL}",
    "SLACK_SIGNING_SECRET": f"copy the Signing Secret from Basic Information > App Credentials at {APP_SETTINGS_URL}",
    "SLACK_APP_TOKEN": f"create an app-level token (xapp-…) with the connections:write scope under Basic Information > App-Level Tokens at {APP_SETTINGS_URL}",
    "SLACK_API_URL": "leave it unset to use Slack's API",
    "DATABASE_URL": "use sqlite+aiosqlite:///qi_commons.db or postgresql+asyncpg://USER:PASSWORD@HOST:5432/DBNAME",
    "COMMUNITY_CHANNEL_ID": "in Slack, open the channel's details; the id (C…) is at the bottom of the About tab",
    "ADMIN_USER_IDS": "list member ids separated by commas (in Slack: a profile's ⋮ menu > Copy member ID)",
    "TIMEZONE": "use a name such as America/Toronto (see the tz database's list)",
    "WEEKLY_PROMPT_AT": "write a weekday and a 24-hour time, e.g. `mon 09:00`",
    "WEEKLY_DIGEST_AT": "write a weekday and a 24-hour time, e.g. `fri 15:00`",
    "CPD_DEFAULT_FRAMEWORK": "use rcpsc-moc, cfpc-mainpro or hours",
    "STAFF_EMAIL_DOMAINS": "list domains separated by commas, e.g. uhn.ca,utoronto.ca",
    "SCHEDULE_GRACE_HOURS": "use a whole number of hours between 0 and 168",
    "MENTOR_REMINDER_DAYS": "use a whole number of days between 1 and 30 (default 2)",
    "MENTOR_HANDOFF_DAYS": "use a whole number of days between 1 and 60 (default 5)",
    "MENTOR_CHECKIN_DAYS": "use a whole number of days between 1 and 180 (default 21)",
    "INFORMAL_WIDEN_HOURS": "use a whole number of hours between 1 and 336 (default 24)",
    "MENTOR_ESCALATE_DAYS": "use a whole number of days between 1 and 90 (default 10)",
    "PORT": "use a port number between 1 and 65535",
    "HOST": "use an address to listen on, e.g. 0.0.0.0",
    "HTTP_WORKERS": "use 1, or up to one process per CPU core (at most 32) with a PostgreSQL DATABASE_URL",
    "LOG_LEVEL": "use DEBUG, INFO, WARNING or ERROR",
    "LOG_FORMAT": "use text (one line per record) or json (one JSON object per line, for log collectors)",
}


def _fix_line(variable: str, problem: str) -> str:
    return f"Configuration error: {variable} {problem}. To fix it: {HOW_TO_FIX.get(variable, 'check its value')}."


def _problem(error: dict) -> str:
    message = error.get("msg", "is invalid")
    message = message.removeprefix("Value error, ")
    if error.get("type") == "literal_error":
        return "is not one of the allowed values"
    if error.get("type", "").startswith(("int_", "greater_than", "less_than")):
        return "is not a whole number in the allowed range"
    return message


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; raise ConfigError naming the first bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        variable = str(error["loc"][0]).upper() if error.get("loc") else "configuration"
        # pydantic's own message may quote the input; ours never does, so secrets stay out of logs.
        raise ConfigError(_fix_line(variable, _problem(error))) from None
