"""Admin commands in Telegram (admins are configured by user id).

/stats; a partner-registry file sent as a document is validated and diffed, and applied
only when the admin presses Apply (rights checked again at click time); /kb_versions and
/kb_rollback N; /kb_export. Every attempt, allowed or not, is written to the audit log.
"""

from __future__ import annotations

import io
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.app import App
from bot.i18n import Tr
from bot.kb_admin import MAX_UPLOAD_BYTES, export_partners_csv
from bot.reporting import collect_stats, render_chart, render_stats
from bot.text_split import split_message


def is_admin(app: App, user_id: int) -> bool:
    """Admins are listed in TIBS_ADMIN_IDS."""
    return user_id in app.settings.admin_ids


async def on_stats(message: Message, app: App) -> None:
    """Figures as text and as a chart image."""
    user = message.from_user
    if user is None:
        return
    tr = app.translator.get(user.language_code)
    async with app.uow() as uow:
        allowed = is_admin(app, user.id)
        await uow.audit.record(user.id, "stats", None, "ok" if allowed else "denied")
        stats = await collect_stats(uow) if allowed else None
        await uow.commit()
    if stats is None:
        await message.answer(tr.gettext("This command is for administrators."))
        return
    await message.answer(render_stats(tr, stats), parse_mode="HTML")
    await message.answer_photo(BufferedInputFile(render_chart(tr, stats), "tibs-stats.png"))


async def _allowed(app: App, user_id: int, action: str, tr: Tr, message: Message | None) -> bool:
    allowed = is_admin(app, user_id)
    async with app.uow() as uow:
        await uow.audit.record(user_id, action, None, "ok" if allowed else "denied")
        await uow.commit()
    if not allowed and message is not None:
        await message.answer(tr.gettext("This command is for administrators."))
    return allowed


async def is_admin_upload(message: Message, app: App) -> bool:
    """Filter: a document from an admin (anyone else's file goes to the dialogue)."""
    return message.from_user is not None and is_admin(app, message.from_user.id)


async def on_upload(message: Message, bot: Bot, app: App) -> None:
    """Validate an uploaded registry, show the diff, offer Apply / Cancel."""
    user, document = message.from_user, message.document
    if user is None or document is None:
        return
    tr = app.translator.get(user.language_code)
    if app.kb_admin is None:
        await message.answer(tr.gettext("The knowledge base cannot be changed right now."))
        return
    if (document.file_size or 0) > MAX_UPLOAD_BYTES:
        await message.answer(tr.gettext("The file is too large (at most 5 MB)."))
        return
    buffer = io.BytesIO()
    await bot.download(document, destination=buffer)
    async with app.uow() as uow:
        result = await app.kb_admin.stage(
            uow, document.file_name or "upload", buffer.getvalue(), user.id
        )
        await uow.commit()
    if result.errors:
        lines = [
            tr.ngettext(
                "The file was rejected ({count} problem); nothing was changed:",
                "The file was rejected ({count} problems); nothing was changed:",
                len(result.errors),
            ).format(count=len(result.errors))
        ]
        lines += [escape(str(error)) for error in result.errors[:200]]
        for part in split_message("\n".join(lines)):
            await message.answer(part, parse_mode="HTML")
        return
    assert result.version is not None and result.diff is not None
    diff = result.diff
    text = "\n".join(
        [
            (
                tr.gettext("<b>Partner registry: {rows} partners</b>")
                if result.version.kind == "partners"
                else tr.gettext("<b>FAQ: {rows} entries</b>")
            ).format(rows=result.version.rows),
            tr.gettext("Added: {count}").format(count=len(diff.added))
            + (f" ({escape(', '.join(diff.added[:5]))})" if diff.added else ""),
            tr.gettext("Changed: {count}").format(count=len(diff.changed))
            + (f" ({escape(', '.join(diff.changed[:5]))})" if diff.changed else ""),
            tr.gettext("Removed: {count}").format(count=len(diff.removed))
            + (f" ({escape(', '.join(diff.removed[:5]))})" if diff.removed else ""),
        ]
    )
    token = result.version.confirm_token
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=tr.gettext("\u2705 Apply"), callback_data=f"K:{token}"),
                InlineKeyboardButton(text=tr.gettext("\u2716 Cancel"), callback_data=f"K:-{token}"),
            ]
        ]
    )
    await message.answer(text, parse_mode="HTML", reply_markup=markup)


