"""Vietnam's 2025 administrative divisions: the data we rely on, checking codes, matching names,
and counting the wards a campaign covers."""

from __future__ import annotations

import pytest

from stations.models import Station, Unit
from stations.services import divisions
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.queries.coverage import usual_province, ward_coverage
from stations.services.roster_import import preview_roster
from stations.services.stations import create_station, update_station
from stations.services.units import create_unit
from tests.factories import make_campaign, make_station, make_unit

SYSTEM = Actor.system("tests")
DONG_THAP = "82"
MY_THO = "28261"  # Phường Mỹ Tho, Đồng Tháp since 2025 (formerly of Tiền Giang)


def test_the_package_holds_the_2025_divisions() -> None:
    import vietnam_provinces

    dong_thap = divisions.wards_of(DONG_THAP)

    assert vietnam_provinces.__data_version__ >= "2025-07-01"
    assert len(divisions.provinces()) == 34
    assert sum(len(divisions.wards_of(p.code)) for p in divisions.provinces()) == 3321
    assert divisions.province(DONG_THAP) == divisions.Place("82", "Đồng Tháp")
    assert (len(dong_thap), sum(w.division_type == "phường" for w in dong_thap)) == (102, 20)
    assert divisions.place_label(DONG_THAP, MY_THO) == "Phường Mỹ Tho, Đồng Tháp"


def test_check_place_takes_a_ward_alone_and_finds_its_province() -> None:
    assert divisions.check_place(None, MY_THO) == (DONG_THAP, MY_THO)
    assert divisions.check_place("82", "") == (DONG_THAP, None)
    assert divisions.check_place("", None) == (None, None)


@pytest.mark.parametrize(
    ("province", "ward", "field", "english"),
    [
        (None, "99999", "ward_code", "99999 is not the code of a ward or commune of Vietnam."),
        ("77", None, "province_code", "77 is not the code of a province of Vietnam."),
        ("01", MY_THO, "ward_code", "Phường Mỹ Tho is not in Thành phố Hà Nội"),
        (None, "Mỹ Tho", "ward_code", "Choose a place from the list."),
        ([82], None, "province_code", "Choose a place from the list."),
    ],
)
def test_check_place_refuses_unknown_codes(province, ward, field, english) -> None:
    with pytest.raises(InvalidInput) as refused:
        divisions.check_place(province, ward)

    assert refused.value.field == field
    assert refused.value.translated("en").startswith(english)
    assert refused.value.translated("vi") != refused.value.translated("en")


@pytest.mark.parametrize("name", ["Phường Mỹ Tho", "phuong my tho", "Mỹ Tho", "  MỸ THO "])
def test_match_ward_ignores_case_prefix_and_missing_accents(name: str) -> None:
    found = divisions.match_ward(name, province_code=DONG_THAP)

    assert found is not None and found.code == MY_THO


def test_match_ward_without_accents_refuses_to_guess_between_two_wards() -> None:
    # Đồng Tháp has both Phường Mỹ Tho and Xã Mỹ Thọ.
    assert divisions.match_ward("my tho", province_code=DONG_THAP) is None


def test_match_ward_leaves_out_a_name_several_provinces_share() -> None:
    assert divisions.match_ward("Xã Tân Thành") is None
    assert divisions.match_ward("Không có xã này", province_code=DONG_THAP) is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Đồng Tháp", DONG_THAP),
        ("  dong THAP ", DONG_THAP),
        ("Tỉnh Đồng Tháp", DONG_THAP),
        ("Hà Nội", "01"),
        ("Thành phố Hà Nội", "01"),
        ("TP. Hồ Chí Minh", "79"),
        ("tp ho chi minh", "79"),
        # Merged into Đồng Tháp in 2025: no province of that name any more.
        ("Tiền Giang", None),
        ("", None),
    ],
)
def test_match_province_ignores_accents_case_and_its_prefix(name: str, code: str | None) -> None:
    found = divisions.match_province(name)

    assert (found.code if found else None) == code


async def test_a_station_with_an_unknown_ward_code_is_refused(db, clock) -> None:
    campaign, unit = await make_campaign(), await make_unit()

    with pytest.raises(InvalidInput) as refused:
        await create_station(
            campaign, unit=unit, code="X1", name="Trạm thử", by=SYSTEM, ward_code="00000"
        )

    assert refused.value.field == "ward_code"
    assert await Station.all().count() == 0


async def test_station_place_is_stored_and_changed(db, clock) -> None:
    campaign, unit = await make_campaign(), await make_unit()
    station = await create_station(
        campaign, unit=unit, code="MT1", name="Trạm Mỹ Tho", by=SYSTEM, ward_code=MY_THO
    )
    cao_lanh = divisions.match_ward("Cao Lãnh", province_code=DONG_THAP)
    assert cao_lanh is not None

    await update_station(station, by=SYSTEM, ward_code=cao_lanh.code)

    saved = await Station.get(id=station.id)
    assert (saved.province_code, saved.ward_code) == (DONG_THAP, cao_lanh.code)


async def test_ward_coverage_counts_distinct_wards_of_the_province(db, clock) -> None:
    campaign = await make_campaign()
    wards = divisions.wards_of(DONG_THAP)
    for number, ward in enumerate([wards[0], wards[0], wards[1], wards[2]]):
        await make_station(
            campaign, code=f"C{number}", province_code=DONG_THAP, ward_code=ward.code
        )
    await make_station(campaign, code="OFF", ward_code=wards[3].code, is_active=False)

    coverage = await ward_coverage(campaign)

    assert [(c.province.name, c.covered, c.total) for c in coverage] == [("Đồng Tháp", 3, 102)]
    assert await usual_province(campaign) == DONG_THAP


async def test_roster_import_matches_a_unit_by_its_ward_name(db, clock) -> None:
    await create_unit(
        code="CA-MYTHO",
        name="Công an phường Mỹ Tho",
        kind="commune_police",
        by=SYSTEM,
        ward_code=MY_THO,
    )
    roster = "Họ và tên,Số điện thoại,Đơn vị\nNguyễn Văn An,0912345678,phuong my tho\n"

    preview = await preview_roster(roster.encode(), filename="roster.csv")

    assert [row.unit_code for row in preview.rows] == ["CA-MYTHO"]
    assert await Unit.filter(ward_code=MY_THO).count() == 1
