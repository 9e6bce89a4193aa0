"""Risk heatmaps as standalone SVG: one code path for web pages and PDFs (DESIGN.md, charts).

The SVG carries no script and no style attribute: colours are presentation attributes (`fill=`), which the
content security policy allows. It is accessible: `role="img"` labelled by its <title> and <desc>; pages show a
table with the same numbers next to it as the text alternative. Every cell links to the filtered risk list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from html import escape

from risks.choices import RiskLevel

Cell = tuple[int, int]  # (likelihood, impact)

LEVEL_FILL = {
    RiskLevel.LOW.value: "#cfe8cf",
    RiskLevel.MEDIUM.value: "#fbe7a1",
    RiskLevel.HIGH.value: "#f7c08a",
    RiskLevel.CRITICAL.value: "#ee9a9a",
}
NEUTRAL_FILL = "#eeeeee"
CELL_W, CELL_H = 64, 44
LEFT, TOP, BOTTOM = 130, 34, 58


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "heatmap"


def heatmap_svg(
    counts: Mapping[Cell, int],
    *,
    title: str,
    link_for_cell: Callable[[int, int], str | None],
    desc: str | None = None,
    likelihood_labels: Sequence[str] | None = None,
    impact_labels: Sequence[str] | None = None,
    level_for: Callable[[int, int], str] | None = None,
    id_prefix: str | None = None,
) -> str:
    """A likelihood x impact grid with the number of risks in each cell, highest likelihood on top."""
    rows = len(likelihood_labels) if likelihood_labels else 5
    cols = len(impact_labels) if impact_labels else 5
    l_labels = list(likelihood_labels or [str(n) for n in range(1, rows + 1)])
    i_labels = list(impact_labels or [str(n) for n in range(1, cols + 1)])
    total = sum(counts.values())
    prefix = _slug(id_prefix or title)
    width = LEFT + cols * CELL_W + 10
    height = TOP + rows * CELL_H + BOTTOM
    description = desc or (
        f"{total} risks by likelihood (rows, {l_labels[-1]} at the top) and impact (columns, {i_labels[-1]} at "
        "the right). Each cell shows the number of risks and links to them."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="heatmap" font-family="sans-serif">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold" fill="#1a1a1a">{escape(title)}</text>',
    ]
    for row in range(rows):
        likelihood = rows - row
        y = TOP + row * CELL_H
        out.append(
            f'<text x="{LEFT - 8}" y="{y + CELL_H / 2 + 4:g}" font-size="11" text-anchor="end" fill="#1a1a1a">'
            f"{likelihood} {escape(l_labels[likelihood - 1])}</text>"
        )
        for col in range(cols):
            impact = col + 1
            x = LEFT + col * CELL_W
            count = int(counts.get((likelihood, impact), 0))
            fill = LEVEL_FILL.get(level_for(likelihood, impact), NEUTRAL_FILL) if level_for else NEUTRAL_FILL
            label = f"Likelihood {likelihood}, impact {impact}: {count} risk{'s' if count != 1 else ''}"
            weight = ' font-weight="bold"' if count else ""
            cell = [
                f'<rect x="{x}" y="{y}" width="{CELL_W}" height="{CELL_H}" fill="{fill}" stroke="#ffffff" '
                'stroke-width="2"/>',
                f'<text x="{x + CELL_W / 2:g}" y="{y + CELL_H / 2 + 5:g}" font-size="15" text-anchor="middle" '
                f'fill="#1a1a1a"{weight}>{count if count else "·"}</text>',
            ]
            href = link_for_cell(likelihood, impact) if count else None
            if href:
                out.append(f'<a href="{_attr(href)}" aria-label="{_attr(label)}"><title>{escape(label)}</title>')
                out.extend(cell)
                out.append("</a>")
            else:
                out.append(f"<g><title>{escape(label)}</title>")
                out.extend(cell)
                out.append("</g>")
    base = TOP + rows * CELL_H
    for col in range(cols):
        x = LEFT + col * CELL_W + CELL_W / 2
        out.append(
            f'<text x="{x:g}" y="{base + 16}" font-size="11" text-anchor="middle" fill="#1a1a1a">{col + 1}</text>'
        )
        out.append(
            f'<text x="{x:g}" y="{base + 30}" font-size="9" text-anchor="middle" fill="#1a1a1a">'
            f"{escape(i_labels[col][:14])}</text>"
        )
    out.append(
        f'<text x="{LEFT + cols * CELL_W / 2:g}" y="{base + 50}" font-size="12" text-anchor="middle" '
        'fill="#1a1a1a">Impact</text>'
    )
    out.append(
        f'<text x="14" y="{TOP + rows * CELL_H / 2:g}" font-size="12" text-anchor="middle" fill="#1a1a1a" '
        f'transform="rotate(-90 14 {TOP + rows * CELL_H / 2:g})">Likelihood</text>'
    )
    out.append("</svg>")
    svg = "".join(out)
    # Cells that link to their risks make the map a group, not an image: role="img" would hide the links from
    # assistive technology (axe: nested-interactive). Same title and description either way.
    return svg.replace('role="img"', 'role="group"', 1) if "<a " in svg else svg
