"""Chart configurations for the pages, built here so that labels are translated on the server.

A page puts ``{% include "tickets/_chart.html" with chart=... %}`` where a chart goes and loads
``tickets/_chart_scripts.html`` in its head; ``static/tickets/charts.js`` draws every ``canvas[data-chart]`` from
the JSON next to it. No inline script: the content security policy allows scripts from our own origin only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

#: The product's colours, in the order datasets take them.
PALETTE = ["#a8201a", "#1a5fb4", "#1f7a3a", "#c77c02", "#6b3fa0", "#5b6675"]


@dataclass
class Chart:
    key: str  # unique on the page: the canvas is #chart-<key>
    title: str | Promise
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def canvas_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}-data"


def _datasets(series: Sequence[tuple[Any, Sequence[Any]]], kind: str, **extra: Any) -> list[dict[str, Any]]:
    out = []
    for i, (label, values) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        ds: dict[str, Any] = {"label": str(label), "data": list(values), "borderColor": colour}
        ds["backgroundColor"] = colour if kind == "bar" else colour + "33"
        out.append({**ds, **extra})
    return out


def bar(
    key: str,
    title: str | Promise,
    labels: Sequence[Any],
    series: Sequence[tuple[Any, Sequence[Any]]],
    *,
    stacked: bool = False,
    horizontal: bool = False,
    max_value: float | None = None,
) -> Chart:
    scale: dict[str, Any] = {"beginAtZero": True}
    if max_value is not None:
        scale["max"] = max_value
    value_axis, label_axis = ("x", "y") if horizontal else ("y", "x")
    options: dict[str, Any] = {
        "scales": {value_axis: {**scale, "stacked": stacked}, label_axis: {"stacked": stacked}},
        "plugins": {"legend": {"display": len(series) > 1}},
    }
    if horizontal:
        options["indexAxis"] = "y"
    return Chart(
        key,
        title,
        {
            "type": "bar",
            "data": {"labels": [str(x) for x in labels], "datasets": _datasets(series, "bar")},
            "options": options,
        },
    )


def line(
    key: str,
    title: str | Promise,
    labels: Sequence[Any],
    series: Sequence[tuple[Any, Sequence[Any]]],
    *,
    max_value: float | None = None,
    percent_series: Sequence[int] = (),
) -> Chart:
    """A line chart; the series whose indexes are in ``percent_series`` go on a 0–100 axis on the right."""
    datasets = _datasets(series, "line", tension=0.2, spanGaps=True)
    scales: dict[str, Any] = {"y": {"beginAtZero": True}}
    if max_value is not None:
        scales["y"]["max"] = max_value
    if percent_series:
        scales["p"] = {"position": "right", "min": 0, "max": 100, "grid": {"drawOnChartArea": False}}
        for i in percent_series:
            datasets[i]["yAxisID"] = "p"
    options = {"scales": scales, "plugins": {"legend": {"display": len(series) > 1}}}
    return Chart(
        key,
        title,
        {"type": "line", "data": {"labels": [str(x) for x in labels], "datasets": datasets}, "options": options},
    )
