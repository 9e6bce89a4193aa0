"""Charts as standalone SVG strings: one code path for the dashboard pages and the PDF reports (DESIGN.md, charts).

Pure functions of numbers and labels: no database, no request. Each chart:
- is labelled for assistive technology: `role="img"`, `aria-labelledby` pointing at its <title> and <desc>;
  the page shows a table with the same figures next to it as the text alternative;
- never relies on colour alone: every series has a fill pattern too (solid, hatched, dotted, crossed) and the
  legend names it with its total, so a grey-scale print still reads;
- carries no script and no style attribute (the content security policy forbids both): presentation
  attributes only (`fill=`, `stroke=`), which WeasyPrint renders as well;
- has element ids prefixed by `id_prefix`, so several charts can share a page without their patterns clashing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

INK = "#1a1a1a"
GRID = "#c8c8c8"
FONT = 'font-family="sans-serif"'


@dataclass(frozen=True)
class Series:
    """One coloured and patterned kind of bar segment, e.g. an enforcement outcome or a control status."""

    key: str
    label: str
    colour: str
    pattern: str = "solid"  # solid, hatch, dots, cross or empty (outlined only)


# Outcomes of enforcement decisions (evidence.choices.Outcome), in the order they stack.
OUTCOME_SERIES: tuple[Series, ...] = (
    Series("allow", "Allow", "#4f9a5b", "solid"),
    Series("redact", "Redact", "#3b6fb6", "hatch"),
    Series("block", "Block", "#c0392b", "cross"),
    Series("error", "Error", "#8a8a8a", "dots"),
)

# Control statuses (controls.choices.ControlStatus), best first.
STATUS_SERIES: tuple[Series, ...] = (
    Series("operating", "Operating", "#4f9a5b", "solid"),
    Series("failing", "Failing", "#c0392b", "cross"),
    Series("stale", "Stale", "#d68910", "hatch"),
    Series("not_evidenced", "Not evidenced", "#8a8a8a", "dots"),
    Series("not_applicable", "Not applicable", "#ffffff", "empty"),
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _fmt(value: float) -> str:
    """Whole numbers with thin grouping (1,234,567); the SVG is read by people, not parsed back."""
    return f"{round(value):,}"


def _open(prefix: str, width: int, height: int, title: str, desc: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="chart {css_class}" {FONT}>',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
    ]


def _interactive_role(svg: str) -> str:
    """A chart whose bars are links is a group, not an image: role="img" would hide its links from assistive
    technology (axe: nested-interactive). It keeps the same title and description."""
    if "<a " in svg:
        return svg.replace('role="img"', 'role="group"', 1)
    return svg


def _patterns(prefix: str, series: Sequence[Series]) -> str:
    """One <pattern> per series: its colour, overlaid with white lines or dots so it differs without colour."""
    defs = ["<defs>"]
    for s in series:
        pid = f"{prefix}-p-{_slug(s.key)}"
        base = f'<rect width="8" height="8" fill="{_attr(s.colour)}"/>'
        if s.pattern == "hatch":
            mark = '<path d="M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6" stroke="#ffffff" stroke-width="1.6"/>'
        elif s.pattern == "cross":
            mark = '<path d="M0 0 L8 8 M8 0 L0 8" stroke="#ffffff" stroke-width="1.3"/>'
        elif s.pattern == "dots":
            mark = '<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>'
        else:
            mark = ""
        defs.append(f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="8" height="8">{base}{mark}</pattern>')
    defs.append("</defs>")
    return "".join(defs)


def _fill(prefix: str, s: Series) -> str:
    return f"url(#{prefix}-p-{_slug(s.key)})"


def _legend(prefix: str, series: Sequence[Series], totals: Sequence[float], x: float, y: float, width: float) -> str:
    """Swatches with each series' label and total, wrapping onto a new line when the width is used up."""
    out = []
    cx, cy = x, y
    for s, total in zip(series, totals, strict=True):
        text = f"{s.label}: {_fmt(total)}"
        item_w = 22 + 7 * len(text)
        if cx + item_w > x + width and cx > x:
            cx, cy = x, cy + 18
        out.append(
            f'<rect x="{cx:g}" y="{cy - 10:g}" width="14" height="12" fill="{_fill(prefix, s)}" stroke="{INK}" '
            'stroke-width="0.6"/>'
        )
        out.append(f'<text x="{cx + 19:g}" y="{cy:g}" font-size="11" fill="{INK}">{escape(text)}</text>')
        cx += item_w
    return _interactive_role("".join(out))


