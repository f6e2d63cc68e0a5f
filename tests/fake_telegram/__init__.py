"""A fake Telegram Bot API server for end-to-end tests of the bot and the scheduler."""

from .asgi import RunningServer, serve_asgi
from .errors import ApiError
from .limits import Limits
from .models import Call, FakeChat, FakeUser, SentMessage
from .server import FakeTelegram

__all__ = [
    "ApiError",
    "Call",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "Limits",
    "RunningServer",
    "SentMessage",
    "serve_asgi",
]
