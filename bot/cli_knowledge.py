"""Knowledge-base sub-commands (classify, match, kb ..., bench ...): filled in by the matcher work."""

from __future__ import annotations

import argparse


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the knowledge-base commands."""
