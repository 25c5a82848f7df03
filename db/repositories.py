"""Repositories: the only place that knows how rows map to what the services need.

Each repository works inside a session owned by a unit of work; none of them commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ConsentEvent, Conversation, Erasure, ProcessedUpdate, Profile, User


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
