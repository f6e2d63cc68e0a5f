"""Tortoise models, slim: every rule lives in ``stations.services``."""

from stations.models.campaigns import Campaign, Shift, Station
from stations.models.inventory import (
    DailyStockTally,
    ServiceRecord,
    StockBalance,
    StockMovement,
    SupplyItem,
)
from stations.models.messaging import ChatState, Notification
from stations.models.org import ApiToken, AuditEvent, SignInAttempt, Unit, User
from stations.models.people import Assignment, LinkToken, Volunteer
from stations.models.travellers import StationFeedback

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "Campaign",
    "ChatState",
    "DailyStockTally",
    "LinkToken",
    "Notification",
    "ServiceRecord",
    "Shift",
    "SignInAttempt",
    "Station",
    "StationFeedback",
    "StockBalance",
    "StockMovement",
    "SupplyItem",
    "Unit",
    "User",
    "Volunteer",
]
