"""Admins through Telegram: upload, validate, diff, apply, use, roll back; hostile files; /stats."""

from __future__ import annotations

import csv
import io
import time
import zipfile

import pytest

from bot.app import DATA_DIR
from tests.e2e.conftest import start_runtime
from tests.e2e.driver import TelegramUser

ADMIN = 1_000_001


@pytest.fixture
async def admin_runtime(fake, settings):
    running = await start_runtime(fake, settings.model_copy(update={"admin_ids": [ADMIN]}))
    try:
        yield running
    finally:
        await running.shutdown()


def _registry(mutate=None) -> bytes:
    rows = list(csv.DictReader(io.StringIO((DATA_DIR / "partners.csv").read_text("utf-8"))))
    if mutate:
        rows = mutate(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def _upload(user: TelegramUser, content: bytes, filename: str) -> None:
    fake = user.fake
    file_id = fake.add_file(content, filename)
    update = fake.message_update(user.user_id, None, kind="none")
    update["message"]["document"] = {
        "file_id": file_id,
        "file_unique_id": "u" + file_id,
        "file_name": filename,
        "file_size": len(content),
    }
    await user._act(update)


def _changed(rows):
    rows = rows[1:]  # removes the first partner
    rows[0] = {**rows[0], "offers": rows[0]["offers"] + " Now also in bamboo."}
    rows.append({**rows[1], "id": "DE-9999", "name": "Neue Partner GmbH"})
    return rows


async def test_upload_diff_apply_use_and_rollback(admin_runtime):
    app = admin_runtime.app
    admin = TelegramUser(admin_runtime.fake, user_id=ADMIN)
    original = {p.id for p in app.kb_admin.current()}
    await _upload(admin, _registry(_changed), "partners.csv")
    assert "Added: 1" in admin.text and "Changed: 1" in admin.text and "Removed: 1" in admin.text
    assert "DE-9999" in admin.text
    assert {p.id for p in app.kb_admin.current()} == original  # not before confirmation
    await admin.press("\u2705", expect_reply=False)
    now = {p.id for p in app.kb_admin.current()}
    assert "DE-9999" in now and len(now) == len(original)
    await _upload(admin, _registry(lambda rows: rows[:50]), "small.csv")
    await admin.press("\u2705", expect_reply=False)
    assert len(app.kb_admin.current()) == 50
    async with app.uow() as uow:
        first = min(v.id for v in await app.kb_admin.versions(uow))
    await admin.send(f"/kb_rollback {first}")
    assert "DE-9999" in {p.id for p in app.kb_admin.current()}
    await admin.send("/kb_versions")
    assert "small.csv" in admin.text and "retired" in admin.text
    await admin.send("/kb_export")
    exported = [m for m in admin_runtime.fake.sent(ADMIN) if "document" in m][-1]
    content, _ = admin_runtime.fake.files[exported["document"]["file_id"]]
    assert b"DE-9999" in content


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("partners.csv", b"id;name\n1;x\n", "row 1"),
        ("partners.csv", _registry(lambda r: [{**r[0], "country": "XX"}, *r[1:]]), "row 2"),
        ("partners.xlsx", b"id,name,country\n", "XLSX"),
        ("partners.xlsx", _zip_bomb(), "row 0"),
        ("partners.exe", b"MZ\x90\x00", "unsupported"),
    ],
)
async def test_hostile_or_malformed_files_change_nothing(admin_runtime, name, content, expected):
    app = admin_runtime.app
    before = app.kb_admin.current()
    admin = TelegramUser(admin_runtime.fake, user_id=ADMIN)
    started = time.perf_counter()
    await _upload(admin, content, name)
    assert time.perf_counter() - started < 10
    assert "rejected" in admin.text and expected in admin.text
    assert app.kb_admin.current() is before


async def test_non_admins_are_refused_and_audited(admin_runtime):
    from sqlalchemy import select

    from db.models import AuditEvent

    user = TelegramUser(admin_runtime.fake, user_id=31337)
    for command in ("/stats", "/kb_versions", "/kb_rollback 1", "/kb_export"):
        await user.send(command)
        assert "administrators" in user.text
    await _upload(user, _registry(), "partners.csv")  # a file from a non-admin: unreadable
    assert "only read text" in user.text
    async with admin_runtime.app.uow() as uow:
        denied = (
            (
                await uow.session.execute(
                    select(AuditEvent.action).where(AuditEvent.outcome == "denied")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(denied) == ["kb_export", "kb_rollback", "kb_versions", "stats"]


async def test_stats_sends_text_and_a_chart(admin_runtime):
    admin = TelegramUser(admin_runtime.fake, user_id=ADMIN)
    await admin.send("/stats")
    assert "TIBS" in admin.text
    photos = admin_runtime.fake.calls_of("sendPhoto")
    assert len(photos) == 1
    png = next(iter(v for k, v in photos[0].files.items() if not k.endswith("#name")))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


async def test_faq_upload_is_used_without_restart_and_rolls_back(admin_runtime):
    import json

    app = admin_runtime.app
    admin = TelegramUser(admin_runtime.fake, user_id=ADMIN)
    data = json.loads((DATA_DIR / "faq.json").read_text("utf-8"))
    cost = next(e for e in data["entries"] if e["id"] == "cost")
    cost["answer"]["en"] = "It is free of charge for every SME (updated answer)."
    await _upload(admin, json.dumps(data).encode(), "faq.json")
    assert "FAQ" in admin.text and "Changed: 1" in admin.text
    await admin.press("\u2705", expect_reply=False)
    sme = TelegramUser(admin_runtime.fake, user_id=777)
    await sme.send("/start")
    await sme.press_index(0)
    await sme.send("how much does it cost?")
    assert "updated answer" in sme.text
    broken = {"entries": [{"id": "x"}]}
    await _upload(admin, json.dumps(broken).encode(), "faq.json")
    assert "rejected" in admin.text
    async with app.uow() as uow:
        faq_versions = [v for v in await app.kb_admin.versions(uow) if v.kind == "faq"]
    assert [v.status for v in faq_versions] == ["active"]
