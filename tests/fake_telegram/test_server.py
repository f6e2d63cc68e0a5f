"""The fake Bot API server answers the real python-telegram-bot like Telegram does."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
)
from telegram import InlineKeyboardMarkup as Keyboard
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)

from tests.fake_telegram import FakeTelegram, Limits

pytestmark = [
    pytest.mark.e2e,
    # PTB itself reads RetryAfter.retry_after while building the error (its v22.2 deprecation)
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
async def shared_fake():
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture(scope="module")
async def shared_bot(shared_fake: FakeTelegram):
    async with Bot(shared_fake.token, base_url=shared_fake.api_base) as bot:
        yield bot


@pytest.fixture
def fake(shared_fake: FakeTelegram) -> FakeTelegram:
    shared_fake.reset()
    return shared_fake


@pytest.fixture
def bot(shared_bot: Bot, fake: FakeTelegram) -> Bot:
    return shared_bot


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def last_error(fake: FakeTelegram) -> tuple[int, str | None]:
    call = fake.calls[-1]
    return call.status, call.description


async def test_get_me_describes_the_bot(bot, fake):
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (123456, "waystation_test_bot", True)
    assert fake.calls[0].method == "getMe"


async def test_wrong_token_is_unauthorized(fake):
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake.api_base}999:WRONG/getMe")

    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    bot = Bot("999:WRONG", base_url=fake.api_base)
    with pytest.raises(InvalidToken):
        await bot.initialize()


async def test_unknown_method_is_not_found(bot, fake):
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTeleportation", api_kwargs={"chat_id": 1})

    assert last_error(fake) == (404, "Not Found")


async def test_method_names_are_case_insensitive(fake):
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{fake.api_base}{fake.token}/GETME")

    assert response.json()["result"]["username"] == "waystation_test_bot"


async def test_json_body_requests_are_accepted(fake):
    fake.user(7)
    url = f"{fake.api_base}{fake.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        response = await client.post(url, json={"chat_id": 7, "text": "chào"})

    assert response.json()["result"]["text"] == "chào"
    assert fake.messages_to(7)[0].text == "chào"


async def test_send_message_records_text_entities_and_keyboard(bot, fake):
    user = fake.user(42)

    message = await bot.send_message(
        42,
        "<b>Ca sáng</b> ở <i>Trạm 1</i>",
        parse_mode="HTML",
        reply_markup=Keyboard([[button("Xác nhận", "ok:1"), button("Không đến", "no:1")]]),
    )

    [sent] = user.inbox()
    assert message.text == "Ca sáng ở Trạm 1"
    assert (sent.message_id, sent.text, sent.method, sent.edited) == (
        message.message_id,
        "Ca sáng ở Trạm 1",
        "sendMessage",
        False,
    )
    assert sent.raw_text == "<b>Ca sáng</b> ở <i>Trạm 1</i>"
    assert sent.entities == [
        {"type": "bold", "offset": 0, "length": 7},
        {"type": "italic", "offset": 10, "length": 6},
    ]
    assert sent.button_texts() == ["Xác nhận", "Không đến"]
    assert message.reply_markup is not None


async def test_reply_keyboard_is_recorded_but_not_echoed(bot, fake):
    fake.user(42)
    markup = ReplyKeyboardMarkup([[KeyboardButton("Gửi số điện thoại", request_contact=True)]])

    message = await bot.send_message(42, "Chia sẻ số điện thoại", reply_markup=markup)

    [sent] = fake.messages_to(42)
    assert sent.reply_markup is not None
    assert sent.reply_markup["keyboard"] == [
        [{"text": "Gửi số điện thoại", "request_contact": True}]
    ]
    assert sent.button_texts() == ["Gửi số điện thoại"]
    assert message.reply_markup is None


@pytest.mark.parametrize(
    ("chat_id", "kwargs", "description"),
    [
        (404, {}, "Bad Request: chat not found"),
        (42, {"text": "   "}, "Bad Request: message text is empty"),
        (42, {"text": "x" * 4097}, "Bad Request: message is too long"),
        (
            42,
            {"text": "<b>x</b>" + "y" * 4096, "parse_mode": "HTML"},
            "Bad Request: message is too long",
        ),
        (42, {"text": "<b>a</b>", "parse_mode": "BBCode"}, "Bad Request: unsupported parse_mode"),
        (
            42,
            {"text": "a < b", "parse_mode": "HTML"},
            'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
        ),
        (
            42,
            {"text": "<b>Ca <i>sáng</b></i>", "parse_mode": "HTML"},
            'Bad Request: can\'t parse entities: Unmatched end tag at byte offset 14, expected "</i>", found "</b>"',
        ),
        (
            42,
            {"text": "Ca 8.00", "parse_mode": "MarkdownV2"},
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
        ),
    ],
)
async def test_send_message_bad_requests_use_telegram_texts(
    bot, fake, chat_id, kwargs, description
):
    fake.user(42)
    arguments = {"text": "xin chào", **kwargs}

    with pytest.raises(BadRequest):
        await bot.send_message(chat_id, **arguments)

    assert last_error(fake) == (400, description)
    assert fake.sent == []


async def test_text_of_exactly_4096_characters_is_accepted(bot, fake):
    fake.user(42)

    await bot.send_message(42, "<b>ạ</b>" + "x" * 4095, parse_mode="HTML")

    assert len(fake.sent[0].text or "") == 4096


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        ("{not json", "Bad Request: can't parse reply keyboard markup JSON object"),
        (
            '{"inline_keyboard": "x"}',
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
        ),
        (
            '{"inline_keyboard": [[{"text": "a", "callback_data": "' + "d" * 65 + '"}]]}',
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            '{"inline_keyboard": [[{"text": "a", "callback_data": "' + "đ" * 33 + '"}]]}',
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            '{"inline_keyboard": [[{"text": "a", "callback_data": ""}]]}',
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            '{"inline_keyboard": [[{"text": "", "callback_data": "x"}]]}',
            "Bad Request: inline keyboard button text must be non-empty",
        ),
        (
            '{"inline_keyboard": [[{"text": "a"}]]}',
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        (
            '{"inline_keyboard": ['
            + ",".join(['[{"text": "a", "callback_data": "x"}]'] * 101)
            + "]}",
            "Bad Request: reply markup is too long",
        ),
        ('{"keyboard": [[{"text": " "}]]}', "Bad Request: keyboard button text must be non-empty"),
        ("[1]", "Bad Request: object expected as reply markup"),
    ],
)
async def test_invalid_reply_markup_is_refused(bot, fake, markup, description):
    fake.user(42)

    with pytest.raises(BadRequest):
        await bot.send_message(42, "x", api_kwargs={"reply_markup": markup})

    assert last_error(fake) == (400, description)


async def test_callback_data_of_exactly_64_bytes_is_accepted(bot, fake):
    fake.user(42)

    await bot.send_message(42, "x", reply_markup=Keyboard([[button("a", "đ" * 32)]]))

    assert fake.sent[0].buttons()[0]["callback_data"] == "đ" * 32


async def test_blocked_user_is_forbidden(bot, fake):
    fake.user(42)
    fake.block(42)

    with pytest.raises(Forbidden):
        await bot.send_message(42, "x")

    assert last_error(fake) == (403, "Forbidden: bot was blocked by the user")


async def test_removed_from_group_is_forbidden(bot, fake):
    fake.group(-1001)
    fake.block(-1001)

    with pytest.raises(Forbidden):
        await bot.send_message(-1001, "x")

    assert last_error(fake) == (403, "Forbidden: bot was kicked from the group chat")


async def test_user_who_writes_again_unblocks_the_bot(bot, fake):
    user = fake.user(42)
    fake.block(42)

    await user.send("/start")
    await bot.send_message(42, "chào lại")

    assert [m.text for m in user.inbox()] == ["chào lại"]


async def test_group_messages_are_recorded(bot, fake):
    group = fake.group(-1001, "Điều phối Tết")

    message = await bot.send_message(-1001, "Báo cáo")

    assert message.chat.title == "Điều phối Tết"
    assert [m.text for m in group.inbox()] == ["Báo cáo"]


async def test_edit_message_text_replaces_text_and_drops_omitted_keyboard(bot, fake):
    fake.user(42)
    original = await bot.send_message(42, "Ca sáng", reply_markup=Keyboard([[button("OK", "ok")]]))

    edited = await bot.edit_message_text("Đã xác nhận", chat_id=42, message_id=original.message_id)

    assert edited.text == "Đã xác nhận"
    assert edited.reply_markup is None
    assert [(m.method, m.edited, m.text) for m in fake.sent] == [
        ("sendMessage", False, "Ca sáng"),
        ("editMessageText", True, "Đã xác nhận"),
    ]


async def test_edit_with_same_content_is_not_modified(bot, fake):
    fake.user(42)
    keyboard = Keyboard([[button("OK", "ok")]])
    original = await bot.send_message(42, "<b>Ca</b>", parse_mode="HTML", reply_markup=keyboard)

    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<b>Ca</b>",
            chat_id=42,
            message_id=original.message_id,
            parse_mode="HTML",
            reply_markup=keyboard,
        )
    assert last_error(fake) == (400, NOT_MODIFIED)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            chat_id=42, message_id=original.message_id, reply_markup=keyboard
        )


async def test_edit_with_other_formatting_is_a_modification(bot, fake):
    fake.user(42)
    original = await bot.send_message(42, "<b>Ca</b>", parse_mode="HTML")

    await bot.edit_message_text("Ca", chat_id=42, message_id=original.message_id)

    assert fake.sent[-1].entities == []


async def test_edit_unknown_message_is_not_found(bot, fake):
    user = fake.user(42)
    await user.send("tin của tôi")

    with pytest.raises(BadRequest):
        await bot.edit_message_text("x", chat_id=42, message_id=99)
    assert last_error(fake) == (400, "Bad Request: message to edit not found")
    with pytest.raises(BadRequest):
        await bot.edit_message_text("x", chat_id=42, message_id=1)
    assert last_error(fake) == (400, "Bad Request: message can't be edited")


async def test_edit_reply_markup_removes_buttons(bot, fake):
    fake.user(42)
    original = await bot.send_message(42, "Ca", reply_markup=Keyboard([[button("OK", "ok")]]))

    edited = await bot.edit_message_reply_markup(chat_id=42, message_id=original.message_id)

    assert edited.reply_markup is None
    assert fake.sent[-1].method == "editMessageReplyMarkup"
    assert fake.sent[-1].text == "Ca"


async def test_send_location_and_venue(bot, fake):
    fake.user(42)

    await bot.send_location(42, latitude=10.7769, longitude=106.7009)
    await bot.send_venue(
        42, latitude=10.7769, longitude=106.7009, title="Trạm 1", address="Quốc lộ 1A"
    )

    location, venue = fake.messages_to(42)
    assert (location.method, location.latitude, location.longitude, location.text) == (
        "sendLocation",
        10.7769,
        106.7009,
        None,
    )
    assert (venue.method, venue.title, venue.address) == ("sendVenue", "Trạm 1", "Quốc lộ 1A")


async def test_send_location_out_of_range_is_refused(bot, fake):
    fake.user(42)

    with pytest.raises(BadRequest):
        await bot.send_location(42, latitude=91, longitude=0)

    assert last_error(fake) == (400, "Bad Request: wrong latitude")


async def test_edit_text_of_location_is_refused(bot, fake):
    fake.user(42)
    location = await bot.send_location(42, latitude=10, longitude=106)

    with pytest.raises(BadRequest):
        await bot.edit_message_text("x", chat_id=42, message_id=location.message_id)

    assert last_error(fake) == (
        400,
        "Bad Request: there is no text in the message to edit",
    )


async def test_chat_action(bot, fake):
    fake.user(42)

    assert await bot.send_chat_action(42, "typing") is True
    with pytest.raises(BadRequest):
        await bot.send_chat_action(42, "dancing")
    assert last_error(fake) == (400, "Bad Request: wrong parameter action in request")


async def test_reply_to_unknown_message_is_refused(bot, fake):
    fake.user(42)

    with pytest.raises(BadRequest):
        await bot.send_message(42, "x", reply_to_message_id=77)

    assert last_error(fake) == (400, "Bad Request: message to be replied not found")


async def test_commands_are_kept_per_scope_and_language(bot, fake):
    fake.group(-5)
    await bot.set_my_commands([BotCommand("ca", "Ca của tôi")])
    await bot.set_my_commands([BotCommand("shifts", "My shifts")], language_code="en")
    await bot.set_my_commands([BotCommand("baocao", "Báo cáo")], scope=BotCommandScopeChat(-5))

    english = await bot.get_my_commands(language_code="en")
    await bot.delete_my_commands(language_code="en")

    assert [c.command for c in english] == ["shifts"]
    assert fake.commands == {
        ("default", None): [{"command": "ca", "description": "Ca của tôi"}],
        ("chat", None): [{"command": "baocao", "description": "Báo cáo"}],
    }
    assert await bot.get_my_commands(language_code="en") == ()


@pytest.mark.parametrize(
    ("command", "description", "error"),
    [
        ("Start", "x", "Bad Request: BOT_COMMAND_INVALID"),
        ("phát", "x", "Bad Request: BOT_COMMAND_INVALID"),
        ("a-b", "x", "Bad Request: BOT_COMMAND_INVALID"),
        ("a" * 33, "x", "Bad Request: command length must not exceed 32"),
        ("ok", " ", "Bad Request: command description must be non-empty"),
    ],
)
async def test_invalid_commands_are_refused(bot, fake, command, description, error):
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand(command, description)])

    assert last_error(fake) == (400, error)
    assert fake.commands == {}


async def test_menu_button_is_kept(bot, fake):
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands()) is True

    assert fake.menu_buttons == {None: {"type": "commands"}}


async def test_close_and_log_out_answer_ok(bot, fake):
    assert await bot.log_out() is True
    assert await bot.close() is True


async def test_fail_next_injects_errors_then_recovers(bot, fake):
    fake.user(42)
    fake.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=1)
    fake.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7
    )

    with pytest.raises(NetworkError):
        await bot.send_message(42, "a")
    with pytest.raises(RetryAfter):
        await bot.send_message(42, "b")
    await bot.send_message(42, "c")

    assert [(c.status, c.description) for c in fake.calls[-3:]] == [
        (502, "Bad Gateway"),
        (429, "Too Many Requests: retry after 7"),
        (200, None),
    ]
    assert fake.count_429 == 1
    assert [m.text for m in fake.sent] == ["c"]


async def test_rate_limit_answers_429_with_retry_after(make_fake_telegram):
    clock = ManualClock()
    fake = await make_fake_telegram(time_source=clock)
    fake.user(42)
    url = f"{fake.api_base}{fake.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        answers = [await client.post(url, data={"chat_id": "42", "text": f"{i}"}) for i in range(4)]
        clock.now += 1.0
        after_a_second = await client.post(url, data={"chat_id": "42", "text": "later"})

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert after_a_second.status_code == 200
    assert fake.count_429 == 1
    assert [m.text for m in fake.sent] == ["0", "1", "2", "later"]


async def test_rate_limit_raises_retry_after_in_ptb_and_counts_edits(make_fake_telegram):
    clock = ManualClock()
    fake = await make_fake_telegram(time_source=clock, limits=Limits(per_chat_burst=1))
    fake.user(42)
    async with Bot(fake.token, base_url=fake.api_base) as bot:
        message = await bot.send_message(42, "a")
        with pytest.raises(RetryAfter):
            await bot.edit_message_text("b", chat_id=42, message_id=message.message_id)
        clock.now += 1
        await bot.edit_message_text("b", chat_id=42, message_id=message.message_id)

    assert fake.count_429 == 1


async def test_group_rate_limit_is_twenty_per_minute(make_fake_telegram):
    clock = ManualClock()
    fake = await make_fake_telegram(time_source=clock)
    fake.group(-100)
    url = f"{fake.api_base}{fake.token}/sendMessage"
    statuses = []
    async with httpx.AsyncClient() as client:
        for i in range(21):
            clock.now += 1.5
            response = await client.post(url, data={"chat_id": "-100", "text": f"{i}"})
            statuses.append(response.status_code)
        refused = response.json()

    assert statuses == [200] * 20 + [429]
    assert (
        refused["parameters"]["retry_after"] == 30
    )  # the first message leaves the minute at +60 s


async def test_unenforced_limits_never_answer_429(make_fake_telegram):
    fake = await make_fake_telegram(limits=Limits(enforce=False))
    fake.user(42)
    async with Bot(fake.token, base_url=fake.api_base) as bot:
        for i in range(20):
            await bot.send_message(42, f"{i}")

    assert len(fake.sent) == 20
    assert fake.count_429 == 0


async def test_answer_callback_query_once(bot, fake):
    user = fake.user(42)
    await bot.send_message(42, "Ca", reply_markup=Keyboard([[button("OK", "ok:1")]]))
    await user.press(fake.sent[0], text="OK")
    query_id = fake.pending_updates[-1]["callback_query"]["id"]

    assert await bot.answer_callback_query(query_id, text="Đã nhận") is True
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query_id)
    assert last_error(fake) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert fake.callback_answers == [
        {
            "callback_query_id": query_id,
            "text": "Đã nhận",
            "show_alert": False,
            "url": None,
            "cache_time": None,
        }
    ]


async def test_answer_unknown_or_old_callback_query_is_refused(make_fake_telegram):
    clock = ManualClock()
    fake = await make_fake_telegram(time_source=clock)
    user = fake.user(42)
    async with Bot(fake.token, base_url=fake.api_base) as bot:
        await bot.send_message(42, "Ca", reply_markup=Keyboard([[button("OK", "ok:1")]]))
        await user.press(fake.sent[0], data="ok:1")
        query_id = fake.pending_updates[-1]["callback_query"]["id"]
        clock.now += 16
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query("nonsense")


async def test_press_unknown_button_fails_the_test_with_the_buttons(bot, fake):
    user = fake.user(42)
    await bot.send_message(42, "Ca", reply_markup=Keyboard([[button("OK", "ok:1")]]))

    with pytest.raises(AssertionError, match=r"\[\('OK', 'ok:1'\)\]"):
        await user.press(fake.sent[0], text="Huỷ")


async def test_press_uses_the_current_keyboard_of_the_message(bot, fake):
    user = fake.user(42)
    original = await bot.send_message(42, "Ca", reply_markup=Keyboard([[button("OK", "ok:1")]]))
    await bot.edit_message_reply_markup(
        42, original.message_id, reply_markup=Keyboard([[button("Đổi", "x")]])
    )

    with pytest.raises(AssertionError):
        await user.press(fake.sent[0], text="OK")
    await user.press(fake.sent[0], text="Đổi")

    assert fake.pending_updates[-1]["callback_query"]["data"] == "x"


async def test_wait_for_times_out_with_a_helpful_report(bot, fake):
    fake.user(42)
    with pytest.raises(BadRequest):
        await bot.send_message(42, "<b>x", parse_mode="HTML")
    await bot.send_message(42, "hello")

    with pytest.raises(AssertionError) as caught:
        await fake.wait_for(lambda m: m.text == "bye", timeout=0.05)

    report = str(caught.value)
    assert "wait_for timed out after 0.05s" in report
    assert "'hello'" in report
    assert "can't parse entities" in report


async def test_wait_for_returns_each_message_once_in_order(bot, fake):
    fake.user(42)
    fake.user(43)
    await bot.send_message(42, "một")
    await bot.send_message(43, "khác")
    await bot.send_message(42, "hai")

    first = await fake.wait_for(chat_id=42)
    second = await fake.wait_for(chat_id=42)

    assert [m.text for m in first + second] == ["một", "hai"]
    assert [m.text for m in fake.unread()] == ["khác"]


async def test_wait_for_wakes_when_a_message_arrives(bot, fake):
    fake.user(42)
    waiting = asyncio.create_task(fake.wait_for(lambda m: "ba" in (m.text or ""), count=1))
    await asyncio.sleep(0)
    await bot.send_message(42, "một")
    await bot.send_message(42, "ba")

    [message] = await waiting
    assert message.text == "ba"


async def test_fail_next_accepted_sends_but_loses_the_answer(bot, fake):
    fake.user(42)
    fake.fail_next("sendMessage", error_code=502, description="Bad Gateway", accepted=True)

    with pytest.raises(NetworkError):
        await bot.send_message(42, "nhắc ca")

    assert [m.text for m in fake.sent] == ["nhắc ca"]
    assert fake.calls[-1].status == 502


async def test_reset_forgets_people_and_messages(bot, fake):
    fake.user(42)
    await bot.send_message(42, "x")

    fake.reset()

    assert (fake.sent, fake.calls, fake.count_429) == ([], [], 0)
    with pytest.raises(BadRequest):
        await bot.send_message(42, "x")


@pytest.mark.parametrize("text", ["", "   ", "x" * 4097])
async def test_a_person_cannot_send_what_telegram_apps_refuse(fake, text):
    with pytest.raises(ValueError, match="1 to 4096"):
        await fake.user(42).send(text)


def test_people_and_groups_have_the_right_sign_of_id(fake):
    with pytest.raises(ValueError):
        fake.user(-1)
    with pytest.raises(ValueError):
        fake.group(5)
    assert fake.user(42) is fake.user(42)
    assert fake.group(-1_001_234_567_890).type == "supergroup"


async def test_person_edits_only_their_own_text_messages(bot, fake):
    user = fake.user(42)
    await bot.send_message(42, "từ bot")

    with pytest.raises(AssertionError, match="no text message 1"):
        await user.edit(1, "sửa")


async def test_press_on_a_deleted_message_fails_the_test(bot, fake):
    user = fake.user(42)
    message = await bot.send_message(42, "Ca", reply_markup=Keyboard([[button("OK", "ok")]]))
    await bot.delete_message(42, message.message_id)

    with pytest.raises(AssertionError, match="was deleted"):
        await user.press(fake.sent[0], text="OK")


def test_asking_again_for_a_person_changes_only_what_is_passed(fake):
    first = fake.user(42, first_name="Bình", language_code="en", username="binh")

    again = fake.user(42, language_code="vi")

    assert again is first
    assert (again.first_name, again.language_code, again.username) == ("Bình", "vi", "binh")
    assert fake.user(43).as_user() == {
        "id": 43,
        "is_bot": False,
        "first_name": "An",
        "language_code": "vi",
    }


async def test_json_number_is_read_as_text(fake):
    fake.user(7)
    url = f"{fake.api_base}{fake.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        response = await client.post(url, json={"chat_id": 7, "text": 50})

    assert response.json()["result"]["text"] == "50"


async def test_malformed_allowed_updates_are_refused(fake):
    url = f"{fake.api_base}{fake.token}/getUpdates"
    async with httpx.AsyncClient() as client:
        response = await client.post(url, json={"allowed_updates": [["message"]]})

    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: can't parse allowed updates"
    assert fake.internal_errors == []


async def test_person_writes_in_a_group_with_command_entities(fake):
    an = fake.user(42)
    group = fake.group(-100500, "Điều phối")

    first = await group.send(an, "ai trực chiều nay?")
    second = await group.send(an, "/ca")

    held = {update["update_id"]: update["message"] for update in fake.pending_updates}
    assert (held[first]["chat"], held[first]["from"]["id"]) == (group.as_chat(), 42)
    assert held[first]["message_id"] == 1
    assert "entities" not in held[first]
    assert held[second]["message_id"] == 2
    assert held[second]["entities"] == [{"type": "bot_command", "offset": 0, "length": 3}]


async def test_writing_in_a_group_does_not_unblock_the_private_chat(bot, fake):
    an = fake.user(42)
    fake.block(42)

    await fake.group(-100500).send(an, "chào")

    with pytest.raises(Forbidden):
        await bot.send_message(42, "Xin chào")


async def test_replaced_buttons_are_what_a_press_finds(bot, fake):
    user = fake.user(42)
    await bot.send_message(42, "Ca", reply_markup=Keyboard([[button("OK", "ok:1")]]))
    old = {"inline_keyboard": [[{"text": "Cũ", "callback_data": "v0:x"}]]}

    fake.replace_buttons(fake.sent[0], old)
    await user.press(fake.sent[0], data="v0:x")

    assert fake.current(fake.sent[0])["reply_markup"] == old
    assert fake.pending_updates[-1]["callback_query"]["message"]["reply_markup"] == old
    assert [message.edited for message in fake.sent] == [False]


async def test_replace_buttons_refuses_reply_keyboards_and_deleted_messages(bot, fake):
    fake.user(42)
    sent = await bot.send_message(42, "Ca")
    await bot.delete_message(42, sent.message_id)

    with pytest.raises(ValueError, match="inline"):
        fake.replace_buttons(fake.sent[0], {"keyboard": [["OK"]]})
    with pytest.raises(AssertionError, match="deleted"):
        fake.replace_buttons(fake.sent[0], {"inline_keyboard": []})
    with pytest.raises(AssertionError, match="deleted"):
        fake.current(fake.sent[0])


async def test_current_is_a_copy_of_the_edited_message(bot, fake):
    fake.user(42)
    sent = await bot.send_message(42, "Ca")
    await bot.edit_message_text("Ca mới", chat_id=42, message_id=sent.message_id)

    current = fake.current(fake.sent[0])
    current["text"] = "changed by the test"

    assert fake.current(fake.sent[0])["text"] == "Ca mới"


async def test_preset_webhook_is_kept_until_the_bot_removes_it(bot, fake):
    await fake.preset_webhook("https://old.example.org/hook", max_connections=5)

    info = await bot.get_webhook_info()
    await bot.delete_webhook()

    assert (info.url, info.max_connections) == ("https://old.example.org/hook", 5)
    assert fake.webhook is None
