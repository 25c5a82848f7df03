"""``tibs report``: the /stats figures for a period, as text and a PNG chart."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from pathlib import Path


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``report``."""
    report = subparsers.add_parser("report", help="statistics for a period (text + PNG chart)")
    report.add_argument("--from", dest="since", type=date.fromisoformat, default=None)
    report.add_argument("--to", dest="until", type=date.fromisoformat, default=None)
    report.add_argument("--lang", default="en")
    report.add_argument("--out", type=Path, default=Path("var/reports"))
    report.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Write report.txt and report.png."""
    return asyncio.run(_report(args))


async def _report(args: argparse.Namespace) -> int:
    import html
    import re

    from bot.cli_core import _settings
    from bot.config import SUPPORTED_LOCALES
    from bot.i18n import Translator
    from bot.reporting import collect_stats, render_chart, render_stats
    from db.engine import create_engine, session_factory
    from db.uow import UnitOfWorkFactory

    settings = _settings()
    tr = Translator(settings.locales_dir, SUPPORTED_LOCALES).get(args.lang)
    engine = create_engine(settings.database_url)
    try:
        async with UnitOfWorkFactory(session_factory(engine, readonly=True))() as uow:
            stats = await collect_stats(uow, args.since, args.until)
    finally:
        await engine.dispose()
    args.out.mkdir(parents=True, exist_ok=True)
    text = html.unescape(re.sub(r"<[^>]+>", "", render_stats(tr, stats)))
    (args.out / "report.txt").write_text(text + "\n", encoding="utf-8")
    (args.out / "report.png").write_bytes(render_chart(tr, stats))
    print(text)
    print(f"\nwritten: {args.out / 'report.txt'}, {args.out / 'report.png'}")
    return 0
