"""The bot knows its own username: asked of Telegram (getMe) when
``WAYSTATION_BOT_USERNAME`` is not set, and used by the web's invite links and QR codes."""

from __future__ import annotations

import pytest

from bot.runtime import bot_lifespans
from stations.models import LinkToken
from stations.settings import Settings
from stations.web.app import create_app
from tests.factories import make_station, make_unit, make_volunteer
from tests.stations.web.conftest import fast_password_hashing  # noqa: F401
from tests.stations.web.helpers import make_user, post_form, signed_in

pytestmark = pytest.mark.e2e


async def test_without_a_configured_username_invites_and_qr_codes_use_get_me(fake, db, caplog):
    caplog.set_level("INFO", logger="bot")
    settings = Settings(
        secret_key="x" * 40,
        telegram_token=fake.token,
        telegram_api_url=fake.api_base,
        bot_username="",
    )
    app = create_app(settings, manage_database=False)
    (lifespan,) = bot_lifespans(settings)
    unit = await make_unit()
    station = await make_station(unit=unit, code="HN-01")
    volunteer = await make_volunteer(unit=unit)

    async with lifespan(app):
        admin = await signed_in(app, await make_user("admin"))
        sheet = await admin.get(f"/stations/{station.id}/sheet")
        invite = await post_form(admin, f"/volunteers/{volunteer.id}/invite")

    link = f"https://t.me/{fake.bot_username}?start="
    assert app.state.bot_username == fake.bot_username
    assert f"{link}st_HN-01" in sheet.text
    # the check-in code and the travellers' feedback code
    assert sheet.text.count('<svg viewBox="') == 2
    assert invite.status_code == 200
    assert link in invite.text
    assert await LinkToken.all().count() == 1
    assert [call.method for call in fake.calls].count("getMe") == 1
    assert f"Telegram bot is @{fake.bot_username} (from getMe)" in caplog.messages


async def test_a_bot_that_did_not_start_is_said_on_the_page_and_in_the_log(fake, db, caplog):
    fake.fail_next("getMe", error_code=401, description="Unauthorized")
    settings = Settings(
        secret_key="x" * 40,
        telegram_token=fake.token,
        telegram_api_url=fake.api_base,
        bot_username="",
    )
    app = create_app(settings, manage_database=False)
    (lifespan,) = bot_lifespans(settings)
    volunteer = await make_volunteer()

    async with lifespan(app):
        admin = await signed_in(app, await make_user("admin"))
        invite = await post_form(admin, f"/volunteers/{volunteer.id}/invite?lang=en")

    assert invite.status_code == 503
    assert (
        "The Telegram bot did not start, so its username is not known: invite links and "
        "check-in QR codes need it." in invite.text
    )
    assert await LinkToken.all().count() == 0
    assert any("No invite link for volunteer" in message for message in caplog.messages)
