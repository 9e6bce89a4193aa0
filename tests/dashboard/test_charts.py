"""The chart functions return valid, accessible SVG: role img, title and desc referenced by aria-labelledby,
patterns besides colour, no script or style, escaped labels, and the figures they were given."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from aims.dashboard import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314  our own output, parsed to prove it is well-formed
    assert root.tag == f"{SVG}svg"
    # An image, unless its bars are links: then a group, so the links stay reachable (axe nested-interactive).
    has_links = any(el.tag == f"{SVG}a" for el in root.iter())
    assert root.get("role") == ("group" if has_links else "img")
    ids = root.get("aria-labelledby").split()
    found = {el.get("id"): el for el in root.iter() if el.get("id")}
    title, desc = found[ids[0]], found[ids[1]]
    assert title.tag == f"{SVG}title" and title.text
    assert desc.tag == f"{SVG}desc" and desc.text
    assert "<script" not in svg and "style=" not in svg
    return root


def test_stacked_bars_are_valid_svg_with_title_desc_and_every_figure() -> None:
    svg = charts.stacked_bars(
        title="Decisions per day by outcome",
        categories=["11-01", "11-02"],
        series=charts.OUTCOME_SERIES,
        values={"allow": [70, 10], "redact": [20, 0], "block": [4, 0], "error": [1, 0]},
        id_prefix="t1",
        link_for=lambda i, key: f"/evidence/events/?decision={key}&day={i}",
    )
    root = _parse(svg)
    desc = root.find(f"{SVG}desc").text
    assert "105 in total" in desc and "block 4" in desc
    # One pattern per outcome, so outcomes differ in grey-scale print too.
    patterns = [el.get("id") for el in root.iter(f"{SVG}pattern")]
    assert patterns == ["t1-p-allow", "t1-p-redact", "t1-p-block", "t1-p-error"]
    links = [el.get("href") for el in root.iter(f"{SVG}a")]
    assert "/evidence/events/?decision=block&day=0" in links
    assert "Allow: 80" in svg  # the legend names each series with its total


def test_an_empty_period_says_so_instead_of_drawing_nothing() -> None:
    svg = charts.stacked_bars(
        title="Empty", categories=["a"], series=charts.OUTCOME_SERIES, values={}, id_prefix="empty"
    )
    _parse(svg)
    assert "No data in this period" in svg


def test_horizontal_bars_escape_labels_and_print_values() -> None:
    svg = charts.horizontal_bars(
        title="Top <rules>", items=[("deny & <b>", 12, "/x?a=1&b=2"), ("other", 3, None)], id_prefix="t2"
    )
    root = _parse(svg)
    assert "deny &amp; &lt;b&gt;" in svg
    assert root.find(f"{SVG}title").text == "Top <rules>"
    assert [el.get("href") for el in root.iter(f"{SVG}a")] == ["/x?a=1&b=2"]
    assert ">12<" in svg and ">3<" in svg


def test_status_bar_shows_each_status_with_its_count() -> None:
    svg = charts.status_bar(
        title="Controls", series=charts.STATUS_SERIES, counts={"operating": 3, "failing": 1}, id_prefix="t3"
    )
    root = _parse(svg)
    assert "Operating: 3" in svg and "Failing: 1" in svg and "Not applicable: 0" in svg
    assert "4 in total" in root.find(f"{SVG}desc").text


def test_ids_are_prefixed_so_two_charts_can_share_a_page() -> None:
    a = charts.status_bar(title="A", series=charts.STATUS_SERIES, counts={}, id_prefix="first")
    b = charts.status_bar(title="A", series=charts.STATUS_SERIES, counts={}, id_prefix="second")
    ids_a = {el.get("id") for el in ET.fromstring(a).iter() if el.get("id")}  # noqa: S314
    ids_b = {el.get("id") for el in ET.fromstring(b).iter() if el.get("id")}  # noqa: S314
    assert ids_a and not ids_a & ids_b
