"""Buttons. Callback data is ASCII and at most 64 bytes, as Telegram requires:

- ``asg:confirm:<assignment id>`` / ``asg:decline:<assignment id>`` (the same on the
  scheduler's reminders, so the bot answers both),
- ``pick:<action>:<item id>`` — an item chosen in a guided report,
- ``rep:<update id>:<handout|receive|cancel|item:<item id>>`` — a report waiting in the
  chat's state: the item an unknown word meant, or what was done,
- ``lang:<vi|en>`` — a language chosen.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from stations.enums import Language
from stations.i18n import _, translate
from stations.iterables import batched
from stations.models import SupplyItem

CALLBACK_DATA_LIMIT = 64
ITEMS_PER_ROW = 2

CONFIRM = _("✅ Confirm #{number}")
DECLINE = _("❌ Can't come #{number}")
SEND_LOCATION = _("📍 Send my location")
WITHOUT_LOCATION = _("Check in without location")
SHARE_PHONE = _("📱 Share my phone number")
CANCEL = _("Cancel this report")


def callback(*parts: str | int) -> str:
    data = ":".join(str(part) for part in parts)
    if len(data.encode()) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
    return data


def item_buttons(action: str, items: Sequence[SupplyItem], language: str) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for row in batched(items, ITEMS_PER_ROW):
        rows.append(
            [
                InlineKeyboardButton(
                    item.name(language), callback_data=callback("pick", action, item.id)
                )
                for item in row
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                translate(CANCEL, language), callback_data=callback("pick", action, "cancel")
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def choice_buttons(
    choices: Sequence[tuple[str, str]], *, per_row: int = ITEMS_PER_ROW
) -> InlineKeyboardMarkup:
    """``(label, callback data)`` buttons, ``per_row`` to a row."""
    buttons = [InlineKeyboardButton(label, callback_data=data) for label, data in choices]
    return InlineKeyboardMarkup(list(batched(buttons, per_row)))


def language_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "🇻🇳 Tiếng Việt", callback_data=callback("lang", Language.VI.value)
                ),
                InlineKeyboardButton(
                    "🇬🇧 English", callback_data=callback("lang", Language.EN.value)
                ),
            ]
        ]
    )


def location_keyboard(language: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(translate(SEND_LOCATION, language), request_location=True)],
            [KeyboardButton(translate(WITHOUT_LOCATION, language))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def contact_keyboard(language: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(translate(SHARE_PHONE, language), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def is_without_location(text: str) -> bool:
    """The "check in without location" button, pressed in either language."""
    return text.strip() in {translate(WITHOUT_LOCATION, lang) for lang in Language}
