"""The demo's money, partners and forces: last Tết as the province reported it.

Last year's closed Tết carries what the article's report adds up to: "với nguồn kinh phí
trên 01 tỷ đồng" — sponsors' cash and a water company's gift in kind together a little over
one billion đồng — the Head Honda centre that checked the motorbikes named as a partner (its
checks are the service records naming its unit), the provincial radio as a partner for the
loudspeaker broadcasts, and the expenses a station has besides its supplies: tents, banners,
meals for the people on duty, transport. Every demo volunteer serves with the force of their
unit (the police, the Youth Union, the Women's Union; local people have no unit).

Written directly, like the demo's other bulk rows, in the demo's transaction, before last
year's campaign is closed; the figures are fixed, so the report is the same on every load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Final

from stations.clock import VN_TZ
from stations.enums import (
    DonationKind,
    ExpenseCategory,
    Force,
    MovementKind,
    PartnerKind,
    SupplyCategory,
    UnitKind,
)
from stations.models import Campaign, Donation, Expense, Partner, StockMovement, Unit, Volunteer
from stations.services import demo_data as data
from stations.services.actor import Actor
from stations.services.audit import record_event

RADIO: Final = "Đài Phát thanh và Truyền hình Đồng Tháp"
WATER_DONOR: Final = "Công ty TNHH Nước uống tinh khiết Sa Đéc"
#: The water company's gift: its first deliveries of water, up to this value.
WATER_GIFT_VND: Final = 440_000_000
#: (donor, amount, days before the campaign's first day, a sponsor on the partners' list)
CASH_DONATIONS: Final[tuple[tuple[str, int, int, bool], ...]] = (
    ("Công ty TNHH MTV Xổ số kiến thiết Đồng Tháp", 200_000_000, 20, True),
    ("Ngân hàng Nông nghiệp và PTNT chi nhánh Đồng Tháp", 150_000_000, 15, True),
    ("Hội Doanh nhân trẻ tỉnh Đồng Tháp", 120_000_000, 12, True),
    ("Trung tâm Head Honda Đồng Tháp", 50_000_000, 10, False),
    ("Cán bộ, chiến sĩ Công an tỉnh đóng góp", 60_000_000, 8, False),
    ("Mạnh thường quân, người dân (tổng hợp)", 35_000_000, -3, False),
)
#: (category, amount, days after the first day, receipt number, note)
EXPENSES: Final[tuple[tuple[ExpenseCategory, int, int, str, str], ...]] = (
    (ExpenseCategory.EQUIPMENT, 85_000_000, -3, "HĐ 0001482", "Thuê lều, bàn ghế, loa"),
    (ExpenseCategory.PRINTING, 24_000_000, -5, "HĐ 0000917", "Băng rôn, bảng hiệu trạm"),
    (ExpenseCategory.MEALS, 180_000_000, 12, "BK 12/TDC", "Suất ăn lực lượng trực"),
    (ExpenseCategory.TRANSPORT, 36_000_000, 12, "BK 13/TDC", "Vận chuyển hàng hóa đến các trạm"),
)
FORCE_OF_UNIT_KIND: Final = {
    UnitKind.PROVINCE_POLICE: Force.POLICE,
    UnitKind.COMMUNE_POLICE: Force.POLICE,
    UnitKind.TRAFFIC_POLICE: Force.POLICE,
    UnitKind.YOUTH_UNION: Force.YOUTH_UNION,
    UnitKind.WOMENS_UNION: Force.WOMENS_UNION,
}


async def add_demo_funds(
    campaign: Campaign, units: Mapping[str, Unit], volunteer_ids: Sequence[int], *, by: Actor
) -> dict[str, int]:
    """Partners, donations, expenses and forces (see the module); how many rows of each."""
    await _set_forces(units, volunteer_ids)
    garage = await Partner.create(
        campaign_id=campaign.id,
        name=units[data.GARAGE].name,
        kind=PartnerKind.GARAGE,
        unit_id=units[data.GARAGE].id,
        note="Kiểm tra an toàn kỹ thuật xe mô tô tại các trạm",
    )
    partners = [
        garage,
        await Partner.create(campaign_id=campaign.id, name=RADIO, kind=PartnerKind.MEDIA),
    ]
    by_name = {garage.name: garage}
    for donor, _amount, _days, sponsor in CASH_DONATIONS:
        if sponsor:
            by_name[donor] = await Partner.create(
                campaign_id=campaign.id, name=donor, kind=PartnerKind.SPONSOR
            )
            partners.append(by_name[donor])
    water_company = await Partner.create(
        campaign_id=campaign.id, name=WATER_DONOR, kind=PartnerKind.SPONSOR
    )
    partners.append(water_company)

    donations = [
        Donation(
            campaign_id=campaign.id,
            kind=DonationKind.CASH,
            donor=donor,
            partner_id=by_name[donor].id if donor in by_name else None,
            amount_vnd=amount,
            received_on=campaign.starts_on - dt.timedelta(days=days),
        )
        for donor, amount, days, _sponsor in CASH_DONATIONS
    ]
    donations.extend(await _water_gifts(campaign, water_company))
    await Donation.bulk_create(donations)
    expenses = [
        Expense(
            campaign_id=campaign.id,
            category=category,
            amount_vnd=amount,
            spent_on=campaign.starts_on + dt.timedelta(days=days),
            receipt_number=number,
            note=note,
        )
        for category, amount, days, number, note in EXPENSES
    ]
    await Expense.bulk_create(expenses)
    counts = {"partners": len(partners), "donations": len(donations), "expenses": len(expenses)}
    await record_event(
        by, "demo.funds_loaded", object_type="campaign", object_id=campaign.id, data=counts
    )
    return counts


async def _water_gifts(campaign: Campaign, company: Partner) -> list[Donation]:
    """The water company's gift: its first water receipts, at their frozen cost, up to
    ``WATER_GIFT_VND``."""
    lines = (
        await StockMovement.filter(
            station__campaign_id=campaign.id,
            kind=MovementKind.RECEIPT,
            item__category=SupplyCategory.WATER,
        )
        .order_by("occurred_at", "id")
        .only("id", "quantity", "unit_cost_vnd", "occurred_at")
    )
    gifts, total = [], 0
    for line in lines:
        if total >= WATER_GIFT_VND:
            break
        value = line.quantity * (line.unit_cost_vnd or 0)
        total += value
        gifts.append(
            Donation(
                campaign_id=campaign.id,
                kind=DonationKind.IN_KIND,
                donor=WATER_DONOR,
                partner_id=company.id,
                amount_vnd=value,
                received_on=line.occurred_at.astimezone(VN_TZ).date(),
                movement_id=line.id,
                note="Nước suối ủng hộ",
            )
        )
    return gifts


async def _set_forces(units: Mapping[str, Unit], volunteer_ids: Sequence[int]) -> None:
    ids = list(volunteer_ids)
    for force in (Force.POLICE, Force.YOUTH_UNION, Force.WOMENS_UNION):
        unit_ids = [
            unit.id
            for unit in units.values()
            if FORCE_OF_UNIT_KIND.get(UnitKind(unit.kind)) is force
        ]
        await Volunteer.filter(id__in=ids, unit_id__in=unit_ids).update(force=force)
    await Volunteer.filter(id__in=ids, unit_id__isnull=True).update(force=Force.PEOPLE)
