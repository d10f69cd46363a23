"""Server-drawn charts: pure SVG of the snapshot JSON, readable without colour, escaped, no style attributes."""

import re
import xml.etree.ElementTree as ET

import pytest

from app.summaries.charts import heatmap_svg, stance_bar_svg

SVG = "{http://www.w3.org/2000/svg}"


def section(n: int, support: int, oppose: int, neutral: int = 0, kind: str = "article", title: str = "") -> dict:
    return {
        "id": 100 + n,
        "kind": kind,
        "number": str(n),
        "title": title or f"Article {n}",
        "titles": {"kk": f"{n}-бап тақырыбы", "ru": None, "en": None},
        "comments": support + oppose + neutral,
        "by_stance": {"support": support, "oppose": oppose, "neutral": neutral, "amend": 0},
    }


DATA = {
    "law": "x",
    "snapshot": 1,
    "sections": [
        {**section(1, 0, 0), "kind": "chapter"},
        section(2, 12, 30),
        section(3, 0, 0),
        section(4, 0, 0, neutral=5),
        section(5, 40, 1, title='<script>alert("x")</script> & Co'),
    ],
}


@pytest.fixture
def ctx(app):
    with app.test_request_context("/en/"):
        yield


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (our own output; well-formed XML, or this raises)


def test_the_heatmap_has_a_cell_per_article_with_figures_in_text(ctx):
    svg = parse(heatmap_svg(DATA, "en"))
    cells = svg.findall(f".//{SVG}g[@class='cell']")
    assert len(cells) == 4  # the articles, not the chapter
    texts = ["".join(c.itertext()) for c in cells]
    assert "+12 / \u221230" in texts[0] and "42" in texts[0]  # balance and volume readable without colour
    assert "Art. 3" in texts[1] and "0" in texts[1]
    titles = [c.find(f"{SVG}title").text for c in cells]
    assert titles[0].startswith("Art. 2. Article 2 — 42 comments: 12 for, 30 against")
    assert svg.find(f"{SVG}title") is not None  # the chart as a whole is named too


def test_the_heatmap_has_a_legend_for_fills_and_figures(ctx):
    text = "".join(parse(heatmap_svg(DATA, "en")).itertext())
    for label in ("mostly for", "more for", "divided", "more against", "mostly against", "no comments"):
        assert label in text
    assert "for / against" in text


def test_no_style_attributes_and_labels_are_escaped(ctx):
    for markup in (heatmap_svg(DATA, "en", link_prefix="unit-"), stance_bar_svg({"support": 3, "oppose": 1}, "en")):
        assert "style=" not in str(markup) and "<style" not in str(markup) and "<script" not in str(markup)
    assert "&lt;script&gt;" in str(heatmap_svg(DATA, "en"))


def test_cells_link_to_their_unit_when_asked(ctx):
    markup = str(heatmap_svg(DATA, "en", link_prefix="unit-"))
    assert 'href="#unit-102"' in markup and 'href="#unit-103"' not in markup  # no link to an empty article
    assert "href=" not in str(heatmap_svg(DATA, "en"))


def test_the_same_data_draws_the_same_chart(ctx):
    assert heatmap_svg(DATA, "en") == heatmap_svg(DATA, "en")
    assert stance_bar_svg({"support": 1}, "en") == stance_bar_svg({"support": 1}, "en")


def test_a_narrow_heatmap_has_fewer_columns(ctx):
    wide, narrow = parse(heatmap_svg(DATA, "en")), parse(heatmap_svg(DATA, "en", columns=2))
    assert int(narrow.get("width")) < int(wide.get("width"))
    assert int(narrow.get("height")) > int(wide.get("height"))


def test_stance_bar_segments_follow_the_counts_and_say_them(ctx):
    svg = parse(stance_bar_svg({"support": 12, "oppose": 30, "neutral": 5, "amend": 3}, "en"))
    segments = [r for r in svg.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = [float(r.get("width")) for r in segments]
    total = float(svg.get("width"))
    assert widths == pytest.approx([total * 12 / 50, total * 30 / 50, total * 5 / 50, total * 3 / 50], abs=0.1)
    text = "".join(svg.itertext())
    assert "For: 12 (24%)" in text and "Against: 30 (60%)" in text
    # Against and new wording are patterned as well as coloured.
    assert re.search(r'fill="url\(#kenes-stance-[0-9a-f]+-oppose\)"', str(stance_bar_svg({"oppose": 1}, "en")))


def test_an_empty_stance_bar_says_so(ctx):
    assert "no comments" in "".join(parse(stance_bar_svg({}, "en")).itertext())


def test_no_articles_is_said_in_words(ctx):
    assert "no articles" in "".join(parse(heatmap_svg({"sections": []}, "en")).itertext())
