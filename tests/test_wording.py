"""Wording the issue asked for: the portals' Kazakh words, figures and unit names that read as Russian does."""

from app.extensions import db


def test_kazakh_says_tirkelgi_and_subscribe(client, auth, create_user, open_law):
    login = client.get("/kk/auth/login").get_data(as_text=True)
    assert "Тіркелгіңіз жоқ па?" in login and "ккаунт" not in login
    auth.login(create_user(), lang="kk")
    page = client.get("/kk/laws/household-waste/").get_data(as_text=True)
    assert "Осы заң жобасына жазылу" in page and "бақылау" not in page


def test_russian_moderation_figures_count_what_was_published(client, open_law, article, create_comment):
    create_comment(article)
    html = client.get("/ru/laws/household-waste/moderation").get_data(as_text=True)
    assert "<dt>Опубликовано</dt>" in html


def test_search_names_a_point_as_the_law_does(client, open_law):
    from app.search import documents, get_backend

    get_backend().rebuild(documents.all_documents())
    db.session.commit()
    html = client.get("/ru/search/?q=пятнадцати").get_data(as_text=True)
    assert "Статья 10, пункт 2" in html
    assert "Пункт 2" not in html.replace("Статья 10, пункт 2", "")
