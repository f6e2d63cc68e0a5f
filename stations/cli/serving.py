"""What ``waystation serve`` runs on: its listening sockets and uvicorn's server.

The sockets are bound before anything else starts, so a busy port is one clear line
before the database is migrated or the demo loaded; and "running" is said only by a
server that has its port and has started the app. Imported by ``serve`` only.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp

from stations.i18n import _
from stations.services.errors import Conflict, InvalidInput, PermissionDenied
from stations.settings import Settings

#: Ports below this need privileges on most systems.
FIRST_UNPRIVILEGED_PORT = 1024


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cannot_listen(host: str, port: int, reason: str) -> InvalidInput:
    return InvalidInput(
        _("Cannot listen on {host} port {port}: {reason}. Check --host or WAYSTATION_HOST."),
        field="host",
        host=host or "*",
        port=port,
        reason=_one_line(reason),
    )


def bind_listening_sockets(host: str, port: int) -> list[socket.socket]:
    """One bound socket per address ``host`` stands for ("localhost": IPv4 and IPv6).

    Raises ``Conflict`` when the port is taken, ``PermissionDenied`` when it needs
    privileges, ``InvalidInput`` when the host cannot be listened on.
    """
    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise _cannot_listen(host, port, exc.strerror or str(exc)) from None
    bound: list[socket.socket] = []
    last_unavailable = OSError(errno.EADDRNOTAVAIL, "no address to listen on")
    try:
        for family, kind, protocol, _canonical, address in dict.fromkeys(addresses):
            sock = socket.socket(family, kind, protocol)
            bound.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # "::" would otherwise also take the IPv4 port bound next to it.
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno != errno.EADDRNOTAVAIL:
                    raise
                # An address family this machine has no address of (IPv6 switched off):
                # asyncio skips it too.
                bound.pop().close()
                last_unavailable = exc
        if not bound:
            raise last_unavailable
    except OSError as exc:
        for sock in bound:
            sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise Conflict(
                _("Port {port} is in use: choose another with --port or WAYSTATION_PORT."),
                field="port",
                port=port,
            ) from None
        if exc.errno == errno.EACCES and port < FIRST_UNPRIVILEGED_PORT:
            raise PermissionDenied(
                _(
                    "Port {port} needs administrator rights: choose one from {first} up "
                    "with --port or WAYSTATION_PORT."
                ),
                field="port",
                port=port,
                first=FIRST_UNPRIVILEGED_PORT,
            ) from None
        raise _cannot_listen(host, port, exc.strerror or str(exc)) from None
    return bound


def server_config(app: ASGIApp, settings: Settings, *, log_level: int) -> uvicorn.Config:
    """uvicorn's configuration for ``app``: forwarded headers are believed only from the
    proxies ``WAYSTATION_FORWARDED_ALLOW_IPS`` names (uvicorn alone would believe any
    local process, and read its own ``FORWARDED_ALLOW_IPS``)."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        lifespan="on",
        server_header=False,
        # Our handler writes uvicorn's lines too; the access line is ours
        # (stations.web.metrics), naming the route template, not an address that may
        # hold a calendar key.
        log_config=None,
        access_log=False,
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips),
    )


class AnnouncingServer(uvicorn.Server):
    """uvicorn's server, calling ``announce`` once it listens and the app has started."""

    def __init__(self, config: uvicorn.Config, *, announce: Callable[[], None]) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._announce()
