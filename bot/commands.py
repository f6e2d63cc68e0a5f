"""The command menu, per language: Vietnamese commands by default, English ones for
people whose Telegram speaks English. Both sets work for everyone."""

from __future__ import annotations

from telegram import BotCommand

from stations.enums import Language
from stations.i18n import _, translate

#: (command, description msgid) in menu order
VIETNAMESE_MENU: tuple[tuple[str, str], ...] = (
    ("ca", _("My shifts")),
    ("next", _("My next shift and where it is")),
    ("checkin", _("Check in at my station")),
    ("checkout", _("Check out and see the time worked")),
    ("phat", _("Report handouts, e.g. /phat nuoc 50")),
    ("kiemtra", _("Report motorbikes checked, e.g. /kiemtra xe 3")),
    ("ton", _("Stock at my station")),
    ("dem", _("Count the stock")),
    ("nhan", _("Record supplies received (station leads)")),
    ("tram", _("Who is on duty and who is late (station leads)")),
    ("baocao", _("Today's totals (station leads)")),
    ("huy", _("Cancel what I'm doing")),
    ("language", _("Choose Vietnamese or English")),
    ("help", _("What I can do")),
)
ENGLISH_MENU: tuple[tuple[str, str], ...] = (
    ("shifts", _("My shifts")),
    ("next", _("My next shift and where it is")),
    ("checkin", _("Check in at my station")),
    ("checkout", _("Check out and see the time worked")),
    ("handout", _("Report handouts, e.g. /handout water 50")),
    ("bikes", _("Report motorbikes checked, e.g. /bikes 3")),
    ("stock", _("Stock at my station")),
    ("count", _("Count the stock")),
    ("receive", _("Record supplies received (station leads)")),
    ("station", _("Who is on duty and who is late (station leads)")),
    ("report", _("Today's totals (station leads)")),
    ("cancel", _("Cancel what I'm doing")),
    ("language", _("Choose Vietnamese or English")),
    ("help", _("What I can do")),
)


def menu(language: Language) -> list[BotCommand]:
    entries = ENGLISH_MENU if language is Language.EN else VIETNAMESE_MENU
    return [BotCommand(command, translate(text, language)) for command, text in entries]
