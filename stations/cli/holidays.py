"""``waystation holidays``: Tết and the holiday windows of years, from the calendar alone.

A module of its own with only what it needs, so the command starts as fast as ``--help``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from stations.calendar import SUPPORTED_YEARS, canchi_year_name, holidays_of_year
from stations.calendar.holidays import HolidayKind
from stations.cli.context import CliContext
from stations.cli.output import render_table
from stations.formatting import format_date
from stations.i18n import _, translate
from stations.services.errors import InvalidInput

_WINDOW_LABELS = {
    HolidayKind.TET: _("Tết (Lunar New Year)"),
    HolidayKind.REUNIFICATION: _("Reunification Day and Labour Day (30/4 – 1/5)"),
}


def _holidays_as_dict(year: int) -> dict[str, Any]:
    found = holidays_of_year(year)
    return {
        "year": found["year"],
        "tet": found["tet"].isoformat(),
        "lunar_year_name": canchi_year_name(year),
        "windows": [
            {
                "kind": window.kind.value,
                "start": window.start.isoformat(),
                "end": window.end.isoformat(),
                "days": len(window.days()),
            }
            for window in found["windows"]
        ],
    }


def holidays(args: argparse.Namespace, ctx: CliContext) -> int:
    for year in args.years:
        if year not in SUPPORTED_YEARS:
            raise InvalidInput(
                _("Year {year} is out of range: the calendar covers {first} to {last}."),
                field="year",
                year=year,
                first=SUPPORTED_YEARS.start,
                last=SUPPORTED_YEARS.stop - 1,
            )
    found = [holidays_of_year(year) for year in args.years]
    if args.json:
        print(
            json.dumps([_holidays_as_dict(y["year"]) for y in found], ensure_ascii=False, indent=2)
        )
        return 0
    lang = ctx.language
    blocks = []
    for year in found:
        title = translate(
            _("Tết {lunar_year} {year}: {date}"),
            lang,
            lunar_year=canchi_year_name(year["year"]),
            year=year["year"],
            date=format_date(year["tet"], lang),
        )
        rows = [
            [
                translate(_WINDOW_LABELS[window.kind], lang),
                format_date(window.start, lang),
                format_date(window.end, lang),
                translate(_("{count} days"), lang, count=len(window.days())),
            ]
            for window in year["windows"]
        ]
        headers = [
            translate(h, lang) for h in (_("Holiday window"), _("From"), _("To"), _("Length"))
        ]
        blocks.append(title + "\n" + render_table(headers, rows, right_aligned=[3]))
    print("\n\n".join(blocks))
    return 0
