"""Local forms on the coordinators' pages (issue 11): phones in national format, the unit
beside a name in assignment search, both dates of a shift that crosses midnight."""

from __future__ import annotations

import re

from tests.factories import (
    make_assignment,
    make_campaign,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)
from tests.stations.web.helpers import make_user, signed_in


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


async def _night_shift():
    campaign = await make_campaign()
    station = await make_station(campaign, code="N1")
    shift = await make_shift(station, starts_at=vn(2027, 2, 2, 22), ends_at=vn(2027, 2, 3, 6))
    return station, shift


async def test_shift_page_shows_phones_in_national_format_and_both_dates(app, clock):
    _station, shift = await _night_shift()
    volunteer = await make_volunteer(full_name="Trần Văn Bình", phone="+84983681802")
    await make_assignment(shift, volunteer)
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/shifts/{shift.id}?lang=vi")

    text = _text(response.text)
    assert response.status_code == 200
    assert "0983 681 802" in text
    assert "+84983681802" not in text
    assert 'href="tel:+84983681802"' in response.text  # dialling keeps the full number
    assert "22:00 02/02/2027 – 06:00 03/02/2027" in text


async def test_assignment_search_shows_the_unit_beside_each_name(app, clock):
    _station, shift = await _night_shift()
    ward = await make_unit(code="P1", name="Công an phường 1")
    youth = await make_unit(code="DT", name="Đoàn Thanh niên xã Tân Khánh")
    await make_volunteer(full_name="Nguyễn Văn An", phone="+84983000001", unit=ward)
    await make_volunteer(full_name="Nguyễn Văn An", phone="+84983000002", unit=youth)
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get(f"/shifts/{shift.id}?lang=vi&q=nguyen+van+an")

    units = re.findall(r'<span class="candidate__unit">([^<]*)</span>', response.text)
    phones = re.findall(r'<span class="candidate__phone">([^<]*)</span>', response.text)
    assert sorted(units) == ["Công an phường 1", "Đoàn Thanh niên xã Tân Khánh"]
    assert sorted(phones) == ["0983 000 001", "0983 000 002"]


async def test_planner_and_volunteer_page_show_both_dates_of_a_night_shift(app, clock):
    station, shift = await _night_shift()
    volunteer = await make_volunteer()
    await make_assignment(shift, volunteer)
    browser = await signed_in(app, await make_user(role="admin"))

    planner = await browser.get(f"/stations/{station.id}/shifts?from=2027-02-02&lang=vi")
    person = await browser.get(f"/volunteers/{volunteer.id}?lang=vi")

    assert "22:00 02/02/2027 – 06:00 03/02/2027" in _text(planner.text)
    assert "22:00 02/02/2027 – 06:00 03/02/2027" in _text(person.text)
