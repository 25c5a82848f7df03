"""The dialogue engine: one user action in, the replies out, the state committed in between.

Every turn runs in one unit of work: the update id is claimed (duplicates are ignored), the
JSON state is loaded, the action is applied, the new state is saved and committed, and only
then are the replies returned to the adapter for sending. A crash before the commit loses
the turn as a whole; a crash after it loses nothing the user was told.

Buttons carry opaque ids ``<nonce>.<index>``: the value behind them lives in the stored state,
so forged or stale button data can only ever select among the choices currently offered.
"""

from __future__ import annotations

import json
import logging
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from bot.deeplinks import parse_start_payload
from bot.dialogue.locks import KeyedLocks, RedisKeyedLocks
from bot.dialogue.model import Button, Document, Incoming, Reply
from bot.dialogue.render import render_matches, render_summary, size_class_prompt
from bot.dialogue.steps import EDITABLE, STEP_BY_ID, STEPS, Option, Step, language_options
from bot.dialogue.throttle import UserThrottle
from bot.dialogue.validate import clean_text, valid_email, valid_phone
from bot.i18n import Tr, Translator, negotiate
from bot.leads import LeadService
from bot.ports import KnowledgePort, MatchQuery, MatchReason, PartnerMatch
from bot.privacy import NOTICE_VERSION, notice_sha256, privacy_notice
from db.backup import subject_hash
from db.models import ConsentEvent, Profile, utcnow
from db.uow import UnitOfWork, UnitOfWorkFactory
from knowledge.brokers import BrokerDirectory
from knowledge.faq import Faq, looks_like_question

log = logging.getLogger(__name__)

LANGUAGE = "language"
SUMMARY = "summary"
EDIT_MENU = "edit_menu"
DONE = "done"
CONFIRM_FORGET = "confirm_forget"
CONSENT_PURPOSE = "partner_contact"
COMMANDS = (
    "start",
    "language",
    "profile",
    "matches",
    "restart",
    "export",
    "forget",
    "privacy",
    "help",
)
TAGS = ("source", "event")
PROFILE_FIELDS = (
    "company_name",
    "country",
    "region",
    "activity",
    "nace",
    "size_class",
    "offers",
    "seeks",
    "intent",
    "cooperation",
    "target_countries",
    "languages",
    "value_chain",
    "contact_name",
    "email",
    "phone",
)


@dataclass
class Turn:
    """Everything one turn works on; replies are collected and returned after the commit."""

    uow: UnitOfWork
    user_id: int
    chat_id: int
    state: dict[str, Any]
    tr: Tr
    replies: list[Reply] = field(default_factory=list)
    erased: bool = False

    @property
    def answers(self) -> dict[str, Any]:
        """The profile draft."""
        answers: dict[str, Any] = self.state.setdefault("answers", {})
        return answers

    @property
    def step(self) -> str:
        """The current step id."""
        return str(self.state.get("step", LANGUAGE))

    def say(self, text: str, buttons: Sequence[Sequence[Button]] = (), **kwargs: Any) -> None:
        """Queue a reply."""
        self.replies.append(
            Reply(text=text, buttons=tuple(tuple(row) for row in buttons), **kwargs)
        )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


