"""Storage: SQLite pragmas, immediate write transactions, migrations up and down (B2-B4)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, inspect, text

from db.engine import create_engine, session_factory
from db.migrate import current_revision, downgrade, upgrade
from db.models import Base
from db.uow import UnitOfWorkFactory


async def test_every_connection_has_wal_busy_timeout_and_foreign_keys(db_url, is_sqlite):
    if not is_sqlite:
        pytest.skip("SQLite pragmas")
    engine = create_engine(db_url, busy_timeout_ms=5000)
    try:
        for _ in range(3):
            async with engine.connect() as connection:
                journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
                timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
                keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
                assert (journal, keys) == ("wal", 1)
                assert timeout >= 5000
    finally:
        await engine.dispose()


async def test_write_transactions_begin_immediate_and_reads_deferred(db_url, is_sqlite):
    if not is_sqlite:
        pytest.skip("SQLite transaction modes")
    engine = create_engine(db_url)
    statements: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _record(conn, cursor, statement, *args):
        statements.append(statement)

    try:
        await upgrade(engine)
        statements.clear()
        async with UnitOfWorkFactory(session_factory(engine))() as uow:
            await uow.users.get_or_create(5)
            await uow.commit()
        async with UnitOfWorkFactory(session_factory(engine, readonly=True))() as uow:
            await uow.users.get(5)
    finally:
        await engine.dispose()
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]


async def test_concurrent_writers_never_see_database_is_locked(db_url):
    engine = create_engine(db_url, busy_timeout_ms=5000)
    await upgrade(engine)
    uow_factory = UnitOfWorkFactory(session_factory(engine))

    async def writer(worker: int) -> None:
        for i in range(25):
            async with uow_factory() as uow:
                user = await uow.users.get_or_create(worker * 1000 + i)
                await uow.conversations.save(user.id, "x", {"i": i})
                await uow.commit()

    try:
        await asyncio.gather(*(writer(w) for w in range(8)))
        async with engine.connect() as connection:
            count = (await connection.execute(text("SELECT count(*) FROM conversations"))).scalar()
        assert count == 200
    finally:
        await engine.dispose()


async def test_migrations_round_trip(db_url):
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        assert await current_revision(engine) is not None
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert set(Base.metadata.tables) <= tables
        await downgrade(engine, "base")
        assert await current_revision(engine) is None
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert not set(Base.metadata.tables) & tables
        await upgrade(engine)
        assert await current_revision(engine) is not None
    finally:
        await engine.dispose()


async def test_models_and_migrations_agree(db_url):
    """Autogenerate finds nothing to do: every model change has a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
        assert diff == []
    finally:
        await engine.dispose()
