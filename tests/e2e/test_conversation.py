"""The profiling conversation through Telegram's wire format, in all eight languages."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import inspect, text

from tests.e2e.conftest import start_runtime
from tests.e2e.driver import TelegramUser
from tests.english_leaks import leaks
from tests.scenario import COMPANY, CONTACT, LANGS, choose_language, full_profile


@pytest.mark.parametrize("lang", LANGS)
async def test_full_profile_in_every_language(runtime, is_sqlite, lang):
    if not is_sqlite and lang != "pl":
        pytest.skip("one language is enough to exercise PostgreSQL end to end")
    user = TelegramUser(runtime.fake, language_code=lang)
    await full_profile(user, lang)
    await user.send("/matches")
    await user.send("/help")
    async with runtime.app.uow() as uow:
        profile = await uow.profiles.get_by_user(user.user_id)
    assert profile is not None and profile.locale == lang
    assert profile.company_name == COMPANY and profile.email == CONTACT[1]
    assert leaks(user.seen, lang) == []
    # Every message the bot sent passed the fake's Telegram validation (HTML, length, data).
    assert all(m.get("text") for m in runtime.fake.sent(user.user_id))


async def test_restart_mid_flow_continues_at_the_same_question(fake, settings):
    first = await start_runtime(fake, settings)
    user = TelegramUser(fake, language_code="lt")
    await choose_language(user, "lt")
    await user.send("UAB Baldai")
    await user.press_index(3)  # Lithuania
    question = user.text
    await first.shutdown()

    second = await start_runtime(fake, settings)
    try:
        await user.send("/start")
        assert question.splitlines()[-1] in user.text  # the region question again
        await user.send("Kaunas")
        async with second.app.uow() as uow:
            answers = (await uow.conversations.get(user.user_id)).state["answers"]
        assert answers["company_name"] == "UAB Baldai" and answers["country"] == "LT"
        assert answers["region"] == "Kaunas"
    finally:
        await second.shutdown()


async def test_export_sends_a_json_document(runtime):
    user = TelegramUser(runtime.fake)
    await full_profile(user, "en")
    await user.send("/export")
    documents = runtime.fake.calls_of("sendDocument")
    assert len(documents) == 1
    [message] = [m for m in runtime.fake.sent(user.user_id) if "document" in m]
    file_id = message["document"]["file_id"]
    content, _ = runtime.fake.files[file_id]
    data = json.loads(content)
    assert data["profile"]["email"] == CONTACT[1]
    assert data["consent_events"][0]["language"] == "en"


async def test_forget_leaves_no_personal_data(runtime):
    user = TelegramUser(runtime.fake)
    await full_profile(user, "en")
    await user.send("/forget")
    await user.press_index(0)
    async with runtime.app.uow() as uow:
        session = uow.session
        tables = await session.run_sync(lambda s: inspect(s.connection()).get_table_names())
        needles = [COMPANY, *CONTACT, "+48851234567", str(user.user_id)]
        for table in tables:
            for row in (await session.execute(text(f'SELECT * FROM "{table}"'))).all():
                blob = " ".join(str(value) for value in row)
                assert not any(needle in blob for needle in needles), table


async def test_bad_inputs_get_clear_answers_and_lose_nothing(runtime):
    user = TelegramUser(runtime.fake)
    await choose_language(user, "en")
    for kind in ("sticker", "photo", "voice"):
        await user.send_kind(kind)
        assert "only read text" in user.text
    await user.send("A" * 4000)
    assert "too long" in user.text
    await user.send("\u202e\u0007 \u200b")
    assert "at least" in user.text
    await user.send("Firma \U0001f680 <b>&</b>")
    await user.send("/help")
    assert "/profile" in user.text and "which country" in user.text.lower()
    message_id, _ = user.keyboard()
    for _ in range(20):
        await user.press_data(message_id, secrets.token_urlsafe(48)[:64])
        assert "no longer active" in user.text
    await user.send("Atlantis")
    assert "choose one of the buttons" in user.text
    async with runtime.app.uow() as uow:
        state = (await uow.conversations.get(user.user_id)).state
    assert state["step"] == "country"
    assert state["answers"]["company_name"] == "Firma \U0001f680 <b>&</b>"


async def test_redelivered_update_is_processed_once(runtime):
    user = TelegramUser(runtime.fake)
    await user.send("/start")
    update = runtime.fake.message_update(user.user_id, "/help")
    update["update_id"] = 9_000_001
    runtime.fake.push_update(update)
    await runtime.fake.wait_for(lambda: len(runtime.fake.sent(user.user_id)) >= 3)
    runtime.fake.push_update(dict(update))
    await user._quiet(0.4)
    helps = [m for m in runtime.fake.sent(user.user_id) if "/profile" in m.get("text", "")]
    assert len(helps) == 1
