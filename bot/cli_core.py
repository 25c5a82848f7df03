"""Core sub-commands: ``run`` (Telegram or console), ``chat`` (console) and ``db ...``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.i18n import MissingCatalogError
from bot.logging_setup import configure_logging

if TYPE_CHECKING:
    from bot.app import App


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``run``, ``chat`` and ``db``."""
    run = subparsers.add_parser("run", help="Telegram long polling if a token is set, else chat")
    run.set_defaults(handler=cmd_run)

    chat = subparsers.add_parser("chat", help="talk to the assistant in this terminal")
    chat.add_argument("--lang", help="language code the console user's client reports")
    chat.set_defaults(handler=cmd_chat)

    db = subparsers.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    up = db_commands.add_parser("upgrade", help="apply migrations (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=cmd_db_upgrade)
    down = db_commands.add_parser("downgrade", help="revert migrations to a revision")
    down.add_argument("revision")
    down.set_defaults(handler=cmd_db_downgrade)
    current = db_commands.add_parser("current", help="show the database revision")
    current.set_defaults(handler=cmd_db_current)
    backup = db_commands.add_parser("backup", help="consistent SQLite copy (VACUUM INTO)")
    backup.add_argument("target", type=Path)
    backup.set_defaults(handler=cmd_db_backup)
    erase = db_commands.add_parser(
        "reapply-erasures", help="after a restore: erase everyone in the erasure ledger"
    )
    erase.set_defaults(handler=cmd_db_reapply_erasures)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        print(f"tibs: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_run(args: argparse.Namespace) -> int:
    """Start the main job."""
    settings = _settings()
    if settings.bot_token is None:
        print("TIBS_BOT_TOKEN is not set: starting the console chat demo.\n")
        return cmd_chat(args)
    configure_logging(settings.log_level, (settings.bot_token.get_secret_value(),))
    return asyncio.run(_run_polling(settings))


async def _run_polling(settings: Settings) -> int:
    from handlers.runtime import run_polling, run_webhook

    app = await _build(settings)
    try:
        await (run_webhook(app) if settings.webhook_url else run_polling(app))
    finally:
        await app.close()
    return 0


async def _build(settings: Settings) -> App:
    from bot.app import build_app

    try:
        return await build_app(settings, migrate=True)
    except MissingCatalogError as error:
        print(f"tibs: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to the assistant in the terminal."""
    settings = _settings()
    configure_logging("WARNING")
    return asyncio.run(_chat(settings, getattr(args, "lang", None)))


async def _chat(settings: Settings, lang: str | None) -> int:
    from bot.console import ConsoleChat, read_stdin

    app = await _build(settings)
    try:
        print(
            "TIBS console chat: type a number to press a button, /help for commands, "
            "Ctrl-D to quit.\n"
        )
        chat = ConsoleChat(app.engine, language_code=lang, export_dir=Path("var/exports"))
        await chat.run(read_stdin)
    finally:
        await app.close()
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations."""
    return asyncio.run(_migrate("upgrade", args.revision))


def cmd_db_downgrade(args: argparse.Namespace) -> int:
    """Revert migrations."""
    return asyncio.run(_migrate("downgrade", args.revision))


def cmd_db_current(args: argparse.Namespace) -> int:
    """Print the current revision."""
    return asyncio.run(_migrate("current", None))


async def _migrate(action: str, revision: str | None) -> int:
    from db import migrate
    from db.engine import create_engine

    settings = _settings()
    engine = create_engine(settings.database_url)
    try:
        if action == "upgrade":
            await migrate.upgrade(engine, revision or "head")
        elif action == "downgrade":
            await migrate.downgrade(engine, revision or "base")
        print(f"database at revision {await migrate.current_revision(engine) or 'base'}")
    finally:
        await engine.dispose()
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    """Back up an SQLite database while the bot runs."""
    return asyncio.run(_db_task("backup", args))


def cmd_db_reapply_erasures(args: argparse.Namespace) -> int:
    """Re-apply /forget requests after restoring a backup."""
    return asyncio.run(_db_task("erasures", args))


async def _db_task(task: str, args: argparse.Namespace) -> int:
    from db import backup
    from db.engine import create_engine

    settings = _settings()
    engine = create_engine(settings.database_url)
    try:
        if task == "backup":
            target = await backup.backup_sqlite(engine, args.target)
            print(f"backup written to {target}")
        else:
            count = await backup.reapply_erasures(engine, settings.erasure_salt)
            print(f"erased again: {count} user(s) from the ledger")
    finally:
        await engine.dispose()
    return 0
