"""``tibs links`` and ``tibs events``: agency deep links, QR posters, matchmaking events."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from pathlib import Path

from bot.deeplinks import StartLink, event_code_ok, start_url


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``links`` and ``events``."""
    links = subparsers.add_parser("links", help="print each agency's deep link, write QR PNGs")
    links.add_argument("--bot", default=None, help="bot username (default TIBS_BOT_USERNAME)")
    links.add_argument("--event", default=None, help="event code to add to every link")
    links.add_argument("--qr-dir", type=Path, default=Path("var/qr"), help="where PNGs go")
    links.set_defaults(handler=cmd_links)

    events = subparsers.add_parser("events", help="matchmaking events with their own links")
    sub = events.add_subparsers(dest="events_command", required=True)
    add = sub.add_parser("add", help="create an event")
    add.add_argument("code")
    add.add_argument("--agency", required=True, help="broker/agency id, e.g. de-hamburg")
    add.add_argument("--name", required=True)
    add.add_argument("--from", dest="starts_on", type=date.fromisoformat, required=True)
    add.add_argument("--to", dest="ends_on", type=date.fromisoformat, required=True)
    add.set_defaults(handler=cmd_events_add)
    ls = sub.add_parser("list", help="list events")
    ls.set_defaults(handler=cmd_events_list)


def write_qr(url: str, target: Path) -> Path:
    """Write a QR code PNG for ``url`` (error correction M, big enough for a poster)."""
    import segno

    target.parent.mkdir(parents=True, exist_ok=True)
    segno.make(url, error="m").save(str(target), scale=12, border=4)
    return target


def cmd_links(args: argparse.Namespace) -> int:
    """Print every agency link and write its QR code."""
    from bot.app import BUILTIN_BROKERS
    from bot.cli_core import _settings
    from knowledge.brokers import BrokerDirectory

    settings = _settings()
    username = args.bot or settings.bot_username
    if not username:
        print("tibs: set TIBS_BOT_USERNAME or pass --bot", flush=True)
        return 2
    if args.event and not event_code_ok(args.event):
        print("tibs: event codes use 1-39 characters a-z 0-9 -")
        return 2
    directory = BrokerDirectory.load(settings.brokers_file or BUILTIN_BROKERS)
    for broker in directory.brokers:
        if not broker.link:
            continue
        link = StartLink(broker.link, args.event)
        url = start_url(username, link)
        png = write_qr(url, args.qr_dir / f"{link.payload}.png")
        print(f"{broker.agency}: {url}  ({png})")
    return 0


def cmd_events_add(args: argparse.Namespace) -> int:
    """Create an event."""
    if not event_code_ok(args.code) or args.ends_on < args.starts_on:
        print("tibs: event code must be 1-39 characters a-z 0-9 -, and --to not before --from")
        return 2
    return asyncio.run(_events(args, add=True))


def cmd_events_list(args: argparse.Namespace) -> int:
    """List events."""
    return asyncio.run(_events(args, add=False))


async def _events(args: argparse.Namespace, *, add: bool) -> int:
    from bot.cli_core import _settings
    from db.engine import create_engine, session_factory
    from db.models import Event
    from db.uow import UnitOfWorkFactory

    engine = create_engine(_settings().database_url)
    try:
        async with UnitOfWorkFactory(session_factory(engine))() as uow:
            if add:
                await uow.events.add(
                    Event(
                        code=args.code,
                        agency=args.agency,
                        name=args.name,
                        starts_on=args.starts_on,
                        ends_on=args.ends_on,
                    )
                )
                await uow.commit()
                print(f"event {args.code} created")
            for event in await uow.events.all():
                print(
                    f"{event.code}\t{event.agency}\t{event.starts_on}..{event.ends_on}\t"
                    f"{event.name}"
                )
    finally:
        await engine.dispose()
    return 0
