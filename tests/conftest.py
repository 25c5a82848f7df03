"""Shared fixtures: real SQLite databases in a temp folder, the real app, the real catalogs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.config import Settings, load_settings
from bot.i18n import Translator

REPO_ROOT = Path(__file__).resolve().parent.parent
NACE_DIR = REPO_ROOT.parent / "shared" / "data" / "nace-rev2"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite file per test."""
    return f"sqlite+aiosqlite:///{tmp_path / 'tibs.sqlite3'}"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings on the temp database, no token."""
    return load_settings(database_url=db_url, kb_dir=tmp_path / "kb", bot_token=None)


@pytest.fixture(scope="session")
def translator() -> Translator:
    """The compiled catalogs (``make locales`` builds them)."""
    return Translator(REPO_ROOT / "locales")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    """The real application (with the built-in knowledge base), migrated."""
    application = await build_app(settings, migrate=True)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
async def bare_app(settings: Settings) -> AsyncIterator[App]:
    """The application without a knowledge base (dialogue-only tests)."""
    application = await build_app(settings, with_knowledge=False, migrate=True)
    try:
        yield application
    finally:
        await application.close()
