"""Warm leads through Telegram: routing, claims in group chats, faults, restarts, forgeries."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets

import pytest
from sqlalchemy import select

from db.models import OutboxMessage
from tests.e2e.conftest import start_runtime
from tests.e2e.driver import TelegramUser
from tests.scenario import CONTACT, full_profile

PODLASKIE_CHAT = -1001000000001
ANNA = 900001  # the Podlaskie demo broker


async def _introduce(runtime, user_id: int = 4242) -> TelegramUser:
    """An SME completes its profile and asks to be introduced to its best match."""
    user = TelegramUser(runtime.fake, user_id=user_id)
    await full_profile(user, "en")
    await user.press("#1")
    assert "went to the innovation brokers" in user.text
    return user


def _cards(fake, chat_id: int) -> list[dict]:
    return [m for m in fake.sent(chat_id) if "reply_markup" in m and "#" in m.get("text", "")]


async def _wait_cards(fake, chat_id: int, count: int = 1) -> list[dict]:
    await fake.wait_for(lambda: len(_cards(fake, chat_id)) >= count, timeout=15)
    return _cards(fake, chat_id)


def _partner_chat(runtime) -> int:
    lead_chats = {
        int(c.params["chat_id"])
        for c in runtime.fake.calls_of("sendMessage")
        if int(c.params["chat_id"]) < 0
    }
    others = lead_chats - {PODLASKIE_CHAT}
    assert len(others) == 1, lead_chats
    return others.pop()


async def test_lead_reaches_both_regions_without_personal_data(runtime):
    await _introduce(runtime)
    card = (await _wait_cards(runtime.fake, PODLASKIE_CHAT))[0]
    partner_chat = _partner_chat(runtime)
    other = (await _wait_cards(runtime.fake, partner_chat))[0]
    assert card["text"] != other["text"]  # Polish and the partner broker's language
    for message in (card, other):
        blob = json.dumps(message, ensure_ascii=False)
        assert not any(personal in blob for personal in (*CONTACT, "+48851234567"))


async def test_claim_in_the_group_reveals_contacts_privately(runtime):
    sme = await _introduce(runtime)
    card = (await _wait_cards(runtime.fake, PODLASKIE_CHAT))[0]
    claim = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    broker = TelegramUser(runtime.fake, user_id=ANNA, language_code="pl")
    runtime.fake.push_update(
        runtime.fake.callback_update(
            ANNA, claim, message_id=card["message_id"], chat_id=PODLASKIE_CHAT
        )
    )
    await runtime.fake.wait_for(
        lambda: any(CONTACT[1] in m.get("text", "") for m in runtime.fake.sent(ANNA)), timeout=15
    )
    await runtime.fake.wait_for(
        lambda: any("Anna Demo" in m.get("text", "") for m in runtime.fake.sent(sme.user_id)),
        timeout=15,
    )
    answers = runtime.fake.calls_of("answerCallbackQuery")
    assert any("#1" in str(a.params.get("text")) for a in answers)
    await broker.send("/leads")
    assert "#1" in broker.text


async def test_many_brokers_press_claim_at_once_one_wins(runtime):
    await _introduce(runtime)
    card = (await _wait_cards(runtime.fake, PODLASKIE_CHAT))[0]
    claim = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    brokers = [900001, 900002, 900003, 900004, 900005, 900006, 900007]
    before = len(runtime.fake.calls_of("answerCallbackQuery"))
    for broker in brokers:
        runtime.fake.push_update(
            runtime.fake.callback_update(
                broker, claim, message_id=card["message_id"], chat_id=PODLASKIE_CHAT
            )
        )
    await runtime.fake.wait_for(
        lambda: len(runtime.fake.calls_of("answerCallbackQuery")) >= before + len(brokers)
    )
    answers = runtime.fake.calls_of("answerCallbackQuery")[before:]
    winners = [a for a in answers if str(a.params.get("show_alert")).lower() not in ("true", "1")]
    assert len(winners) == 1
    async with runtime.app.uow() as uow:
        lead = await uow.leads.get(1)
    assert lead.status == "claimed" and lead.claimed_by in brokers


async def test_forged_and_unauthorised_clicks_change_nothing(runtime):
    await _introduce(runtime)
    card = (await _wait_cards(runtime.fake, PODLASKIE_CHAT))[0]
    claim = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    before = len(runtime.fake.calls_of("answerCallbackQuery"))
    pushes = [(555_555, claim)] + [(ANNA, "L:" + secrets.token_urlsafe(12)) for _ in range(30)]
    pushes += [(ANNA, secrets.token_urlsafe(40)[:64]) for _ in range(10)]
    for user_id, data in pushes:
        runtime.fake.push_update(
            runtime.fake.callback_update(
                user_id, data, message_id=card["message_id"], chat_id=PODLASKIE_CHAT
            )
        )
    await runtime.fake.wait_for(
        lambda: len(runtime.fake.calls_of("answerCallbackQuery")) >= before + len(pushes)
    )
    async with runtime.app.uow() as uow:
        lead = await uow.leads.get(1)
    assert lead.status == "new" and lead.claimed_by is None
    assert not any(CONTACT[1] in m.get("text", "") for m in runtime.fake.sent(555_555))


@pytest.mark.parametrize("fault", ["429", "500", "502", "disconnect"])
async def test_notifications_survive_telegram_faults_without_duplicates(runtime, fault):
    fake = runtime.fake
    if fault == "429":
        fake.inject("sendMessage", 429, retry_after=1, times=3, chat_id=PODLASKIE_CHAT)
    elif fault == "disconnect":
        fake.inject("sendMessage", disconnect=True, times=2, chat_id=PODLASKIE_CHAT)
    else:
        fake.inject(
            "sendMessage", int(fault), "Internal Server Error", times=3, chat_id=PODLASKIE_CHAT
        )
    await _introduce(runtime)
    cards = await _wait_cards(fake, PODLASKIE_CHAT)
    await asyncio.sleep(0.5)
    assert len(_cards(fake, PODLASKIE_CHAT)) == len(cards) == 1
    if fault == "429":
        attempts = [
            c.at
            for c in fake.calls_of("sendMessage")
            if str(c.params.get("chat_id")) == str(PODLASKIE_CHAT)
        ]
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(attempts))


async def test_pending_notifications_are_sent_after_a_restart(fake, settings):
    first = await start_runtime(fake, settings, relay=False)
    await _introduce(first)
    await first.shutdown()
    assert _cards(fake, PODLASKIE_CHAT) == []
    second = await start_runtime(fake, settings)
    try:
        await _wait_cards(fake, PODLASKIE_CHAT)
        statuses: list[str] = []
        for _ in range(100):
            async with second.app.uow() as uow:
                statuses = list((await uow.session.execute(select(OutboxMessage.status))).scalars())
            if statuses and set(statuses) == {"sent"}:
                break
            await asyncio.sleep(0.1)
        assert statuses and set(statuses) == {"sent"}
    finally:
        await second.shutdown()
