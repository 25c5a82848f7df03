"""Backup/restore drill (checklist B5): VACUUM INTO under load, restore, erasures re-applied."""

from __future__ import annotations

import asyncio
import shutil

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from db import backup
from db.engine import create_engine
from db.models import Profile, User
from tests.scenario import full_profile
from tests.support import Talk


async def test_backup_under_load_restore_and_reapply_erasures(settings, is_sqlite, tmp_path):
    if not is_sqlite:
        pytest.skip("VACUUM INTO is SQLite's backup; PostgreSQL uses pg_dump")
    app = await build_app(settings, with_knowledge=False, migrate=True)
    try:
        for user_id in (1, 2, 3):
            await full_profile(Talk(app.engine, user_id=user_id), "en")

        stop = asyncio.Event()

        async def writer() -> None:
            n = 0
            while not stop.is_set():
                await Talk(app.engine, user_id=1000 + n).send("/start")
                n += 1

        load = asyncio.create_task(writer())
        copies = []
        for i in range(5):
            copies.append(await backup.backup_sqlite(app.database, tmp_path / f"b{i}.sqlite3"))
            await asyncio.sleep(0.02)
        stop.set()
        await load

        # User 2 asks to be forgotten after the last backup was taken.
        talk = Talk(app.engine, user_id=2)
        await talk.send("/forget")
        await talk.press_index(0)
    finally:
        await app.close()

    for copy in copies:
        engine = create_engine(f"sqlite+aiosqlite:///{copy}")
        try:
            assert await backup.integrity_ok(engine)
        finally:
            await engine.dispose()

    # Restore the last backup into a new instance: user 2 is back until erasures are re-applied.
    restored = tmp_path / "restored.sqlite3"
    shutil.copy(copies[-1], restored)
    engine = create_engine(f"sqlite+aiosqlite:///{restored}")
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(select(func.count()).where(User.id == 2)) == 1
        # The ledger lives in the live database; a restore keeps the newer ledger rows.
        live = create_engine(settings.database_url)
        async with live.connect() as connection:
            hashes = (await connection.execute(select(backup.Erasure.subject_hash))).scalars().all()
        await live.dispose()
        async with engine.begin() as connection:
            for digest in hashes:
                await connection.execute(
                    backup.Erasure.__table__.insert().values(subject_hash=digest)
                )
        assert await backup.reapply_erasures(engine, settings.erasure_salt) == 1
        async with engine.connect() as connection:
            assert await connection.scalar(select(func.count()).where(User.id == 2)) == 0
            assert (
                await connection.scalar(
                    select(func.count()).select_from(Profile).where(Profile.user_id == 2)
                )
                == 0
            )
            assert await connection.scalar(select(func.count()).select_from(Profile)) == 2
    finally:
        await engine.dispose()
