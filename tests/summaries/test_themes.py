"""Themes hold comments that say the same thing: checked against the labels of a generated consultation."""

import dataclasses
from collections import Counter, defaultdict

from sklearn.metrics import adjusted_rand_score

from app.extensions import db
from app.summaries.builder import build_summary
from app.summaries.text import words
from app.summaries.themes import find_themes, surface_label
from tests.summaries import corpus
from tests.summaries.loading import insert_comments, make_authors, make_campaign

PURITY_FLOOR = 0.95
ARI_FLOOR = 0.85


def theme_scores(data: dict, labels: dict[int, str]) -> tuple[float, float, float]:
    """(purity, ARI, share of comments in a theme) of the snapshot's themes against topic x language labels.

    Purity: the share of themed comments whose theme's most common label is theirs (noise counts as a label, so
    noise inside a topic's theme lowers it). ARI: over the topic comments (not noise), each comment in no theme
    counted as a cluster of its own.
    """
    predicted: dict[int, str] = {}
    for section in data["sections"]:
        for theme in section["themes"]:
            for comment_id in theme["comment_ids"]:
                assert comment_id not in predicted, "a comment is in two themes"
                predicted[comment_id] = theme["id"]
    members = defaultdict(list)
    for comment_id, theme_id in predicted.items():
        members[theme_id].append(labels[comment_id])
    purity = sum(Counter(m).most_common(1)[0][1] for m in members.values()) / len(predicted)
    topical = [cid for cid, label in labels.items() if not label.startswith(corpus.NOISE)]
    ari = adjusted_rand_score([labels[c] for c in topical], [predicted.get(c, f"alone-{c}") for c in topical])
    return purity, ari, len(predicted) / len(labels)


def test_themes_match_the_topics_of_a_generated_consultation(consultation):
    scores = []
    for seed, noise in ((11, 0.1), (12, 0.25)):
        db.session.rollback()
        law, generated, ids = consultation(2000, seed=seed, noise=noise)
        labels = {cid: f"{c.label}:{c.lang}" for cid, c in zip(ids, generated, strict=True)}
        data = build_summary(law, law.latest_version)
        scores.append(theme_scores(data, labels))
        # Each theme is in one language, and its label words are words its comments use.
        texts = {cid: c.body.lower() for cid, c in zip(ids, generated, strict=True)}
        for section in data["sections"]:
            for theme in section["themes"]:
                assert {generated[ids.index(c)].lang for c in theme["comment_ids"][:5]} == {theme["lang"]}
                for term in theme["label"].split(", "):
                    assert any(term in texts[c] for c in theme["comment_ids"]), term
        for table in ("comment_fingerprints", "comments", "users"):
            db.session.execute(db.text(f"DELETE FROM {table}"))  # noqa: S608 (fixed names)
        db.session.commit()
    print("themes on generated consultations (purity, ARI, themed share):", scores)
    for purity, ari, themed in scores:
        assert purity >= PURITY_FLOOR
        assert ari >= ARI_FLOOR
        assert themed >= 0.8


def test_the_number_of_themes_comes_from_the_data():
    # Three topics of three articles, put on one unit: one, two, then three of them.
    topics = [corpus.TOPICS[0], corpus.TOPICS[2], corpus.TOPICS[6]]
    docs_for = {}
    for k in (1, 2, 3):
        chosen = [dataclasses.replace(t, article="14") for t in topics[:k]]
        generated = list(corpus.generate(150 * k, seed=k, noise=0.0, langs=("ru",), topics=chosen))
        docs_for[k] = ([words(c.body, "ru") for c in generated], [c.label for c in generated])
    for k, (docs, labels) in docs_for.items():
        themes = find_themes(docs)
        big = [t for t in themes if len(t.members) >= 10]
        assert len(big) == k, (k, [len(t.members) for t in themes])
        for theme in big:
            assert Counter(labels[i] for i in theme.members).most_common(1)[0][1] >= 0.95 * len(theme.members)


def test_a_campaign_is_one_voice_in_the_themes(discussion_law):
    law, version = discussion_law, discussion_law.latest_version
    authors = make_authors(400)
    copies = [
        corpus.GeneratedComment("campaign", "22", "ru", "oppose", "Запретите публиковать имена участников обсуждения!")
        for _ in range(300)
    ]
    campaign_id = make_campaign(law, 300)
    copy_ids = set(
        insert_comments(
            law, version, copies, authors, distinct_authors=True, campaign_of=dict.fromkeys(range(300), campaign_id)
        )
    )
    topical = [c for c in corpus.generate(400, seed=21, noise=0.0, langs=("ru",)) if c.number.startswith("22")]
    insert_comments(law, version, topical, authors, seed=4)
    db.session.commit()

    data = build_summary(law, version)
    article = next(s for s in data["sections"] if s["number"] == "22" and s["kind"] == "article")

    # The 300 copies are one comment to the clustering: they join one theme whole (with other voices: alone they
    # would be no theme), and do not pull the article's other topic into it.
    holding = [t for t in article["themes"] if copy_ids & set(t["comment_ids"])]
    assert len(holding) <= 1
    if holding:
        assert copy_ids <= set(holding[0]["comment_ids"]) and holding[0]["size"] > 300
    others = [t for t in article["themes"] if not copy_ids & set(t["comment_ids"]) and t["size"] >= 10]
    assert others
    assert article["comments"] == 300 + len(topical)
    assert article["campaigns"][0]["size"] == 300


def test_theme_labels_show_words_as_written():
    surfaces = defaultdict(Counter)
    docs = [
        words("Срок обсуждения слишком короткий, продлите срок.", "ru", surfaces),
        words("Сроки обсуждения короткие, продлить сроки!", "ru", surfaces),
        words("Продлите срок обсуждения.", "ru", surfaces),
    ]
    assert docs[0][0] == docs[1][0]  # срок and сроки share a stem
    label = surface_label([docs[0][0]], surfaces)
    assert label == "срок"
