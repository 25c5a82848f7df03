"""The whole conversation in every language, with the real knowledge base: no English leaks."""

from __future__ import annotations

import pytest

from tests.english_leaks import leaks
from tests.scenario import LANGS, full_profile
from tests.support import Talk


class RecordingTalk(Talk):
    """A Talk that keeps every text it was shown."""

    seen: list[str]

    def _remember(self, replies):
        self.__dict__.setdefault("seen", []).extend(r.text for r in replies)
        return super()._remember(replies)


@pytest.mark.parametrize("lang", LANGS)
async def test_full_conversation_in_every_language(app, lang):
    talk = RecordingTalk(app.engine, language_code=lang)
    await full_profile(talk, lang)
    await talk.send("/help")
    await talk.send("/privacy")
    await talk.send("/matches")
    await talk.send("/profile")
    async with app.uow() as uow:
        profile = await uow.profiles.get_by_user(42)
        assert profile is not None and profile.locale == lang
    assert leaks(talk.seen, lang) == []
    assert all(len(text) <= 4096 for text in talk.seen)
