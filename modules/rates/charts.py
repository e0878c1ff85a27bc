"""A rate trend drawn on the server as inline SVG (no JavaScript, no chart CDN).

Rates are step functions: a rate holds until the next one, so each series is drawn as steps
and carried on to the window's end. Coordinates are computed with `Decimal` and written with
one decimal place.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import formats
from django.utils.html import escape

ONE_TENTH = Decimal("0.1")


def _fmt(value: Decimal) -> str:
    return str(value.quantize(ONE_TENTH))


def trend_svg(points: list[tuple[datetime, Decimal, Decimal]], *, start: datetime, end: datetime, title: str, width: int = 720, height: int = 240) -> str:
    """SVG markup of buy and sell over [`start`, `end`] from `points` ((time, buy, sell), oldest
    first). An empty list gives an SVG that says there is no data. Labels are escaped."""
    pad_l, pad_r, pad_t, pad_b = 72, 16, 16, 28
    plot_w, plot_h = Decimal(width - pad_l - pad_r), Decimal(height - pad_t - pad_b)
    head = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="w-full h-auto" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    if not points:
        return head + f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" class="fill-stone-400" font-size="14">—</text></svg>'
    values = [v for _, buy, sell in points for v in (buy, sell)]
    low, high = min(values), max(values)
    if low == high:
        low, high = low - abs(low) / 20 - 1, high + abs(high) / 20 + 1
    span = high - low
    low, high = low - span / 20, high + span / 20
    total_seconds = Decimal(max((end - start).total_seconds(), 1))

    def x(when: datetime) -> Decimal:
        when = min(max(when, start), end)
        return pad_l + plot_w * Decimal((when - start).total_seconds()) / total_seconds

    def y(value: Decimal) -> Decimal:
        return pad_t + plot_h - plot_h * (value - low) / (high - low)

    def steps(index: int) -> str:
        coords: list[tuple[Decimal, Decimal]] = []
        for n, point in enumerate(points):
            px, py = x(point[0]), y(point[index])
            if coords:
                coords.append((px, coords[-1][1]))
            coords.append((px, py))
            if n == len(points) - 1:
                coords.append((x(end), py))
        return " ".join(f"{_fmt(a)},{_fmt(b)}" for a, b in coords)

    parts = [head]
    for value in (low + (high - low) * k / 4 for k in range(5)):
        yy = _fmt(y(value))
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{yy}" y2="{yy}" stroke="currentColor" stroke-opacity="0.12"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{yy}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="currentColor" fill-opacity="0.6">{escape(formats.number_format(value, 2))}</text>')
    parts.append(f'<text x="{pad_l}" y="{height - 8}" font-size="11" fill="currentColor" fill-opacity="0.6">{escape(formats.date_format(start, "SHORT_DATE_FORMAT"))}</text>')
    parts.append(f'<text x="{width - pad_r}" y="{height - 8}" text-anchor="end" font-size="11" fill="currentColor" fill-opacity="0.6">{escape(formats.date_format(end, "SHORT_DATE_FORMAT"))}</text>')
    parts.append(f'<polyline data-series="buy" fill="none" stroke="#78716c" stroke-width="2" points="{steps(1)}"/>')
    parts.append(f'<polyline data-series="sell" fill="none" stroke="#d97706" stroke-width="2" points="{steps(2)}"/>')
    parts.append("</svg>")
    return "".join(parts)
