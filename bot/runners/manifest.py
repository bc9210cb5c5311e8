"""The Slack app manifest, built from one list of what the app needs (printed by `qi-commons manifest`)."""

from __future__ import annotations

from typing import Any

import yaml

SLASH_COMMANDS = (
    ("/qi-share", "Share a QI project update with the community", "[update text | #project update | list]"),
    ("/find-mentor", "Find a QI mentor who fits what you need", "[what you would like help with]"),
    ("/cpd-log", "Log CPD time and see your credits", "[1.5h s1 title | summary | list | export | undo | settings]"),
    ("/qi-commons", "QI Commons help, learning, mentoring, settings and privacy",
     "[help | learn [topic] | mentor | settings | privacy | export-my-data | forget-me | admin]"),
)
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "channels:read",
    "groups:read",
    # The outbox reads back its own recent posts (by their metadata) after a crash, before posting again.
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
    "mpim:write",
    "users:read",
    "users:read.email",
    "files:write",
    # A CSV a member picks in the import form's file_input is read from its url_private.
    "files:read",
)
BOT_EVENTS = ("app_home_opened", "app_uninstalled", "tokens_revoked", "member_joined_channel")


def build_manifest(request_url: str | None = None) -> dict[str, Any]:
    """Socket Mode when no request URL is given (what a hospital firewall wants), else HTTP mode."""
    commands = [{"command": name, "description": description, "usage_hint": hint, "should_escape": False}
                for name, description, hint in SLASH_COMMANDS]
    if request_url:
        for command in commands:
            command["url"] = request_url
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": request_url is None,
        "token_rotation_enabled": False,
    }
    if request_url:
        settings["event_subscriptions"]["request_url"] = request_url
        settings["interactivity"]["request_url"] = request_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "QI Commons",
            "description": "A community of practice for quality improvement, mentoring and CPD",
            "long_description": (
                "QI Commons helps clinicians share quality improvement (QI) work, find a mentor who fits, "
                "and turn QI and mentoring into CPD credit, inside Slack. Members share project updates "
                "with /qi-share, ask for a mentor with /find-mentor and log CPD time with /cpd-log; the "
                "community channel gets a weekly prompt that teaches QI and a weekly digest, and QI and "
                "CPD leads see the evidence that the community works. Slack is not a health record: "
                "QI Commons refuses text that looks like patient identifiers."),
            "background_color": "#1d4f91",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": True},
            "bot_user": {"display_name": "QI Commons", "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": settings,
    }


def manifest_yaml(request_url: str | None = None) -> str:
    return yaml.safe_dump(build_manifest(request_url), sort_keys=False, allow_unicode=True, width=100)