class DialogueEngine:
    """Runs the profiling conversation for any adapter (aiogram, python-telegram-bot, console)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        translator: Translator,
        knowledge: KnowledgePort | None = None,
        *,
        default_locale: str = "en",
        erasure_salt: str = "tibs-erasure",
        matches_shown: int = 5,
        leads: LeadService | None = None,
        agencies: BrokerDirectory | None = None,
        faq: Faq | None = None,
        on_commit: Callable[[], None] | None = None,
        throttle: UserThrottle | None = None,
        locks: KeyedLocks | RedisKeyedLocks | None = None,
    ) -> None:
        self._uow = uow_factory
        self._translator = translator
        self._kb = knowledge
        self._default_locale = default_locale
        self._erasure_salt = erasure_salt
        self._matches_shown = matches_shown
        self._locks = locks or KeyedLocks()
        self.turns = 0
        self._throttle = throttle or UserThrottle()
        self._leads = leads
        self._agencies = agencies
        self.faq = faq
        self._on_commit = on_commit

    def use_faq(self, faq: Faq) -> None:
        """Answer questions from a new FAQ from now on (an admin upload or rollback)."""
        self.faq = faq

    async def close(self) -> None:
        """Release shared resources (the Redis lock client)."""
        if isinstance(self._locks, RedisKeyedLocks):
            await self._locks.close()

    # -- entry point -------------------------------------------------------------------------

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Apply one user action; returns the replies to send (after the state is committed)."""
        self.turns += 1
        allowed, warn = self._throttle.allow(incoming.user_id)
        if not allowed:
            if not warn:
                return []
            tr = self._translator.get(negotiate(incoming.language_code, self._default_locale))
            return [Reply(tr.gettext("You are sending messages very fast. Please wait a moment."))]
        async with self._locks.hold(incoming.user_id):
            try:
                return await self._handle_locked(incoming)
            except Exception:
                log.exception("turn failed (update %s)", incoming.update_id)
                tr = self._translator.get(negotiate(incoming.language_code, self._default_locale))
                return [
                    Reply(
                        tr.gettext(
                            "Sorry, something went wrong on our side. Please try again in a moment."
                        )
                    )
                ]

    async def _handle_locked(self, incoming: Incoming) -> list[Reply]:
        async with self._uow() as uow:
            user = await uow.users.get_or_create(incoming.user_id)
            if incoming.update_id is not None and not await uow.updates.claim(
                incoming.source, incoming.update_id, incoming.user_id
            ):
                return []
            if user.locale is None:
                user.locale = negotiate(incoming.language_code, self._default_locale)
            conversation = await uow.conversations.get(incoming.user_id)
            state: dict[str, Any] = (
                json.loads(json.dumps(conversation.state)) if conversation else {"step": LANGUAGE}
            )
            turn = Turn(
                uow, incoming.user_id, incoming.chat_id, state, self._translator.get(user.locale)
            )
            await self._dispatch(turn, incoming, is_new=conversation is None)
            if turn.erased:
                await uow.commit()
                return turn.replies
            user.locale = turn.tr.lang
            await uow.conversations.save(incoming.user_id, turn.step, turn.state)
            await uow.commit()
        if self._on_commit is not None:
            self._on_commit()
        return turn.replies

    async def _dispatch(self, turn: Turn, incoming: Incoming, *, is_new: bool) -> None:
        tr = turn.tr
        text = incoming.text or ""
        if incoming.kind == "unsupported":
            turn.say(tr.gettext("I can only read text messages and buttons here."))
            await self._prompt(turn)
        elif incoming.kind == "text" and text.startswith("/"):
            await self._command(turn, text, is_new=is_new)
        elif is_new:
            await self._greet(turn)
        elif incoming.kind == "button":
            await self._button(turn, incoming.button or "")
        else:
            await self._text(turn, text)

    # -- commands ----------------------------------------------------------------------------

    async def _command(self, turn: Turn, text: str, *, is_new: bool) -> None:
        tr = turn.tr
        name = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
        if name == "start":
            tags = await self._deep_link(turn, text.split(maxsplit=1)[1:])
            if is_new or tags:
                await self._greet(turn, tags)
            else:
                turn.say(tr.gettext("Welcome back! Let\u2019s continue where we left off."))
                await self._prompt(turn)
        elif name == "language":
            if turn.step != LANGUAGE:
                turn.state["resume"] = turn.step
            self._goto(turn, LANGUAGE)
            await self._prompt(turn)
        elif name == "help":
            turn.say(self._help(tr))
            await self._prompt(turn)
        elif name == "privacy":
            turn.say(privacy_notice(tr))
            await self._prompt(turn)
        elif name == "restart":
            self._fresh(turn, STEPS[0].id)
            turn.say(
                tr.gettext(
                    "Let\u2019s start over. Your saved profile stays until you confirm a new one."
                )
            )
            await self._prompt(turn)
        elif name == "profile":
            await self._show_profile(turn)
        elif name == "matches":
            await self._show_matches(turn)
        elif name == "export":
            await self._export(turn)
        elif name == "forget":
            if turn.step != CONFIRM_FORGET:
                turn.state["resume"] = turn.step
            self._goto(turn, CONFIRM_FORGET)
            await self._prompt(turn)
        else:
            turn.say(tr.gettext("I don\u2019t know that command. Type /help to see what I can do."))
            await self._prompt(turn)

    def _help(self, tr: Tr) -> str:
        return tr.gettext(
            "I help your company find business partners in the Baltic Sea Region.\n\n"
            "/profile \u2013 review or edit your company profile\n"
            "/matches \u2013 show partners that fit your profile\n"
            "/language \u2013 change the language\n"
            "/restart \u2013 start the interview again\n"
            "/privacy \u2013 how we handle your data\n"
            "/export \u2013 get all data we hold about you\n"
            "/forget \u2013 erase all your data"
        )

    async def _deep_link(self, turn: Turn, args: list[str]) -> dict[str, str]:
        """Tags from a ``/start <agency>[_<event>]`` payload; the agency's language is used."""
        link = parse_start_payload(args[0].strip()) if args else None
        agency = self._agencies.by_link(link.agency) if link and self._agencies else None
        if link is None or agency is None:
            return {}
        tags = {"source": agency.id}
        event = await turn.uow.events.get(link.event) if link.event else None
        today = utcnow().date()
        if (
            event is not None
            and event.agency == agency.id
            and (event.starts_on <= today <= event.ends_on)
        ):
            tags["event"] = event.code
        turn.tr = self._translator.get(agency.locale)
        return tags

    def _fresh(self, turn: Turn, step: str, tags: Mapping[str, str] | None = None) -> None:
        """Start the interview again, keeping where the user came from."""
        kept = {key: turn.answers[key] for key in TAGS if key in turn.answers}
        kept.update(tags or {})
        turn.state = {"step": step, "answers": kept, "history": []}

    async def _greet(self, turn: Turn, tags: Mapping[str, str] | None = None) -> None:
        self._fresh(turn, LANGUAGE, tags)
        turn.say(
            turn.tr.gettext(
                "Hello! I am TIBS, the partner-search assistant of the Baltic Sea Region "
                "innovation brokers. I will ask a few questions about your company, suggest "
                "partners abroad and, if you wish, introduce you to a broker."
            )
        )
        await self._prompt(turn)

    # -- prompts -----------------------------------------------------------------------------

    def _goto(self, turn: Turn, step: str) -> None:
        turn.state["step"] = step
        turn.state.pop("selected", None)

    def _buttons(self, turn: Turn, rows: Sequence[Sequence[Option]]) -> list[list[Button]]:
        """Turn (value, label) rows into buttons with fresh opaque ids, remembering the values."""
        nonce = secrets.token_hex(3)
        values: list[str] = []
        labels: list[str] = []
        out: list[list[Button]] = []
        for row in rows:
            buttons = []
            for value, label in row:
                buttons.append(Button(f"{nonce}.{len(values)}", label))
                values.append(value)
                labels.append(_fold(label))
            out.append(buttons)
        turn.state["nonce"], turn.state["choices"], turn.state["labels"] = nonce, values, labels
        return out

    async def _prompt(self, turn: Turn, *, replace: bool = False) -> None:
        """Ask the question of the current step (with its buttons)."""
        tr, step_id = turn.tr, turn.step
        if step_id == LANGUAGE:
            rows = _pairs(language_options())
            turn.say(tr.gettext("Please choose your language:"), self._buttons(turn, rows))
        elif step_id == SUMMARY:
            rows = [
                [("@confirm", tr.gettext("\u2705 Confirm"))],
                [
                    ("@edit", tr.gettext("\u270f\ufe0f Edit a field")),
                    ("@restart", tr.gettext("\U0001f504 Start over")),
                ],
            ]
            text = (
                render_summary(tr, turn.answers, self._kb)
                + "\n\n"
                + tr.gettext("Is everything correct?")
            )
            turn.say(text, self._buttons(turn, rows))
        elif step_id == EDIT_MENU:
            options = [
                (f"@field:{sid}", tr.gettext(STEP_BY_ID[sid].field_label))
                for sid in EDITABLE
                if STEP_BY_ID[sid].applies(turn.answers)
            ]
            rows = [*_pairs(options), [("@back", tr.gettext("\u25c0 Back"))]]
            turn.say(
                tr.gettext("Which field would you like to change?"),
                self._buttons(turn, rows),
                replace=replace,
            )
        elif step_id == DONE:
            intro = [
                (
                    f"@intro:{i}",
                    tr.gettext("\U0001f91d Introduce me to #{number}").format(number=i + 1),
                )
                for i in range(len(turn.state.get("intro") or []))
            ]
            rows = [
                *_pairs(intro),
                [("@matches", tr.gettext("\U0001f50d Show matches"))],
                [
                    ("@profile", tr.gettext("\U0001f4cb My profile")),
                    ("@restart", tr.gettext("\U0001f504 Start over")),
                ],
            ]
            turn.say(
                tr.gettext("Your profile is saved. What would you like to do?"),
                self._buttons(turn, rows),
            )
        elif step_id == CONFIRM_FORGET:
            rows = [
                [
                    ("@yes", tr.gettext("Yes, erase everything")),
                    ("@no", tr.gettext("No, keep my data")),
                ]
            ]
            turn.say(
                tr.gettext(
                    "This erases your profile, your answers and your consent records for good. "
                    "Are you sure?"
                ),
                self._buttons(turn, rows),
            )
        else:
            await self._prompt_step(turn, STEP_BY_ID[step_id], replace=replace)

    async def _prompt_step(self, turn: Turn, step: Step, *, replace: bool) -> None:
        tr, answers = turn.tr, turn.answers
        options = list(step.options(tr, answers, self._kb))
        controls: list[Option] = []
        if turn.state.get("history"):
            controls.append(("@back", tr.gettext("\u25c0 Back")))
        if step.kind == "multi":
            selected = set(turn.state.get("selected", answers.get(step.id) or []))
            turn.state["selected"] = [value for value, _ in options if value in selected]
            options = [
                (v, ("\u2611 " if v in selected else "\u2610 ") + label) for v, label in options
            ]
            controls.append(("@done", tr.gettext("Done \u2714")))
        elif step.optional:
            controls.append(("@skip", tr.gettext("Skip \u23ed")))

        if step.kind == "consent":
            text = (
                privacy_notice(tr)
                + "\n\n"
                + tr.gettext(
                    "May we store the contact details you give next and share them with brokers "
                    "when you ask for an introduction?"
                )
            )
            options = [
                ("@agree", tr.gettext("I agree")),
                ("@decline", tr.gettext("No, don\u2019t store contact data")),
            ]
        elif step.id == "size_class":
            text = size_class_prompt(tr)
        else:
            text = tr.gettext(step.prompt)
        one_per_row = step.kind == "consent" or step.id in ("intent", "cooperation", "nace")
        rows = [[opt] for opt in options] if one_per_row else _pairs(options)
        if controls:
            rows.append(controls)
        turn.say(text, self._buttons(turn, rows), replace=replace)

    # -- input ---------------------------------------------------------------------------------

    def _resolve(self, turn: Turn, button: str) -> str | None:
        nonce, _, index = button.partition(".")
        choices = turn.state.get("choices") or []
        if not nonce or nonce != turn.state.get("nonce") or not index.isdigit():
            return None
        position = int(index)
        return str(choices[position]) if position < len(choices) else None

    async def _button(self, turn: Turn, button: str) -> None:
        value = self._resolve(turn, button)
        if value is None:
            turn.say(turn.tr.gettext("That button is no longer active. Here is where we are now:"))
            await self._prompt(turn)
            return
        await self._choose(turn, value)

    def _faq_answer(self, turn: Turn, raw: str, *, free_text: bool) -> bool:
        """Answer a question typed mid-interview; free-text answers need to look like one."""
        if self.faq is None or (free_text and not looks_like_question(raw)):
            return False
        hit = self.faq.ask(clean_text(raw), turn.tr.lang)
        if hit is None:
            return False
        turn.say(hit.answer)
        return True

    async def _text(self, turn: Turn, raw: str) -> None:
        tr = turn.tr
        step_id = turn.step
        step = STEP_BY_ID.get(step_id)
        free_text = step is not None and step.kind in ("text", "email", "phone")
        if self._faq_answer(turn, raw, free_text=free_text):
            turn.say(tr.gettext("Let\u2019s continue with your profile:"))
            await self._prompt(turn)
            return
        if step is not None and (
            step.kind in ("text", "email", "phone")
            or (step.accepts_text and not self._label_value(turn, raw))
        ):
            await self._answer_text(turn, step, raw)
            return
        value = self._label_value(turn, raw)
        if value is not None:
            await self._choose(turn, value)
            return
        turn.say(tr.gettext("Please choose one of the buttons below."))
        turn.say(
            tr.gettext(
                "If you have a question, just type it \u2013 for example \u201chow much does it "
                "cost?\u201d. A broker can also help once you ask for an introduction."
            )
        )
        await self._prompt(turn)

    def _label_value(self, turn: Turn, raw: str) -> str | None:
        """Accept a typed answer that names a button (``2``, ``polski``, ``Poland``)."""
        typed = _fold(clean_text(raw))
        labels: list[str] = turn.state.get("labels") or []
        choices: list[str] = turn.state.get("choices") or []
        if not typed:
            return None
        if typed.isdigit() and 1 <= int(typed) <= len(choices):
            return choices[int(typed) - 1]
        for label, value in zip(labels, choices, strict=False):
            bare = label.lstrip("\u2610\u2611 ")
            if typed == bare or (len(typed) >= 4 and bare.startswith(typed)):
                return value
        return None

    async def _answer_text(self, turn: Turn, step: Step, raw: str) -> None:
        tr = turn.tr
        text = clean_text(raw, multiline=step.multiline)
        if len(text) > step.max_len:
            turn.say(
                tr.ngettext(
                    "That is too long ({length} characters). Please keep it to {limit} character.",
                    "That is too long ({length} characters). Please keep it to {limit} characters.",
                    step.max_len,
                ).format(length=tr.number(len(text)), limit=tr.number(step.max_len))
            )
            await self._prompt(turn)
            return
        if len(text) < step.min_len:
            turn.say(
                tr.ngettext(
                    "Please write at least {count} character.",
                    "Please write at least {count} characters.",
                    step.min_len,
                ).format(count=tr.number(step.min_len))
            )
            await self._prompt(turn)
            return
        value: str | None = text
        if step.kind == "email":
            value = valid_email(text)
            if value is None:
                turn.say(
                    tr.gettext(
                        "That doesn\u2019t look like an e-mail address (example: name@company.eu)."
                    )
                )
                await self._prompt(turn)
                return
        elif step.kind == "phone":
            value = valid_phone(text)
            if value is None:
                turn.say(
                    tr.gettext(
                        "That doesn\u2019t look like a phone number. Please use digits with the "
                        "country code, e.g. +49 40 1234567."
                    )
                )
                await self._prompt(turn)
                return
        turn.answers[step.id] = value
        if step.id == "activity":
            turn.answers["nace_proposals"] = list(self._propose(text, tr.lang))
            turn.answers.pop("nace", None)
        await self._advance(turn)

    def _propose(self, text: str, lang: str) -> Sequence[str]:
        if self._kb is None:
            return ()
        return self._kb.propose_sectors(text, lang, 3)

    async def _choose(self, turn: Turn, value: str) -> None:
        tr, step_id = turn.tr, turn.step
        if value == "@back":
            await self._back(turn)
        elif step_id == LANGUAGE:
            turn.tr = self._translator.get(value)
            resume = turn.state.pop("resume", None)
            # TRANSLATORS: confirm that the conversation now continues in YOUR language.
            turn.say(turn.tr.gettext("Language set to English."))
            if resume and resume != LANGUAGE:
                self._goto(turn, resume)
            else:
                turn.state.setdefault("history", [])
                self._goto(turn, STEPS[0].id)
            await self._prompt(turn)
        elif step_id == CONFIRM_FORGET:
            if value == "@yes":
                await self._forget(turn)
            else:
                self._goto(turn, turn.state.pop("resume", None) or STEPS[0].id)
                turn.say(tr.gettext("Nothing was erased."))
                await self._prompt(turn)
        elif step_id == SUMMARY:
            await self._summary_action(turn, value)
        elif step_id == EDIT_MENU:
            if value.startswith("@field:"):
                turn.state["editing"] = True
                self._goto(turn, value.removeprefix("@field:"))
            else:
                self._goto(turn, SUMMARY)
            await self._prompt(turn)
        elif step_id == DONE:
            if value.startswith("@intro:"):
                await self._introduce(turn, int(value.removeprefix("@intro:")))
            elif value == "@matches":
                await self._show_matches(turn)
            elif value == "@profile":
                await self._show_profile(turn)
            else:
                self._fresh(turn, STEPS[0].id)
                await self._prompt(turn)
        else:
            await self._choose_in_step(turn, STEP_BY_ID[step_id], value)

    async def _choose_in_step(self, turn: Turn, step: Step, value: str) -> None:
        tr = turn.tr
        if value == "@skip" and step.optional:
            turn.answers[step.id] = [] if step.kind == "multi" else None
            await self._advance(turn)
        elif step.kind == "multi" and value == "@done":
            selected = list(turn.state.get("selected") or [])
            if len(selected) < step.min_choices:
                turn.say(tr.gettext("Please tick at least one option."))
                await self._prompt(turn)
                return
            turn.answers[step.id] = selected
            await self._advance(turn)
        elif step.kind == "multi":
            selected = list(turn.state.get("selected") or [])
            if value in selected:
                selected.remove(value)
            else:
                selected.append(value)
            turn.state["selected"] = selected
            await self._prompt(turn, replace=True)
        elif step.kind == "consent":
            await self._consent(turn, granted=value == "@agree")
        else:
            if step.id == "country" and turn.answers.get("country") != value:
                turn.answers.pop("region", None)
                targets = turn.answers.get("target_countries") or []
                turn.answers["target_countries"] = [c for c in targets if c != value]
            turn.answers[step.id] = value
            await self._advance(turn)

    async def _consent(self, turn: Turn, *, granted: bool) -> None:
        tr = turn.tr
        had_grant = await turn.uow.consents.has_live_grant(turn.user_id, CONSENT_PURPOSE)
        if granted or had_grant:
            await turn.uow.consents.add(
                ConsentEvent(
                    user_id=turn.user_id,
                    action="grant" if granted else "withdraw",
                    purpose=CONSENT_PURPOSE,
                    notice_version=NOTICE_VERSION,
                    notice_sha256=notice_sha256(tr),
                    language=tr.lang,
                )
            )
        turn.answers["consent"] = granted
        if not granted:
            for key in ("contact_name", "email", "phone"):
                turn.answers.pop(key, None)
            profile = await turn.uow.profiles.get_by_user(turn.user_id)
            if profile is not None:
                profile.contact_name = profile.email = profile.phone = None
            turn.say(
                tr.gettext("Understood: we will not store contact data. You can still see matches.")
            )
        await self._advance(turn)

    async def _back(self, turn: Turn) -> None:
        history: list[str] = turn.state.get("history") or []
        if turn.state.get("editing") or turn.step == SUMMARY:
            turn.state["editing"] = False
            self._goto(
                turn, SUMMARY if turn.step != SUMMARY else (history[-1] if history else STEPS[0].id)
            )
        elif history:
            self._goto(turn, history.pop())
        await self._prompt(turn)

    async def _advance(self, turn: Turn) -> None:
        """Move to the next step that applies (or back to the summary while editing)."""
        current = turn.step
        history: list[str] = turn.state.setdefault("history", [])
        if turn.state.get("editing"):
            needs_sectors = current == "activity" and turn.answers.get("nace_proposals")
            needs_contacts = (
                current == "consent"
                and turn.answers.get("consent")
                and not (turn.answers.get("email"))
            )
            if needs_sectors:
                self._goto(turn, "nace")
            elif needs_contacts:
                self._goto(turn, "contact_name")
            else:
                turn.state["editing"] = False
                self._goto(turn, SUMMARY)
            await self._prompt(turn)
            return
        ids = [step.id for step in STEPS]
        following = ids[ids.index(current) + 1 :] if current in ids else ids
        nxt = next((sid for sid in following if STEP_BY_ID[sid].applies(turn.answers)), SUMMARY)
        if current in ids and (not history or history[-1] != current):
            history.append(current)
        self._goto(turn, nxt)
        await self._prompt(turn)

    # -- summary, profile, matches -------------------------------------------------------------

    async def _summary_action(self, turn: Turn, value: str) -> None:
        tr = turn.tr
        if value == "@confirm":
            await self._save_profile(turn)
            turn.say(tr.gettext("Thank you! Your profile is saved."))
            self._goto(turn, DONE)
            await self._show_matches(turn)
        elif value == "@edit":
            self._goto(turn, EDIT_MENU)
            await self._prompt(turn)
        elif value == "@restart":
            self._fresh(turn, STEPS[0].id)
            await self._prompt(turn)

    async def _save_profile(self, turn: Turn) -> None:
        answers = turn.answers
        fields: dict[str, Any] = {key: answers.get(key) for key in (*PROFILE_FIELDS, *TAGS)}
        for key in ("nace", "cooperation", "target_countries", "languages", "value_chain"):
            fields[key] = list(fields[key] or [])
        if not answers.get("consent"):
            fields.update(contact_name=None, email=None, phone=None)
        fields["locale"] = turn.tr.lang
        await turn.uow.profiles.upsert(turn.user_id, fields)

    async def _show_profile(self, turn: Turn) -> None:
        tr = turn.tr
        profile = await turn.uow.profiles.get_by_user(turn.user_id)
        if profile is None:
            turn.say(
                tr.gettext("You have no saved profile yet. Let\u2019s continue the interview.")
            )
            await self._prompt(turn)
            return
        turn.state["answers"] = _answers_from(profile, turn.answers)
        updated = (
            profile.updated_at
            if profile.updated_at.tzinfo
            else profile.updated_at.replace(tzinfo=UTC)
        )
        turn.say(tr.gettext("Profile saved on {date}.").format(date=tr.datetime(updated)))
        self._goto(turn, SUMMARY)
        await self._prompt(turn)

    async def _show_matches(self, turn: Turn) -> None:
        tr = turn.tr
        profile = await turn.uow.profiles.get_by_user(turn.user_id)
        if profile is None:
            turn.say(tr.gettext("Matches appear once your profile is complete."))
            await self._prompt(turn)
            return
        turn.state["intro"] = []
        if self._kb is None:
            turn.say(tr.gettext("Partner matching is not available right now."))
        else:
            matches = self._kb.match(_query(profile), self._matches_shown)
            await turn.uow.counters.bump("matches_shown", len(matches))
            turn.say(render_matches(tr, matches, self._kb))
            if self._leads is not None and matches:
                if profile.email:
                    turn.state["intro"] = [_match_to_json(m) for m in matches]
                else:
                    turn.say(
                        tr.gettext(
                            "To be introduced to a partner, allow us to share your contact data: "
                            "/profile, then edit the consent."
                        )
                    )
        self._goto(turn, DONE)
        await self._prompt(turn)

    async def _introduce(self, turn: Turn, index: int) -> None:
        tr = turn.tr
        snapshots = turn.state.get("intro") or []
        profile = await turn.uow.profiles.get_by_user(turn.user_id)
        if self._leads is None or profile is None or not 0 <= index < len(snapshots):
            await self._prompt(turn)
            return
        if not await turn.uow.consents.has_live_grant(turn.user_id, CONSENT_PURPOSE):
            turn.say(
                tr.gettext(
                    "To be introduced to a partner, allow us to share your contact data: "
                    "/profile, then edit the consent."
                )
            )
            await self._prompt(turn)
            return
        lead = await self._leads.request_introduction(
            turn.uow, profile, _match_from_json(snapshots[index]), source=profile.source
        )
        if lead is None:
            turn.say(tr.gettext("You already asked for this introduction; a broker is on it."))
        else:
            turn.say(
                tr.gettext(
                    "Done! Your request #{number} went to the innovation brokers. One of them will "
                    "contact you, usually within two working days."
                ).format(number=lead.id)
            )
        await self._prompt(turn)

    # -- data protection -----------------------------------------------------------------------

    async def _export(self, turn: Turn) -> None:
        tr = turn.tr
        uow = turn.uow
        user = await uow.users.get(turn.user_id)
        profile = await uow.profiles.get_by_user(turn.user_id)
        consents = await uow.consents.for_user(turn.user_id)
        data = {
            "user": {
                "telegram_id": turn.user_id,
                "locale": user.locale if user else None,
                "created_at": user.created_at.isoformat() if user else None,
            },
            "profile": _profile_dict(profile) if profile else None,
            "conversation": {"step": turn.step, "answers": turn.answers},
            "consent_events": [
                {
                    "action": c.action,
                    "purpose": c.purpose,
                    "notice_version": c.notice_version,
                    "notice_sha256": c.notice_sha256,
                    "language": c.language,
                    "at": c.at.isoformat(),
                }
                for c in consents
            ],
        }
        content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        turn.replies.append(
            Reply(
                text=tr.gettext("Here is all the data we hold about you."),
                document=Document("tibs-my-data.json", content, tr.gettext("Your data (JSON)")),
            )
        )
        await self._prompt(turn)

    async def _forget(self, turn: Turn) -> None:
        tr = turn.tr
        await turn.uow.erasures.record(subject_hash(self._erasure_salt, turn.user_id))
        await turn.uow.users.delete(turn.user_id)
        turn.erased = True
        turn.say(
            tr.gettext("All your data has been erased. If you write again, we start from scratch.")
        )


