"""Composition root: the one place that builds and wires the application's parts.

Adapters (aiogram, python-telegram-bot, the console, tests) call :func:`build_app` with
settings and get the same engine; nothing is created at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import SUPPORTED_LOCALES, Settings
from bot.dialogue.engine import DialogueEngine
from bot.i18n import Translator
from bot.ports import KnowledgePort
from db.engine import create_engine, session_factory
from db.migrate import upgrade
from db.uow import UnitOfWorkFactory


@dataclass
class App:
    """The wired application."""

    settings: Settings
    database: AsyncEngine
    uow: UnitOfWorkFactory
    translator: Translator
    knowledge: KnowledgePort | None
    engine: DialogueEngine

    async def close(self) -> None:
        """Release the database connections."""
        await self.database.dispose()


def load_knowledge(settings: Settings) -> KnowledgePort:
    """Load the built-in knowledge base plus the admin overlay in ``settings.kb_dir``."""
    from bot.knowledge_port import KnowledgeAdapter

    return KnowledgeAdapter.load(settings.kb_dir)


async def build_app(
    settings: Settings,
    *,
    knowledge: KnowledgePort | None = None,
    with_knowledge: bool = True,
    migrate: bool = False,
) -> App:
    """Build the application.

    ``knowledge`` replaces the default knowledge base (tests); ``with_knowledge=False`` runs
    without one; ``migrate`` brings the database schema up to date first.
    """
    translator = Translator(settings.locales_dir, SUPPORTED_LOCALES, settings.default_locale)
    database = create_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    if migrate:
        await upgrade(database)
    if knowledge is None and with_knowledge:
        knowledge = load_knowledge(settings)
    uow = UnitOfWorkFactory(session_factory(database))
    engine = DialogueEngine(uow, translator, knowledge, default_locale=settings.default_locale)
    return App(settings, database, uow, translator, knowledge, engine)
