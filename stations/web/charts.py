"""Charts drawn on the server as SVG: no script, no third-party library, readable on a phone.

``stacked_bar_chart`` is a pure function from numbers and labels to SVG markup. Every text in
it (title, labels, legend) is escaped, so a supply item named ``<script>`` is shown, not run.
The chart carries its title and description for screen readers; pages put the same figures in
a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Distinct in light and dark mode, and for the common colour-vision deficiencies (Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")

WIDTH = 720
HEIGHT = 300
MARGIN_LEFT = 56
MARGIN_RIGHT = 12
MARGIN_TOP = 16
MARGIN_BOTTOM = 44
LEGEND_ROW = 22
#: More x labels than this would overlap: the others are left out (every bar stays).
MAX_X_LABELS = 12


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float]


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value`` (the top of the y axis)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover (10 × magnitude always suffices)


def _number(value: float) -> str:
    """Coordinates with at most two decimals, so the markup stays small and stable."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def stacked_bar_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    format_value: Callable[[float], str] | None = None,
    chart_id: str = "chart",
) -> Markup:
    """One bar per label, each stacked from the series' values at that position.

    ``labels`` and every series' ``values`` have the same length. ``format_value`` turns a
    number into the text of the axis and the tooltips (e.g. "1.000" in Vietnamese)."""
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("every series needs one value per label")
    fmt = format_value or (lambda n: f"{n:g}")
    legend_rows = math.ceil(len(series) / 3) if series else 0
    height = HEIGHT + legend_rows * LEGEND_ROW
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    totals = [sum(max(0, s.values[i]) for s in series) for i in range(len(labels))]
    top = nice_ceiling(max(totals, default=0))

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}"'
        ' preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]

    # The y axis: five steps from zero to the top, with their gridlines.
    for step in range(6):
        value = top * step / 5
        y = MARGIN_TOP + plot_height - plot_height * step / 5
        parts.append(
            f'<line class="chart__grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}"'
            f' y1="{_number(y)}" y2="{_number(y)}" stroke="currentColor" stroke-opacity="0.15"/>'
        )
        parts.append(
            f'<text class="chart__tick" x="{MARGIN_LEFT - 6}" y="{_number(y + 4)}"'
            f' text-anchor="end" font-size="11" fill="currentColor">{escape(fmt(value))}</text>'
        )

    slot = plot_width / max(1, len(labels))
    bar_width = max(1.0, slot * 0.7)
    label_every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    for index, label in enumerate(labels):
        x = MARGIN_LEFT + slot * index + (slot - bar_width) / 2
        base = float(MARGIN_TOP + plot_height)
        for colour_index, s in enumerate(series):
            value = max(0, s.values[index])
            if value <= 0:
                continue
            bar_height = plot_height * value / top
            base -= bar_height
            parts.append(
                f'<rect x="{_number(x)}" y="{_number(base)}" width="{_number(bar_width)}"'
                f' height="{_number(bar_height)}" fill="{PALETTE[colour_index % len(PALETTE)]}">'
                f"<title>{escape(label)} · {escape(s.name)}: {escape(fmt(value))}</title></rect>"
            )
        if index % label_every == 0:
            parts.append(
                f'<text class="chart__label" x="{_number(x + bar_width / 2)}"'
                f' y="{HEIGHT - MARGIN_BOTTOM + 16}" text-anchor="middle" font-size="11"'
                f' fill="currentColor">{escape(label)}</text>'
            )

    for index, s in enumerate(series):
        row, column = divmod(index, 3)
        x = MARGIN_LEFT + column * (plot_width / 3)
        y = HEIGHT - 8 + row * LEGEND_ROW
        parts.append(
            f'<rect x="{_number(x)}" y="{_number(y - 10)}" width="12" height="12"'
            f' fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text x="{_number(x + 18)}" y="{_number(y)}" font-size="12"'
            f' fill="currentColor">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
