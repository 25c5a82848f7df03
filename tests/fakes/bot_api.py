"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests (wire contract: shared docs).

The real aiogram (and python-telegram-bot) stack talks HTTP to it. It records every call,
keeps the messages it "delivered" (with edits applied), validates what real Telegram would
reject (4096 UTF-16 units, HTML entities, 64-byte callback data, ...), holds long polls and
injects faults: 429 with ``retry_after``, 5xx, 403, delays (client time-outs), disconnects.
Rate limits can be enforced like Telegram's, so a bot that floods fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

JSON_FIELDS = (
    "reply_markup",
    "allowed_updates",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "media",
)
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
_TOKEN = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")
_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    """An error envelope to answer with."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float


@dataclass
class Fault:
    """A scripted failure for the next matching calls."""

    method: str
    times: int
    error_code: int | None = None
    description: str = ""
    retry_after: int | None = None
    chat_id: int | None = None
    delay: float = 0.0
    disconnect: bool = False
    deliver: bool = False  # delay after delivering (a lost answer), not before


class _HtmlCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'unexpected end tag "{tag}"'
        else:
            self.stack.pop()


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def check_html(text: str) -> str:
    """Raise 400 like Telegram for malformed HTML; return the visible text."""
    if _ENTITY.search(text):
        raise ApiError(400, "Bad Request: can't parse entities: unsupported entity")
    parser = _HtmlCheck()
    parser.feed(text)
    parser.close()
    if parser.error or parser.stack:
        reason = parser.error or f"can't find end tag corresponding to start tag {parser.stack[-1]}"
        raise ApiError(400, f"Bad Request: can't parse entities: {reason}")
    return re.sub(r"<[^>]+>", "", text)


class FakeTelegramAPI:
    """The fake server; start it, point the bot at ``base_url``, push updates, inspect calls."""

    def __init__(
        self,
        *,
        bot_username: str = "tibs_test_bot",
        max_hold: float = 0.5,
        enforce_limits: bool = False,
    ) -> None:
        self.bot_username = bot_username
        self.max_hold = max_hold
        self.enforce_limits = enforce_limits
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.order: list[tuple[int, int]] = []
        self.files: dict[str, tuple[bytes, str]] = {}
        self.faults: list[Fault] = []
        self.rate_limited: list[tuple[str, int]] = []
        self.commands: dict[str, Any] = {}
        self.webhook: dict[str, Any] = {}
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._stopping = False
        self._sent_per_chat: dict[int, deque[float]] = defaultdict(deque)
        self._sent_global: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 at a free port."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Wake long polls and shut down."""
        self._stopping = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What the bot uses as its API server."""
        return f"http://127.0.0.1:{self.port}"

    # -- updates -----------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update (an ``update_id`` is assigned when missing)."""
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return int(update["update_id"])

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    @staticmethod
    def _user(user_id: int, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    @staticmethod
    def _chat(chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}

    def message_update(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        language_code: str | None = "en",
        kind: str = "text",
    ) -> dict[str, Any]:
        """A message update: text (commands get a bot_command entity), or sticker/photo/voice."""
        chat = chat_id if chat_id is not None else user_id
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat]),
            "date": int(time.time()),
            "chat": self._chat(chat),
            "from": self._user(user_id, language_code),
        }
        if kind == "text":
            message["text"] = text or ""
            if message["text"].startswith("/"):
                length = len(message["text"].split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        elif kind == "sticker":
            message["sticker"] = {
                "file_id": "stk1",
                "file_unique_id": "u-stk1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        elif kind == "photo":
            message["photo"] = [
                {"file_id": "ph1", "file_unique_id": "u-ph1", "width": 90, "height": 90}
            ]
        elif kind == "voice":
            message["voice"] = {"file_id": "vc1", "file_unique_id": "u-vc1", "duration": 3}
        return {"message": message}

    def callback_update(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """A button press on a message the bot sent."""
        chat = chat_id if chat_id is not None else user_id
        origin = self.messages.get((chat, message_id), {})
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat),
            "from": self.bot_user(),
            "text": origin.get("text") or "\u2026",
        }
        return {
            "callback_query": {
                "id": str(next(self._update_ids) * 7919),
                "from": self._user(user_id, language_code),
                "chat_instance": str(chat),
                "data": data,
                "message": message,
            }
        }

    # -- inspection --------------------------------------------------------------------------

    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of one method (case-insensitive)."""
        return [c for c in self.calls if c.method == method.lower()]

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages in a chat, oldest first, as they look now (edits applied)."""
        return [self.messages[key] for key in self.order if key[0] == chat_id]

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` is true (checked whenever the fake's state changes)."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            while not predicate():
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    raise TimeoutError("fake Bot API: condition not reached")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    def inject(
        self,
        method: str,
        error_code: int | None = None,
        description: str = "",
        *,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        delay: float = 0.0,
        disconnect: bool = False,
        deliver: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (or hang, or drop the connection)."""
        if error_code == 429 and not description:
            description = f"Too Many Requests: retry after {retry_after or 1}"
        self.faults.append(
            Fault(
                method.lower(),
                times,
                error_code,
                description,
                retry_after,
                chat_id,
                delay,
                disconnect,
                deliver,
            )
        )

    def bot_user(self) -> dict[str, Any]:
        """The bot's own User object."""
        return {
            "id": self._bot_id,
            "is_bot": True,
            "first_name": "TIBS",
            "username": self.bot_username,
        }

    _bot_id = 0

    # -- HTTP --------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.read()
            if body:
                params.update(json.loads(body))
        elif ctype == "application/x-www-form-urlencoded":
            params.update(dict(await request.post()))
        elif ctype.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.name is None:
                    continue
                if part.filename:
                    files[part.name] = bytes(await part.read())
                    files[f"{part.name}#name"] = part.filename.encode()
                else:
                    params[part.name] = await part.text()
        for key in JSON_FIELDS:
            if isinstance(params.get(key), str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        return params, files

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        match = _TOKEN.match(request.match_info["token"])
        if not match:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        self._bot_id = int(match.group(1))
        method = request.match_info["method"].lower()
        params, files = await self._params(request)
        self.calls.append(Call(method, params, files, time.monotonic()))
        try:
            fault = self._take_fault(method, params)
            if fault is not None and fault.disconnect:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            if fault is not None and fault.delay and not fault.deliver:
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.error_code:
                raise ApiError(
                    fault.error_code,
                    fault.description or "Internal Server Error",
                    {"retry_after": fault.retry_after} if fault.retry_after else None,
                )
            self._limit(method, params)
            result = await self._dispatch(method, params, files)
            if fault is not None and fault.delay and fault.deliver:
                await asyncio.sleep(fault.delay)
        except ApiError as error:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.parameters:
                body["parameters"] = error.parameters
            return web.json_response(body, status=error.code)
        finally:
            await self._notify()
        return web.json_response({"ok": True, "result": result})

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.method != method or fault.times <= 0:
                continue
            if fault.chat_id is not None and str(params.get("chat_id")) != str(fault.chat_id):
                continue
            fault.times -= 1
            return fault
        return None

    def _limit(self, method: str, params: dict[str, Any]) -> None:
        if not self.enforce_limits or not method.startswith("send"):
            return
        now = time.monotonic()
        chat = int(params["chat_id"])
        window = self._sent_global
        while window and now - window[0] > 1.0:
            window.popleft()
        per_chat = self._sent_per_chat[chat]
        horizon = 60.0 if chat < 0 else 1.0
        allowed = 20 if chat < 0 else 1
        while per_chat and now - per_chat[0] > horizon:
            per_chat.popleft()
        burst = 1 if chat < 0 else 2  # Telegram tolerates short bursts in private chats
        if len(window) >= 30 or len(per_chat) >= allowed + (0 if chat < 0 else burst):
            self.rate_limited.append((method, chat))
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        window.append(now)
        per_chat.append(now)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        for content, file_path in self.files.values():
            if file_path == path:
                return web.Response(body=content)
        return web.Response(status=404)

    # -- methods -----------------------------------------------------------------------------

    async def _dispatch(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if method == "getme":
            return self.bot_user()
        if method == "getupdates":
            return await self._get_updates(params)
        if method in {"deletewebhook", "setwebhook"}:
            self.webhook = dict(params) if method == "setwebhook" else {}
            return True
        if method == "getwebhookinfo":
            return {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        if method == "setmycommands":
            return self._set_commands(params)
        if method == "sendmessage":
            text = self._text(params, "text", required=True)
            return self._store(params, {"text": text})
        if method in {"senddocument", "sendphoto"}:
            kind = "document" if method == "senddocument" else "photo"
            return self._store(params, self._attach(kind, params, files))
        if method == "editmessagetext":
            return self._edit(params, text=self._text(params, "text", required=True))
        if method == "editmessagereplymarkup":
            return self._edit(params)
        if method == "answercallbackquery":
            if len(str(params.get("text") or "")) > 200:
                raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
            return True
        if method == "getfile":
            file_id = str(params.get("file_id"))
            if file_id not in self.files:
                raise ApiError(400, "Bad Request: invalid file_id")
            content, path = self.files[file_id]
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(content),
                "file_path": path,
            }
        if method in {"sendchataction", "deletemessage", "close", "logout"}:
            return True
        raise ApiError(404, "Not Found: method not found")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        hold = min(float(params.get("timeout") or 0), self.max_hold)
        if not self.updates and hold > 0 and not self._stopping:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self.updates) or self._stopping), hold
                    )
        return self.updates[:limit]

    def _text(self, params: dict[str, Any], key: str, *, required: bool) -> str:
        text = str(params.get(key) or "")
        if required and not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        visible = check_html(text) if str(params.get("parse_mode", "")).upper() == "HTML" else text
        if utf16_len(visible) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    def _markup(self, params: dict[str, Any]) -> Any:
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []) if isinstance(markup, dict) else []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not str(button.get("text", "")).strip():
                    raise ApiError(400, "Bad Request: text buttons are unallowed")
        return markup

    def _store(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        chat = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids[chat]),
            "date": int(time.time()),
            "chat": self._chat(chat),
            "from": self.bot_user(),
            **content,
        }
        markup = self._markup(params)
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat, message["message_id"])] = message
        self.order.append((chat, message["message_id"]))
        return message

    def _edit(self, params: dict[str, Any], text: str | None = None) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = self._markup(params)
        if (text is None or text == message.get("text")) and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        if text is not None:
            message["text"] = text
        message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    def _attach(self, kind: str, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        ref = str(params.get(kind) or kind)
        name = ref.removeprefix("attach://") if ref.startswith("attach://") else kind
        content = files.get(name)
        if content is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        filename = files.get(f"{name}#name", b"file").decode()
        file_id = f"F{next(self._file_ids)}"
        self.files[file_id] = (content, f"{kind}s/{file_id}_{filename}")
        caption = str(params.get("caption") or "")
        described = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content)}
        body: dict[str, Any] = (
            {"document": {**described, "file_name": filename}}
            if kind == "document"
            else {"photo": [{**described, "width": 900, "height": 400}]}
        )
        if caption:
            body["caption"] = caption
        return body

    def _set_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for command in commands:
            if not _COMMAND.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[str(params.get("language_code") or "")] = commands
        return True

    def add_file(self, content: bytes, filename: str) -> str:
        """Store a file a user "uploaded"; returns its file_id for a document message."""
        file_id = f"F{next(self._file_ids)}"
        self.files[file_id] = (content, f"documents/{file_id}_{filename}")
        return file_id
