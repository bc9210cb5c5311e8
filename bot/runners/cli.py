"""The `qi-commons` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.core.config import ConfigError, load_settings
from bot.runners.logs import configure_logging
from bot.weekly.schedules import JOB_IDS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qi-commons", description="QI Commons: a Slack community of practice "
                                     "for quality improvement, mentoring and CPD.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="migrate the database and run the bot")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--http", dest="mode", action="store_const", const="http", help="force HTTP mode")
    mode.add_argument("--socket", dest="mode", action="store_const", const="socket", help="force Socket Mode")

    sandbox = commands.add_parser("sandbox", help="try QI Commons without Slack: a local workspace in the browser")
    sandbox.add_argument("--port", type=int, default=3000, help="the page's port (default 3000)")
    sandbox.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1 only)")
    sandbox.add_argument("--demo", action="store_true", help="seed a fictional department to look around in")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply all migrations")

    manifest = commands.add_parser("manifest", help="print the Slack app manifest (YAML)")
    manifest.add_argument("--request-url", help="HTTP mode: the public URL of POST /slack/events; "
                          "without it the manifest is for Socket Mode")

    commands.add_parser("check", help="check configuration, database and Slack, line by line")

    jobs = commands.add_parser("jobs", help="scheduled jobs")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    run_job = jobs_commands.add_parser("run", help="run a weekly job now (a week already posted is not posted again)")
    run_job.add_argument("job", choices=sorted(JOB_IDS.values()))
    run_job.add_argument("--dry-run", action="store_true", help="print the Block Kit JSON and post nothing")

    mentors = commands.add_parser("mentors", help="the mentor roster")
    mentors_commands = mentors.add_subparsers(dest="mentors_command", required=True, metavar="ACTION")
    roster = mentors_commands.add_parser("import", help="add or update mentors from a CSV roster (exit 1 if "
                                         "some rows were skipped)")
    roster.add_argument("file", help="CSV with the header slack_user_id,email,name,expertise,capacity,formats,"
                        "modes,discipline,career_stage,bio (see bot/data/example_mentor_roster.csv)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "manifest":
        from bot.runners.manifest import manifest_yaml

        print(manifest_yaml(args.request_url), end="")
        return 0
    if args.command == "sandbox":
        return _sandbox(args)
    try:
        settings = load_settings()
        if args.command == "run":
            settings.require_for_run(settings.run_mode(args.mode))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings)

    if args.command == "run":
        from bot.runners.service import run_bot

        try:
            return asyncio.run(run_bot(settings, settings.run_mode(args.mode)))
        except ConfigError as exc:  # Slack refused a token at start
            print(exc, file=sys.stderr)
            return 2
    if args.command == "db":
        from storage.migrate import upgrade

        upgrade(settings.database_url)
        print("Database is up to date.")
        return 0
    if args.command == "check":
        from bot.runners.checks import run_checks

        checks = asyncio.run(run_checks(settings))
        for check in checks:
            print(check.line())
        return 0 if all(check.ok for check in checks) else 1
    if args.command == "jobs":
        from bot.runners.scheduler import run_job_command

        return asyncio.run(run_job_command(settings, args.job, dry_run=args.dry_run))
    if args.command == "mentors":
        from bot.runners.roster_cli import run_import_command

        return run_import_command(settings, args.file)
    return 2


def _sandbox(args: argparse.Namespace) -> int:
    from bot.runners.sandbox import SandboxRefused, run_sandbox

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(run_sandbox(host=args.host, port=args.port, demo=args.demo))
    except SandboxRefused as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
