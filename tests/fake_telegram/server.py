"""A fake Telegram Bot API server for tests: a Starlette app on a real local port.

The real python-telegram-bot talks HTTP to it (``base_url=fake.api_base``). It answers like
api.telegram.org — ``{"ok": true, "result": ...}`` or an error with Telegram's own texts and
HTTP status — keeps what the bot sent, and plays the people writing to the bot: their updates
go to the bot by webhook (when one is set) or through ``getUpdates`` long polling.

Deliberate differences from Telegram, each to keep tests honest and simple:
- ``fake.user(id)`` is a person who has already started the bot: the bot may write to them.
- A webhook may use plain ``http://`` on 127.0.0.1/localhost (Telegram requires HTTPS).
- HTML with a lone ``&`` is refused (Telegram keeps it); pass ``strict_html=False`` to allow.
- Message dates are wall-clock seconds; rate limits and callback ages use ``time_source``.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import re
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import entities as formatting
from .asgi import RunningServer
from .errors import ApiError, bad_request, too_many_requests
from .limits import Limits, RateLimiter
from .markup import inline_buttons, parse_reply_markup
from .models import Call, FakeChat, FakeUser, SentMessage
from .params import bool_param, float_param, int_param, json_param, read_params

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_ANSWER_LENGTH = 200
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Methods that put a message in a chat and so count against the flood limits.
RATE_LIMITED = frozenset(
    {"sendMessage", "sendLocation", "sendVenue", "editMessageText", "editMessageReplyMarkup"}
)
COMMAND = re.compile(r"[a-z0-9_]+")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class _Unset:
    """Marks a keyword argument the caller did not pass."""


_UNSET = _Unset()


class FakeTelegram:
    """Fake Bot API server; see the module docstring. ``async with FakeTelegram() as fake:``."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "waystation_test_bot",
        limits: Limits | None = None,
        time_source: Callable[[], float] = time.monotonic,
        strict_html: bool = True,
        callback_query_ttl: float = 15.0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self.limits = limits or Limits()
        self.time_source = time_source
        self.strict_html = strict_html
        self.callback_query_ttl = callback_query_ttl
        self.url = ""
        self.api_base = ""
        self.file_base = ""
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._reset_state()
        self._sent_changed = asyncio.Condition()
        self._updates_changed = asyncio.Condition()
        self._poll_generation = 0
        self.waiting_polls = 0  # getUpdates requests being held open right now
        self._closing = False
        self._server: RunningServer | None = None
        self._http: httpx.AsyncClient | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._redelivery = asyncio.Lock()  # one in-order retry pass at a time
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": self._ok,
                "close": self._ok,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "sendLocation": self._send_location,
                "sendVenue": self._send_venue,
                "sendChatAction": self._send_chat_action,
                "answerCallbackQuery": self._answer_callback_query,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
                "setMyDescription": self._ok,
                "setMyShortDescription": self._ok,
                "setMyName": self._ok,
                "getChat": self._get_chat,
            }.items()
        }

    def reset(self) -> None:
        """Forget everything the bot and the people did; keep the port and the settings.

        For a fake shared by the tests of a module: call it between tests, with no bot running.
        """
        self._reset_state()

    def _reset_state(self) -> None:
        # what the bot did
        self.sent: list[SentMessage] = []
        self.calls: list[Call] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.deliveries: list[dict[str, Any]] = []  # every webhook POST: update_id, status, error
        self.count_429 = 0
        self.internal_errors: list[str] = []  # tracebacks of bugs in the fake itself (empty!)
        # the world
        self._limiter = RateLimiter(self.limits)
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeChat] = {}
        self._blocked: set[int] = set()
        self._failures: dict[str, deque[tuple[ApiError, bool]]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_ids: dict[int, Iterator[int]] = {}
        self._updates: dict[int, dict[str, Any]] = {}
        self._poll_queue: list[int] = []  # unconfirmed updates for getUpdates, by update_id
        self._redeliver: set[int] = set()  # ids given again once by getUpdates, whatever the offset
        self._webhook_backlog: list[int] = []  # failed webhook deliveries, retried in order
        self._poll_allowed: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._queries: dict[str, tuple[float, bool]] = {}  # id -> (asked at, answered)
        self._webhook_slots = asyncio.Semaphore(40)
        self._seen: set[int] = set()  # indexes into ``sent`` already returned by wait_for

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/{path:path}", self._not_found, methods=["GET", "POST"]),
            ]
        )
        self._server = RunningServer(app)
        self.url = await self._server.start()
        self.api_base = f"{self.url}/bot"
        self.file_base = f"{self.url}/file/bot"
        self._closing = False

    async def stop(self) -> None:
        self._closing = True
        async with self._updates_changed:
            self._updates_changed.notify_all()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._server is not None:
            await self._server.stop()
        if self._http is not None:
            await self._http.aclose()
        self._server = None
        self._http = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ the world, for tests

    def user(
        self,
        user_id: int,
        *,
        first_name: str | _Unset = _UNSET,
        language_code: str | _Unset | None = _UNSET,
        username: str | _Unset | None = _UNSET,
    ) -> FakeUser:
        """A person who has started the bot; the same object for the same id.

        Defaults: first_name "An", language_code "vi", no username. Asking again for a known
        id changes only what is passed explicitly (a person may switch Telegram's language).
        """
        if user_id <= 0:
            raise ValueError("a user id is positive; use group() for groups")
        known = self._users.get(user_id)
        if known is None:
            known = FakeUser(self, user_id, "An", "vi", None)
            self._users[user_id] = known
        if not isinstance(first_name, _Unset):
            known.first_name = first_name
        if not isinstance(language_code, _Unset):
            known.language_code = language_code
        if not isinstance(username, _Unset):
            known.username = username
        return known

    def group(self, chat_id: int, title: str = "Điều phối") -> FakeChat:
        """A group the bot is a member of; its id is negative."""
        if chat_id >= 0:
            raise ValueError("a group id is negative")
        if chat_id not in self._groups:
            self._groups[chat_id] = FakeChat(self, chat_id, title)
        return self._groups[chat_id]

    def block(self, chat_id: int) -> None:
        """The person blocks the bot (or, for a group, removes it): sends answer 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        accepted: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` fail with this error (before any other check).

        ``accepted=True``: Telegram does the work (the message is sent and recorded) but the
        bot gets the error instead of the result — an answer lost on the way back.
        """
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        queue = self._failures.setdefault(method.lower(), deque())
        for _ in range(times):
            queue.append((ApiError(error_code, description, parameters), accepted))

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` take effect at once (the message is sent
        and recorded) but are answered only ``seconds`` later — a slow answer that a client
        with a shorter timeout gives up on, not knowing Telegram accepted it."""
        queue = self._delays.setdefault(method.lower(), deque())
        for _ in range(times):
            queue.append(seconds)

    def current(self, sent: SentMessage) -> dict[str, Any]:
        """The Telegram Message as it stands now (after edits) for a message the bot sent."""
        stored = self._messages.get((sent.chat_id, sent.message_id))
        if stored is None:
            raise AssertionError(f"message {sent.message_id} in {sent.chat_id} was deleted")
        return copy.deepcopy(stored)

    def replace_buttons(self, sent: SentMessage, reply_markup: dict[str, Any]) -> None:
        """Give a sent message other inline buttons, as if an older build of the bot (or a
        forged client) had sent them; records no edit and counts against no limit."""
        if "inline_keyboard" not in reply_markup:
            raise ValueError("a message carries inline buttons only")
        key = (sent.chat_id, sent.message_id)
        if key not in self._messages:
            raise AssertionError(f"message {sent.message_id} in {sent.chat_id} was deleted")
        self._messages[key] = {**self._messages[key], "reply_markup": copy.deepcopy(reply_markup)}

    async def preset_webhook(self, url: str, **params: Any) -> None:
        """A webhook left behind by another instance of the bot (setWebhook's parameters)."""
        await self._set_webhook({"url": url, **params})

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [message for message in self.sent if message.chat_id == chat_id]

    def unread(self, chat_id: int | None = None) -> list[SentMessage]:
        """Sent messages no wait_for has returned yet (to assert that nothing more was said)."""
        return [
            message
            for index, message in enumerate(self.sent)
            if index not in self._seen and (chat_id is None or message.chat_id == chat_id)
        ]

    async def wait_for(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        chat_id: int | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 -- the agreed contract; asyncio.timeout inside
    ) -> list[SentMessage]:
        """Wait until ``count`` matching messages are sent; returns the oldest ones.

        Each message is returned by one wait_for only, so consecutive waits read a
        conversation in order and a reply sent before the wait started is not missed.
        """

        def matches(message: SentMessage) -> bool:
            return (chat_id is None or message.chat_id == chat_id) and (
                predicate is None or predicate(message)
            )

        matched: list[int] = []
        scanned = 0

        def enough() -> bool:
            nonlocal scanned
            while scanned < len(self.sent):
                if scanned not in self._seen and matches(self.sent[scanned]):
                    matched.append(scanned)
                scanned += 1
            matched[:] = [index for index in matched if index not in self._seen]
            return len(matched) >= count

        async with self._sent_changed:
            try:
                await asyncio.wait_for(self._sent_changed.wait_for(enough), timeout)
            except TimeoutError:
                raise AssertionError(
                    self._timeout_report(predicate, chat_id, count, timeout, matched)
                ) from None
            picked = matched[:count]
            self._seen.update(picked)
            return [self.sent[index] for index in picked]

    async def deliver_again(self, update_id: int) -> None:
        """Send the same update once more, as Telegram does after a lost answer."""
        if update_id not in self._updates:
            raise KeyError(f"no update {update_id}")
        if self.webhook is not None:
            if not await self._post_update(update_id):
                self._to_backlog(update_id)
            return
        async with self._updates_changed:
            if update_id not in self._poll_queue:
                self._poll_queue.append(update_id)
                self._poll_queue.sort()
            self._redeliver.add(update_id)
            self._updates_changed.notify_all()

    async def redeliver_pending(self) -> int:
        """Retry failed webhook deliveries in order, stopping at the first failure.

        Returns how many were delivered. Telegram retries on its own timers; tests call this.
        """
        delivered = 0
        async with self._redelivery:
            while self._webhook_backlog and self.webhook is not None:
                update_id = self._webhook_backlog[0]
                if not await self._post_update(update_id):
                    break
                if update_id in self._webhook_backlog:
                    self._webhook_backlog.remove(update_id)
                delivered += 1
        return delivered

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates Telegram still holds: unconfirmed by getUpdates, or undelivered by webhook."""
        ids = self._webhook_backlog if self.webhook is not None else self._poll_queue
        return [self._updates[update_id] for update_id in ids]

    # ------------------------------------------------------------------ people's actions

    def _wall_clock(self) -> int:
        return int(time.time())

    def _next_message_id(self, chat_id: int) -> int:
        if chat_id not in self._message_ids:
            self._message_ids[chat_id] = itertools.count(1)
        return next(self._message_ids[chat_id])

    async def _user_message(
        self, user: FakeUser, content: dict[str, Any], *, chat: FakeChat | None = None
    ) -> int:
        """A message from ``user`` in their private chat, or in the group ``chat``."""
        text = content.get("text")
        if text is not None and not 0 < len(text.strip()) <= MAX_TEXT_LENGTH:
            raise ValueError("Telegram apps send 1 to 4096 characters per message")
        if chat is None:
            self._blocked.discard(user.id)  # writing to a bot unblocks it
        where = chat if chat is not None else user
        message: dict[str, Any] = {
            "message_id": self._next_message_id(where.id),
            "from": user.as_user(),
            "chat": where.as_chat(),
            "date": self._wall_clock(),
            **content,
        }
        if text is not None:
            found = formatting.detect_entities(text)
            if found:
                message["entities"] = found
        self._messages[(where.id, message["message_id"])] = message
        return await self._new_update({"message": message})

    async def _user_edit(self, user: FakeUser, message_id: int, text: str) -> int:
        stored = self._messages.get((user.id, message_id))
        if stored is None or stored["from"].get("id") != user.id or "text" not in stored:
            raise AssertionError(f"{user.id} has no text message {message_id} to edit")
        edited = {**stored, "text": text, "edit_date": self._wall_clock()}
        edited.pop("entities", None)
        found = formatting.detect_entities(text)
        if found:
            edited["entities"] = found
        self._messages[(user.id, message_id)] = edited
        return await self._new_update({"edited_message": edited})

    async def _user_live_move(self, user: FakeUser, latitude: float, longitude: float) -> int:
        shared = [
            message
            for (chat_id, _id), message in self._messages.items()
            if chat_id == user.id and "live_period" in message.get("location", {})
        ]
        if not shared:
            raise AssertionError(f"{user.id} shares no live location")
        latest = max(shared, key=lambda message: message["message_id"])
        location = {**latest["location"], "latitude": latitude, "longitude": longitude}
        edited = {**latest, "location": location, "edit_date": self._wall_clock()}
        self._messages[(user.id, latest["message_id"])] = edited
        return await self._new_update({"edited_message": edited})

    async def _press(
        self, user: FakeUser, sent: SentMessage, *, text: str | None, data: str | None
    ) -> int:
        stored = self._messages.get((sent.chat_id, sent.message_id))
        if stored is None:
            raise AssertionError(f"message {sent.message_id} in {sent.chat_id} was deleted")
        buttons = inline_buttons(stored.get("reply_markup"))
        candidates = [
            button
            for button in buttons
            if (text is None or button["text"] == text)
            and (data is None or button.get("callback_data") == data)
        ]
        if len(candidates) != 1 or "callback_data" not in candidates[0]:
            raise AssertionError(
                f"cannot press text={text!r} data={data!r} on message {sent.message_id}: "
                f"its current buttons are {[(b['text'], b.get('callback_data')) for b in buttons]}"
            )
        query_id = f"{self.bot_id}{next(self._query_ids):08d}"
        self._queries[query_id] = (self.time_source(), False)
        query = {
            "id": query_id,
            "from": user.as_user(),
            "message": stored,
            "chat_instance": f"ci{sent.chat_id}",
            "data": candidates[0]["callback_data"],
        }
        return await self._new_update({"callback_query": query})

    async def _new_update(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates[update_id] = {"update_id": update_id, **payload}
        if self.webhook is not None:
            if not self._allowed(update_id, self.webhook["allowed_updates"]):
                return update_id
            # Newer updates wait behind a failed one, as Telegram keeps their order.
            if self._webhook_backlog or not await self._post_update(update_id):
                self._to_backlog(update_id)
            return update_id
        async with self._updates_changed:
            self._poll_queue.append(update_id)
            self._updates_changed.notify_all()
        return update_id

    def _allowed(self, update_id: int, allowed: frozenset[str] | list[str]) -> bool:
        kind = next(key for key in self._updates[update_id] if key != "update_id")
        return kind in allowed

    def _to_backlog(self, update_id: int) -> None:
        if update_id not in self._webhook_backlog:
            self._webhook_backlog.append(update_id)
            self._webhook_backlog.sort()

    async def _post_update(self, update_id: int) -> bool:
        assert self.webhook is not None
        if self._http is None:  # made on first use: an httpx client costs ~50 ms to build
            self._http = httpx.AsyncClient(timeout=10.0)
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        record: dict[str, Any] = {"update_id": update_id, "status": None, "error": None}
        self.deliveries.append(record)
        webhook = self.webhook
        try:
            async with self._webhook_slots:  # Telegram opens at most max_connections at once
                response = await self._http.post(
                    webhook["url"], json=self._updates[update_id], headers=headers
                )
        except httpx.HTTPError as err:
            record["error"] = f"{type(err).__name__}: {err}"
            webhook["last_error_message"] = "Connection refused"
            webhook["last_error_date"] = self._wall_clock()
            return False
        record["status"] = response.status_code
        if 200 <= response.status_code < 300:
            return True
        webhook["last_error_message"] = (
            f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
        )
        webhook["last_error_date"] = self._wall_clock()
        return False

    # ------------------------------------------------------------------ HTTP

    async def _not_found(self, request: Request) -> JSONResponse:
        return JSONResponse(ApiError(404, "Not Found").body(), status_code=404)

    async def _endpoint(self, request: Request) -> JSONResponse:
        method_name = request.path_params["method"]
        params = await read_params(request)
        at = self.time_source()
        known = self._methods.get(method_name.lower())
        name = known[0] if known else method_name
        try:
            if request.path_params["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if known is None:
                raise ApiError(404, "Not Found")
            failures = self._failures.get(name.lower())
            if failures:
                failure, accepted = failures.popleft()
                if accepted:
                    await known[1](params)
                raise failure
            result = await known[1](params)
            delays = self._delays.get(name.lower())
            if delays:
                await asyncio.sleep(delays.popleft())
        except ApiError as err:
            if err.error_code == 429:
                self.count_429 += 1
            self.calls.append(Call(name, params, at, err.error_code, err.description))
            return JSONResponse(err.body(), status_code=err.error_code)
        except Exception as err:
            # A bug in the fake must not pass for a Telegram answer: record it loudly.
            self.internal_errors.append(traceback.format_exc())
            self.calls.append(Call(name, params, at, 500, f"fake server bug: {err!r}"))
            raise
        self.calls.append(Call(name, params, at, 200))
        return JSONResponse({"ok": True, "result": result})

    def _chat(self, params: dict[str, Any], *, writing: bool = True) -> dict[str, Any]:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat_id = int_param(params, "chat_id")
        if chat_id is None:
            raise bad_request("chat not found")
        chat: dict[str, Any]
        if chat_id in self._users:
            chat = self._users[chat_id].as_chat()
        elif chat_id in self._groups:
            chat = self._groups[chat_id].as_chat()
        else:
            raise bad_request("chat not found")
        if writing and chat_id in self._blocked:
            if chat_id < 0:
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Waystation Test Bot",
            "username": self.bot_username,
        }

    def _formatted(self, params: dict[str, Any], field: str = "text") -> formatting.Parsed:
        raw = params.get(field)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = str(raw)  # Telegram reads a JSON number as its text
        if not isinstance(raw, str) or not raw.strip():
            raise bad_request("message text is empty")
        explicit = json_param(params, "entities", "can't parse entities JSON object")
        if explicit is not None:
            if not isinstance(explicit, list):
                raise bad_request("can't parse entities JSON object")
            parsed = formatting.Parsed(raw, explicit)
        else:
            try:
                parsed = formatting.parse(
                    raw, params.get("parse_mode"), strict_ampersand=self.strict_html
                )
            except formatting.EntityParseError as err:
                raise bad_request(f"can't parse entities: {err}") from None
            except ValueError:
                raise bad_request("unsupported parse_mode") from None
        if not parsed.text.strip():
            raise bad_request("message text is empty")
        if len(parsed.text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return parsed

    def _check_reply_target(self, params: dict[str, Any], chat_id: int) -> None:
        reply = json_param(params, "reply_parameters", "can't parse reply parameters JSON object")
        target: int | None = None
        lenient = bool_param(params, "allow_sending_without_reply")
        if isinstance(reply, dict):
            target = reply.get("message_id")
            lenient = lenient or bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            target = int_param(params, "reply_to_message_id")
        if target is not None and (chat_id, target) not in self._messages and not lenient:
            raise bad_request("message to be replied not found")

    def _admit(self, method: str, chat_id: int) -> None:
        if method not in RATE_LIMITED:
            return
        retry_after = self._limiter.admit(chat_id, self.time_source())
        if retry_after is not None:
            raise too_many_requests(retry_after)

    async def _record(self, sent: SentMessage) -> None:
        async with self._sent_changed:
            self.sent.append(sent)
            self._sent_changed.notify_all()

    def _stored_bot_message(self, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        if params.get("inline_message_id"):
            raise bad_request("message to edit not found")
        chat = self._chat(params)
        message_id = int_param(params, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        stored = self._messages.get((chat["id"], message_id))
        if stored is None:
            raise bad_request("message to edit not found")
        if stored["from"].get("id") != self.bot_id:
            raise bad_request("message can't be edited")
        return chat, stored

    # ------------------------------------------------------------------ methods

    async def _ok(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params, writing=False)
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int_param(params, "offset") or 0
        limit = min(max(int_param(params, "limit") or 100, 1), 100)
        timeout = max(int_param(params, "timeout") or 0, 0)
        allowed = self._allowed_updates(params)
        if allowed is not None:
            self._poll_allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        self._poll_generation += 1
        generation = self._poll_generation
        async with self._updates_changed:
            self._updates_changed.notify_all()  # an older waiting poll ends with 409
            self._confirm(offset)
            if timeout > 0 and not self._available():
                self.waiting_polls += 1
                try:
                    await asyncio.wait_for(
                        self._updates_changed.wait_for(
                            lambda: (
                                bool(self._available())
                                or self._closing
                                or generation != self._poll_generation
                                or self.webhook is not None
                            )
                        ),
                        timeout,
                    )
                except TimeoutError:
                    pass
                finally:
                    self.waiting_polls -= 1
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            if self.webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            batch = self._available()[:limit]
            # A redelivered update is given once; the next offset confirms it again.
            self._redeliver.difference_update(batch)
            return [self._updates[update_id] for update_id in batch]

    def _allowed_updates(self, params: dict[str, Any]) -> list[str] | None:
        allowed = json_param(params, "allowed_updates", "can't parse allowed updates")
        if allowed is None:
            return None
        if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
            raise bad_request("can't parse allowed updates")
        return allowed

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._poll_queue = [
                update_id
                for update_id in self._poll_queue
                if update_id >= offset or update_id in self._redeliver
            ]
        elif offset < 0:
            self._poll_queue = self._poll_queue[offset:]

    def _available(self) -> list[int]:
        return [
            update_id
            for update_id in self._poll_queue
            if self._allowed(update_id, self._poll_allowed)
        ]

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if not url:
            return await self._delete_webhook(params)
        parts = urlsplit(str(url))
        plain_local = parts.scheme == "http" and parts.hostname in LOOPBACK
        if parts.scheme != "https" and not plain_local:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        allowed = self._allowed_updates(params)
        if bool_param(params, "drop_pending_updates"):
            self._poll_queue.clear()
            self._webhook_backlog.clear()
        max_connections = int_param(params, "max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        self._webhook_slots = asyncio.Semaphore(max_connections)
        self.webhook = {
            "url": str(url),
            "secret_token": secret,
            "allowed_updates": sorted(allowed) if allowed else sorted(DEFAULT_ALLOWED_UPDATES),
            "max_connections": max_connections,
            "ip_address": params.get("ip_address"),
            "drop_pending_updates": bool_param(params, "drop_pending_updates"),
        }
        for update_id in self._poll_queue:
            self._to_backlog(update_id)
        self._poll_queue.clear()
        self._redeliver.clear()
        async with self._updates_changed:
            self._updates_changed.notify_all()  # a waiting getUpdates ends with 409
        if self._webhook_backlog:
            task = asyncio.create_task(self.redeliver_pending())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if bool_param(params, "drop_pending_updates"):
            self._webhook_backlog.clear()
            self._poll_queue.clear()
        self._poll_queue = sorted(set(self._poll_queue) | set(self._webhook_backlog))
        self._webhook_backlog.clear()
        self.webhook = None
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.webhook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._poll_queue),
            }
        info: dict[str, Any] = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._webhook_backlog),
            "max_connections": self.webhook["max_connections"],
            "allowed_updates": self.webhook["allowed_updates"],
        }
        for key in ("last_error_date", "last_error_message", "ip_address"):
            if self.webhook.get(key):
                info[key] = self.webhook[key]
        return info

    def _new_bot_message(self, chat: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self._bot_user(),
            "chat": chat,
            "date": self._wall_clock(),
            **content,
        }
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    @staticmethod
    def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
        """Telegram's Message carries only inline keyboards; reply keyboards are not echoed."""
        return markup if markup and "inline_keyboard" in markup else None

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        parsed = self._formatted(params)
        markup = parse_reply_markup(params.get("reply_markup"))
        self._check_reply_target(params, chat["id"])
        self._admit("sendMessage", chat["id"])
        content: dict[str, Any] = {"text": parsed.text}
        if parsed.entities:
            content["entities"] = parsed.entities
        if self._inline_only(markup):
            content["reply_markup"] = markup
        message = self._new_bot_message(chat, content)
        await self._record(
            SentMessage(
                message_id=message["message_id"],
                chat_id=chat["id"],
                text=parsed.text,
                parse_mode=params.get("parse_mode"),
                entities=parsed.entities,
                reply_markup=markup,
                method="sendMessage",
                at=self.time_source(),
                raw_text=str(params["text"]),
                message=message,
            )
        )
        return message

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, stored = self._stored_bot_message(params)
        if "text" not in stored:
            raise bad_request("there is no text in the message to edit")
        parsed = self._formatted(params)
        markup = parse_reply_markup(params.get("reply_markup"))
        inline = self._inline_only(markup)
        if (
            parsed.text == stored["text"]
            and parsed.entities == stored.get("entities", [])
            and inline == stored.get("reply_markup")
        ):
            raise bad_request(NOT_MODIFIED)
        self._admit("editMessageText", chat["id"])
        edited = {**stored, "text": parsed.text, "edit_date": self._wall_clock()}
        edited.pop("entities", None)
        edited.pop("reply_markup", None)  # an edit without reply_markup removes the keyboard
        if parsed.entities:
            edited["entities"] = parsed.entities
        if inline:
            edited["reply_markup"] = inline
        self._messages[(chat["id"], stored["message_id"])] = edited
        await self._record(
            SentMessage(
                message_id=stored["message_id"],
                chat_id=chat["id"],
                text=parsed.text,
                parse_mode=params.get("parse_mode"),
                entities=parsed.entities,
                reply_markup=inline,
                method="editMessageText",
                at=self.time_source(),
                edited=True,
                raw_text=str(params["text"]),
                message=edited,
            )
        )
        return edited

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, stored = self._stored_bot_message(params)
        inline = self._inline_only(parse_reply_markup(params.get("reply_markup")))
        if inline == stored.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        self._admit("editMessageReplyMarkup", chat["id"])
        edited = {**stored, "edit_date": self._wall_clock()}
        edited.pop("reply_markup", None)
        if inline:
            edited["reply_markup"] = inline
        self._messages[(chat["id"], stored["message_id"])] = edited
        location = stored.get("location") or {}
        await self._record(
            SentMessage(
                message_id=stored["message_id"],
                chat_id=chat["id"],
                text=stored.get("text"),
                parse_mode=None,
                entities=stored.get("entities", []),
                reply_markup=inline,
                method="editMessageReplyMarkup",
                at=self.time_source(),
                edited=True,
                latitude=location.get("latitude"),
                longitude=location.get("longitude"),
                message=edited,
            )
        )
        return edited

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        message_id = int_param(params, "message_id")
        if message_id is None or self._messages.pop((chat["id"], message_id), None) is None:
            raise bad_request("message to delete not found")
        return True

    def _coordinates(self, params: dict[str, Any]) -> tuple[float, float]:
        latitude = float_param(params, "latitude")
        longitude = float_param(params, "longitude")
        if latitude is None or not -90 <= latitude <= 90:
            raise bad_request("wrong latitude")
        if longitude is None or not -180 <= longitude <= 180:
            raise bad_request("wrong longitude")
        return latitude, longitude

    async def _send_location(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_place(params, "sendLocation")

    async def _send_venue(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_place(params, "sendVenue")

    async def _send_place(self, params: dict[str, Any], method: str) -> dict[str, Any]:
        chat = self._chat(params)
        latitude, longitude = self._coordinates(params)
        title = address = None
        if method == "sendVenue":
            title = str(params.get("title") or "").strip()
            address = str(params.get("address") or "").strip()
            if not title:
                raise bad_request("venue title is empty")
            if not address:
                raise bad_request("venue address is empty")
        markup = parse_reply_markup(params.get("reply_markup"))
        self._check_reply_target(params, chat["id"])
        self._admit(method, chat["id"])
        location = {"latitude": latitude, "longitude": longitude}
        content: dict[str, Any] = {"location": location}
        if method == "sendVenue":
            content["venue"] = {"location": location, "title": title, "address": address}
        if self._inline_only(markup):
            content["reply_markup"] = markup
        message = self._new_bot_message(chat, content)
        await self._record(
            SentMessage(
                message_id=message["message_id"],
                chat_id=chat["id"],
                text=None,
                parse_mode=None,
                entities=[],
                reply_markup=markup,
                method=method,
                at=self.time_source(),
                latitude=latitude,
                longitude=longitude,
                title=title,
                address=address,
                message=message,
            )
        )
        return message

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        asked = self._queries.get(query_id)
        if asked is None or asked[1] or self.time_source() - asked[0] > self.callback_query_ttl:
            raise bad_request(QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        self._queries[query_id] = (asked[0], True)
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": bool_param(params, "show_alert"),
                "url": params.get("url"),
                "cache_time": int_param(params, "cache_time"),
            }
        )
        return True

    def _scope_key(self, params: dict[str, Any]) -> tuple[str, str | None]:
        scope = json_param(params, "scope", "can't parse BotCommandScope JSON object")
        scope_type = "default"
        if scope is not None:
            if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
                raise bad_request("can't parse BotCommandScope JSON object")
            scope_type = scope["type"]
            if scope_type in {"chat", "chat_administrators", "chat_member"}:
                self._chat({"chat_id": scope.get("chat_id")}, writing=False)
        language = params.get("language_code") or None
        return scope_type, language

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = json_param(params, "commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command") or "").strip()
            description = str(item.get("description") or "").strip()
            if not command:
                raise bad_request("command must be non-empty")
            if len(command) > 32:
                raise bad_request("command length must not exceed 32")
            if not COMMAND.fullmatch(command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not description:
                raise bad_request("command description must be non-empty")
            if len(description) > 256:
                raise bad_request("command description length must not exceed 256")
            cleaned.append({"command": command, "description": description})
        key = self._scope_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(self._scope_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        chat_id = None
        if params.get("chat_id") not in (None, ""):
            chat_id = self._chat(params, writing=False)["id"]
        button = json_param(params, "menu_button", "can't parse menu button JSON object")
        if button is None:
            button = {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in {
            "default",
            "commands",
            "web_app",
        }:
            raise bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = None
        if params.get("chat_id") not in (None, ""):
            chat_id = self._chat(params, writing=False)["id"]
        return self.menu_buttons.get(chat_id, self.menu_buttons.get(None, {"type": "commands"}))

    # ------------------------------------------------------------------ diagnostics

    def _timeout_report(
        self,
        predicate: Callable[[SentMessage], bool] | None,
        chat_id: int | None,
        count: int,
        timeout: float,
        matched: list[int],
    ) -> str:
        unread = [f"  {message.short()}" for message in self.unread()[-15:]]
        failed = [
            f"  {call.method} {call.status} {call.description} params={call.params}"
            for call in [call for call in self.calls if call.status != 200][-10:]
        ]
        lines = [
            f"wait_for timed out after {timeout}s: wanted {count} message(s)"
            f" chat_id={chat_id} predicate={getattr(predicate, '__name__', predicate)};"
            f" {len(matched)} matched so far",
            "unread messages:",
            *(unread or ["  (none)"]),
            "last calls that failed:",
            *(failed or ["  (none)"]),
            f"updates held for the bot: {len(self.pending_updates)}",
        ]
        return "\n".join(lines)
