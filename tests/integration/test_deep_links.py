"""Regional entry points: deep links per agency, event tags, hostile payloads, QR codes."""

from __future__ import annotations

import random
import string
import struct
from datetime import date, timedelta

import pytest

from bot.cli import main as tibs
from bot.deeplinks import StartLink, parse_start_payload
from db.models import Event
from knowledge.brokers import BrokerDirectory
from tests.scenario import CONTACT, answer_until_consent
from tests.support import Talk

AGENCIES = {  # link code -> (broker id, language the conversation starts in)
    "podlaskie": ("pl-podlaskie", "pl"),
    "vidzeme": ("lv-vidzeme", "lv"),
    "valga": ("ee-valga", "et"),
    "lithuania": ("lt-national", "lt"),
    "kouvola": ("fi-kymenlaakso", "fi"),
    "hamburg": ("de-hamburg", "de"),
    "aabenraa": ("dk-southern", "da"),
}


@pytest.mark.parametrize("code", sorted(AGENCIES))
async def test_agency_link_sets_language_and_tags_the_profile(bare_app, code):
    broker_id, lang = AGENCIES[code]
    talk = Talk(bare_app.engine, language_code="en")
    await talk.send(f"/start {code}")
    async with bare_app.uow() as uow:
        assert (await uow.users.get(42)).locale == lang
    await talk.press_index(("en", "pl", "lv", "et", "lt", "fi", "de", "da").index(lang))
    await answer_until_consent(talk, lang)
    await talk.press_index(0)
    for value in CONTACT:
        await talk.send(value)
    await talk.press("\u2705")
    async with bare_app.uow() as uow:
        profile = await uow.profiles.get_by_user(42)
    assert profile.source == broker_id and profile.event is None


async def test_event_link_tags_the_event_only_while_it_runs(bare_app):
    today = date.today()
    async with bare_app.uow() as uow:
        await uow.events.add(
            Event(
                code="hanse-2026",
                agency="de-hamburg",
                name="Hanse B2B",
                starts_on=today - timedelta(days=1),
                ends_on=today + timedelta(days=1),
            )
        )
        await uow.events.add(
            Event(
                code="old-fair",
                agency="de-hamburg",
                name="Old",
                starts_on=today - timedelta(days=30),
                ends_on=today - timedelta(days=20),
            )
        )
        await uow.commit()
    talk = Talk(bare_app.engine, user_id=1)
    await talk.send("/start hamburg_hanse-2026")
    old = Talk(bare_app.engine, user_id=2)
    await old.send("/start hamburg_old-fair")
    other = Talk(bare_app.engine, user_id=3)
    await other.send("/start podlaskie_hanse-2026")  # event of another agency
    async with bare_app.uow() as uow:
        tags = [(await uow.conversations.get(u)).state["answers"] for u in (1, 2, 3)]
    assert tags[0] == {"source": "de-hamburg", "event": "hanse-2026"}
    assert tags[1] == {"source": "de-hamburg"}
    assert tags[2] == {"source": "pl-podlaskie"}


async def test_lead_from_an_agency_link_routes_to_that_agency(bare_app):
    from sqlalchemy import select

    from bot.ports import PartnerMatch
    from db.models import OutboxMessage

    talk = Talk(bare_app.engine, language_code="en")
    await talk.send("/start valga")  # an Estonian agency's link, but a Polish company
    await talk.press_index(0)
    await answer_until_consent(talk, "en")
    await talk.press_index(0)
    for value in CONTACT:
        await talk.send(value)
    await talk.press("\u2705")
    async with bare_app.uow() as uow:
        profile = await uow.profiles.get_by_user(42)
        await bare_app.leads.request_introduction(
            uow, profile, PartnerMatch("DK-1", "DK", "Syddanmark", ("31",), "a", "b", 0.7, ())
        )
        await uow.commit()
        chats = (
            (await uow.session.execute(select(OutboxMessage.chat_id).order_by(OutboxMessage.id)))
            .scalars()
            .all()
        )
    directory = bare_app.leads.brokers
    assert chats == [directory.by_id("ee-valga").chat_id, directory.by_id("dk-southern").chat_id]


def _hostile_payloads(count: int) -> list[str]:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "_-"
    weird = "\u0000\u202e<>&\"'/\\ \n\t\u200b\U0001f600ąčęėįšųūž"
    payloads = []
    for i in range(count):
        kind = i % 4
        if kind == 0:  # valid shape, unknown agency
            payloads.append("".join(rng.choices(alphabet, k=rng.randint(1, 64))))
        elif kind == 1:  # too long
            payloads.append("".join(rng.choices(alphabet, k=rng.randint(65, 300))))
        elif kind == 2:  # outside the alphabet
            payloads.append("".join(rng.choices(alphabet + weird, k=rng.randint(1, 80))))
        else:  # a known agency with a broken event part
            payloads.append("hamburg_" + "".join(rng.choices(alphabet + weird, k=40)))
    return payloads


def test_parser_never_raises_and_accepts_only_the_alphabet():
    for payload in _hostile_payloads(10_000):
        link = parse_start_payload(payload)
        if link is not None:
            assert len(payload) <= 64
            assert link.agency.isalnum() and link.agency.isascii()
    assert parse_start_payload("Hamburg_Hanse-2026") == StartLink("hamburg", "hanse-2026")
    assert parse_start_payload("hamburg_<b>") is None


async def test_hostile_payloads_fall_back_to_a_normal_start(bare_app):
    for n, payload in enumerate(_hostile_payloads(200)):
        talk = Talk(bare_app.engine, user_id=10_000 + n)
        replies = await talk.send(f"/start {payload}")
        assert replies, payload
        assert "went wrong" not in talk.text
        if len(payload) > 3:
            assert payload not in talk.text


def test_links_command_writes_a_qr_png_per_agency(tmp_path, capsys):
    assert tibs(["links", "--bot", "TibsDemoBot", "--qr-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    directory = BrokerDirectory.load(
        __import__("bot.app", fromlist=["BUILTIN_BROKERS"]).BUILTIN_BROKERS
    )
    for broker in directory.brokers:
        url = f"https://t.me/TibsDemoBot?start={broker.link}"
        assert url in out
        png = (tmp_path / f"{broker.link}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert width == height >= 21 * 12
    import segno

    qr = segno.make("https://t.me/TibsDemoBot?start=podlaskie", error="m")
    assert qr.error == "M" and qr.version is not None
