"""Units cited by number: "5", "4.2", "3.2.1", chapters by their own number."""

from sqlalchemy import select

from app.extensions import db
from app.laws.models import Section
from app.laws.numbering import number_paths, section_number_path, sections_by_number_path


def _sections(law) -> list[Section]:
    return list(
        db.session.scalars(
            select(Section).where(Section.version_id == law.latest_version.id).order_by(Section.position)
        )
    )


def test_paths_follow_article_point_subpoint(create_law_from, count_queries):
    law = create_law_from([("ru", "public-discussion.ru.txt")])
    sections = _sections(law)
    by_key = {s.key: s for s in sections}

    with count_queries() as queries:
        paths = number_paths(sections)
    assert queries == []
    assert paths[by_key["chapter:5"].id] == "5"
    assert paths[by_key["article:14"].id] == "14"
    assert paths[by_key["article:14/point:2"].id] == "14.2"
    assert paths[by_key["article:3/point:2/subpoint:1"].id] == "3.2.1"
    # Article 1 lists its sub-points directly, without points.
    assert paths[by_key["article:1/subpoint:5"].id] == "1.5"
    # Without the map, through the parents (one query each at most).
    assert section_number_path(by_key["article:23/point:2/subpoint:4"]) == "23.2.4"
    preamble = next(s for s in sections if s.kind == "preamble")
    assert paths[preamble.id] == ""


def test_paths_find_their_sections(create_law_from):
    law = create_law_from([("ru", "public-discussion.ru.txt")])
    sections = _sections(law)
    found = sections_by_number_path(sections)
    assert found["14.2"].key == "article:14/point:2"
    assert found["3.2.1"].key == "article:3/point:2/subpoint:1"
    # "1" is chapter 1 and article 1: the article wins unless chapters are asked for.
    assert found["1"].key == "article:1"
    assert sections_by_number_path(sections, kinds=("chapter",))["1"].key == "chapter:1"
