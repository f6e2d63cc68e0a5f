"""Tortoise models, slim: every rule lives in ``stations.services``."""

from stations.models.campaigns import Campaign, Shift, Station
from stations.models.daily_figures import StaleStationDay, StationDayFigures, StationDayPartner
from stations.models.funds import Donation, Expense, Partner
from stations.models.inventory import (
    DailyStockTally,
    PlannedStock,
    ServiceRecord,
    StockBalance,
    StockMovement,
    SupplyItem,
)
from stations.models.messaging import ChatState, Notification, SendBudget
from stations.models.operations import BackupRecord, JobCursor, ProcessHeartbeat
from stations.models.org import ApiToken, AuditEvent, SignInAttempt, Unit, User, WebSession
from stations.models.people import Assignment, LinkToken, Volunteer
from stations.models.travellers import StationFeedback

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "BackupRecord",
    "Campaign",
    "ChatState",
    "DailyStockTally",
    "Donation",
    "Expense",
    "JobCursor",
    "LinkToken",
    "Notification",
    "Partner",
    "PlannedStock",
    "ProcessHeartbeat",
    "SendBudget",
    "ServiceRecord",
    "Shift",
    "SignInAttempt",
    "StaleStationDay",
    "Station",
    "StationDayFigures",
    "StationDayPartner",
    "StationFeedback",
    "StockBalance",
    "StockMovement",
    "SupplyItem",
    "Unit",
    "User",
    "Volunteer",
    "WebSession",
]
