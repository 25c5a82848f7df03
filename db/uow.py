"""Unit of work: one transaction, the repositories bound to it, commit or roll back as a whole.

A conversation step runs inside exactly one unit of work and commits before the bot
replies, which is what makes restarts lose nothing (cosmicpython, chapter 6).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.repositories import (
    AuditLog,
    ConsentRepository,
    ConversationRepository,
    CounterRepository,
    ErasureLedger,
    EventRepository,
    LeadRepository,
    OutboxRepository,
    ProfileRepository,
    UpdateLog,
    UserRepository,
)


class UnitOfWork:
    """Async context manager around one session; what is not committed is rolled back."""

    users: UserRepository
    conversations: ConversationRepository
    profiles: ProfileRepository
    consents: ConsentRepository
    updates: UpdateLog
    erasures: ErasureLedger
    leads: LeadRepository
    outbox: OutboxRepository
    audit: AuditLog
    events: EventRepository
    counters: CounterRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The open session (only inside ``async with``)."""
        if self._session is None:
            raise RuntimeError("unit of work is not open")
        return self._session

    async def __aenter__(self) -> Self:
        session = self._sessions()
        self._session = session
        self.users = UserRepository(session)
        self.conversations = ConversationRepository(session)
        self.profiles = ProfileRepository(session)
        self.consents = ConsentRepository(session)
        self.updates = UpdateLog(session)
        self.erasures = ErasureLedger(session)
        self.leads = LeadRepository(session)
        self.outbox = OutboxRepository(session)
        self.audit = AuditLog(session)
        self.events = EventRepository(session)
        self.counters = CounterRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the loaded objects
        # without expiring them, so callers may still read what they loaded.
        session = self.session
        self._session = None
        await session.close()

    async def commit(self) -> None:
        """Commit everything done in this unit of work."""
        await self.session.commit()


class UnitOfWorkFactory:
    """Creates units of work; the composition root holds one."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    def __call__(self) -> UnitOfWork:
        """Open a new unit of work (use with ``async with``)."""
        return UnitOfWork(self._sessions)
