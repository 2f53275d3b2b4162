"""Charts drawn on the server as inline SVG, each with its text alternative: a title, and a
description that lists every value, so a screen reader (and a test) reads what the eye sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 380, 140, 72, 36, 14, 26


def number(value: float | None, unit: str, target: float | None = None) -> str:
    """An indicator's value as people read it: shares in per cent (per ten thousand when the
    target is that small), averages with two decimals, counts whole."""
    if value is None:
        return "无数据"
    if unit in ("share", "rate"):
        if target is not None and 0 < target < 0.001:
            return f"万分之{value * 10_000:.2f}"
        return f"{value * 100:.1f}%"
    if unit == "average":
        return f"{value:.2f}"
    return f"{value:.0f}"


def trend_svg(chart_id: str, title: str, points: Sequence[tuple[str, float | None]],
              target: float | None, unit: str) -> Markup:
    """A line of values over dates, the target as a dashed line; gaps where a value is None."""
    values = [v for _, v in points if v is not None]
    top = max([*values, target or 0.0, 1e-9]) * 1.15
    span_x = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(1, len(points) - 1)
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def y(v: float) -> float:
        return PAD_TOP + plot_h * (1 - v / top)

    described = "；".join(f"{when}：{number(v, unit, target)}" for when, v in points)
    goal = f"目标 {number(target, unit, target)}。" if target is not None else ""
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" aria-labelledby="{chart_id}-title '
        f'{chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}的变化趋势</title>',
        f'<desc id="{chart_id}-desc">{escape(goal + described)}</desc>',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_RIGHT}" '
        f'y2="{HEIGHT - PAD_BOTTOM}" stroke="#4a4a4a" stroke-width="1"/>',
    ]
    if target is not None:
        parts.append(f'<line x1="{PAD_LEFT}" y1="{y(target):.1f}" x2="{WIDTH - PAD_RIGHT}" '
                     f'y2="{y(target):.1f}" stroke="#a4000f" stroke-width="1.5" '
                     'stroke-dasharray="5 4"/>')
        parts.append(f'<text x="{WIDTH - PAD_RIGHT + 3}" y="{y(target) + 4:.1f}" font-size="10" '
                     'fill="#a4000f">目标</text>')
    line: list[str] = []
    for i, (when, v) in enumerate(points):
        x = PAD_LEFT + i * span_x
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="10" fill="#1b1b1b" '
                     f'text-anchor="middle">{escape(when[2:7])}</text>')
        if v is None:
            if len(line) > 1:
                parts.append(_polyline(line))
            line = []
            continue
        line.append(f"{x:.1f},{y(v):.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="3" fill="#0b3d91"/>')
    if len(line) > 1:
        parts.append(_polyline(line))
    for v in (0.0, top / 1.15):  # the scale: zero and the largest value or target
        parts.append(f'<text x="{PAD_LEFT - 4}" y="{y(v) + 4:.1f}" font-size="10" '
                     f'fill="#1b1b1b" text-anchor="end">{escape(number(v, unit, target))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _polyline(points: list[str]) -> str:
    return (f'<polyline points="{" ".join(points)}" fill="none" stroke="#0b3d91" '
            'stroke-width="2"/>')
