"""Composition root: the one place that builds and wires the application's parts.

Adapters (aiogram, python-telegram-bot, the console, tests) call :func:`build_app` with
settings and get the same engine; nothing is created at import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import SUPPORTED_LOCALES, Settings
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.locks import RedisKeyedLocks
from bot.dialogue.throttle import UserThrottle
from bot.i18n import Translator
from bot.kb_admin import (
    FAQ,
    PARTNERS,
    KindSpec,
    KnowledgeAdmin,
    parse_faq,
    parse_upload,
)
from bot.leads import LeadService
from bot.outbox import OutboxRelay, Sender
from bot.ports import KnowledgePort
from db.engine import create_engine, session_factory
from db.migrate import upgrade
from db.uow import UnitOfWorkFactory
from knowledge.brokers import BrokerDirectory
from knowledge.faq import Faq

DATA_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "data"
BUILTIN_BROKERS = DATA_DIR / "brokers.json"
BUILTIN_FAQ = DATA_DIR / "faq.json"


@dataclass
class RelayHandle:
    """Lets the engine wake the outbox relay after a commit, if this process runs one."""

    relay: OutboxRelay | None = None

    def wake(self) -> None:
        """Wake the relay (no-op without one)."""
        if self.relay is not None:
            self.relay.wake()


@dataclass
class App:
    """The wired application."""

    settings: Settings
    database: AsyncEngine
    uow: UnitOfWorkFactory
    translator: Translator
    knowledge: KnowledgePort | None
    leads: LeadService
    engine: DialogueEngine
    relay_handle: RelayHandle = field(default_factory=RelayHandle)
    kb_admin: KnowledgeAdmin | None = None

    def create_relay(self, sender: Sender) -> OutboxRelay:
        """Create this process's outbox relay (the runtime runs it)."""
        relay = OutboxRelay(session_factory(self.database), sender)
        self.relay_handle.relay = relay
        return relay

    async def close(self) -> None:
        """Release the database connections (and Redis, when used)."""
        await self.engine.close()
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
    if knowledge is None and with_knowledge:
        knowledge = load_knowledge(settings)
    brokers = BrokerDirectory.load(settings.brokers_file or BUILTIN_BROKERS)
    database = create_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        if migrate:
            await upgrade(database)
    except BaseException:
        await database.dispose()
        raise
    uow = UnitOfWorkFactory(session_factory(database))
    leads = LeadService(
        translator,
        knowledge,
        brokers,
        admin_chat_id=settings.admin_chat_id,
        admin_ids=settings.admin_ids,
        remind_after=timedelta(minutes=settings.lead_reminder_minutes),
    )
    handle = RelayHandle()
    engine = DialogueEngine(
        uow,
        translator,
        knowledge,
        default_locale=settings.default_locale,
        erasure_salt=settings.erasure_salt,
        leads=leads,
        agencies=brokers,
        faq=Faq.load(BUILTIN_FAQ) if BUILTIN_FAQ.is_file() else None,
        on_commit=handle.wake,
        throttle=UserThrottle(settings.user_burst, settings.user_rate),
        locks=RedisKeyedLocks(settings.redis_url) if settings.redis_url else None,
    )
    from bot.knowledge_port import KnowledgeAdapter

    kinds: dict[str, KindSpec] = {
        FAQ: KindSpec(
            parse=parse_faq,
            current=lambda: engine.faq.entries if engine.faq else [],
            apply=lambda entries: engine.use_faq(Faq(list(entries))),
        )
    }
    if isinstance(knowledge, KnowledgeAdapter):
        adapter = knowledge
        kinds[PARTNERS] = KindSpec(
            parse=lambda name, content: parse_upload(name, content, adapter.known_codes()),
            current=adapter.partners,
            apply=adapter.replace_partners,
        )
    kb_admin = KnowledgeAdmin(kinds)
    async with uow() as unit:
        await kb_admin.restore_active(unit)
    return App(settings, database, uow, translator, knowledge, leads, engine, handle, kb_admin)
