"""Units: the organising tree of police, unions and partner garages."""

from __future__ import annotations

import pytest

from stations.enums import UnitKind
from stations.models import AuditEvent, Unit
from stations.services.actor import Actor
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.units import create_unit, update_unit
from tests.factories import make_unit

COORDINATOR = Actor.user(1, "dieuphoi@congan.dongthap.gov.vn")


async def _counts() -> tuple[int, int]:
    return await Unit.all().count(), await AuditEvent.all().count()


async def test_create_unit_normalises_code_and_records_event(db):
    unit = await create_unit(
        code="  ca-dt_1 ", name="  Công an  tỉnh Đồng Tháp ", kind="Province_Police", by=COORDINATOR
    )

    stored = await Unit.get(id=unit.id)
    event = await AuditEvent.get(object_type="unit", object_id=unit.id)
    assert (stored.code, stored.name, stored.kind, stored.parent_id) == (
        "CA-DT_1",
        "Công an tỉnh Đồng Tháp",
        UnitKind.PROVINCE_POLICE,
        None,
    )
    assert (event.action, event.actor_label, event.data["code"]) == (
        "unit.created",
        COORDINATOR.label,
        "CA-DT_1",
    )


async def test_create_unit_under_parent(db):
    province = await make_unit(code="CA-DT", kind=UnitKind.PROVINCE_POLICE)

    commune = await create_unit(
        code="CA-TT",
        name="Công an xã Tịnh Thới",
        kind=UnitKind.COMMUNE_POLICE,
        parent=province,
        by=COORDINATOR,
    )

    assert (await Unit.get(id=commune.id)).parent_id == province.id


async def test_create_unit_with_code_in_use_is_a_conflict_naming_the_code(db):
    await make_unit(code="DOAN-TN")
    before = await _counts()

    with pytest.raises(Conflict) as caught:
        await create_unit(
            code="doan-tn", name="Đoàn Thanh niên", kind="youth_union", by=COORDINATOR
        )

    assert (caught.value.field, caught.value.params["code"]) == ("code", "DOAN-TN")
    assert "DOAN-TN" in str(caught.value)
    assert await _counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", ""),
        ("code", "   "),
        ("code", "CA DT"),
        ("code", "CÔNG-AN"),
        ("code", "X" * 33),
        ("code", 12),
        ("code", None),
        ("name", ""),
        ("name", "   "),
        ("name", "N" * 201),
        ("name", None),
        ("kind", "army"),
        ("kind", ""),
        ("kind", None),
        ("parent", "1"),
        ("parent", Unit(code="UNSAVED", name="Chưa lưu")),
    ],
)
async def test_create_unit_rejects_bad_input(db, field, value):
    arguments = {"code": "HPN", "name": "Hội Phụ nữ xã", "kind": "womens_union", field: value}

    with pytest.raises(InvalidInput) as caught:
        await create_unit(**arguments, by=COORDINATOR)

    assert caught.value.field == field
    assert await _counts() == (0, 0)


async def test_create_unit_under_deleted_parent_is_not_found(db):
    parent = await make_unit()
    await Unit.filter(id=parent.id).delete()

    with pytest.raises(NotFound) as caught:
        await create_unit(
            code="X1", name="Gara Minh Tâm", kind="garage", parent=parent, by=COORDINATOR
        )

    assert caught.value.field == "parent"
    assert await _counts() == (0, 0)


async def test_update_unit_changes_name_kind_and_parent(db):
    province = await make_unit(code="CA-DT", kind=UnitKind.PROVINCE_POLICE)
    unit = await make_unit(code="GARA1", name="Gara", kind=UnitKind.OTHER)

    await update_unit(unit, name=" Gara Minh Tâm ", kind="garage", parent=province, by=COORDINATOR)

    stored = await Unit.get(id=unit.id)
    event = await AuditEvent.get(action="unit.updated")
    assert (stored.name, stored.kind, stored.parent_id) == (
        "Gara Minh Tâm",
        UnitKind.GARAGE,
        province.id,
    )
    assert (unit.name, unit.kind, unit.parent_id) == ("Gara Minh Tâm", UnitKind.GARAGE, province.id)
    assert event.data == {
        "name": ["Gara", "Gara Minh Tâm"],
        "kind": ["other", "garage"],
        "parent_id": [None, province.id],
    }


async def test_update_unit_clears_parent(db):
    province = await make_unit()
    unit = await make_unit(parent=province)

    await update_unit(unit, parent=None, by=COORDINATOR)

    assert (await Unit.get(id=unit.id)).parent_id is None


async def test_update_unit_without_real_change_writes_nothing(db):
    unit = await make_unit(name="Công an xã Tịnh Thới")

    await update_unit(unit, name="Công an xã  Tịnh Thới", by=COORDINATOR)

    assert await AuditEvent.all().count() == 0


@pytest.mark.parametrize("field", ["code", "created_at", "colour"])
async def test_update_unit_refuses_unknown_or_fixed_fields(db, field):
    unit = await make_unit()

    with pytest.raises(InvalidInput) as caught:
        await update_unit(unit, by=COORDINATOR, **{field: "X"})

    assert caught.value.field == field


@pytest.mark.parametrize(("field", "value"), [("name", " "), ("kind", "navy"), ("parent", 7)])
async def test_update_unit_rejects_bad_input_and_keeps_the_row(db, field, value):
    unit = await make_unit(name="Công an xã 1", kind=UnitKind.COMMUNE_POLICE)

    with pytest.raises(InvalidInput) as caught:
        await update_unit(unit, by=COORDINATOR, **{field: value})

    stored = await Unit.get(id=unit.id)
    assert caught.value.field == field
    assert (stored.name, stored.kind, stored.parent_id) == (
        "Công an xã 1",
        UnitKind.COMMUNE_POLICE,
        None,
    )
    assert await AuditEvent.all().count() == 0


async def test_update_unit_refuses_itself_as_parent(db):
    unit = await make_unit()

    with pytest.raises(InvalidInput) as caught:
        await update_unit(unit, parent=unit, by=COORDINATOR)

    assert caught.value.field == "parent"


async def test_update_unit_refuses_a_descendant_as_parent(db):
    province = await make_unit(code="P")
    district = await make_unit(code="D", parent=province)
    commune = await make_unit(code="C", parent=district)

    with pytest.raises(InvalidInput) as caught:
        await update_unit(province, parent=commune, by=COORDINATOR)

    assert caught.value.field == "parent"
    assert (await Unit.get(id=province.id)).parent_id is None
