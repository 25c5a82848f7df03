"""The ``tibs`` command line: one entry point to run, chat, migrate and manage knowledge.

Each feature area registers its own sub-commands through an ``add_commands(subparsers)``
function so this module stays a thin dispatcher; heavy imports happen inside the command
functions, keeping ``tibs --help`` and start-up fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """Assemble the parser from every feature's command registrar."""
    from bot import cli_admin, cli_core, cli_knowledge, cli_links

    parser = argparse.ArgumentParser(prog="tibs", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for registrar in (
        cli_core.add_commands,
        cli_knowledge.add_commands,
        cli_links.add_commands,
        cli_admin.add_commands,
    ):
        registrar(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``tibs`` command and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
