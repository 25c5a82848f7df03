"""Repositories: the only place that knows how rows map to what the services need.

Each repository works inside a session owned by a unit of work; none of them commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    ActionToken,
    AuditEvent,
    ConsentEvent,
    Conversation,
    DailyCounter,
    Erasure,
    Event,
    Lead,
    LeadRecipient,
    OutboxMessage,
    ProcessedUpdate,
    Profile,
    User,
    utcnow,
)


class UserRepository:
    """Users by Telegram id."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> User | None:
        """Return the user or None."""
        return await self._session.get(User, user_id)

    async def get_or_create(self, user_id: int) -> User:
        """Return the user, creating the row on first contact."""
        user = await self._session.get(User, user_id)
        if user is None:
            user = User(id=user_id)
            self._session.add(user)
            await self._session.flush()
        return user

    async def delete(self, user_id: int) -> None:
        """Delete the user; every personal row cascades with it."""
        for model in (ConsentEvent, ProcessedUpdate, Profile, Conversation):
            await self._session.execute(delete(model).where(model.user_id == user_id))
        await self._session.execute(delete(User).where(User.id == user_id))


class ConversationRepository:
    """The dialogue engine's persisted JSON state."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> Conversation | None:
        """Return the stored conversation or None."""
        return await self._session.get(Conversation, user_id)

    async def save(self, user_id: int, step: str, state: dict[str, Any]) -> None:
        """Store the state; a new dict object is assigned so the JSON column is marked dirty."""
        row = await self._session.get(Conversation, user_id)
        if row is None:
            self._session.add(
                Conversation(user_id=user_id, step=step, state=dict(state), version=1)
            )
        else:
            row.step = step
            row.state = dict(state)
            row.version += 1
        await self._session.flush()


class ProfileRepository:
    """Confirmed company profiles."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_user(self, user_id: int) -> Profile | None:
        """Return the profile of a user or None."""
        result = await self._session.execute(select(Profile).where(Profile.user_id == user_id))
        return result.scalar_one_or_none()

    async def upsert(self, user_id: int, fields: dict[str, Any]) -> Profile:
        """Create or replace the profile of a user with ``fields``."""
        profile = await self.get_by_user(user_id)
        if profile is None:
            profile = Profile(user_id=user_id, **fields)
            self._session.add(profile)
        else:
            for key, value in fields.items():
                setattr(profile, key, value)
        await self._session.flush()
        return profile

    async def count(self) -> int:
        """Count profiles (reporting)."""
        from sqlalchemy import func

        result = await self._session.execute(select(func.count()).select_from(Profile))
        return int(result.scalar_one())


class ConsentRepository:
    """Append-only consent events."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, event: ConsentEvent) -> None:
        """Record a consent decision."""
        self._session.add(event)
        await self._session.flush()

    async def for_user(self, user_id: int) -> Sequence[ConsentEvent]:
        """Every consent event of a user, oldest first."""
        result = await self._session.execute(
            select(ConsentEvent).where(ConsentEvent.user_id == user_id).order_by(ConsentEvent.id)
        )
        return result.scalars().all()

    async def has_live_grant(self, user_id: int, purpose: str) -> bool:
        """Tell whether the latest decision for ``purpose`` is a grant."""
        result = await self._session.execute(
            select(ConsentEvent.action)
            .where(ConsentEvent.user_id == user_id, ConsentEvent.purpose == purpose)
            .order_by(ConsentEvent.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none() == "grant"


class UpdateLog:
    """Processed Telegram update ids, for idempotent handling of redelivered updates."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, source: str, update_id: int, user_id: int | None) -> bool:
        """Record ``update_id``; False when it was processed before (nothing is written)."""
        exists = await self._session.execute(
            select(ProcessedUpdate.id).where(
                ProcessedUpdate.source == source, ProcessedUpdate.update_id == update_id
            )
        )
        if exists.first() is not None:
            return False
        try:
            async with self._session.begin_nested():
                self._session.add(
                    ProcessedUpdate(source=source, update_id=update_id, user_id=user_id)
                )
        except IntegrityError:
            return False
        return True


class ErasureLedger:
    """Salted hashes of erased subjects, so restores can re-apply erasures."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, subject_hash: str) -> None:
        """Remember an erasure (idempotent)."""
        found = await self._session.execute(
            select(Erasure.id).where(Erasure.subject_hash == subject_hash)
        )
        if found.first() is None:
            self._session.add(Erasure(subject_hash=subject_hash))
            await self._session.flush()


class OutboxRepository:
    """Outbox rows written in the caller's transaction (the relay sends them later)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(self, message: OutboxMessage) -> bool:
        """Add a message unless one with the same dedupe key exists; True when added."""
        found = await self._session.execute(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == message.dedupe_key)
        )
        if found.first() is not None:
            return False
        self._session.add(message)
        await self._session.flush()
        return True


