"""Texts the bot says in more than one place, and how any text is filled for Telegram.

Every reply is HTML (``parse_mode="HTML"``): values that come from people or the database
(names, addresses, what someone typed) are escaped before they go into a message.
"""

from __future__ import annotations

import html
import re

from stations.enums import Language
from stations.i18n import Msgid, _, translate
from stations.services.errors import StationsError

NOT_LINKED = _(
    "I don't know you yet. Open the invite link your coordinator sent you, or send /start "
    "to share your phone number."
)
NO_SHIFT_NOW = _("You have no shift now or in the next 24 hours.")
NO_STATION_NOW = _(
    "You are not on a shift right now, so I don't know which station this is for. It works "
    "from an hour before your shift starts until it ends."
)
LEADS_ONLY = _("Only station leads can use this command.")
SOMETHING_WENT_WRONG = _(
    "Sorry, something went wrong on our side. Nothing was recorded; please try again in a moment."
)
NOT_POSITIVE = _("“{text}” is not allowed: the number must be more than 0.")
NOT_NEGATIVE = _("“{text}” is not allowed: a count is 0 or more (0 when none are left).")
UNKNOWN_ITEM = _("I don't know the item “{text}”. Send /stock to see the items of your station.")
DID_YOU_MEAN = _("I don't know the item “{text}”. Did you mean one of these?")
WRONG_UNIT = _("{item} is counted in {unit}, not in “{text}”. Write the number of {unit}.")
ALREADY_DONE = _("I already took this message into account.")
CANCELLED = _("Okay, cancelled. Nothing was recorded.")
STALE_BUTTON = _("This button is no longer valid. Please send the command again.")
SHIFT_CHANGED = _("This shift has changed. Send /shifts to see your shifts now.")
USE_PRIVATE_CHAT = _("Please write to me in a private chat.")
MISSING_QUANTITY = _("Write how many after “{text}”, like: /handout water 50.")
MISSING_ITEM = _("Write the item before the number “{text}”, like: /handout water 50.")
LOW_STOCK = _("⚠️ Low stock: under {threshold} {unit}.")


def render(msgid: str, language: str | Language | None, /, **params: object) -> str:
    """``msgid`` translated, each text value HTML-escaped (a Msgid is ours and translated)."""
    safe = {
        name: value
        if isinstance(value, Msgid) or not isinstance(value, str)
        else html.escape(value, quote=False)
        for name, value in params.items()
    }
    return translate(msgid, language, **safe)


def render_error(error: StationsError, language: str | Language | None) -> str:
    """A service's refusal for its reader, escaped: its values may be anything typed."""
    return html.escape(error.translated(language), quote=False)


def shorten(text: str, limit: int = 40) -> str:
    """What someone typed, cut to a length a reply can quote."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Telegram's limit on the text of a callback answer (a toast or an alert).
CALLBACK_ANSWER_LIMIT = 200
_TAG = re.compile(r"<[^>]+>")


def plain(text: str, limit: int = CALLBACK_ANSWER_LIMIT) -> str:
    """Our HTML as plain text (tags dropped, entities read), for a callback answer."""
    return html.unescape(_TAG.sub("", text))[:limit]
