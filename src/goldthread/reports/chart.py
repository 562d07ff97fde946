"""The coverage trend as an inline SVG line chart: no script, no request.

Time runs left to right in proportion to real time; coverage 0–100 % bottom
to top. Each point carries a ``<title>`` so browsers show its value on hover.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from goldthread.core.model import Layer
from goldthread.reports.data import TrendPoint, percent

WIDTH, HEIGHT = 860, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 16, 14, 34
_COLOURS = {
    Layer.VISION: "#6941c6",
    Layer.STRATEGY: "#1570ef",
    Layer.EXECUTION: "#0e9384",
}
_OVERALL = "#b7791f"


def trend_svg(points: Sequence[TrendPoint]) -> str:
    """The chart, or an empty string when there is no recorded evaluation."""
    if not points:
        return ""
    xs = _x_positions([p.at for p in points])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'role="img" aria-labelledby="trend-title" class="trend">',
        '<title id="trend-title">Coverage over time</title>',
        *_grid(),
        *_time_labels(points, xs),
    ]
    for layer, colour in _COLOURS.items():
        series = [(x, dict(p.by_layer).get(layer)) for x, p in zip(xs, points, strict=True)]
        parts += _series(series, colour, width=1.6, dashed=True, label=layer.value)
    overall = [(x, p.coverage) for x, p in zip(xs, points, strict=True)]
    parts += _series(overall, _OVERALL, width=3, dashed=False, label="overall")
    parts.append("</svg>")
    return "\n".join(parts)


def legend_entries() -> list[tuple[str, str]]:
    """``(label, colour)`` of every line, overall first."""
    return [("overall", _OVERALL), *((layer.value, c) for layer, c in _COLOURS.items())]


def _x_positions(moments: Sequence[datetime]) -> list[float]:
    start, end = moments[0], moments[-1]
    span = (end - start).total_seconds()
    inner = WIDTH - _LEFT - _RIGHT
    if span <= 0:
        return [_LEFT + inner / 2 for _ in moments]
    return [_LEFT + inner * (m - start).total_seconds() / span for m in moments]


def _y(value: float) -> float:
    return _TOP + (HEIGHT - _TOP - _BOTTOM) * (1 - value)


def _grid() -> list[str]:
    lines = []
    for step in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _y(step)
        lines.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{WIDTH - _RIGHT}" y2="{y:.1f}" '
            f'stroke="#e4e7ec" stroke-width="1"/>'
        )
        lines.append(
            f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#667085">{int(step * 100)}%</text>'
        )
    return lines


def _time_labels(points: Sequence[TrendPoint], xs: Sequence[float]) -> list[str]:
    """First and last moments (and the middle one when there is room)."""
    picks = sorted(
        {0, len(points) - 1, (len(points) - 1) // 2} if len(points) > 4 else {0, len(points) - 1}
    )
    anchors = {0: "start", len(points) - 1: "end"}
    labels = []
    for i in picks:
        anchor = "middle" if len(points) == 1 else anchors.get(i, "middle")
        labels.append(
            f'<text x="{xs[i]:.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}" font-size="11" '
            f'fill="#667085">{escape(points[i].at.strftime("%Y-%m-%d %H:%M"))}</text>'
        )
    return labels


def _series(
    series: Sequence[tuple[float, float | None]],
    colour: str,
    *,
    width: float,
    dashed: bool,
    label: str,
) -> list[str]:
    """A line through the known values (gaps where nothing counted), and dots."""
    known = [(x, v) for x, v in series if v is not None]
    if not known:
        return []
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    path = " ".join(f"{x:.1f},{_y(v):.1f}" for x, v in known)
    parts = [
        f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{width}" '
        f'stroke-linejoin="round" stroke-linecap="round"{dash}/>'
    ]
    radius = 3.5 if not dashed else 2.2
    parts += [
        f'<circle cx="{x:.1f}" cy="{_y(v):.1f}" r="{radius}" fill="{colour}">'
        f"<title>{escape(label)}: {percent(v)}</title></circle>"
        for x, v in known
    ]
    return parts
