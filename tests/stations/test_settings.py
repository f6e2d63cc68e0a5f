from __future__ import annotations

import re
from pathlib import Path

import pytest

from stations.settings import PLACEHOLDER_SECRET, SETTINGS, SettingsError, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_settings_defaults_run_on_embedded_sqlite_with_bot_off():
    settings = load_settings({})

    assert (settings.database_url, settings.bot_enabled, settings.env) == (
        "sqlite://./waystation.sqlite3",
        False,
        "development",
    )


def test_settings_read_every_value_from_the_environment():
    settings = load_settings(
        {
            "WAYSTATION_DATABASE_URL": "postgres://u:p@db:5432/w",
            "WAYSTATION_PORT": "9000",
            "WAYSTATION_TELEGRAM_TOKEN": "123:abc",
            "WAYSTATION_DEFAULT_LANGUAGE": "en",
        }
    )

    assert (
        settings.database_url,
        settings.port,
        settings.bot_enabled,
        settings.default_language,
    ) == (
        "postgres://u:p@db:5432/w",
        9000,
        True,
        "en",
    )


def test_proxy_trust_is_none_unless_set():
    assert load_settings({}).forwarded_allow_ips == ()
    assert load_settings(
        {"WAYSTATION_FORWARDED_ALLOW_IPS": " 10.0.0.5, 172.16.0.0/12 ,*"}
    ).forwarded_allow_ips == ("10.0.0.5", "172.16.0.0/12", "*")


@pytest.mark.parametrize(
    ("environ", "mentions"),
    [
        ({"WAYSTATION_PORT": "eighty"}, "WAYSTATION_PORT"),
        ({"WAYSTATION_PORT": "70000"}, "WAYSTATION_PORT"),
        ({"WAYSTATION_DATABASE_URL": "mysql://x"}, "WAYSTATION_DATABASE_URL"),
        ({"WAYSTATION_DEFAULT_LANGUAGE": "fr"}, "WAYSTATION_DEFAULT_LANGUAGE"),
        ({"WAYSTATION_ENV": "staging"}, "WAYSTATION_ENV"),
        ({"WAYSTATION_FORWARDED_ALLOW_IPS": "proxy.local"}, "WAYSTATION_FORWARDED_ALLOW_IPS"),
        ({"WAYSTATION_FORWARDED_ALLOW_IPS": "10.0.0.0/33"}, "WAYSTATION_FORWARDED_ALLOW_IPS"),
    ],
)
def test_settings_with_bad_value_name_the_setting(environ, mentions):
    with pytest.raises(SettingsError) as error:
        load_settings(environ)

    assert mentions in str(error.value)


def test_production_refuses_the_placeholder_secret():
    with pytest.raises(SettingsError) as error:
        load_settings({"WAYSTATION_ENV": "production", "WAYSTATION_SECRET_KEY": PLACEHOLDER_SECRET})

    assert "WAYSTATION_SECRET_KEY" in str(error.value)


def test_production_refuses_a_secret_under_32_characters():
    with pytest.raises(SettingsError) as error:
        load_settings({"WAYSTATION_ENV": "production", "WAYSTATION_SECRET_KEY": "s" * 31})

    assert "WAYSTATION_SECRET_KEY" in str(error.value)


def test_a_metrics_token_under_16_characters_is_refused():
    with pytest.raises(SettingsError) as error:
        load_settings({"WAYSTATION_METRICS_TOKEN": "t" * 15})

    assert "WAYSTATION_METRICS_TOKEN" in str(error.value)


def test_dispatch_defaults_are_the_ones_the_readme_gives():
    settings = load_settings({})

    assert (settings.send_rate, settings.bot_reply_reserve, settings.send_ahead_minutes) == (
        30.0,
        5.0,
        30.0,
    )
    assert settings.dispatch_rate == 25.0


def test_readme_documents_exactly_the_settings_that_exist():
    documented = set(re.findall(r"^\| `(WAYSTATION_[A-Z_]+)`", README.read_text(), re.MULTILINE))

    assert documented == {s.name for s in SETTINGS}
