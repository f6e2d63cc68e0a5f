"""Where alerts for coordinators go: their Telegram group, and the language it reads.

The coordinators' chat is a deployment setting, but the services that raise alerts (a
handout that empties a station's water runs in a web request, a bot update or the
scheduler) do not read settings: each process sets the routing once at start
(``stations.main`` → ``configure_alert_routing``). Unset, alerts go to station leads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from stations.enums import Language
from stations.i18n import normalize_language


@dataclass(frozen=True, slots=True)
class AlertRouting:
    coordinator_chat_id: int | None = None
    language: Language = Language.VI


_routing = AlertRouting()


def configure_alert_routing(*, coordinator_chat_id: int | None, language: str) -> AlertRouting:
    global _routing
    _routing = AlertRouting(coordinator_chat_id, normalize_language(language))
    return _routing


def alert_routing() -> AlertRouting:
    return _routing
