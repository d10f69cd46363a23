"""An editor starts a summary build from the draft's page; the progress page follows it (JavaScript polling the
build's JSON) and opens the built summary, where the editor writes an introduction and saves it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.summaries.models import SummarySnapshot
from tests.browser.conftest import log_in, release_db
from tests.conftest import DEFAULT_PASSWORD
from tests.summaries.conftest import discussion_law  # noqa: F401 (a fixture)
from tests.summaries.workspace import comment_on

pytestmark = pytest.mark.browser


def test_editor_builds_follows_and_edits_a_summary(browser_page, discussion_law, create_user):  # noqa: F811
    page = browser_page
    comment_on(discussion_law, n=80)
    editor = create_user(role="editor", agency_id=discussion_law.agency_id, locale="kk")
    email, slug = editor.email, discussion_law.slug
    release_db()

    log_in(page, email, DEFAULT_PASSWORD, "kk")
    page.goto(f"/kk/editor/laws/{slug}/", wait_until="load")
    with page.expect_navigation(wait_until="load"):
        page.locator(f"form[action='/kk/summaries/laws/{slug}/builds'] button[type=submit]").click()
    summary_url = f"/kk/summaries/laws/{slug}/1/"
    assert re.search(r"/kk/summaries/builds/\d+/progress$", page.url) or page.url.endswith(summary_url)
    # The script polls the JSON and reloads once the build is done; the page then redirects to the summary.
    page.wait_for_url(f"**{summary_url}", timeout=60_000)
    expect(page.locator(".heatmap-wide svg.heatmap")).to_be_visible()

    page.fill("textarea[name=introduction]", "Талқылау екі апта өтті.")
    with page.expect_navigation(wait_until="load"):
        page.locator(".sticky-actions button[type=submit]").click()
    expect(page.locator(".flash-success")).to_have_count(1)
    db.session.expire_all()
    assert db.session.scalars(select(SummarySnapshot)).one().introduction == "Талқылау екі апта өтті."
    release_db()
