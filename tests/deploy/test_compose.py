"""The deployment files describe services whose commands this build really has."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_database_with_volume_and_healthchecks():
    compose = _compose()
    services = compose["services"]

    assert services["db"]["image"].startswith("postgres:")
    assert services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pgdata" in compose["volumes"]
    assert [name for name, s in services.items() if "healthcheck" in s] == ["db", "web"]


def test_compose_services_take_settings_from_the_environment():
    services = _compose()["services"]

    for name in ("migrate", "web"):
        env = services[name]["environment"]
        assert env["WAYSTATION_DATABASE_URL"].startswith("postgres://"), name
        assert env["WAYSTATION_ENV"] == "production", name


def _waystation_commands() -> list[tuple[str, list[str]]]:
    commands = []
    for name, service in _compose()["services"].items():
        command = service.get("command")
        if command is None:
            continue
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        if argv[0] == "waystation":
            commands.append((name, argv[1:]))
    dockerfile_cmd = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")
    )
    commands.append(("Dockerfile", yaml.safe_load(dockerfile_cmd.removeprefix("CMD "))[1:]))
    return commands


@pytest.mark.parametrize(("service", "args"), _waystation_commands())
def test_each_service_command_exists_in_the_cli(service, args):
    # `--help` after the real arguments: argparse validates the command and its options,
    # then prints help instead of running it.
    result = subprocess.run(
        [sys.executable, "-m", "stations.main", *args, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )

    assert result.returncode == 0, f"{service}: {result.stderr}"


def test_compose_sets_only_settings_the_service_reads():
    from stations.settings import SETTINGS

    env = _compose()["x-waystation-env"]

    assert set(env) <= {s.name for s in SETTINGS}


def test_https_proxy_fronts_the_web_replicas_with_the_public_url():
    services = _compose()["services"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()

    assert services["caddy"]["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]
    assert {"80:80", "443:443"} <= set(services["caddy"]["ports"])
    assert "ports" not in services["web"]  # only through the proxy
    assert "{$WAYSTATION_PUBLIC_URL" in caddyfile
    assert "name web" in caddyfile and "port 8000" in caddyfile


def test_backups_run_nightly_into_a_volume_with_retention():
    services = _compose()["services"]
    backup = services["backup"]

    assert backup["command"][:2] == ["waystation", "backup"]
    assert "--keep" in backup["command"] and "--daily-at" in backup["command"]
    assert backup["volumes"] == ["backups:/backups"]
    assert "backups" in _compose()["volumes"]


def test_the_database_image_matches_the_postgresql_client_of_the_app_image():
    """pg_dump refuses a server newer than itself: the app image's client must keep up."""
    database = _compose()["services"]["db"]["image"]
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert database == "postgres:17"
    assert "FROM python:3.11-slim-trixie" in dockerfile  # Debian 13: postgresql-client 17
    assert "postgresql-client" in dockerfile


def test_web_replicas_trust_forwarded_addresses_from_the_compose_network_only():
    compose = _compose()
    web = compose["services"]["web"]["environment"]
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]

    assert web["WAYSTATION_FORWARDED_ALLOW_IPS"] == subnet
    assert subnet.endswith("/24}") or subnet.endswith("/24")