class LeadRepository:
    """Leads, their recipients and the opaque action tokens on broker buttons."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, sme_user_id: int, partner_id: str) -> Lead | None:
        """The lead of an SME for a partner, if it was requested before."""
        result = await self._session.execute(
            select(Lead).where(Lead.sme_user_id == sme_user_id, Lead.partner_id == partner_id)
        )
        return result.scalar_one_or_none()

    async def get(self, lead_id: int) -> Lead | None:
        """A lead by id."""
        return await self._session.get(Lead, lead_id)

    async def add(self, lead: Lead) -> Lead:
        """Insert a lead (flushes to get its id)."""
        self._session.add(lead)
        await self._session.flush()
        return lead

    async def add_recipient(self, recipient: LeadRecipient) -> None:
        """Record that a broker chat receives this lead."""
        self._session.add(recipient)
        await self._session.flush()

    async def recipients(self, lead_id: int) -> Sequence[LeadRecipient]:
        """Broker chats that got the lead."""
        result = await self._session.execute(
            select(LeadRecipient).where(LeadRecipient.lead_id == lead_id).order_by(LeadRecipient.id)
        )
        return result.scalars().all()

    async def add_token(self, token: ActionToken) -> None:
        """Store an action token."""
        self._session.add(token)
        await self._session.flush()

    async def token(self, token: str) -> ActionToken | None:
        """Look up an action token."""
        return await self._session.get(ActionToken, token)

    async def claim(self, lead_id: int, broker_user_id: int, at: datetime) -> bool:
        """Conditional update: exactly one concurrent claimer sees True."""
        result = await self._session.execute(
            update(Lead)
            .where(Lead.id == lead_id, Lead.status == "new")
            .values(status="claimed", claimed_by=broker_user_id, claimed_at=at, remind_at=None)
        )
        return (result.rowcount or 0) == 1  # type: ignore[attr-defined]

    async def open_for(self, broker_user_id: int) -> Sequence[Lead]:
        """Leads claimed by a broker and not closed."""
        result = await self._session.execute(
            select(Lead)
            .where(Lead.claimed_by == broker_user_id, Lead.status.notin_(("lost", "agreement")))
            .order_by(Lead.id)
        )
        return result.scalars().all()

    async def unclaimed_for_chats(self, chat_ids: Sequence[int]) -> Sequence[Lead]:
        """New leads sent to any of these chats."""
        sent_to = select(LeadRecipient.lead_id).where(LeadRecipient.chat_id.in_(chat_ids))
        result = await self._session.execute(
            select(Lead).where(Lead.status == "new", Lead.id.in_(sent_to)).order_by(Lead.id)
        )
        return result.scalars().all()

    async def due_reminders(self, now: datetime) -> Sequence[Lead]:
        """Unclaimed leads whose reminder time has come."""
        result = await self._session.execute(
            select(Lead).where(Lead.status == "new", Lead.remind_at <= now).order_by(Lead.id)
        )
        return result.scalars().all()


class AuditLog:
    """Append-only audit of broker/admin actions and denied attempts."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, actor_id: int | None, action: str, target: str | None, outcome: str
    ) -> None:
        """Append an audit event."""
        self._session.add(
            AuditEvent(actor_id=actor_id, action=action, target=target, outcome=outcome)
        )
        await self._session.flush()


class EventRepository:
    """Matchmaking events with deep links."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, code: str) -> Event | None:
        """An event by code."""
        return await self._session.get(Event, code)

    async def add(self, event: Event) -> None:
        """Create an event."""
        self._session.add(event)
        await self._session.flush()

    async def all(self) -> Sequence[Event]:
        """Every event, newest first."""
        result = await self._session.execute(select(Event).order_by(Event.starts_on.desc()))
        return result.scalars().all()


class CounterRepository:
    """Bumps anonymous daily counters inside the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def bump(self, name: str, by: int = 1, day: date | None = None) -> None:
        """Add ``by`` to today's counter ``name``."""
        key = (day or utcnow().date(), name)
        row = await self._session.get(DailyCounter, key)
        if row is None:
            self._session.add(DailyCounter(day=key[0], name=name, value=by))
        else:
            row.value += by
        await self._session.flush()

    async def total(self, name: str, since: date | None = None, until: date | None = None) -> int:
        """Sum of a counter over a period."""
        query = select(func.coalesce(func.sum(DailyCounter.value), 0)).where(
            DailyCounter.name == name
        )
        if since is not None:
            query = query.where(DailyCounter.day >= since)
        if until is not None:
            query = query.where(DailyCounter.day <= until)
        return int((await self._session.execute(query)).scalar_one())
