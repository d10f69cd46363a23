"""Publishing versions, following articles across versions, aligning languages and diffing."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.laws.diffs import diff_versions, word_diff
from app.laws.importing import AlignmentError, add_language, publish_version
from app.laws.models import Section
from app.laws.reading import load_sections
from app.laws.services import LawError, change_status, create_law, slugify
from tests.conftest import demo_text


def sections_by_key(version):
    return {s.key: s for s in load_sections(version)}


def test_publish_builds_the_tree_in_document_order(waste_law):
    v1 = waste_law.version(1)
    sections = load_sections(v1)
    assert [s.position for s in sections] == list(range(len(sections)))
    articles = [s for s in sections if s.kind == "article"]
    assert [a.number for a in articles] == [str(n) for n in range(1, 13)]
    chapters = [s for s in sections if s.kind == "chapter"]
    assert len(chapters) == 3
    # every article sits in a chapter, every point in an article
    by_id = {s.id: s for s in sections}
    assert all(by_id[a.parent_id].kind == "chapter" for a in articles)
    assert all(by_id[p.parent_id].kind == "article" for p in sections if p.kind == "point")
    assert v1.language_list == ["kk", "ru"]
    article6 = sections_by_key(v1)["article:6"]
    assert article6.heading_ru == "Контейнерные площадки"
    assert article6.heading_kk  # aligned Kazakh text landed on the same rows


def test_renumbered_articles_keep_their_identity(waste_law):
    v1, v2 = sections_by_key(waste_law.version(1)), sections_by_key(waste_law.version(2))
    # v1 article 7 was removed, so articles 8..11 became 7..10
    for old, new in [(8, 7), (9, 8), (10, 9), (11, 10)]:
        assert v2[f"article:{new}"].identity_id == v1[f"article:{old}"].identity_id
    removed = v1["article:7"].identity_id
    assert removed not in {s.identity_id for s in v2.values()}
    # article 11 of v2 (batteries) is new; 12 stays 12
    assert v2["article:11"].identity_id not in {s.identity_id for s in v1.values()}
    assert v2["article:12"].identity_id == v1["article:12"].identity_id
    # points follow their article too
    assert v2["article:7/point:1"].identity_id == v1["article:8/point:1"].identity_id


def test_diff_reports_changed_added_removed_and_renumbered(waste_law):
    items = diff_versions(waste_law.version(1), waste_law.version(2), "ru")
    by_change = {}
    for item in items:
        by_change.setdefault(item.change, []).append(item)
    assert [i.old.number for i in by_change["removed"]] == ["7"]
    assert [i.new.number for i in by_change["added"]] == ["11"]
    changed = {i.new.number for i in by_change["changed"]}
    assert changed == {"4", "6", "10"}
    renumbered = sorted((i.old.number, i.new.number) for i in items if i.renumbered)
    assert renumbered == [("10", "9"), ("11", "10"), ("8", "7"), ("9", "8")]
    article10 = next(i for i in items if i.new and i.new.number == "10")
    assert ("delete", "тридцати") in article10.ops
    assert ("insert", "пятнадцати") in article10.ops
    article6 = next(i for i in items if i.new and i.new.number == "6")
    assert article6.heading_ops == [("equal", "Контейнерные площадки"), ("insert", " для накопления бытовых отходов")]


def test_word_diff_marks_words_not_characters():
    ops = word_diff("в течение тридцати дней", "в течение пятнадцати дней")
    assert ops == [("equal", "в течение "), ("delete", "тридцати"), ("insert", "пятнадцати"), ("equal", " дней")]


def test_second_language_must_match_structure(app, create_agency):
    law = create_law(agency=create_agency(), created_by=None, titles={"ru": "Об отходах"})
    version = publish_version(law, lang="ru", text=demo_text("waste.v1.ru.txt"))
    db.session.commit()
    # the v2 Kazakh text has an extra article and sub-point: nothing may be guessed
    with pytest.raises(AlignmentError) as caught:
        add_language(version, lang="kk", text=demo_text("waste.v2.kk.txt"))
    alignment = caught.value.alignment
    assert "article:4/subpoint:6" in alignment.extra  # the sub-point v2 added
    assert "article:8/point:1/subpoint:1" in alignment.missing  # v1's article 8 is v2's article 7
    db.session.rollback()
    assert all(s.body_kk is None for s in load_sections(version))
    assert version.language_list == ["ru"]


def test_duplicate_article_numbers_are_refused(app, create_agency):
    law = create_law(agency=create_agency(), created_by=None, titles={"ru": "Дубль"})
    text = "Глава 1. Общие\n\nСтатья 1. Первая\nТекст.\n\nСтатья 1. Снова первая\nТекст.\n"
    with pytest.raises(LawError):
        publish_version(law, lang="ru", text=text)


def test_status_moves_forward_only_and_needs_a_window(waste_law):
    waste_law.status = "draft"
    with pytest.raises(LawError):
        change_status(waste_law, "adopted")
    waste_law.opens_at = waste_law.closes_at = None
    with pytest.raises(LawError):
        change_status(waste_law, "open")


def test_slugify_transliterates_kazakh_and_russian():
    assert slugify("Тұрмыстық қалдықтар туралы") == "turmystyq-qaldyqtar-turaly"
    assert slugify("О защите прав потребителей") == "o-zaschite-prav-potrebitelei"
    assert slugify("!!!") == "draft"


def test_slugs_are_made_unique(app, create_agency):
    agency = create_agency()
    first = create_law(agency=agency, created_by=None, titles={"en": "Water"})
    second = create_law(agency=agency, created_by=None, titles={"en": "Water"})
    assert (first.slug, second.slug) == ("water", "water-2")


def test_section_rows_are_unique_per_version(waste_law):
    keys = db.session.scalars(select(Section.key).where(Section.version_id == waste_law.version(2).id)).all()
    assert len(keys) == len(set(keys))
