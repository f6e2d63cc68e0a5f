"""What tests see: messages the bot sent, API calls it made, and the people and groups it talks to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import FakeTelegram


@dataclass
class SentMessage:
    """One message the bot sent, or one edit of it (``edited=True``, same ``message_id``)."""

    message_id: int
    chat_id: int
    text: str | None  # plain text after entity parsing, as the person reads it
    parse_mode: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    method: str
    at: float
    edited: bool = False
    latitude: float | None = None
    longitude: float | None = None
    raw_text: str | None = None  # the text exactly as the bot sent it (HTML/Markdown source)
    title: str | None = None  # sendVenue
    address: str | None = None  # sendVenue
    message: dict[str, Any] = field(default_factory=dict)  # the Message object returned

    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, row after row."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [button for row in self.reply_markup["inline_keyboard"] for button in row]

    def button_texts(self) -> list[str]:
        """Texts of the inline buttons, or of the reply keyboard's buttons."""
        if not self.reply_markup:
            return []
        if "inline_keyboard" in self.reply_markup:
            return [button["text"] for button in self.buttons()]
        rows = self.reply_markup.get("keyboard", [])
        return [b if isinstance(b, str) else b["text"] for row in rows for b in row]

    def short(self) -> str:
        body = self.text if self.text is not None else f"<{self.latitude},{self.longitude}>"
        mark = " (edit)" if self.edited else ""
        keys = f" buttons={self.button_texts()}" if self.reply_markup else ""
        return f"#{self.message_id} chat={self.chat_id} {self.method}{mark}: {body!r}{keys}"


@dataclass(frozen=True)
class Call:
    """One Bot API request and the HTTP status the fake answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    description: str | None = None  # the error text for non-200 answers


@dataclass
class FakeChat:
    """A group the bot is a member of (negative id)."""

    fake: FakeTelegram
    id: int
    title: str

    @property
    def type(self) -> str:
        return "supergroup" if self.id <= -1_000_000_000_000 else "group"

    def as_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "title": self.title}

    async def send(self, user: FakeUser, text: str) -> int:
        """``user`` writes ``text`` in this group (commands get their bot_command entity).
        Returns the update_id."""
        return await self.fake._user_message(user, {"text": text}, chat=self)

    def inbox(self) -> list[SentMessage]:
        return self.fake.messages_to(self.id)


@dataclass
class FakeUser:
    """A person using Telegram who has started the bot; their private chat id is their user id."""

    fake: FakeTelegram
    id: int
    first_name: str
    language_code: str | None
    username: str | None

    @property
    def chat_id(self) -> int:
        return self.id

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def as_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat

    async def send(self, text: str) -> int:
        """A text message; commands get their bot_command entity. Returns the update_id."""
        return await self.fake._user_message(self, {"text": text})

    async def send_contact(self, phone: str, *, own: bool = True) -> int:
        contact: dict[str, Any] = {"phone_number": phone, "first_name": self.first_name}
        if own:
            contact["user_id"] = self.id
        else:
            contact["first_name"] = "Someone Else"
        return await self.fake._user_message(self, {"contact": contact})

    async def send_location(self, latitude: float, longitude: float) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return await self.fake._user_message(self, {"location": location})

    async def share_live_location(
        self, latitude: float, longitude: float, *, live_period: int = 900
    ) -> int:
        """Start sharing live location: a location message with its ``live_period``."""
        location = {"latitude": latitude, "longitude": longitude, "live_period": live_period}
        return await self.fake._user_message(self, {"location": location})

    async def move_live_location(self, latitude: float, longitude: float) -> int:
        """A position update of the live location shared last: Telegram sends it as an
        ``edited_message`` carrying the location."""
        return await self.fake._user_live_move(self, latitude, longitude)

    async def send_sticker(self) -> int:
        sticker = {
            "file_id": f"sticker-{self.id}",
            "file_unique_id": f"s{self.id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return await self.fake._user_message(self, {"sticker": sticker})

    async def send_photo(self) -> int:
        photo = [
            {"file_id": f"photo-{self.id}-s", "file_unique_id": "ps", "width": 90, "height": 90},
            {"file_id": f"photo-{self.id}-m", "file_unique_id": "pm", "width": 800, "height": 800},
        ]
        return await self.fake._user_message(self, {"photo": photo})

    async def edit(self, message_id: int, text: str) -> int:
        """Edit one of this person's own text messages: an ``edited_message`` update."""
        return await self.fake._user_edit(self, message_id, text)

    async def press(
        self, message: SentMessage, *, text: str | None = None, data: str | None = None
    ) -> int:
        """Press an inline button of a bot message, found by its text or its callback_data."""
        return await self.fake._press(self, message, text=text, data=data)

    def inbox(self) -> list[SentMessage]:
        return self.fake.messages_to(self.id)
