"""The server-side SVG chart: a pure function from figures to accessible, escaped markup."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from stations.web.charts import Series, nice_ceiling, stacked_bar_chart

pytestmark = pytest.mark.unit
SVG = "{http://www.w3.org/2000/svg}"


def _chart(**overrides):
    values = {
        "title": "Handouts per day",
        "description": "A bar for each day",
        "labels": ["01/02", "02/02", "03/02"],
        "series": [Series("Water", [10, 0, 5]), Series("Towels", [5, 0, 0])],
    }
    values.update(overrides)
    return stacked_bar_chart(**values)


def test_chart_is_well_formed_svg_with_title_and_description():
    root = ET.fromstring(str(_chart()))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    assert root.find(f"{SVG}title").text == "Handouts per day"
    assert root.find(f"{SVG}desc").text == "A bar for each day"


def test_chart_draws_one_rectangle_per_positive_value_plus_legend():
    root = ET.fromstring(str(_chart()))

    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    tooltips = [r.find(f"{SVG}title").text for r in bars]

    assert tooltips == ["01/02 · Water: 10", "01/02 · Towels: 5", "03/02 · Water: 5"]
    assert len(list(root.iter(f"{SVG}rect"))) == 3 + 2


def test_stacked_bars_are_proportional_to_their_values():
    root = ET.fromstring(str(_chart()))
    heights = [
        float(r.get("height")) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None
    ]

    assert heights[0] == pytest.approx(2 * heights[1])
    assert heights[0] == pytest.approx(2 * heights[2])


def test_every_label_is_escaped():
    payload = '<script>alert("x")</script>'
    markup = str(
        _chart(title=payload, labels=[payload, "b", "c"], series=[Series(payload, [1, 2, 3])])
    )

    assert "<script>" not in markup
    assert ET.fromstring(markup).find(f"{SVG}title").text == payload


def test_long_periods_label_only_some_days():
    labels = [f"{day:02d}/02" for day in range(1, 31)]
    root = ET.fromstring(str(_chart(labels=labels, series=[Series("Water", [1] * 30)])))

    day_labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__label"]

    assert day_labels == labels[::3]


def test_empty_and_zero_series_still_draw_an_axis():
    root = ET.fromstring(str(_chart(series=[Series("Water", [0, 0, 0])])))

    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__tick"]
    assert ticks == ["0", "0.2", "0.4", "0.6", "0.8", "1"]


def test_values_are_formatted_by_the_callers_function():
    markup = str(
        _chart(
            series=[Series("Water", [1200, 0, 0])],
            format_value=lambda n: f"{n:,.0f}".replace(",", "."),
        )
    )

    assert "1.200" in markup


def test_series_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError):
        _chart(series=[Series("Water", [1, 2])])


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 1), (1, 1), (7, 10), (12, 20), (23, 25), (240, 250), (4100, 5000)]
)
def test_nice_ceiling_rounds_up_to_a_readable_axis_top(value, expected):
    assert nice_ceiling(value) == expected
