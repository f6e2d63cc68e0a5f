"""Closed vocabularies of the domain. Values are stored in the database: never rename one."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class UnitKind(StrEnum):
    PROVINCE_POLICE = "province_police"
    COMMUNE_POLICE = "commune_police"
    TRAFFIC_POLICE = "traffic_police"
    YOUTH_UNION = "youth_union"
    WOMENS_UNION = "womens_union"
    GARAGE = "garage"
    OTHER = "other"


class CampaignKind(StrEnum):
    TET = "tet"
    REUNIFICATION = "reunification"
    CUSTOM = "custom"


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CampaignPhase(StrEnum):
    """Where a campaign stands in time: worked out from its dates, its status and the clock."""

    PLANNING = "planning"
    RUNNING = "running"
    FINISHED = "finished"
    CLOSED = "closed"


class ShiftStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class ShiftRole(StrEnum):
    LEAD = "lead"
    VOLUNTEER = "volunteer"
    MECHANIC = "mechanic"
    MEDIC = "medic"
    BROADCASTER = "broadcaster"


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


ACTIVE_ASSIGNMENT_STATUSES = frozenset(
    {
        AssignmentStatus.ASSIGNED,
        AssignmentStatus.CONFIRMED,
        AssignmentStatus.CHECKED_IN,
        AssignmentStatus.CHECKED_OUT,
    }
)


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    HANDOUT = "handout"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    COUNT_ADJUSTMENT = "count_adjustment"
    LOSS = "loss"


class Source(StrEnum):
    WEB = "web"
    BOT = "bot"
    API = "api"
    IMPORT = "import"
    SYSTEM = "system"


class SupplyCategory(StrEnum):
    """The report categories of a provincial summary."""

    WATER = "water"
    TOWEL = "towel"
    FOOD = "food"
    FUEL = "fuel"
    LEAFLET = "leaflet"
    OTHER = "other"


class ServiceKind(StrEnum):
    MOTORBIKE_CHECK = "motorbike_check"
    LOUDSPEAKER = "loudspeaker"  # quantity in minutes
    FIRST_AID = "first_aid"
    DIRECTIONS = "directions"
    REPAIR = "repair"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class UserRole(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VIEWER = "viewer"


class ActorKind(StrEnum):
    USER = "user"
    VOLUNTEER = "volunteer"
    API = "api"
    SYSTEM = "system"


class Force(StrEnum):
    """The force a volunteer serves with, as a provincial report counts people."""

    POLICE = "police"  # cán bộ, chiến sĩ công an
    YOUTH_UNION = "youth_union"  # đoàn viên thanh niên
    WOMENS_UNION = "womens_union"  # hội viên phụ nữ
    PEOPLE = "people"  # Nhân dân
    OTHER = "other"


class PartnerKind(StrEnum):
    GARAGE = "garage"  # a Head Honda centre checking motorbikes
    SPONSOR = "sponsor"  # a business or donor giving money or supplies
    MEDIA = "media"  # a radio or television station
    OTHER = "other"


class DonationKind(StrEnum):
    CASH = "cash"
    IN_KIND = "in_kind"  # supplies received as a gift: a receipt line with its value


class ExpenseCategory(StrEnum):
    """Spending that is not stock."""

    TRANSPORT = "transport"
    EQUIPMENT = "equipment"  # tents, tables, loudspeakers
    PRINTING = "printing"  # banners, leaflets printed outside the catalog
    MEALS = "meals"  # meals for people on duty
    OTHER = "other"
