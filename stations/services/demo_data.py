"""The demo province's fixed facts: its units, its stations, people's names, the volumes.

Places are real Đồng Tháp roads and towns (the province as merged in 2025, Cái Bè
included); coordinates are close to the named place, not surveyed. Volumes follow the
provincial report the project started from: 600.000 bottles of water, 500.000 cold towels,
about 115.000 food items, 1.000 litres of fuel, 32.000 leaflets, 470 motorbikes checked
with Head Honda and 1.960 hours of loudspeaker broadcasts, by some 4.000 volunteer turns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from stations.enums import ServiceKind, UnitKind


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    kind: UnitKind
    parent: str | None  # code


@dataclass(frozen=True)
class DemoStation:
    code: str
    name: str
    address: str
    latitude: float
    longitude: float
    unit: str  # code
    #: a main-road station: busier, and open for a night shift too
    key: bool = False
    #: the partner garage checks motorbikes here
    garage: bool = False
    #: hands out fuel to travellers who run dry
    fuel: bool = False


PROVINCE_POLICE = "CA-DT"
YOUTH_UNION = "DTN-CA"
WOMENS_UNION = "HPN-CA"
GARAGE = "HEAD-HONDA"

UNITS: Final[tuple[DemoUnit, ...]] = (
    DemoUnit(PROVINCE_POLICE, "Công an tỉnh Đồng Tháp", UnitKind.PROVINCE_POLICE, None),
    DemoUnit("PC08", "Phòng Cảnh sát giao thông", UnitKind.TRAFFIC_POLICE, PROVINCE_POLICE),
    DemoUnit(YOUTH_UNION, "Đoàn Thanh niên Công an tỉnh", UnitKind.YOUTH_UNION, PROVINCE_POLICE),
    DemoUnit(WOMENS_UNION, "Hội Phụ nữ Công an tỉnh", UnitKind.WOMENS_UNION, PROVINCE_POLICE),
    DemoUnit("CAP-HONGNGU", "Công an phường Hồng Ngự", UnitKind.COMMUNE_POLICE, PROVINCE_POLICE),
    DemoUnit("CAP-CAOLANH", "Công an phường Cao Lãnh", UnitKind.COMMUNE_POLICE, PROVINCE_POLICE),
    DemoUnit("CAP-SADEC", "Công an phường Sa Đéc", UnitKind.COMMUNE_POLICE, PROVINCE_POLICE),
    DemoUnit("CAX-THANHBINH", "Công an xã Thanh Bình", UnitKind.COMMUNE_POLICE, PROVINCE_POLICE),
    DemoUnit("CAX-THAPMUOI", "Công an xã Tháp Mười", UnitKind.COMMUNE_POLICE, PROVINCE_POLICE),
    DemoUnit("CAX-LAPVO", "Công an xã Lấp Vò", UnitKind.COMMUNE_POLICE, PROVINCE_POLICE),
    DemoUnit("CAX-CAIBE", "Công an xã Cái Bè", UnitKind.COMMUNE_POLICE, PROVINCE_POLICE),
    DemoUnit(GARAGE, "Trung tâm Head Honda Đồng Tháp", UnitKind.GARAGE, None),
)

_S = DemoStation
# fmt: off
#: In the order the demo scales down: at scale 0.1 it keeps the first three.
STATIONS: Final[tuple[DemoStation, ...]] = (
    _S("HN01", "QL30 – cửa ngõ Hồng Ngự", "Quốc lộ 30, phường An Bình, Đồng Tháp", 10.7891, 105.3718, "CAP-HONGNGU", key=True, garage=True, fuel=True),
    _S("CB01", "QL1 – ngã ba An Hữu", "Quốc lộ 1, xã An Hữu, Đồng Tháp", 10.3862, 105.9247, "CAX-CAIBE", key=True, garage=True, fuel=True),
    _S("CL01", "QL30 – cửa ngõ Cao Lãnh", "Quốc lộ 30, phường Cao Lãnh, Đồng Tháp", 10.4812, 105.6071, "CAP-CAOLANH", key=True, garage=True, fuel=True),
    _S("SD01", "QL80 – cửa ngõ Sa Đéc", "Quốc lộ 80, phường Sa Đéc, Đồng Tháp", 10.3011, 105.7482, "CAP-SADEC", key=True, garage=True, fuel=True),
    _S("TB01", "QL30 – Thanh Bình", "Quốc lộ 30, xã Thanh Bình, Đồng Tháp", 10.5593, 105.4869, "CAX-THANHBINH", key=True, garage=True, fuel=True),
    _S("TM01", "QL N2 – Mỹ An", "Quốc lộ N2, xã Tháp Mười, Đồng Tháp", 10.5291, 105.8412, "CAX-THAPMUOI", key=True, fuel=True),
    _S("LV01", "QL80 – Lai Vung", "Quốc lộ 80, xã Lai Vung, Đồng Tháp", 10.2879, 105.6592, "CAX-LAPVO", key=True, fuel=True),
    _S("CB02", "QL1 – thị trấn Cái Bè", "Quốc lộ 1, xã Cái Bè, Đồng Tháp", 10.3618, 105.9861, "CAX-CAIBE", key=True, fuel=True),
    _S("CB03", "Chân cầu Mỹ Thuận", "Quốc lộ 1, xã Hòa Khánh, Đồng Tháp", 10.2834, 105.9158, "PC08", key=True, garage=True),
    _S("TN01", "QL30 – An Long", "Quốc lộ 30, xã An Long, Đồng Tháp", 10.7152, 105.4183, "CAX-THANHBINH", key=True, fuel=True),
    _S("CL02", "Chân cầu Cao Lãnh", "Quốc lộ 30, phường Mỹ Ngãi, Đồng Tháp", 10.4196, 105.6648, "CAP-CAOLANH", key=True),
    _S("LP01", "QL80 – Lấp Vò", "Quốc lộ 80, xã Lấp Vò, Đồng Tháp", 10.3603, 105.5212, "CAX-LAPVO", key=True, garage=True),
    _S("CT01", "QL80 – Cái Tàu Hạ", "Quốc lộ 80, xã Châu Thành, Đồng Tháp", 10.2618, 105.8707, "CAP-SADEC", key=True),
    _S("HN02", "QL30 – Thường Thới Tiền", "Quốc lộ 30, xã Thường Phước, Đồng Tháp", 10.8347, 105.2561, "CAP-HONGNGU"),
    _S("HN03", "Chợ Hồng Ngự", "Đường Nguyễn Tất Thành, phường Hồng Ngự, Đồng Tháp", 10.8093, 105.3412, "CAP-HONGNGU"),
    _S("TH01", "ĐT843 – Tân Hồng", "Đường tỉnh 843, xã Tân Hồng, Đồng Tháp", 10.8718, 105.4592, "CAP-HONGNGU"),
    _S("TN02", "Tràm Chim – Tam Nông", "Đường tỉnh 855, xã Tam Nông, Đồng Tháp", 10.6702, 105.5618, "CAX-THANHBINH"),
    _S("TB02", "QL30 – Bình Thành", "Quốc lộ 30, xã Bình Thành, Đồng Tháp", 10.6013, 105.4541, "CAX-THANHBINH"),
    _S("CL03", "Trung tâm Cao Lãnh", "Đường Lý Thường Kiệt, phường Cao Lãnh, Đồng Tháp", 10.4598, 105.6331, "CAP-CAOLANH"),
    _S("CL04", "QL30 – Mỹ Hiệp", "Quốc lộ 30, xã Mỹ Hiệp, Đồng Tháp", 10.5046, 105.5652, "CAP-CAOLANH"),
    _S("CL05", "ĐT846 – Mỹ Thọ", "Đường tỉnh 846, xã Mỹ Thọ, Đồng Tháp", 10.4421, 105.6979, YOUTH_UNION),
    _S("TM02", "QL N2 – Trường Xuân", "Quốc lộ N2, xã Trường Xuân, Đồng Tháp", 10.6118, 105.7527, "CAX-THAPMUOI"),
    _S("TM03", "Khu di tích Gò Tháp", "Đường tỉnh 845, xã Tháp Mười, Đồng Tháp", 10.5781, 105.8108, "CAX-THAPMUOI"),
    _S("SD02", "Làng hoa Sa Đéc", "Đường Nguyễn Sinh Sắc, phường Sa Đéc, Đồng Tháp", 10.3062, 105.7381, WOMENS_UNION),
    _S("SD03", "Chợ Sa Đéc", "Đường Hùng Vương, phường Sa Đéc, Đồng Tháp", 10.2941, 105.7609, "CAP-SADEC"),
    _S("CT02", "QL80 – Tân Nhuận Đông", "Quốc lộ 80, xã Tân Nhuận Đông, Đồng Tháp", 10.2482, 105.8419, "CAP-SADEC"),
    _S("LV02", "QL80 – Tân Dương", "Quốc lộ 80, xã Tân Dương, Đồng Tháp", 10.2673, 105.6138, "CAX-LAPVO"),
    _S("LP02", "Đường dẫn cầu Vàm Cống", "Đường dẫn cầu Vàm Cống, xã Lấp Vò, Đồng Tháp", 10.3291, 105.5479, "CAX-LAPVO"),
    _S("CB04", "Nút giao An Thái Trung", "Quốc lộ 1, xã An Thái Trung, Đồng Tháp", 10.3204, 105.9652, "PC08"),
    _S("PM01", "QL30 – Phong Mỹ", "Quốc lộ 30, xã Phong Mỹ, Đồng Tháp", 10.5372, 105.5334, "PC08"),
)
# fmt: on
del _S

#: Last year's campaign had this share of this year's stations (the model keeps spreading).
PREVIOUS_STATION_SHARE: Final = 26 / 30

STATION_OPENS: Final = dt.time(6, 0)
STATION_CLOSES: Final = dt.time(22, 0)
#: (start hour, end hour) of a day's shifts; an end past 24 is the next morning.
DAY_SLOTS: Final[tuple[tuple[int, int], ...]] = ((6, 10), (10, 14), (14, 18), (18, 22))
NIGHT_SLOT: Final = (22, 25)
SLOT_WEIGHTS: Final = {6: 1.2, 10: 1.1, 14: 1.3, 18: 0.8, 22: 0.35}
KEY_STATION_WEIGHT: Final = 1.6

#: Per full campaign, what is handed out by item code.
HANDOUT_TARGETS: Final = {
    "water": 600_000,
    "towel": 500_000,
    "food": 90_000,
    "noodles": 25_000,
    "fuel": 1_000,
    "leaflet": 32_000,
}
#: Supplies come in cases: a receipt is a whole number of them.
PACK_SIZES: Final = {
    "water": 24,
    "towel": 50,
    "food": 20,
    "noodles": 30,
    "fuel": 10,
    "leaflet": 100,
}
#: A receipt covers what the coming days need plus this margin.
RECEIPT_MARGIN: Final = 1.06
#: Days of handouts one delivery covers.
DELIVERY_EVERY_DAYS: Final = 4

#: Per full campaign, by service; loudspeaker time is in minutes.
SERVICE_TARGETS: Final = {
    ServiceKind.MOTORBIKE_CHECK: 470,
    ServiceKind.LOUDSPEAKER: 1_960 * 60,
    ServiceKind.FIRST_AID: 180,
    ServiceKind.DIRECTIONS: 2_400,
}
#: Share of daytime shifts that record each service (the motorbike checks: at garage stations).
SERVICE_SHARE: Final = {
    ServiceKind.MOTORBIKE_CHECK: 0.6,
    ServiceKind.LOUDSPEAKER: 0.9,
    ServiceKind.FIRST_AID: 0.15,
    ServiceKind.DIRECTIONS: 0.5,
}

VOLUNTEERS: Final = 1_500
#: Assignments per campaign; about 93 % are served, the "4.000 lượt" of the report.
ASSIGNMENTS_PER_CAMPAIGN: Final = 4_300
#: People needed per shift: a lead and three volunteers, four at a main-road station.
NEEDS: Final = {"lead": 1, "volunteer": 3}
KEY_NEEDS: Final = {"lead": 1, "volunteer": 4}
MAX_SHIFTS_PER_DAY: Final = 2


def day_weight(days_from_tet: int) -> float:
    """How busy the roads are: rising to the eve of Tết, quiet on mùng 1, busy going back."""
    if days_from_tet < 0:
        return min(1.45, 0.75 + 0.1 * (8 + days_from_tet))
    return {0: 0.45, 1: 0.6, 2: 0.9, 3: 1.2, 4: 1.35}.get(days_from_tet, 1.1)


# fmt: off
# Family names with their rough share in the Mekong Delta; the middle and given names are
# the common ones of people in their twenties to fifties.
FAMILY_NAMES: Final = (
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 6), ("Huỳnh", 6), ("Võ", 5),
    ("Phan", 4), ("Trương", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2),
    ("Dương", 2), ("Lý", 2), ("Lâm", 2), ("Đinh", 1), ("Châu", 1), ("Tạ", 1), ("Thái", 1),
    ("Mai", 1), ("Cao", 1), ("Lưu", 1), ("Hà", 1), ("Tô", 1),
)
MALE_MIDDLE_NAMES: Final = (
    "Văn", "Văn", "Văn", "Minh", "Thanh", "Hoàng", "Quốc", "Hữu", "Công", "Tấn", "Thành",
    "Đức", "Ngọc", "Trọng", "Phước", "Chí", "Duy", "Tuấn",
)
FEMALE_MIDDLE_NAMES: Final = (
    "Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Mỹ", "Thanh", "Bích", "Hồng", "Thúy",
    "Diễm", "Phương", "Tuyết", "Huỳnh", "Như",
)
MALE_GIVEN_NAMES: Final = (
    "An", "Bình", "Cường", "Danh", "Dũng", "Đạt", "Hải", "Hào", "Hiếu", "Hòa", "Hùng",
    "Huy", "Khang", "Khoa", "Kiệt", "Lộc", "Long", "Luân", "Minh", "Nam", "Nghĩa", "Nhân",
    "Phát", "Phong", "Phúc", "Quang", "Sang", "Sơn", "Tài", "Tâm", "Thắng", "Thiện",
    "Thịnh", "Toàn", "Trí", "Trung", "Tú", "Tuấn", "Vinh", "Vũ",
)
FEMALE_GIVEN_NAMES: Final = (
    "Anh", "Châu", "Diễm", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa",
    "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhi", "Nhung",
    "Oanh", "Phương", "Quyên", "Thảo", "Thư", "Trâm", "Trang", "Trinh", "Tuyết", "Uyên",
    "Vân", "Vy", "Xuân", "Yến",
)
#: Mobile prefixes after +84 (Viettel, MobiFone, VinaPhone).
MOBILE_PREFIXES: Final = ("32", "33", "34", "35", "36", "37", "38", "39", "90", "91", "93", "94", "96", "97", "98")
# fmt: on
SKILLS: Final = ("sơ cứu", "sửa xe máy", "phát loa", "lái xe", "tiếng Anh", "nấu ăn")
