"""The SVG helper every chart draws with: escaped, accessible, deterministic."""

import xml.etree.ElementTree as ET

from markupsafe import Markup

from clinic import svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def test_a_document_is_an_image_named_by_its_title_and_described():
    evil = "<script>x</script> & \x00\"q\""
    drawing = svg.document(
        [svg.label(1, 2.25, evil, fill="#000"), svg.element("rect", width=3.0, class_="bar")],
        chart_id="c", title=evil, description="Three bars.", width=100, height=50,
        font_size=10,
    )

    root = ET.fromstring(str(drawing))  # noqa: S314 - our own output, no entities
    assert isinstance(drawing, Markup)
    assert (root.get("role"), root.get("aria-labelledby")) == ("img", "c-title c-desc")
    assert (root.get("viewBox"), root.get("font-size")) == ("0 0 100 50", "10")
    assert root.find("svg:title[@id='c-title']", NS).text == "<script>x</script> & \"q\""
    assert root.find("svg:desc[@id='c-desc']", NS).text == "Three bars."
    assert root.find("svg:text", NS).text == "<script>x</script> & \"q\""
    assert root.find("svg:text", NS).get("y") == "2.2"
    assert root.find("svg:rect", NS).attrib == {"width": "3", "class": "bar"}
    assert "<script>" not in drawing


def test_numbers_are_compact_and_never_negative_zero():
    assert [svg.num(n) for n in (12.0, 12.54, -0.01, 0.25, 3)] == ["12", "12.5", "0", "0.2", "3"]


def test_a_linear_scale_maps_the_domain_and_centres_an_empty_one():
    upward = svg.Linear((1, 10), (234, 30))
    assert (upward(1), upward(10), upward(5.5)) == (234, 30, 132)
    assert svg.Linear((7, 7), (46, 618))(7) == 332


def test_ids_follow_the_data_and_labels_are_cut_by_width():
    assert svg.digest_id("bars", "t", [("a", 1)]) == svg.digest_id("bars", "t", [("a", 1)])
    assert svg.digest_id("bars", "t", [("a", 1)]) != svg.digest_id("bars", "t", [("a", 2)])
    assert svg.is_valid_id("scale-1a") and not svg.is_valid_id('x" onload="y')
    assert svg.truncate("Stage 3 and a long label", 10) == "Stage 3 a…"
    assert svg.text_width("陈静", 5) > svg.text_width("ab", 5)
