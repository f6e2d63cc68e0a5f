"""Vietnam's administrative divisions since the 2025 reorganisation: 34 provinces and 3,321
wards, communes and special zones, with their official codes, from the ``vietnam-provinces``
package (data of 18/10/2025, checked by ``tests/stations/services/test_divisions.py``).

Units and stations name their place by these codes: the province's two digits and the
ward's or commune's five. Names are matched without regard to accents, case or the
"Phường"/"Xã" prefix, so an import may say "phuong my tho" or "Mỹ Tho".
"""

from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from stations.i18n import _
from stations.services.errors import InvalidInput
from stations.text import fold

#: The words a ward's or commune's official name starts with, folded.
_PREFIXES = ("phuong ", "xa ", "dac khu ", "thi tran ")
#: The words a province's name may start with, folded: "Thành phố Hà Nội", "TP. Hồ Chí Minh".
_PROVINCE_PREFIXES = ("thanh pho ", "tp. ", "tp.", "tp ", "tinh ")


@dataclass(frozen=True)
class Place:
    code: str
    name: str


@dataclass(frozen=True)
class Ward(Place):
    province_code: str
    #: "phường", "xã" or "đặc khu"
    division_type: str


@dataclass(frozen=True)
class _Divisions:
    provinces: dict[str, Place]
    wards: dict[str, Ward]
    wards_of: dict[str, list[Ward]]


@functools.cache
def _divisions() -> _Divisions:
    # Imported on first use: the package's tables take a fifth of a second to load.
    from vietnam_provinces import Province as SourceProvince
    from vietnam_provinces import Ward as SourceWard

    provinces = {
        f"{int(p.code):02d}": Place(f"{int(p.code):02d}", p.name) for p in SourceProvince.iter_all()
    }
    wards: dict[str, Ward] = {}
    wards_of: dict[str, list[Ward]] = defaultdict(list)
    for source in SourceWard.iter_all():
        ward = Ward(
            f"{int(source.code):05d}",
            source.name,
            f"{int(source.province_code):02d}",
            source.division_type.value,
        )
        wards[ward.code] = ward
        wards_of[ward.province_code].append(ward)
    for listed in wards_of.values():
        listed.sort(key=lambda ward: fold(ward.name))
    return _Divisions(provinces, wards, dict(wards_of))


def provinces() -> list[Place]:
    """The 34 provinces and centrally run cities, in alphabetical order."""
    return sorted(_divisions().provinces.values(), key=lambda place: fold(place.name))


def wards_of(province_code: str) -> list[Ward]:
    """The wards, communes and special zones of a province, in alphabetical order."""
    return list(_divisions().wards_of.get(province_code, []))


def province(code: str) -> Place | None:
    return _divisions().provinces.get(code)


def ward(code: str) -> Ward | None:
    return _divisions().wards.get(code)


def check_place(province_code: object, ward_code: object) -> tuple[str | None, str | None]:
    """The province and ward codes to store, checked: each empty or an official code, the
    ward inside the province (which a ward alone implies)."""
    province_text = _code_text(province_code, "province_code")
    ward_text = _code_text(ward_code, "ward_code")
    if province_text and province(province_text) is None:
        raise InvalidInput(
            _("{code} is not the code of a province of Vietnam."),
            field="province_code",
            code=province_text,
        )
    if not ward_text:
        return province_text or None, None
    found = ward(ward_text)
    if found is None:
        raise InvalidInput(
            _("{code} is not the code of a ward or commune of Vietnam."),
            field="ward_code",
            code=ward_text,
        )
    if province_text and found.province_code != province_text:
        raise InvalidInput(
            _("{ward} is not in {province}: choose one of its wards or communes."),
            field="ward_code",
            ward=found.name,
            province=_divisions().provinces[province_text].name,
        )
    return found.province_code, found.code


def match_ward(name: str, *, province_code: str | None = None) -> Ward | None:
    """The ward or commune named ``name``, in ``province_code`` when given; None when no name,
    or more than one, fits.

    Tried from the strictest reading to the loosest, the first that fits exactly one ward
    wins: the full name, then without its "Phường"/"Xã" prefix, each first with its accents
    (case aside) and then without them. Accents tell apart "Phường Mỹ Tho" and "Xã Mỹ Thọ"
    of Đồng Tháp, so "mỹ tho" finds the ward and "my tho" finds neither."""
    candidates: list[Ward] = (
        wards_of(province_code) if province_code else list(_divisions().wards.values())
    )
    readings = (_accented, _accented_bare, fold, _bare)
    for reading in readings:
        wanted = reading(name)
        if not wanted:
            return None
        found = [w for w in candidates if reading(w.name) == wanted]
        if len(found) == 1:
            return found[0]
        if len(found) > 1 and reading in (fold, _bare):
            return None
    return None


def match_province(name: str) -> Place | None:
    """The province or centrally run city named ``name``, accents, case and a "Tỉnh" or
    "Thành phố" prefix aside ("Đồng Tháp", "dong thap", "TP. Hồ Chí Minh"); None when no
    province has that name."""
    wanted = _bare_province(name)
    if not wanted:
        return None
    found = [p for p in _divisions().provinces.values() if _bare_province(p.name) == wanted]
    return found[0] if len(found) == 1 else None


def ward_names(ward_code: str | None) -> tuple[str, ...]:
    """The folded names an import may use for the ward: "phuong my tho" and "my tho"."""
    found = ward(ward_code) if ward_code else None
    if found is None:
        return ()
    return tuple(dict.fromkeys((fold(found.name), _bare(found.name))))


def place_label(province_code: str | None, ward_code: str | None) -> str:
    """ "Phường Mỹ Tho, Đồng Tháp", or the province alone, or "" without a place."""
    found_ward = ward(ward_code) if ward_code else None
    found_province = province(province_code) if province_code else None
    parts = [place.name for place in (found_ward, found_province) if place is not None]
    return ", ".join(parts)


def _accented(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).lower().split())


def _accented_bare(name: str) -> str:
    text = _accented(name)
    for prefix in ("phường ", "xã ", "đặc khu ", "thị trấn "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _bare(name: str) -> str:
    folded = fold(name)
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def _bare_province(name: str) -> str:
    folded = fold(name)
    for prefix in _PROVINCE_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :].strip()
    return folded


def _code_text(value: object, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidInput(_("Choose a place from the list."), field=field)
    text = value.strip()
    if text and not text.isdigit():
        raise InvalidInput(_("Choose a place from the list."), field=field)
    if not text:
        return ""
    width = 2 if field == "province_code" else 5
    return text.zfill(width)
