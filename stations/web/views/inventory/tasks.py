"""The tasks a coordinator records at a station, in the order the summary offers them:
each one's page, form and recorder; and whether the station's campaign still takes any."""

from __future__ import annotations

from typing import Final

from stations.enums import CampaignStatus, Language, MovementKind
from stations.i18n import _, translate
from stations.models import Station
from stations.web.views.inventory.counts import record_count
from stations.web.views.inventory.movements import (
    RECORDED_HANDOUT,
    RECORDED_LOSS,
    RECORDED_RECEIPT,
    record_movement,
    record_transfer,
)
from stations.web.views.inventory.planned_stock import record_planned_stock
from stations.web.views.inventory.service_records import record_service_given
from stations.web.views.inventory.task_form import (
    ITEM,
    OUTSIDE,
    WHEN,
    Field,
    Task,
    note_field,
    quantity_field,
)
from stations.web.views.inventory.thresholds import record_threshold

CAMPAIGN_CLOSED = _("The campaign {campaign} is closed: its records can no longer change.")


def _movement_task(
    kind: MovementKind, path: str, words: tuple[str, str, str], quantity: Field, note: Field
) -> Task:
    """A receipt, handout or loss: ``words`` are its title, its button and what it says."""
    title, submit, recorded = words
    fields: tuple[Field, ...] = (ITEM, quantity, note, WHEN)
    if kind in (MovementKind.RECEIPT, MovementKind.HANDOUT):
        fields = (*fields, OUTSIDE)
    return Task(
        kind.value,
        f"stock_{kind.value}",
        path,
        title,
        submit,
        fields,
        record_movement(kind, recorded),
    )


TASKS: Final[tuple[Task, ...]] = (
    _movement_task(
        MovementKind.RECEIPT,
        "receipts",
        (_("Record a receipt"), _("Record the receipt"), RECORDED_RECEIPT),
        quantity_field(_("Quantity received")),
        note_field(help=_("Who delivered it, a delivery note number…")),
    ),
    _movement_task(
        MovementKind.HANDOUT,
        "handouts",
        (_("Record a handout"), _("Record the handout"), RECORDED_HANDOUT),
        quantity_field(
            _("Quantity handed out"),
            _("More than the stock on record is accepted and flagged as a discrepancy."),
        ),
        note_field(),
    ),
    Task(
        "transfer",
        "stock_transfer",
        "transfers",
        _("Transfer to another station"),
        _("Record the transfer"),
        (
            ITEM,
            Field(
                "select",
                "to_station",
                _("To station"),
                options="targets",
                blank=_("Choose a station"),
            ),
            quantity_field(_("Quantity to transfer")),
            note_field(),
            WHEN,
        ),
        record_transfer,
    ),
    Task(
        "count",
        "stock_count",
        "counts",
        _("Record a physical count"),
        _("Check the adjustment"),
        (
            ITEM,
            Field(
                "number",
                "counted",
                _("Quantity counted"),
                _(
                    "The next step shows the adjustment to the stock on record before anything is written."
                ),
            ),
            note_field(),
        ),
        record_count,
    ),
    _movement_task(
        MovementKind.LOSS,
        "losses",
        (_("Record a loss"), _("Record the loss"), RECORDED_LOSS),
        quantity_field(_("Quantity lost")),
        note_field(_("Reason (optional)"), _("Spoiled, broken, missing…")),
    ),
    Task(
        "service",
        "service_record",
        "services",
        _("Record a service given"),
        _("Record the service"),
        (
            Field("select", "kind", _("Service"), options="services", blank=_("Choose a service")),
            Field(
                "number",
                "quantity",
                _("How many"),
                _("Vehicles or people; minutes for the loudspeaker."),
            ),
            Field(
                "select",
                "partner",
                _("Partner unit (optional)"),
                options="partners",
                blank=_("No partner"),
                required=False,
            ),
            note_field(),
            WHEN,
            OUTSIDE,
        ),
        record_service_given,
    ),
    Task(
        "threshold",
        "stock_threshold",
        "thresholds",
        _("Set a low-stock level"),
        _("Save the level"),
        (
            ITEM,
            Field(
                "number",
                "threshold",
                _("Low-stock level"),
                _("Empty: the item's default level. 0: no alert."),
                required=False,
            ),
        ),
        record_threshold,
    ),
    Task(
        "planned",
        "planned_stock",
        "planned-stock",
        _("Plan the opening stock"),
        _("Save the plan"),
        (
            ITEM,
            Field(
                "number",
                "planned",
                _("Planned quantity on the first day"),
                _(
                    "Empty or 0 removes the plan. Before the campaign, the overview compares it "
                    "with what was received."
                ),
                required=False,
            ),
        ),
        record_planned_stock,
    ),
)

TASKS_BY_NAME: Final = {task.name: task for task in TASKS}


def campaign_closed(station: Station) -> bool:
    return CampaignStatus(station.campaign.status) is not CampaignStatus.OPEN


def closed_note(station: Station, language: Language) -> str | None:
    if not campaign_closed(station):
        return None
    return translate(CAMPAIGN_CLOSED, language, campaign=station.campaign.name)
