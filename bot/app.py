"""Builds the bot: the one place its handlers are registered."""

from __future__ import annotations

from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers import (
    checkin,
    conversation,
    errors,
    fallback,
    help,
    language,
    lead,
    nearby,
    services,
    shifts,
    start,
)
from bot.handlers.supplies import commands as supply_commands
from bot.handlers.supplies import guided, typed_reports
from bot.metering import MeteredApplication
from stations.settings import Settings

#: The update kinds the bot asks Telegram for (setWebhook / getUpdates).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
#: HTTP connections to the Bot API: replies of concurrent updates go out side by side.
CONNECTION_POOL_SIZE = 64

#: How often one reply is tried again after a 429, each time after Telegram's retry_after.
#: A private chat takes about one message a second after a burst of a few, so a person who
#: fires a dozen commands at once still gets every answer, the last about ten seconds later.
REPLY_RETRIES = 12

#: (commands, handler): Vietnamese and English names of each command.
COMMANDS = (
    (("start",), start.start),
    (("help", "trogiup"), help.help_command),
    (("language", "ngonngu"), language.language),
    (("shifts", "ca"), shifts.shifts),
    (("next",), shifts.next_shift),
    (("checkin",), checkin.checkin),
    (("checkout",), checkin.checkout),
    (("phat", "handout"), supply_commands.handout),
    (("ton", "stock"), supply_commands.stock),
    (("dem", "count"), supply_commands.count),
    (("nhan", "receive"), supply_commands.receive),
    (("kiemtra", "bikes"), services.motorbikes),
    (("tram", "station"), lead.station),
    (("baocao", "report"), lead.report),
    (("huy", "cancel"), conversation.cancel),
)


def file_url_for(api_url: str) -> str:
    """The Bot API's file address beside its method address: ``…/bot`` → ``…/file/bot``."""
    base = api_url.rstrip("/")
    if base.endswith("/bot"):
        return f"{base[: -len('/bot')]}/file/bot"
    return f"{base}/file/bot"


def reply_rate_limiter(settings: Settings) -> AIORateLimiter:
    """Pacing for the bot's replies: never more than ``group_per_minute`` to one group, and a
    reply refused with 429 is sent again after ``retry_after`` instead of being lost.

    No overall cap per second: it would only count this process's replies, while Telegram
    counts per bot across every web replica and the scheduler's dispatchers. Those leave
    replies their own share of the bot's budget: together they send at most
    ``send_rate - bot_reply_reserve`` (``WAYSTATION_BOT_REPLY_RESERVE``), so a volunteer
    pressing "Confirm" during a wave of reminders is answered at once, not queued behind it.
    Replies follow what people type, so a cap here would queue answers behind one another
    in a rush; an overrun beyond the reserve is answered 429 and retried, which pauses this
    bot's requests until it passes.
    """
    return AIORateLimiter(
        overall_max_rate=0,
        group_max_rate=settings.group_per_minute,
        group_time_period=60,
        max_retries=REPLY_RETRIES,
    )


def build_application(settings: Settings, *, base_url: str | None = None) -> Application:  # type: ignore[type-arg]
    """The bot for ``settings.telegram_token`` talking to ``base_url`` (default: the
    settings' Bot API URL). Updates of different chats are handled concurrently; what a
    conversation remembers lives in the database, so it holds no state of its own."""
    api_url = base_url or settings.telegram_api_url
    application = (
        Application.builder()
        .application_class(MeteredApplication)
        .token(settings.telegram_token)
        .base_url(api_url)
        .base_file_url(file_url_for(api_url))
        .concurrent_updates(True)
        .connection_pool_size(CONNECTION_POOL_SIZE)
        .pool_timeout(10.0)
        .rate_limiter(reply_rate_limiter(settings))
        .build()
    )
    messages = filters.UpdateType.MESSAGE
    for names, callback in COMMANDS:
        application.add_handler(CommandHandler(list(names), callback, filters=messages))
    application.add_handler(
        CallbackQueryHandler(shifts.shift_button, pattern=shifts.BUTTON_PATTERN)
    )
    application.add_handler(CallbackQueryHandler(guided.pick_item, pattern=guided.PICK_PATTERN))
    application.add_handler(
        CallbackQueryHandler(typed_reports.report_button, pattern=typed_reports.REPORT_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(language.language_button, pattern=r"^lang:(vi|en)$")
    )
    application.add_handler(CallbackQueryHandler(fallback.stale_button))
    # A live location's position updates come as edits: part of a check-in, never an error.
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.LOCATION, checkin.location_moved)
    )
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, fallback.edited))
    application.add_handler(MessageHandler(messages & filters.CONTACT, start.contact))
    application.add_handler(MessageHandler(messages & filters.LOCATION, nearby.location))
    application.add_handler(MessageHandler(messages & filters.COMMAND, fallback.unknown_command))
    application.add_handler(MessageHandler(messages & filters.TEXT, conversation.text))
    application.add_handler(MessageHandler(messages, fallback.unsupported))
    application.add_error_handler(errors.error)
    return application