def _pairs(options: Sequence[Option]) -> list[list[Option]]:
    return [list(options[i : i + 2]) for i in range(0, len(options), 2)]


def _profile_dict(profile: Profile) -> dict[str, Any]:
    data = {key: getattr(profile, key) for key in PROFILE_FIELDS}
    data.update(
        locale=profile.locale,
        created_at=profile.created_at.isoformat(),
        updated_at=profile.updated_at.isoformat(),
    )
    return data


def _answers_from(profile: Profile, draft: Mapping[str, Any]) -> dict[str, Any]:
    answers = {key: getattr(profile, key) for key in PROFILE_FIELDS}
    answers["consent"] = bool(profile.email)
    answers["nace_proposals"] = draft.get("nace_proposals") or list(profile.nace)
    return answers


def _match_to_json(match: PartnerMatch) -> dict[str, Any]:
    return {
        "partner_id": match.partner_id,
        "country": match.country,
        "region": match.region,
        "sectors": list(match.sectors),
        "offers": match.offers,
        "seeks": match.seeks,
        "score": match.score,
        "reasons": [
            {
                "kind": r.kind,
                "params": {k: list(v) if isinstance(v, tuple) else v for k, v in r.params.items()},
            }
            for r in match.reasons
        ],
    }


def _match_from_json(data: Mapping[str, Any]) -> PartnerMatch:
    return PartnerMatch(
        partner_id=str(data["partner_id"]),
        country=str(data["country"]),
        region=str(data.get("region") or ""),
        sectors=tuple(data.get("sectors") or ()),
        offers=str(data.get("offers") or ""),
        seeks=str(data.get("seeks") or ""),
        score=float(data.get("score") or 0.0),
        reasons=tuple(
            MatchReason(
                str(r["kind"]),
                {k: tuple(v) if isinstance(v, list) else v for k, v in r["params"].items()},
            )
            for r in data.get("reasons") or ()
        ),
    )


def _query(profile: Profile) -> MatchQuery:
    return MatchQuery(
        lang=profile.locale,
        country=profile.country,
        offers=profile.offers,
        seeks=profile.seeks,
        cooperation=tuple(profile.cooperation),
        target_countries=tuple(profile.target_countries),
        nace=tuple(profile.nace),
        languages=tuple(profile.languages),
        region=profile.region,
    )
