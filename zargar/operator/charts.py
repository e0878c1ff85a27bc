"""Operator dashboard charts drawn on the server as inline SVG (no JavaScript, no chart CDN).

Each function returns SVG markup (mark it safe in the view); labels are escaped and numbers are
written with the active language's digits (`format_number`). Text uses `currentColor`, so a
chart follows the page's light or dark text colour; marks use fixed amber/stone/red colours
that read on both. Charts run left to right (time) in Persian too. Every mark carries a
`<title>` (the value on hover) and the chart an `aria-label`.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape

from zargar.panel.templatetags.zargar_format import format_number

AMBER = "#d97706"
COLORS = {"active": "#059669", "trialing": "#d97706", "past_due": "#dc2626", "suspended": "#dc2626", "scheduled_for_deletion": "#78716c"}


def _n(value, places=None) -> str:
    return escape(format_number(value, places))


def _head(width: int, height: int, title: str, kind: str, direction: str = ' direction="ltr"') -> str:
    t = escape(title)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="h-auto w-full"'
            f'{direction} data-chart="{kind}" aria-label="{t}"><title>{t}</title>')


def _empty(width: int, height: int, title: str, kind: str, message: str) -> str:
    return _head(width, height, title, kind, direction="") + (  # a sentence: the page's direction
        f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" font-size="14" fill="currentColor" fill-opacity="0.6">{escape(message)}</text></svg>'
    )


def _nice_max(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above `value` (≥ 1)."""
    value = max(Decimal(value), Decimal(1))
    exponent = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if step * exponent >= value:
            return step * exponent
    return 10 * exponent


def columns(points: list[tuple[str, Decimal | int, str]], *, title: str, empty: str, width: int = 440, height: int = 200,
            places: int | None = None, suffix: str = "") -> str:
    """Vertical bars: `points` = [(axis label, value, hover text)], oldest first. Only the first,
    middle and last axis labels are written (they are dates, often 90 of them)."""
    if not points or not any(v for _, v, _ in points):
        return _empty(width, height, title, "columns", empty)
    pad_l, pad_r, pad_t, pad_b = 44, 8, 10, 24
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    highest = max(Decimal(v) for _, v, _ in points)
    top = Decimal(max(4, -(-int(highest) // 4) * 4)) if places is None else _nice_max(highest)  # counts: whole ticks
    slot = Decimal(plot_w) / len(points)
    gap = min(slot / 4, Decimal(6))
    parts = [_head(width, height, title, "columns")]
    for k in range(5):
        value = top * k / 4
        y = pad_t + plot_h - plot_h * k / 4
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" y2="{y:.1f}" stroke="currentColor" stroke-opacity="0.12"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="currentColor" fill-opacity="0.6">{_n(value, places)}{suffix}</text>')
    for i, (label, value, hover) in enumerate(points):
        h = Decimal(plot_h) * Decimal(value) / top
        x = pad_l + slot * i + gap / 2
        parts.append(f'<rect x="{x:.1f}" y="{pad_t + plot_h - h:.1f}" width="{max(slot - gap, Decimal(1)):.1f}" height="{h:.1f}" rx="2" fill="{AMBER}" data-value="{value}"><title>{escape(hover)}</title></rect>')
    for i in sorted({0, len(points) // 2, len(points) - 1}):
        anchor = "start" if i == 0 else "end" if i == len(points) - 1 else "middle"
        x = pad_l + slot * i + (0 if anchor == "start" else slot if anchor == "end" else slot / 2)
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="{anchor}" font-size="11" fill="currentColor" fill-opacity="0.6">{escape(points[i][0])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line(points: list[tuple[str, Decimal]], *, title: str, empty: str, places: int = 2, width: int = 440, height: int = 200) -> str:
    """One series as a line with dots: `points` = [(axis label, value)], oldest first."""
    if not points or not any(v for _, v in points):
        return _empty(width, height, title, "line", empty)
    top = _nice_max(max(v for _, v in points))
    ticks = [format_number((top * k / 4).normalize()) for k in range(5)]
    pad_l, pad_r, pad_t, pad_b = 14 + 7 * max(len(t) for t in ticks), 12, 12, 24  # room for the widest tick
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    step = Decimal(plot_w) / max(len(points) - 1, 1)
    coords = [(pad_l + step * i, pad_t + plot_h - Decimal(plot_h) * v / top) for i, (_, v) in enumerate(points)]
    parts = [_head(width, height, title, "line")]
    for k in range(5):
        y = pad_t + plot_h - plot_h * k / 4
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" y2="{y:.1f}" stroke="currentColor" stroke-opacity="0.12"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="currentColor" fill-opacity="0.6">{escape(ticks[k])}</text>')
    area = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts.append(f'<polygon points="{coords[0][0]:.1f},{pad_t + plot_h} {area} {coords[-1][0]:.1f},{pad_t + plot_h}" fill="{AMBER}" fill-opacity="0.12"/>')
    parts.append(f'<polyline points="{area}" fill="none" stroke="{AMBER}" stroke-width="2"/>')
    for (x, y), (label, value) in zip(coords, points):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{AMBER}" data-value="{value}"><title>{escape(label)}: {_n(value, places)}</title></circle>')
    for i in sorted({0, len(points) - 1}):
        anchor = "start" if i == 0 else "end"
        parts.append(f'<text x="{coords[i][0]:.1f}" y="{height - 8}" text-anchor="{anchor}" font-size="11" fill="currentColor" fill-opacity="0.6">{escape(points[i][0])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(rows: list[tuple[str, list[tuple[str, str, int]]]], *, title: str, empty: str, width: int = 440) -> str:
    """Horizontal stacked bars, one per row: `rows` = [(label, [(key, key label, count)])]; the
    total is written at the bar's end. Colours by key (`COLORS`), stone otherwise."""
    if not rows or not any(n for _, segs in rows for _, _, n in segs):
        return _empty(width, 100, title, "bars", empty)
    bar_h, gap, pad_r, pad_t = 20, 10, 36, 6
    pad_l = min(190, 16 + 7 * max(len(label[:26]) for label, _ in rows))  # room for the longest label
    height = pad_t * 2 + len(rows) * (bar_h + gap)
    plot_w = width - pad_l - pad_r
    top = max(sum(n for _, _, n in segs) for _, segs in rows)
    parts = [_head(width, height, title, "bars")]
    for i, (label, segs) in enumerate(rows):
        y = pad_t + i * (bar_h + gap)
        parts.append(f'<text x="{pad_l - 8}" y="{y + bar_h / 2}" text-anchor="end" dominant-baseline="middle" font-size="12" fill="currentColor">{escape(label[:26])}</text>')
        x = Decimal(pad_l)
        for key, key_label, n in segs:
            if not n:
                continue
            w = Decimal(plot_w) * n / top
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLORS.get(key, "#a8a29e")}" data-key="{escape(key)}" data-value="{n}"><title>{escape(label)} · {escape(key_label)}: {_n(n)}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + bar_h / 2}" dominant-baseline="middle" font-size="12" font-weight="600" fill="currentColor">{_n(sum(n for _, _, n in segs))}</text>')
    parts.append("</svg>")
    return "".join(parts)
