"""Who an update comes from: their chat, their language and, once linked, the volunteer."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType

from stations import logs
from stations.enums import Language
from stations.i18n import normalize_language
from stations.models import Volunteer
from stations.services.actor import Actor
from stations.services.telegram_accounts import find_volunteer_by_telegram


@dataclass(frozen=True)
class Speaker:
    update_id: int
    chat_id: int
    user_id: int
    language_code: str | None
    volunteer: Volunteer | None
    private: bool

    @property
    def language(self) -> Language:
        """The volunteer's chosen language; before linking, the Telegram app's."""
        if self.volunteer is not None:
            return Language(self.volunteer.language)
        return normalize_language(self.language_code)

    @property
    def actor(self) -> Actor:
        if self.volunteer is None:
            raise LookupError("an unlinked speaker acts as nobody")
        return Actor.volunteer(self.volunteer.id, self.volunteer.full_name)

    def key(self, *parts: object) -> str:
        """An idempotency key tied to this update: a redelivery of it writes nothing new."""
        return ":".join(["tg", str(self.update_id), *(str(p) for p in parts)])


async def speaker_of(update: Update) -> Speaker | None:
    """The speaker of ``update``; None for updates with no person and chat (channel posts)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return None
    volunteer = await find_volunteer_by_telegram(user.id)
    if volunteer is not None:
        logs.bind(volunteer_id=volunteer.id)
    return Speaker(
        update_id=update.update_id,
        chat_id=chat.id,
        user_id=user.id,
        language_code=user.language_code,
        volunteer=volunteer,
        private=chat.type == ChatType.PRIVATE,
    )
