"""Shared fixtures: real SQLite databases in a temp folder, the real app, the real catalogs."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.app import App, build_app
from bot.config import Settings, load_settings
from bot.i18n import Translator

REPO_ROOT = Path(__file__).resolve().parent.parent
NACE_DIR = REPO_ROOT.parent / "shared" / "data" / "nace-rev2"


PG_ADMIN_URL = os.environ.get("TIBS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> bool:
    parts = urlsplit(PG_ADMIN_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database per test: an SQLite file, and a PostgreSQL database when reachable."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'tibs.sqlite3'}"
        return
    if not _postgres_reachable():
        pytest.skip(
            f"PostgreSQL not reachable at {urlsplit(PG_ADMIN_URL).netloc} "
            "(set TIBS_TEST_POSTGRES to run these tests on PostgreSQL)"
        )
    import asyncpg

    name = f"tibs_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = urlsplit(PG_ADMIN_URL)
    yield f"postgresql+asyncpg://{base.netloc}/{name}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def is_sqlite(db_url: str) -> bool:
    """Whether this test runs on SQLite."""
    return db_url.startswith("sqlite")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings on the temp database, no token."""
    # Scripted users click far faster than people; the throttle has its own tests.
    return load_settings(
        database_url=db_url, kb_dir=tmp_path / "kb", bot_token=None, user_burst=10_000
    )


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
