"""The profiling conversation against the real engine and a real SQLite database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect, select, text

from bot.app import build_app
from bot.config import Settings
from db.models import ConsentEvent, Conversation, ProcessedUpdate, Profile, User
from tests.scenario import COMPANY, CONTACT, answer_until_consent, choose_language, full_profile
from tests.support import Talk


async def test_start_offers_language_choice_and_stores_it(bare_app):
    talk = Talk(bare_app.engine, language_code="de-AT")
    await talk.send("/start")
    assert "TIBS" in talk.text
    assert [b.label for b in talk.buttons][:2] == ["English", "Polski"]
    await talk.press("Latviešu")
    async with bare_app.uow() as uow:
        user = await uow.users.get(42)
        assert user is not None and user.locale == "lv"


async def test_client_language_is_the_first_guess(bare_app):
    talk = Talk(bare_app.engine, language_code="de-AT")
    await talk.send("/start")
    async with bare_app.uow() as uow:
        assert (await uow.users.get(42)).locale == "de"


async def test_full_profile_is_saved_with_consent_record(bare_app):
    talk = Talk(bare_app.engine)
    await full_profile(talk, "en")
    async with bare_app.uow() as uow:
        profile = await uow.profiles.get_by_user(42)
        assert profile is not None
        assert profile.company_name == COMPANY
        assert profile.country == "PL"
        assert profile.region == "Podlaskie"
        assert profile.size_class == "small"
        assert profile.cooperation == ["commercial"]
        assert profile.target_countries == ["DE", "DK"]
        assert profile.languages == ["en"]
        assert profile.email == CONTACT[1]
        assert profile.phone == "+48851234567"
        events = await uow.consents.for_user(42)
        assert [e.action for e in events] == ["grant"]
        assert events[0].language == "en" and len(events[0].notice_sha256) == 64
        assert events[0].at is not None


async def test_summary_escapes_html_in_user_input(bare_app):
    talk = Talk(bare_app.engine)
    await choose_language(talk, "en")
    await answer_until_consent(talk, "en")
    await talk.press_index(1)  # decline contact data
    assert "Mebelux &lt;Oak&gt; &amp; Sons" in talk.text
    assert "<Oak>" not in talk.text


async def test_declining_consent_skips_contact_questions(bare_app):
    talk = Talk(bare_app.engine)
    await choose_language(talk, "en")
    await answer_until_consent(talk, "en")
    await talk.press_index(1)
    assert "Is everything correct?" in talk.text
    await talk.press("\u2705")
    async with bare_app.uow() as uow:
        profile = await uow.profiles.get_by_user(42)
        assert profile is not None and profile.email is None
        assert await uow.consents.for_user(42) == []


async def test_restart_mid_flow_loses_nothing(settings: Settings):
    first = await build_app(settings, with_knowledge=False, migrate=True)
    talk = Talk(first.engine)
    await choose_language(talk, "en")
    await talk.send("Baltic Boats OU")
    await talk.press_index(2)  # Estonia
    await first.close()

    second = await build_app(settings, with_knowledge=False)
    talk = Talk(second.engine)
    await talk.send("/start")
    assert "Welcome back" in talk.text
    assert "which region" in talk.text.lower()
    await talk.send("Valgamaa")
    async with second.uow() as uow:
        state = (await uow.conversations.get(42)).state
    assert state["answers"]["company_name"] == "Baltic Boats OU"
    assert state["answers"]["country"] == "EE"
    assert state["answers"]["region"] == "Valgamaa"
    await second.close()


async def test_duplicate_update_is_ignored(bare_app):
    talk = Talk(bare_app.engine)
    await talk.send("/start", update_id=1)
    await talk.press_index(0)
    replies = await talk.send("Firma A", update_id=77)
    assert replies
    again = await talk.send("Firma B", update_id=77)
    assert again == []
    async with bare_app.uow() as uow:
        state = (await uow.conversations.get(42)).state
        assert state["answers"]["company_name"] == "Firma A"
        rows = (await uow.session.execute(select(ProcessedUpdate))).scalars().all()
        assert sorted(r.update_id for r in rows).count(77) == 1


@pytest.mark.parametrize(
    "forged", ["", "x", "deadbeef.0", "0" * 64, "../../etc", "1.999", "\u0000\u202e", "a" * 500]
)
async def test_forged_button_data_executes_nothing(bare_app, forged):
    talk = Talk(bare_app.engine)
    await talk.send("/start")
    await talk.press_index(0)
    await talk.send("Firma A")
    async with bare_app.uow() as uow:
        before = (await uow.conversations.get(42)).state["answers"]
    await talk.press_id(forged)
    assert "no longer active" in talk.text
    assert "Which country" not in talk.text or "In which country" in talk.text
    async with bare_app.uow() as uow:
        after = (await uow.conversations.get(42)).state["answers"]
    assert after == before


async def test_stale_button_from_earlier_step_is_rejected(bare_app):
    talk = Talk(bare_app.engine)
    await talk.send("/start")
    stale = talk.buttons[1].id  # "Polski" on the language question
    await talk.press_index(0)
    await talk.press_id(stale)
    assert "no longer active" in talk.text
    async with bare_app.uow() as uow:
        assert (await uow.users.get(42)).locale == "en"


async def test_bad_inputs_get_clear_answers(bare_app):
    talk = Talk(bare_app.engine)
    await talk.send("/start")
    await talk.press_index(0)
    await talk.unsupported()
    assert "only read text" in talk.text
    await talk.send("x" * 4000)
    assert "too long" in talk.text and "4,000" in talk.text and "120" in talk.text
    await talk.send("\u0000\u0007\u200b\u202e")
    assert "at least 2 characters" in talk.text
    await talk.send("Firma \U0001f600 Test")
    await talk.send("Atlantis")  # not a button on the country question
    assert "choose one of the buttons" in talk.text
    await talk.send("/nonsense")
    assert "/help" in talk.text
    await talk.send("poland")  # typed button label works
    assert "region" in talk.text.lower()
    async with bare_app.uow() as uow:
        answers = (await uow.conversations.get(42)).state["answers"]
    assert answers["company_name"] == "Firma \U0001f600 Test"
    assert answers["country"] == "PL"


async def test_invalid_email_and_phone_are_refused(bare_app):
    talk = Talk(bare_app.engine)
    await choose_language(talk, "en")
    await answer_until_consent(talk, "en")
    await talk.press_index(0)
    await talk.send("Jan Kowalski")
    await talk.send("jan at mebelux")
    assert "e-mail address" in talk.text
    await talk.send("jan@mebelux.pl")
    await talk.send("call me maybe")
    assert "phone number" in talk.text
    await talk.press("\u23ed")  # skip phone
    assert "Is everything correct?" in talk.text


async def test_back_and_edit_from_summary(bare_app):
    talk = Talk(bare_app.engine)
    await choose_language(talk, "en")
    await talk.send("First Name Ltd")
    await talk.press("\u25c0")  # back to the company name
    assert "name of your company" in talk.text
    await talk.send("Second Name Ltd")
    await talk.press_index(1)  # Latvia
    await talk.press("\u25c0")
    assert "which country" in talk.text.lower()
    await full_profile(talk, "en")
    await talk.send("/profile")
    from datetime import date

    assert "Profile saved on" in talk.text and str(date.today().year) in talk.text
    await talk.press("\u270f")
    await talk.press("Company")
    await talk.send("Renamed Ltd")
    assert "Renamed Ltd" in talk.text and "Is everything correct?" in talk.text
    await talk.press("\u2705")
    async with bare_app.uow() as uow:
        assert (await uow.profiles.get_by_user(42)).company_name == "Renamed Ltd"


async def test_language_switch_mid_flow_returns_to_the_same_question(bare_app):
    talk = Talk(bare_app.engine)
    await choose_language(talk, "en")
    await talk.send("Firma")
    await talk.send("/language")
    await talk.press("Deutsch")
    async with bare_app.uow() as uow:
        assert (await uow.users.get(42)).locale == "de"
        assert (await uow.conversations.get(42)).step == "country"


async def test_export_contains_everything_held(bare_app):
    talk = Talk(bare_app.engine)
    await full_profile(talk, "en")
    replies = await talk.send("/export")
    documents = [r.document for r in replies if r.document]
    assert len(documents) == 1
    data = json.loads(documents[0].content)
    assert data["profile"]["company_name"] == COMPANY
    assert data["profile"]["email"] == CONTACT[1]
    assert data["consent_events"][0]["action"] == "grant"
    assert data["user"]["telegram_id"] == 42


async def test_forget_erases_every_personal_record(bare_app):
    talk = Talk(bare_app.engine)
    await full_profile(talk, "en")
    await talk.send("/forget")
    await talk.press_index(1)  # "No, keep my data"
    async with bare_app.uow() as uow:
        assert await uow.profiles.get_by_user(42) is not None
    await talk.send("/forget")
    await talk.press_index(0)
    assert "erased" in talk.text
    async with bare_app.uow() as uow:
        session = uow.session
        for model in (User, Profile, Conversation, ConsentEvent, ProcessedUpdate):
            assert (await session.execute(select(model))).first() is None, model
        # Schema-driven scan: no text column anywhere still holds the person's data.
        tables = await session.run_sync(lambda s: inspect(s.connection()).get_table_names())
        needles = [COMPANY, *CONTACT, "+48851234567", "Mebelux"]
        for table in tables:
            for row in (await session.execute(text(f'SELECT * FROM "{table}"'))).all():
                blob = " ".join(str(value) for value in row)
                assert not any(needle in blob for needle in needles), table


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("en", "how much does it cost?"),
        ("pl", "ile to kosztuje"),
        ("lv", "cik tas maksa"),
        ("et", "kui palju see maksab"),
        ("lt", "kiek tai kainuoja"),
        ("fi", "paljonko tama maksaa"),
        ("de", "was kostet das"),
        ("da", "hvad koster det"),
    ],
)
async def test_faq_answers_mid_interview_in_the_users_language(bare_app, lang, question):
    from bot.app import BUILTIN_FAQ
    from knowledge.faq import Faq

    cost = next(e for e in Faq.load(BUILTIN_FAQ).entries if e.id == "cost")
    talk = Talk(bare_app.engine, language_code=lang)
    await choose_language(talk, lang)
    await talk.send(question)  # on a free-text question: answered, not taken as the name
    assert cost.answers[lang] in talk.text
    async with bare_app.uow() as uow:
        assert "company_name" not in (await uow.conversations.get(42)).state["answers"]
    await talk.send("Mebelux")
    await talk.send(question)  # on a button question
    assert cost.answers[lang] in talk.text
    async with bare_app.uow() as uow:
        state = (await uow.conversations.get(42)).state
    assert state["answers"]["company_name"] == "Mebelux" and state["step"] == "country"
