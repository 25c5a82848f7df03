"""First end-to-end test: /start, language buttons, the choice stored in the database."""

from __future__ import annotations

from tests.e2e.driver import TelegramUser


async def test_start_shows_language_choice_and_stores_the_choice(runtime):
    user = TelegramUser(runtime.fake, language_code="de")
    await user.send("/start")
    assert "TIBS" in user.text
    _, buttons = user.keyboard()
    assert [b["text"] for b in buttons][:3] == ["English", "Polski", "Latviešu"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    await user.press("Suomi")
    async with runtime.app.uow() as uow:
        stored = await uow.users.get(user.user_id)
        assert stored is not None and stored.locale == "fi"
    assert runtime.fake.calls_of("answerCallbackQuery")
    assert runtime.fake.calls_of("getMe")
