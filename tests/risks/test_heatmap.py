"""The heatmap SVG: standalone, escaped, accessible, no scripts or style attributes, a link per cell."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from risks.heatmap import heatmap_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314  our own output under test, not untrusted input


def _render(**extra) -> str:
    return heatmap_svg(
        {(5, 5): 2, (1, 3): 1},
        title='Residual <risk> & "more"',
        link_for_cell=lambda likelihood, impact: f"/risks/?residual_likelihood={likelihood}&residual_impact={impact}",
        **extra,
    )


def test_the_heatmap_is_well_formed_standalone_svg() -> None:
    root = _parse(_render())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # Its cells link to their risks, so it is a labelled group: role="img" would hide the links (axe).
    assert root.get("role") == "group"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == 'Residual <risk> & "more"'  # escaped in the source, intact once parsed


def test_the_heatmap_has_no_script_and_no_style_attribute() -> None:
    svg = _render()
    assert "<script" not in svg.lower()
    assert not re.search(r"\sstyle=", svg)
    assert not re.search(r"\son[a-z]+=", svg)
    assert "<risk>" not in svg and "&lt;risk&gt;" in svg


def test_each_cell_with_risks_links_to_the_filtered_list() -> None:
    root = _parse(_render())
    links = root.findall("svg:a", NS)
    hrefs = sorted(a.get("href") for a in links)
    assert hrefs == [
        "/risks/?residual_likelihood=1&residual_impact=3",
        "/risks/?residual_likelihood=5&residual_impact=5",
    ]
    assert all(a.get("aria-label") for a in links)
    assert "&amp;residual_impact" in _render()  # the ampersand is escaped in the attribute


def test_cells_are_coloured_by_level_with_presentation_attributes() -> None:
    svg = _render(level_for=lambda likelihood, impact: "critical" if likelihood * impact > 16 else "low")
    assert 'fill="#ee9a9a"' in svg and 'fill="#cfe8cf"' in svg


def test_labels_are_escaped() -> None:
    svg = _render(likelihood_labels=["<b>", "2", "3", "4", "5"], impact_labels=["1", "2", "3", "4", "&"])
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    _parse(svg)


def test_a_heatmap_without_links_is_an_image() -> None:
    svg = heatmap_svg({(2, 3): 1}, title="Static map", link_for_cell=lambda likelihood, impact: None)
    assert 'role="img"' in svg and "<a " not in svg
