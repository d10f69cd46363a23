"""One date style per language, in Almaty time, on every page; lengths of time in the form the sentence needs."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale

from app.db import utcnow
from app.extensions import db
from app.template_helpers import duration, local_date, local_datetime, time_until

# 22:05 UTC on 27 November is already 28 November in Almaty (UTC+5).
MOMENT = datetime(2026, 11, 27, 22, 5, tzinfo=UTC)
LONG = {
    "kk": ("2026 ж. 28 қараша, 03:05", "2026 ж. 28 қараша"),
    "ru": ("28 ноября 2026 г., 03:05", "28 ноября 2026 г."),
    "en": ("28 November 2026, 03:05", "28 November 2026"),
}
# The styles the issue found: "06.12.26", "2026 ж. 27 қар." and "12/6/26, 8:28 AM".
AMBIGUOUS = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2}\b|\b[AP]M\b|қар\.|нояб\.")


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_one_long_style_per_language_in_almaty_time(in_request, lang):
    with force_locale(lang):
        assert local_datetime(MOMENT) == LONG[lang][0]
        assert local_date(MOMENT) == LONG[lang][1]
        # Templates that still ask for "short" or "long" get the same style.
        assert local_datetime(MOMENT, "short") == local_datetime(MOMENT, "long") == LONG[lang][0]
        assert local_date(date(2026, 11, 28), "short") == LONG[lang][1]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_pages_show_the_window_in_that_style(client, open_law, lang):
    open_law.opens_at, open_law.closes_at = MOMENT - timedelta(days=30), utcnow() + timedelta(days=9)
    db.session.commit()
    with client.application.test_request_context(), force_locale(lang):
        opens = local_datetime(open_law.opens_at)
    for path in (f"/{lang}/laws/household-waste/", f"/{lang}/laws/household-waste/versions/", f"/{lang}/laws/"):
        html = client.get(path).get_data(as_text=True)
        assert not AMBIGUOUS.search(html), (path, AMBIGUOUS.search(html).group(0))
    assert opens in client.get(f"/{lang}/laws/household-waste/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", ["1 секунду", "2 минуты", "5 минут", "21 минуту", "1 неделю", "21 час", "2 дня"]),
        ("kk", ["1 секунд", "2 минут", "5 минут", "21 минут", "1 апта", "21 сағат", "2 күн"]),
        ("en", ["1 second", "2 minutes", "5 minutes", "21 minutes", "1 week", "21 hours", "2 days"]),
    ],
)
def test_lengths_of_time_take_the_form_a_sentence_needs(in_request, lang, expected):
    lengths = [
        timedelta(seconds=1),
        timedelta(minutes=2),
        timedelta(minutes=5),
        timedelta(minutes=21, seconds=10),
        timedelta(days=7, hours=3),
        timedelta(hours=21),
        timedelta(days=2),
    ]
    with force_locale(lang):
        assert [duration(length) for length in lengths] == expected
        assert time_until(utcnow() + timedelta(minutes=21, seconds=30)) == expected[3]
        assert time_until(utcnow() - timedelta(minutes=1)) == ""


def test_a_length_standing_alone_is_in_the_nominative(in_request):
    with force_locale("ru"):
        assert duration(timedelta(minutes=1), standalone=True) == "1 минута"
        assert duration(timedelta(minutes=21), standalone=True) == "21 минута"


def test_the_moderation_queue_says_how_long_a_comment_has_waited(client, auth, create_user, article, create_comment):
    comment = create_comment(article, state="pending")
    comment.created_at = utcnow() - timedelta(minutes=21, seconds=10)
    db.session.commit()
    auth.login(create_user(role="moderator"), lang="ru")
    html = client.get("/ru/moderation/pending").get_data(as_text=True)
    assert "ожидает уже 21 минуту" in html


@pytest.mark.parametrize(
    ("lang", "expected"), [("ru", "Комментарии принимаются ещё 1 неделю"), ("kk", "Пікір қалдыруға 1 апта қалды")]
)
def test_the_time_left_to_comment_reads_right(client, open_law, lang, expected):
    open_law.closes_at = utcnow() + timedelta(days=7, hours=2)
    db.session.commit()
    assert expected in client.get(f"/{lang}/laws/").get_data(as_text=True)
