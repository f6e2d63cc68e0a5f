"""Thousands of random things people send: every one is answered, no handler fails, and
every message the bot sends is one Telegram accepts.

Seeded, so a failure replays; 2,000 messages over the two backends. Webhook mode: the fake's POST returns once the update was
handled, so each update's answers are counted exactly.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field

import pytest

from tests.bot.world import FAR_LAT, FAR_LON, STATION_LAT, STATION_LON, make_world
from tests.factories import make_volunteer
from tests.fake_telegram import FakeUser

pytestmark = pytest.mark.e2e

#: PostgreSQL takes people side by side faster than SQLite's one writer does.
MESSAGES = {"sqlite": 600, "postgres": 1400}
SEED = 20270202

COMMANDS = [
    "/start", "/help", "/trogiup", "/language", "/ngonngu", "/ca", "/shifts", "/next",
    "/checkin", "/checkout", "/phat", "/handout", "/ton", "/stock", "/dem", "/count",
    "/nhan", "/receive", "/kiemtra", "/bikes", "/tram", "/station", "/baocao", "/report",
    "/huy", "/cancel", "/launch", "/start@waystation_test_bot",
]  # fmt: skip
WORDS = [
    "nuoc", "nước", "Nước suối", "khan", "khăn lạnh", "water", "towels", "xe", "xe máy",
    "banh mi", "năm mươi", "english", "vi", "en", "st_HN01", "st_nope", "<b>", "&amp;",
    "a&b", "<script>", "'", '"', "🙂", "Điểm danh không kèm vị trí", "tiếng việt",
]  # fmt: skip
NUMBERS = ["50", "3", "0", "-5", "1e9", "2.5", "99999999999", "1,000", "０５", "+7", "1000001"]
PHONES = ["+84912345678", "0912 345 678", "+84987654321", "12345", "+1 202 555 0100"]


@dataclass
class Person:
    user: FakeUser
    last_id: int = 0
    own_texts: list[int] = field(default_factory=list)
    updates: list[int] = field(default_factory=list)


def _text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.45:
        parts = [rng.choice(COMMANDS)]
        for _ in range(rng.randint(0, 4)):
            parts.append(rng.choice(WORDS + NUMBERS))
        return " ".join(parts)
    if kind < 0.75:
        return rng.choice(NUMBERS + WORDS)
    length = rng.randint(1, 60)
    alphabet = "abcxyzđươăâêôơư0123456789 <>&/_-.,!?😀\n"
    text = "".join(rng.choice(alphabet) for _ in range(length)).strip()
    return text or "?"


async def _act(bot, rng: random.Random, person: Person) -> None:
    """One random action of ``person``: a message, a press, an edit, or a redelivery."""
    fake, user = bot.fake, person.user
    roll = rng.random()
    # Each message as it stands now: an edit replaces its buttons.
    latest = {m.message_id: m for m in fake.messages_to(user.id)}
    mine = [m for m in latest.values() if m.buttons()]
    if roll < 0.12 and mine:
        message = rng.choice(mine[-5:])
        button = rng.choice(message.buttons())
        person.updates.append(await user.press(message, data=button["callback_data"]))
        return
    if roll < 0.17 and person.own_texts:
        person.updates.append(await user.edit(rng.choice(person.own_texts), _text(rng)))
        return
    if roll < 0.21 and person.updates:
        await fake.deliver_again(rng.choice(person.updates[-20:]))
        return
    if roll < 0.25:
        person.updates.append(await user.send_sticker())
        return
    if roll < 0.28:
        person.updates.append(await user.send_photo())
        return
    if roll < 0.34:
        lat, lon = rng.choice([(STATION_LAT, STATION_LON), (FAR_LAT, FAR_LON), (-33.9, 151.2)])
        person.updates.append(await user.send_location(lat, lon))
        return
    if roll < 0.38:
        person.updates.append(await user.send_contact(rng.choice(PHONES), own=rng.random() < 0.7))
        return
    person.updates.append(await user.send(_text(rng)))
    person.own_texts.append(_next_id(fake, person))


def _next_id(fake, person: Person) -> int:
    # The person's message took the id after the last one in the chat, before the replies.
    sent_ids = [m.message_id for m in fake.messages_to(person.user.id) if not m.edited]
    return min(i for i in sent_ids if i > person.last_id) - 1 if sent_ids else 1


async def test_random_messages_are_all_answered_and_nothing_fails(webhook_bot, bot_db, caplog):
    count = MESSAGES[bot_db.backend]
    caplog.set_level(logging.ERROR)
    rng = random.Random(SEED)
    world = await make_world()
    await make_volunteer(
        full_name="John Smith", phone="+84912345678", language="en",
        telegram_user_id=1002, telegram_chat_id=1002,
    )  # fmt: skip
    fake = webhook_bot.fake
    people = [
        Person(fake.user(1001)),
        Person(fake.user(2001)),
        Person(fake.user(1002, language_code="en")),
        Person(fake.user(7001)),  # not linked: may link by sharing a phone number
        Person(fake.user(7002, language_code="fr")),
    ]
    calls_before = len(fake.calls)
    silent: list[str] = []

    async def act(person: Person, step: int) -> None:
        chat = person.user.id
        before = len(fake.messages_to(chat))
        answers_before = len(fake.callback_answers)
        person.last_id = max((m.message_id for m in fake.messages_to(chat)), default=0)
        await _act(webhook_bot, random.Random(rng.random()), person)
        grew = len(fake.messages_to(chat)) > before
        if not grew and len(fake.callback_answers) == answers_before:
            silent.append(f"step {step}: update {person.updates[-1:]} of {chat}")

    # People act side by side, as they do; each one's chat stays in order.
    for step in range(0, count, len(people)):
        await asyncio.gather(*(act(person, step) for person in people))

    refused = [
        (call.method, call.description)
        for call in fake.calls[calls_before:]
        if call.status != 200 and "not modified" not in (call.description or "")
    ]
    assert silent == [], "\n".join(silent)
    assert refused == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert world.station.id  # the world was there throughout