def _nice_max(value: float) -> float:
    """A round axis maximum at or above value: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def stacked_bars(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    values: dict[str, Sequence[float]],
    id_prefix: str,
    desc: str | None = None,
    width: int = 680,
    height: int = 260,
    link_for: Callable[[int, str], str | None] | None = None,
    label_every: int | None = None,
) -> str:
    """Bars per category (e.g. per day), each stacked by series; `values[series.key][i]` is category i's value.

    `link_for(i, key)` may return a URL for a segment (e.g. the events of that day and outcome).
    """
    prefix = _slug(id_prefix)
    n = len(categories)
    totals_by_series = [sum(values.get(s.key, [0] * n)) for s in series]
    totals_by_category = [sum(values.get(s.key, [0] * n)[i] for s in series) for i in range(n)]
    grand = sum(totals_by_series)
    description = desc or (
        f"{_fmt(grand)} in total over {n} {'bars' if n != 1 else 'bar'}, "
        + ", ".join(f"{s.label.lower()} {_fmt(t)}" for s, t in zip(series, totals_by_series, strict=True))
        + ". The table below gives every figure."
    )
    left, right, top = 56, 12, 28
    legend_rows = 2 if len(series) > 3 else 1
    bottom = 44 + 18 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max(totals_by_category, default=0))
    out = _open(prefix, width, height, title, description, "chart-stacked")
    out.append(_patterns(prefix, series))
    out.append(f'<text x="{left}" y="16" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>')
    for tick in (0, 0.5, 1):
        y = top + plot_h - tick * plot_h
        out.append(
            f'<line x1="{left}" y1="{y:g}" x2="{left + plot_w}" y2="{y:g}" stroke="{GRID}" stroke-width="0.8"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:g}" font-size="10" text-anchor="end" fill="{INK}">{_fmt(peak * tick)}'
            "</text>"
        )
    slot = plot_w / n if n else plot_w
    bar_w = max(1.0, slot * 0.72)
    every = label_every or max(1, -(-n // 12))
    for i, category in enumerate(categories):
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        for s in series:
            value = values.get(s.key, [0] * n)[i]
            if value <= 0:
                continue
            h = plot_h * value / peak
            y -= h
            label = f"{category}, {s.label}: {_fmt(value)}"
            rect = (
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{_fill(prefix, s)}" '
                f'stroke="{INK}" stroke-width="0.4"><title>{escape(label)}</title></rect>'
            )
            href = link_for(i, s.key) if link_for else None
            out.append(f'<a href="{_attr(href)}" aria-label="{_attr(label)}">{rect}</a>' if href else rect)
        if i % every == 0 or i == n - 1:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" font-size="9" text-anchor="middle" '
                f'fill="{INK}">{escape(category)}</text>'
            )
    if grand == 0:
        out.append(
            f'<text x="{left + plot_w / 2:g}" y="{top + plot_h / 2:g}" font-size="12" text-anchor="middle" '
            f'fill="{INK}">No data in this period</text>'
        )
    out.append(_legend(prefix, series, totals_by_series, left, top + plot_h + 34, plot_w))
    out.append("</svg>")
    return _interactive_role("".join(out))


def horizontal_bars(
    *,
    title: str,
    items: Sequence[tuple[str, float, str | None]],
    id_prefix: str,
    desc: str | None = None,
    width: int = 520,
    colour: str = "#3b6fb6",
    unit: str = "",
) -> str:
    """One labelled bar per item (label, value, link or None), longest first as given; the value is printed."""
    prefix = _slug(id_prefix)
    label_w, right, top, row = 190, 70, 26, 22
    height = top + max(1, len(items)) * row + 8
    description = desc or (
        "; ".join(f"{label}: {_fmt(value)}{unit}" for label, value, _ in items) if items else "No data."
    )
    out = _open(prefix, width, height, title, description, "chart-hbars")
    out.append(f'<text x="0" y="16" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>')
    peak = max((value for _, value, _ in items), default=0) or 1
    plot_w = width - label_w - right
    for i, (label, value, href) in enumerate(items):
        y = top + i * row
        w = max(1.0, plot_w * value / peak) if value else 0
        text = label if len(label) <= 30 else label[:29] + "…"
        out.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end" fill="{INK}">{escape(text)}</text>'
        )
        bar = (
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{_attr(colour)}" '
            f'stroke="{INK}" stroke-width="0.4"><title>{escape(label)}: {_fmt(value)}{escape(unit)}</title></rect>'
        )
        aria = _attr(f"{label}: {_fmt(value)}")
        out.append(f'<a href="{_attr(href)}" aria-label="{aria}">{bar}</a>' if href else bar)
        out.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" font-size="11" fill="{INK}">{_fmt(value)}{escape(unit)}'
            "</text>"
        )
    if not items:
        out.append(f'<text x="{label_w}" y="{top + 14}" font-size="12" fill="{INK}">None in this period</text>')
    out.append("</svg>")
    return _interactive_role("".join(out))


def status_bar(
    *,
    title: str,
    series: Sequence[Series],
    counts: dict[str, float],
    id_prefix: str,
    desc: str | None = None,
    width: int = 520,
    link_for: Callable[[str], str | None] | None = None,
) -> str:
    """One bar split into the share of each series (e.g. controls by status), with counts in the legend."""
    prefix = _slug(id_prefix)
    total = sum(counts.get(s.key, 0) for s in series)
    description = desc or (
        f"{_fmt(total)} in total: "
        + ", ".join(f"{s.label.lower()} {_fmt(counts.get(s.key, 0))}" for s in series)
        + "."
    )
    legend_rows = 2 if len(series) > 3 else 1
    height = 62 + 18 * legend_rows
    out = _open(prefix, width, height, title, description, "chart-status")
    out.append(_patterns(prefix, series))
    out.append(f'<text x="0" y="16" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>')
    x = 0.0
    bar_w = width - 2
    if total:
        for s in series:
            value = counts.get(s.key, 0)
            if not value:
                continue
            w = bar_w * value / total
            label = f"{s.label}: {_fmt(value)}"
            rect = (
                f'<rect x="{x + 1:.1f}" y="26" width="{w:.1f}" height="22" fill="{_fill(prefix, s)}" stroke="{INK}" '
                f'stroke-width="0.6"><title>{escape(label)}</title></rect>'
            )
            href = link_for(s.key) if link_for else None
            out.append(f'<a href="{_attr(href)}" aria-label="{_attr(label)}">{rect}</a>' if href else rect)
            x += w
    else:
        out.append(
            f'<rect x="1" y="26" width="{bar_w}" height="22" fill="#ffffff" stroke="{INK}" stroke-width="0.6"/>'
            f'<text x="{width / 2:g}" y="41" font-size="11" text-anchor="middle" fill="{INK}">None</text>'
        )
    out.append(_legend(prefix, series, [counts.get(s.key, 0) for s in series], 0, 68, width))
    out.append("</svg>")
    return _interactive_role("".join(out))
