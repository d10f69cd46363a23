"""The summary document: its figures against the comments table, campaigns, roll-up, wordings, summaries."""

import re

import pytest
from sqlalchemy import insert, select, update

from app.comments.models import Comment
from app.extensions import db
from app.laws.models import Law, Section
from app.moderation.campaigns import fingerprint_missing, regroup_law
from app.summaries.builder import build_summary
from app.summaries.models import SummarySnapshot
from app.summaries.services import SnapshotSubmittedError, check_can_change, create_snapshot
from tests.summaries import corpus
from tests.summaries.conftest import assert_figures_match_sql
from tests.summaries.loading import insert_comments, make_authors


def _section(data: dict, number: str, kind: str = "article") -> dict:
    return next(s for s in data["sections"] if s["number"] == number and s["kind"] == kind)


def _version_section(law: Law, number: str, kind: str) -> Section:
    version_id = law.latest_version.id
    return db.session.scalar(
        select(Section).where(Section.version_id == version_id, Section.kind == kind, Section.number == number)
    )


def _keyed(law: Law, key: str) -> Section:
    return db.session.scalar(select(Section).where(Section.version_id == law.latest_version.id, Section.key == key))


def test_every_figure_of_the_demo_snapshot_equals_the_comments_table(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for law in db.session.scalars(select(Law)):
        snapshot = create_snapshot(law, law.latest_version, None)
        db.session.commit()
        checked = assert_figures_match_sql(snapshot.data, law.latest_version.id)
        assert checked >= len([s for s in law.latest_version.sections if s.kind == "article"])
    discussion = db.session.scalar(select(Law).where(Law.slug == "public-discussion"))
    data = db.session.scalar(select(SummarySnapshot).where(SummarySnapshot.law_id == discussion.id)).data
    # The demo's rejected and pending comments are not counted; the reply on article 14 is, as a comment of it.
    assert data["totals"]["comments"] == 6
    assert _section(data, "14")["comments"] == 4
    assert len([s for s in data["sections"] if s["kind"] == "article"]) == 34


def test_every_figure_of_a_generated_consultation_equals_the_comments_table(consultation):
    law, generated, _ids = consultation(900, seed=3)
    # Two campaigns as moderation records them: one inside an article, one spread over two articles.
    ids = db.session.scalars(select(Comment.id).where(Comment.state == "approved").order_by(Comment.id)).all()
    from app.moderation.models import Campaign, CommentFingerprint

    first, second = Campaign(law_id=law.id, size=5, kind="campaign"), Campaign(law_id=law.id, size=4, kind="campaign")
    db.session.add_all([first, second])
    db.session.flush()
    members = {**dict.fromkeys(ids[:5], first.id), **dict.fromkeys(ids[100:104], second.id)}
    db.session.execute(
        insert(CommentFingerprint),
        [{"comment_id": cid, "law_id": law.id, "signature": b"", "campaign_id": camp} for cid, camp in members.items()],
    )
    db.session.commit()

    data = create_snapshot(law, law.latest_version, None).data

    assert data["totals"]["comments"] == len(generated)
    assert assert_figures_match_sql(data, law.latest_version.id) > 34
    assert {c["id"] for c in data["campaigns"]} == {first.id, second.id}


def test_only_approved_comments_count(discussion_law, create_comment):
    article = _version_section(discussion_law, "14", "article")
    create_comment(article, body="Одобренный комментарий о сроках.", stance="oppose")
    for state in ("pending", "rejected", "hidden", "withdrawn"):
        comment = create_comment(article, body=f"Комментарий {state}.", stance="support", state="pending")
        comment.state = state
    db.session.commit()

    data = build_summary(discussion_law, discussion_law.latest_version)

    assert data["totals"]["comments"] == 1
    assert data["totals"]["by_stance"] == {"support": 0, "oppose": 1, "neutral": 0, "amend": 0}
    assert _section(data, "14")["comments"] == 1


def test_points_and_subpoints_roll_up_into_their_article_and_chapter(discussion_law, create_comment):
    subpoint = _keyed(discussion_law, "article:23/point:2/subpoint:1")
    point = subpoint.parent
    article = point.parent
    chapter = article.parent
    create_comment(
        subpoint, body="Понятие сведений нужно уточнить.", stance="amend", lang="ru", proposed_wording="содержит ложь;"
    )
    create_comment(point, body="Перечень оснований для отказа слишком широкий.", stance="oppose", lang="ru")
    create_comment(article, body="Модерация должна быть быстрой.", stance="support", lang="ru")

    data = build_summary(discussion_law, discussion_law.latest_version)
    by_id = {s["id"]: s for s in data["sections"]}

    assert by_id[subpoint.id]["number"] == "23.2.1" and by_id[subpoint.id]["kind"] == "subpoint"
    assert by_id[point.id]["number"] == "23.2"
    assert (by_id[subpoint.id]["comments"], by_id[subpoint.id]["own_comments"]) == (1, 1)
    assert (by_id[point.id]["comments"], by_id[point.id]["own_comments"]) == (2, 1)
    assert (by_id[article.id]["comments"], by_id[article.id]["own_comments"]) == (3, 1)
    assert (by_id[chapter.id]["comments"], by_id[chapter.id]["own_comments"]) == (3, 0)
    assert by_id[chapter.id]["kind"] == "chapter" and by_id[chapter.id]["number"] == "5"
    assert by_id[chapter.id]["by_stance"] == {"support": 1, "oppose": 1, "neutral": 0, "amend": 1}
    assert by_id[subpoint.id]["parent_id"] == point.id
    # The oppose on the point is the article's (and chapter's) argument against.
    assert [a["excerpt"] for a in by_id[article.id]["arguments"]["against"]] == [
        "Перечень оснований для отказа слишком широкий."
    ]
    assert by_id[article.id]["titles"]["ru"] == "Модерация замечаний и предложений"


CAMPAIGN_TEXT = (
    "Категорически против сокращения срока публичного обсуждения. Граждане должны иметь не менее тридцати "
    "рабочих дней, чтобы изучить проект и подготовить замечания. Требуем изменить статью {n}."
)


def test_a_campaign_of_500_appears_once_among_arguments_and_counts_500_times(discussion_law):
    law, version = discussion_law, discussion_law.latest_version
    authors = make_authors(520)
    campaign = [
        corpus.GeneratedComment("campaign", "14", "ru", "oppose", CAMPAIGN_TEXT.format(n=14 if n % 2 else "14-ю"))
        for n in range(500)
    ]
    others = list(corpus.generate(120, seed=9, noise=0.0, langs=("ru",)))
    others = [c for c in others if c.number.split(".")[0] == "14"] or others
    insert_comments(law, version, campaign, authors[:500], seed=2, distinct_authors=True)
    db.session.execute(
        update(Comment).where(Comment.body.like("Категорически%")).values(score=0.99)
    )  # the campaign outranks every other argument, so it must not fill the list
    insert_comments(law, version, others, authors[500:], seed=3)
    db.session.flush()
    # Moderation's own grouping (MinHash LSH), as `flask moderation campaigns` runs it.
    fingerprint_missing(law.id)
    groups = regroup_law(law.id)
    db.session.commit()
    assert [g.size for g in groups][:1] == [500]

    data = build_summary(law, version)

    article = _section(data, "14")
    against = article["arguments"]["against"]
    campaign_args = [a for a in against if a["campaign_id"] is not None]
    assert len(campaign_args) == 1
    assert (campaign_args[0]["size"], campaign_args[0]["authors"]) == (500, 500)
    assert len(against) > 1  # one entry for 500 copies: the other arguments still show
    expected_oppose = 500 + sum(1 for c in others if c.number.split(".")[0] == "14" and c.stance == "oppose")
    assert article["by_stance"]["oppose"] == expected_oppose
    assert data["totals"]["by_stance"]["oppose"] == 500 + sum(1 for c in others if c.stance == "oppose")
    # (Generated comments that came out word for word alike form small campaigns of their own.)
    top = data["campaigns"][0]
    assert (top["size"], top["authors"], top["section_number"], top["stance"]) == (500, 500, "14", "oppose")
    assert all(c["size"] < 20 for c in data["campaigns"][1:])
    assert article["campaigns"][0]["size"] == 500 and article["campaigns"][0]["stance"] == "oppose"
    # In themes the campaign is one voice: it joins at most one theme, which counts its 500 comments.
    with_campaign = [t for t in article["themes"] if len(t["comment_ids"]) >= 500]
    assert len(with_campaign) <= 1
    assert all(t["size"] == len(t["comment_ids"]) for t in article["themes"])


def test_identical_proposed_wordings_are_merged_and_shown_as_a_diff(discussion_law, create_comment):
    point = _keyed(discussion_law, "article:14/point:1")
    wording = "Срок публичного обсуждения составляет не менее тридцати рабочих дней."
    first = create_comment(point, body="Нужно больше времени.", stance="amend", lang="ru", proposed_wording=wording)
    second = create_comment(
        point,
        body="Поддерживаю продление.",
        stance="amend",
        lang="ru",
        proposed_wording="  срок публичного обсуждения составляет не менее тридцати рабочих дней ",
    )
    other = create_comment(
        point, body="Другая редакция.", stance="amend", lang="ru", proposed_wording="Срок <b>двадцать</b> дней."
    )

    data = build_summary(discussion_law, discussion_law.latest_version)
    wordings = next(s for s in data["sections"] if s["id"] == point.id)["proposed_wordings"]

    assert [(w["count"], sorted(w["comment_ids"])) for w in wordings] == [
        (2, sorted([first.id, second.id])),
        (1, [other.id]),
    ]
    merged = wordings[0]
    assert merged["text"] in (wording, wording.lower().strip())
    assert "<ins>тридцати</ins>" in merged["diff_html"] and "<del>десяти</del>" in merged["diff_html"]
    assert set(re.findall(r"</?(\w+)", merged["diff_html"])) <= {"ins", "del"}
    # The wording's own markup is text, never HTML.
    assert "&lt;b&gt;двадцать&lt;/b&gt;" in wordings[1]["diff_html"] and "<b>" not in wordings[1]["diff_html"]
    # Proposed on the point: listed on the point, not repeated on its article.
    assert _section(data, "14")["proposed_wordings"] == []


def test_the_extractive_summary_quotes_the_units_comments_in_each_language(consultation):
    law, generated, ids = consultation(900, seed=4)
    data = build_summary(law, law.latest_version)
    bodies = {(c.number.split(".")[0], c.lang): [] for c in generated}
    for c in generated:
        bodies[(c.number.split(".")[0], c.lang)].append(c.body)

    for number in ("14", "15", "18", "22", "23", "26"):
        summary = _section(data, number)["summary"]
        assert set(summary) == {"kk", "ru", "en"}
        for lang, sentences in summary.items():
            assert 1 <= len(sentences) <= 3
            assert len({s.lower() for s in sentences}) == len(sentences)
            for sentence in sentences:
                assert any(sentence in body for body in bodies[(number, lang)]), (number, lang, sentence)
    # Points and chapters outside the analysis units have no summary of their own.
    assert all(not s["summary"] for s in data["sections"] if s["kind"] in ("point", "subpoint", "chapter"))


def test_the_builder_reads_with_a_fixed_number_of_queries(consultation, count_queries):
    law, _generated, _ids = consultation(300, seed=6)
    law_id = law.id
    db.session.expire_all()
    law = db.session.get(Law, law_id)
    version = law.latest_version
    with count_queries() as small:
        build_summary(law, version)
    insert_comments(law, version, list(corpus.generate(900, seed=8)), make_authors(50))
    db.session.commit()
    assert law.slug and version.number and version.languages  # loaded again after the commit, before counting
    with count_queries() as large:
        build_summary(law, version)
    assert len(small) == len(large) <= 3


def test_snapshots_are_numbered_per_law_and_frozen_once_submitted(discussion_law, create_comment, create_user):
    create_comment(_version_section(discussion_law, "14", "article"), body="Срок мал.", stance="oppose")
    editor = create_user(role="editor", agency=discussion_law.agency)
    first = create_snapshot(discussion_law, discussion_law.latest_version, editor)
    second = create_snapshot(discussion_law, discussion_law.latest_version, editor)
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    assert (first.status, second.data["snapshot"], second.data["status"]) == ("built", 2, "built")
    assert second.built_by_id == editor.id and second.data["built_at"]

    second.status = "submitted"
    db.session.commit()
    with pytest.raises(SnapshotSubmittedError):
        check_can_change(second)
    second.introduction = "Changed after submission"
    with pytest.raises(RuntimeError, match="submitted"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(second)
    with pytest.raises(RuntimeError, match="submitted"):
        db.session.flush()
    db.session.rollback()
    first.introduction = "A built snapshot may still be edited."
    db.session.commit()
