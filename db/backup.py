"""Backups and the erasure ledger: a restored backup must not bring erased people back.

SQLite backups use ``VACUUM INTO`` (a consistent copy while the bot keeps writing); for
PostgreSQL, ``pg_dump`` is the tool. After any restore, :func:`reapply_erasures` deletes
every user whose salted hash is in the ledger.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import is_sqlite, session_factory
from db.models import Erasure, User
from db.uow import UnitOfWorkFactory


def subject_hash(salt: str, user_id: int) -> str:
    """The ledger key of a user (no id is stored in clear)."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()


async def backup_sqlite(engine: AsyncEngine, target: Path) -> Path:
    """Write a consistent copy of an SQLite database to ``target`` (must not exist)."""
    if not is_sqlite(str(engine.url)):
        raise ValueError("VACUUM INTO backs up SQLite only; use pg_dump for PostgreSQL")
    if await asyncio.to_thread(target.exists):
        raise FileExistsError(target)
    await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        cursor = await raw.driver_connection.execute("VACUUM INTO ?", (str(target),))  # type: ignore[union-attr]
        await cursor.close()
    return target


async def integrity_ok(engine: AsyncEngine) -> bool:
    """``PRAGMA integrity_check`` on SQLite (always True elsewhere)."""
    if not is_sqlite(str(engine.url)):
        return True
    async with engine.connect() as connection:
        return (await connection.execute(text("PRAGMA integrity_check"))).scalar() == "ok"


async def reapply_erasures(engine: AsyncEngine, salt: str) -> int:
    """Delete every user named in the erasure ledger; returns how many were found."""
    uow_factory = UnitOfWorkFactory(session_factory(engine))
    async with uow_factory() as uow:
        ledger = set((await uow.session.execute(select(Erasure.subject_hash))).scalars())
        user_ids = (await uow.session.execute(select(User.id))).scalars().all()
        erased = [uid for uid in user_ids if subject_hash(salt, uid) in ledger]
        for user_id in erased:
            await uow.users.delete(user_id)
        await uow.commit()
    return len(erased)