async def on_apply(query: CallbackQuery, app: App) -> None:
    """Apply or cancel a staged upload; the clicking user must be an admin now."""
    tr = app.translator.get(query.from_user.language_code)
    if not await _allowed(app, query.from_user.id, "kb_apply", tr, None):
        await query.answer(tr.gettext("This command is for administrators."), show_alert=True)
        return
    data = (query.data or "").removeprefix("K:")
    cancel = data.startswith("-")
    assert app.kb_admin is not None
    async with app.uow() as uow:
        version = await app.kb_admin.by_token(uow, data.lstrip("-"))
        if version is None:
            await query.answer(tr.gettext("This button is no longer valid."), show_alert=True)
            return
        if cancel:
            version.status = "cancelled"
            await uow.commit()
            await query.answer(tr.gettext("Cancelled. Nothing was changed."))
            return
        await app.kb_admin.activate(uow, version, query.from_user.id)
    await query.answer(
        tr.gettext("Applied: version {version} is live.").format(version=version.id),
        show_alert=True,
    )


async def on_versions(message: Message, app: App) -> None:
    """List registry versions."""
    user = message.from_user
    if user is None:
        return
    tr = app.translator.get(user.language_code)
    if not await _allowed(app, user.id, "kb_versions", tr, message) or app.kb_admin is None:
        return
    async with app.uow() as uow:
        versions = await app.kb_admin.versions(uow)
    lines = [tr.gettext("<b>Knowledge-base versions</b> (built-in data when none is active)")]
    lines += [
        f"#{v.id} \u2013 {v.kind} \u2013 {escape(v.filename)} \u2013 {v.rows} \u2013 {v.status}"
        for v in versions[:30]
    ]
    await message.answer("\n".join(lines), parse_mode="HTML")


async def on_rollback(message: Message, app: App, command: CommandObject) -> None:
    """/kb_rollback N: make version N active again."""
    user = message.from_user
    if user is None:
        return
    tr = app.translator.get(user.language_code)
    if not await _allowed(app, user.id, "kb_rollback", tr, message) or app.kb_admin is None:
        return
    try:
        version_id = int((command.args or "").strip())
    except ValueError:
        await message.answer(tr.gettext("Usage: /kb_rollback VERSION (see /kb_versions)"))
        return
    async with app.uow() as uow:
        try:
            await app.kb_admin.rollback(uow, version_id, user.id)
        except LookupError:
            await message.answer(tr.gettext("Usage: /kb_rollback VERSION (see /kb_versions)"))
            return
    await message.answer(
        tr.gettext("Applied: version {version} is live.").format(version=version_id)
    )


async def on_export(message: Message, app: App) -> None:
    """The registry in use as a CSV file (formula-injection safe)."""
    user = message.from_user
    if user is None:
        return
    tr = app.translator.get(user.language_code)
    if not await _allowed(app, user.id, "kb_export", tr, message) or app.kb_admin is None:
        return
    content = export_partners_csv(app.kb_admin.current())
    await message.answer_document(BufferedInputFile(content, "tibs-partners.csv"))


def create_router() -> Router:
    """A fresh router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="admin")
    router.message.register(on_stats, Command("stats"))
    router.message.register(on_versions, Command("kb_versions"))
    router.message.register(on_rollback, Command("kb_rollback"))
    router.message.register(on_export, Command("kb_export"))
    router.message.register(on_upload, F.document, is_admin_upload)
    router.callback_query.register(on_apply, F.data.startswith("K:"))
    return router
