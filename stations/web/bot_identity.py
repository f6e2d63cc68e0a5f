"""Who the Telegram bot is, as the web needs it for invite links and check-in QR codes.

``WAYSTATION_BOT_USERNAME`` when set; otherwise the username the running bot got from
Telegram's getMe when it started (``bot.runtime`` keeps it in ``app.state.bot_username``;
each replica asks once on its own start). Without either, pages say why in words.
"""

from __future__ import annotations

import logging

from starlette.requests import Request

from stations.i18n import _
from stations.web.qr import BOT_USERNAME

log = logging.getLogger("web")

NO_TOKEN = _(
    "Invite links and check-in QR codes need the Telegram bot, which is off: set "
    "WAYSTATION_TELEGRAM_TOKEN (the bot's username is then asked of Telegram) or "
    "WAYSTATION_BOT_USERNAME, and restart the service."
)
NOT_STARTED = _(
    "The Telegram bot did not start, so its username is not known: invite links and "
    "check-in QR codes need it. See the service's log, or set WAYSTATION_BOT_USERNAME."
)
INVALID = _(
    "The bot username in WAYSTATION_BOT_USERNAME is not a valid Telegram username, so no "
    "invite link or check-in QR code can be made."
)


def bot_username(request: Request) -> str:
    """The bot's username without "@", or "" when it is not known."""
    configured = request.app.state.settings.bot_username.strip().lstrip("@")
    if configured:
        return configured
    learned = getattr(request.app.state, "bot_username", None)
    return learned if isinstance(learned, str) else ""


def bot_missing(request: Request) -> str | None:
    """Why links to the bot cannot be made (a message id), or None when they can."""
    username = bot_username(request)
    if BOT_USERNAME.fullmatch(username):
        return None
    if username:
        return INVALID
    if not request.app.state.settings.bot_enabled:
        return NO_TOKEN
    return NOT_STARTED


def log_missing(request: Request, what: str) -> None:
    """One log line for the operator: a coordinator asked for a link the bot cannot give."""
    reason = bot_missing(request)
    if reason is not None:
        log.warning("No %s: the bot's username is unknown (%s)", what, reason)
