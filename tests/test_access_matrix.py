"""Every route against every role: the answer each role gets, from the routes the app really has.

`test_every_route_has_a_row` computes the (endpoint, method) pairs from `app.url_map` and fails, naming the
route, when one has no row in EXPECTED: a new page cannot ship without someone deciding who may open it.
`test_access_matrix` logs in as one role, sends every row's request and lists every mismatch in one message.

POSTs carry an empty form unless FORMS gives a minimal valid one (where an empty form would only show that
the form was refused, not whether the action was allowed).
"""

import uuid
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from app.answers.services import answer_comments
from app.auth import tokens
from app.comments.services import reject_comment
from app.db import utcnow
from app.extensions import db
from app.moderation.appeals import file_appeal
from app.moderation.models import Campaign
from app.notifications.optouts import make_unsubscribe_token
from app.notifications.services import notify
from app.summaries.models import SummaryBuild
from app.summaries.review import content_hash
from app.summaries.services import create_snapshot
from tests.conftest import AuthActions

ROLES = (
    "anonymous",
    "unconfirmed",
    "citizen",
    "suspended",
    "editor_a",
    "editor_b",
    "mp",
    "moderator",
    "suspended_moderator",
    "admin",
)

# What a role gets: an HTTP status code, or one of these for a redirect.
LOGIN = "302 to the login page"
MOVED = "302 elsewhere"
REFUSED = "302 elsewhere with an error message"  # the action was turned down and the page says why


def every(outcome, **roles) -> dict:
    """The same answer for every role, except the roles named."""
    return {role: roles.get(role, outcome) for role in ROLES}


def signed_in(outcome=200, **roles) -> dict:
    """Anonymous visitors are sent to log in; everyone signed in gets `outcome`, except the roles named."""
    return every(outcome, **{"anonymous": LOGIN, **roles})


ROLE_HOLDERS = {
    "editor": ("editor_a", "editor_b", "admin"),
    "moderator": ("moderator", "admin"),
    "admin": ("admin",),
    "mp": ("mp", "admin"),
}


def staff(role: str, outcome=200, **roles) -> dict:
    """A page for one role: anonymous visitors log in, holders (admins hold every role) get `outcome`, others 403.

    A suspended holder is refused like anyone else without the role.
    """
    holders = dict.fromkeys(ROLE_HOLDERS[role], outcome)
    return every(403, **{"anonymous": LOGIN, **holders, **roles})


PUBLIC = every(200)
# Drafts in preparation: only the drafting agency's editors and admins see them.
DRAFT = every(404, editor_a=200, admin=200)
# Pages about the citizen's own comment: other people do not learn that it exists.
CITIZENS_OWN = signed_in(404, citizen=200)

# (endpoint, method) → answer per role. A third element names a variant of the same route with other objects
# (see VARIANTS). Keep one row per line; new routes go at the end of their blueprint's block.
EXPECTED: dict[tuple, dict] = {
    ("root", "GET"): every(MOVED),
    ("static", "GET"): PUBLIC,
    # No login, the same answer for all (this world has no search index: "degraded", tests/ops/test_health.py).
    ("health.healthz", "GET"): PUBLIC,
    # main
    ("main.index", "GET"): PUBLIC,
    ("main.about", "GET"): PUBLIC,
    ("main.api_docs", "GET"): PUBLIC,
    # auth
    ("auth.register", "GET"): every(MOVED, anonymous=200),
    ("auth.register", "POST"): every(MOVED, anonymous=200),
    ("auth.login", "GET"): every(MOVED, anonymous=200),
    ("auth.login", "POST"): every(MOVED, anonymous=200),
    ("auth.logout", "POST"): every(MOVED),
    ("auth.confirm_email", "GET"): PUBLIC,
    ("auth.confirm_email", "POST"): every(MOVED, anonymous=LOGIN),  # confirmed; then log in, or the account page
    ("auth.resend_confirmation", "GET"): PUBLIC,
    ("auth.resend_confirmation", "POST"): PUBLIC,
    ("auth.reset_request", "GET"): PUBLIC,
    ("auth.reset_request", "POST"): PUBLIC,
    ("auth.reset_password", "GET"): PUBLIC,
    ("auth.reset_password", "POST"): PUBLIC,
    ("auth.account", "GET"): signed_in(),
    ("auth.account", "POST"): signed_in(MOVED),  # an empty form keeps the stored values: saved as they were
    ("auth.change_password", "POST"): signed_in(),
    # laws
    ("laws.index", "GET"): PUBLIC,
    ("laws.show", "GET"): PUBLIC,
    ("laws.show", "GET", "draft"): DRAFT,
    ("laws.show_version", "GET"): PUBLIC,
    ("laws.show_version", "GET", "draft"): DRAFT,
    ("laws.versions", "GET"): PUBLIC,
    ("laws.versions", "GET", "draft"): DRAFT,
    ("laws.diff", "GET"): PUBLIC,
    # editor (the draft of agency A)
    ("editor.index", "GET"): staff("editor"),
    ("editor.new_law", "GET"): staff("editor"),
    ("editor.new_law", "POST"): staff("editor"),
    ("editor.manage", "GET"): staff("editor", editor_b=403),
    ("editor.manage", "POST"): staff("editor", editor_b=403),  # an empty form: "choose a committee" again
    ("editor.set_status", "POST"): staff("editor", REFUSED, editor_b=403),  # no status chosen
    ("editor.new_version", "GET"): staff("editor", editor_b=403),
    ("editor.new_version", "POST"): staff("editor", editor_b=403),
    ("editor.add_version_language", "GET"): staff("editor", editor_b=403),
    ("editor.add_version_language", "POST"): staff("editor", editor_b=403),
    # comments
    ("comments.section", "GET"): PUBLIC,
    ("comments.section", "GET", "draft"): DRAFT,
    ("comments.post", "POST"): signed_in(MOVED, unconfirmed=403, suspended=403, suspended_moderator=403),
    ("comments.post", "POST", "draft"): every(404, editor_a=403, admin=403),  # not open for comments
    ("comments.show_comment", "GET"): every(MOVED),
    ("answered.comment", "GET"): every(MOVED),  # not answered: to the comment in its section
    ("answered.comment", "GET", "answered"): PUBLIC,
    ("comments.edit", "GET"): CITIZENS_OWN,
    ("comments.edit", "POST"): CITIZENS_OWN,
    ("comments.withdraw", "POST"): signed_in(REFUSED, citizen=MOVED),
    ("comments.change_language", "POST"): signed_in(MOVED),
    ("comments.vote_on", "POST"): signed_in(MOVED, unconfirmed=REFUSED, suspended=REFUSED, suspended_moderator=REFUSED),
    ("comments.flag_comment", "GET"): signed_in(unconfirmed=403, suspended=403, suspended_moderator=403),
    ("comments.flag_comment", "POST"): signed_in(MOVED, unconfirmed=403, suspended=403, suspended_moderator=403),
    ("comments.mine", "GET"): signed_in(),
    # notifications
    ("notifications.index", "GET"): signed_in(),
    ("notifications.mark_read", "POST"): signed_in(MOVED),
    ("notifications.follow", "POST"): signed_in(MOVED),
    ("notifications.follow", "POST", "draft"): signed_in(404, editor_a=MOVED, admin=MOVED),
    ("notifications.unfollow", "POST"): signed_in(MOVED),
    ("notifications.unsubscribe", "GET"): PUBLIC,
    ("notifications.unsubscribe", "POST"): PUBLIC,
    # moderation workspace: empty decision forms are a 400 once past the door
    ("moderation.index", "GET"): staff("moderator", MOVED),
    ("moderation.pending", "GET"): staff("moderator"),
    ("moderation.flagged", "GET"): staff("moderator"),
    ("moderation.appeals", "GET"): staff("moderator"),
    ("moderation.campaigns", "GET"): staff("moderator"),
    ("moderation.audit", "GET"): staff("moderator"),
    ("moderation.item", "GET"): staff("moderator"),
    ("moderation.decide_one", "POST"): staff("moderator", 400),
    ("moderation.bulk", "POST"): staff("moderator", 400),
    ("moderation.decide_group", "POST"): staff("moderator", 400),
    ("moderation.take_out_of_group", "POST"): staff("moderator", REFUSED),  # the comment is in no group
    ("moderation.decide_on_appeal", "POST"): staff("moderator", 400),
    ("moderation.suspend_user", "POST"): staff("moderator", REFUSED),  # no reason given
    ("moderation.unsuspend_user", "POST"): staff("moderator", MOVED),
    ("moderation.pending_in_groups", "GET"): staff("moderator"),
    ("moderation.decide_pending_group", "POST"): staff("moderator", 400),
    # moderation, public side
    ("moderation_public.policy", "GET"): PUBLIC,
    ("moderation_public.law_figures", "GET"): PUBLIC,
    ("moderation_public.law_figures", "GET", "draft"): DRAFT,
    ("moderation_public.appeal", "GET"): CITIZENS_OWN,
    ("moderation_public.appeal", "POST"): CITIZENS_OWN,
    ("moderation_public.appeal", "POST", "own"): signed_in(MOVED, suspended=403, suspended_moderator=403),
    # search
    ("search.index", "GET"): PUBLIC,
    # administration
    ("admin.index", "GET"): staff("admin", MOVED),
    ("admin.users", "GET"): staff("admin"),
    ("admin.edit_user", "GET"): staff("admin"),
    ("admin.edit_user", "POST"): staff("admin", MOVED),
    ("organisations.agencies", "GET"): staff("admin"),
    ("organisations.new_agency", "GET"): staff("admin"),
    ("organisations.new_agency", "POST"): staff("admin"),
    ("organisations.edit_agency", "GET"): staff("admin"),
    ("organisations.edit_agency", "POST"): staff("admin", MOVED),
    ("organisations.committees", "GET"): staff("admin"),
    ("organisations.new_committee", "GET"): staff("admin"),
    ("organisations.new_committee", "POST"): staff("admin"),
    ("organisations.edit_committee", "GET"): staff("admin"),
    ("organisations.edit_committee", "POST"): staff("admin", MOVED),
    # open data API: drafts in preparation do not exist there, for anyone
    ("api.openapi", "GET"): PUBLIC,
    ("api.laws", "GET"): PUBLIC,
    ("api.law", "GET"): PUBLIC,
    ("api.law", "GET", "draft"): every(404),
    ("api.sections", "GET"): PUBLIC,
    ("api.sections", "GET", "draft"): every(404),
    ("api.law_comments", "GET"): PUBLIC,
    ("api.law_comments", "GET", "draft"): every(404),
    ("api.section_comments", "GET"): PUBLIC,
    ("api.section_comments", "GET", "draft"): every(404),
    ("api.search", "GET"): PUBLIC,
    ("api.law_summary", "GET"): PUBLIC,
    ("api.law_summary", "GET", "draft"): every(404),
    ("api.law_summary_snapshot", "GET"): PUBLIC,
    ("api.law_summary_snapshot", "GET", "built"): every(404),  # a working copy is not published
    # two-factor sign-in (TestConfig turns it off for every role, so no one is half-logged-in or has it set up)
    ("two_factor.verify", "GET"): every(MOVED, anonymous=LOGIN),
    ("two_factor.verify", "POST"): every(MOVED, anonymous=LOGIN),
    ("two_factor.setup", "GET"): every(MOVED, anonymous=LOGIN),
    ("two_factor.setup", "POST"): every(MOVED, anonymous=LOGIN),
    ("two_factor.qr_code", "GET"): every(404),
    ("two_factor.recovery_codes", "POST"): signed_in(404),
    ("admin.reset_two_factor", "POST"): staff("admin", MOVED),
    # summaries: a build's progress, for the editors of the draft's agency
    ("summaries.build_status", "GET"): staff("editor", editor_b=403),
    # the agency's summary pages (the open draft of agency A: No. 1 submitted, No. 2 built; a build queued)
    ("summaries.start_build", "POST"): staff("editor", MOVED, editor_b=403),  # to the build already queued
    ("summaries.build_progress", "GET"): staff("editor", editor_b=403),
    ("summaries.law_index", "GET"): staff("editor", editor_b=403),
    ("summaries.review_snapshot", "GET"): staff("editor", editor_b=403),
    ("summaries.review_snapshot", "GET", "built"): staff("editor", editor_b=403),
    ("summaries.review_snapshot", "POST"): staff("editor", REFUSED, editor_b=403),  # No. 1 was submitted
    ("summaries.submit", "POST"): staff("editor", REFUSED, editor_b=403),  # not confirmed
    # the MPs' workspace (admins too); a summary not submitted does not exist there
    ("parliament.index", "GET"): staff("mp"),
    ("parliament.drafts", "GET"): staff("mp"),
    ("parliament.summary", "GET"): staff("mp"),
    ("parliament.summary", "GET", "built"): staff("mp", 404),
    ("parliament.mark_unread", "POST"): staff("mp", MOVED),
    # summary downloads: a submitted summary is public, a working copy the drafting agency's (and admins')
    ("summary_downloads.download", "GET"): PUBLIC,
    ("summary_downloads.download", "GET", "built"): DRAFT,
    # the drafting agency's answers (the open draft of agency A); empty action forms are turned down past the door
    ("answers.workspace", "GET"): staff("editor", editor_b=403),
    ("answers.workspace", "GET", "draft"): staff("editor", 403),  # a draft in preparation has nothing to answer
    ("answers.comment", "GET"): staff("editor", editor_b=403),
    ("answers.comment", "POST"): staff("editor", editor_b=403),  # the form again, with "choose a decision"
    ("answers.answer_selection", "POST"): staff("editor", REFUSED, editor_b=403),
    ("answers.groups", "GET"): staff("editor", editor_b=403),
    ("answers.answer_theme", "POST"): staff("editor", REFUSED, editor_b=403),
    ("answers.answer_campaign", "POST"): staff("editor", REFUSED, editor_b=403),
    ("answers.import_answers", "GET"): staff("editor", editor_b=403),
    ("answers.import_answers", "POST"): staff("editor", editor_b=403),  # the form again, "choose a file"
    ("answers.import_template", "GET"): staff("editor", editor_b=403),
    ("answers.trace", "GET"): staff("editor", editor_b=403),
    ("answers.trace_answer", "GET"): staff("editor", editor_b=403),
    ("answers.trace_answer", "POST"): staff("editor", REFUSED, editor_b=403),  # no unit chosen
    # the Hearing State figures: public, and a draft in preparation is not counted, for anyone
    ("figures.index", "GET"): PUBLIC,
    ("figures.law", "GET"): PUBLIC,
    ("figures.law", "GET", "draft"): every(404),
    ("api.figures", "GET"): PUBLIC,
    ("api.law_figures", "GET"): PUBLIC,
    ("api.law_figures", "GET", "draft"): every(404),
}


def default_args(w: SimpleNamespace) -> dict:
    """URL values by argument name; ARGS and VARIANTS override them."""
    return {
        "lang": "en",
        "slug": w.open_slug,
        "section_id": w.section_id,
        "number": 1,
        "old": 1,
        "new": 2,
        "comment_id": w.approved_id,
        "user_id": w.stranger_id,
        "agency_id": w.agency_a_id,
        "committee_id": w.committee_id,
        "campaign_id": w.campaign_id,
        "appeal_id": w.appeal_id,
        "answer_id": w.answer_id,
        "theme_id": "s1-t1",
        "filename": "favicon.svg",
    }


# Other objects for some endpoints' URLs; a key the rule does not take becomes the query string.
ARGS: dict[str, Callable[[SimpleNamespace], dict]] = {
    "auth.confirm_email": lambda w: {"token": w.confirm_token},
    "auth.reset_password": lambda w: {"token": w.reset_token},
    "notifications.unsubscribe": lambda w: {"token": w.unsubscribe_token},
    "editor.manage": lambda w: {"slug": w.draft_slug},
    "editor.set_status": lambda w: {"slug": w.draft_slug},
    "editor.new_version": lambda w: {"slug": w.draft_slug},
    "editor.add_version_language": lambda w: {"slug": w.draft_slug},
    "comments.edit": lambda w: {"comment_id": w.pending_id},
    "comments.withdraw": lambda w: {"comment_id": w.withdrawable_id},
    "moderation.item": lambda w: {"comment_id": w.pending_id},
    "moderation.decide_one": lambda w: {"comment_id": w.pending_id},
    "moderation.unsuspend_user": lambda w: {"user_id": w.users["suspended"]},
    "moderation_public.appeal": lambda w: {"comment_id": w.rejected_id},
    "api.search": lambda w: {"q": "отходы"},
    "summaries.build_status": lambda w: {"build_id": w.summary_build_id},
    "summaries.build_progress": lambda w: {"build_id": w.summary_build_id},
    "summary_downloads.download": lambda w: {"fmt": "json"},
}
# The third element of a row's key: the same route on other objects.
VARIANTS: dict[str, Callable[[SimpleNamespace, str], dict]] = {
    "draft": lambda w, role: {"slug": w.draft_slug, "section_id": w.draft_section_id},
    # Each signed-in role's own rejected comment (anonymous visitors try the citizen's).
    "own": lambda w, role: {"comment_id": w.own_rejected.get(role, w.rejected_id)},
    # The open draft's summary that was built but not submitted (No. 1 was submitted).
    "built": lambda w, role: {"number": w.built_snapshot_number},
    # The comment the agency answered.
    "answered": lambda w, role: {"comment_id": w.answered_id},
}
# Minimal valid forms, where an empty one would be turned down before the access rule is reached.
COMMENT = {"stance": "support", "body": "Срок в десять дней слишком короткий.", "client_token": "matrix"}
FORMS: dict[tuple, dict] = {
    ("comments.post", "POST"): COMMENT,
    ("comments.post", "POST", "draft"): COMMENT,
    ("comments.vote_on", "POST"): {"value": "1"},
    ("comments.flag_comment", "POST"): {"reason": "spam"},
    ("moderation_public.appeal", "POST", "own"): {"text": "Комментарий был по существу статьи."},
}


def route_keys(app) -> set[tuple[str, str]]:
    """Every (endpoint, method) the app answers, leaving out what Werkzeug adds to each rule."""
    return {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_a_row(app):
    rows = {key[:2] for key in EXPECTED}
    missing, stale = sorted(route_keys(app) - rows), sorted(rows - route_keys(app))
    assert not missing, f"routes without a row in EXPECTED (who may use them?): {missing}"
    assert not stale, f"rows in EXPECTED for routes that no longer exist: {stale}"
    incomplete = [key for key, answers in EXPECTED.items() if set(answers) != set(ROLES)]
    assert not incomplete, f"rows without an answer for every role: {incomplete}"
    assert set(VARIANTS) >= {key[2] for key in EXPECTED if len(key) > 2}


@pytest.fixture
def world(app, create_user, create_agency, create_committee, create_law_from, create_comment) -> SimpleNamespace:
    """One of everything a URL can name, the same whoever logs in; ids only, so nothing goes stale."""
    agency_a, agency_b, committee = create_agency(), create_agency(), create_committee()
    open_law = create_law_from(
        [("ru", "waste.v1.ru.txt")],
        [("ru", "waste.v2.ru.txt")],
        agency=agency_a,
        slug="household-waste",
    )
    open_law.opens_at, open_law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=10)
    draft_law = create_law_from([("ru", "air-quality.ru.txt")], status="draft", agency=agency_a, slug="air-draft")
    section = next(s for s in open_law.latest_version.sections if s.kind == "article")
    draft_section = next(s for s in draft_law.latest_version.sections if s.kind == "article")

    users = {
        "unconfirmed": create_user(),
        "citizen": create_user(),
        "suspended": create_user(),
        "editor_a": create_user(role="editor", agency=agency_a),
        "editor_b": create_user(role="editor", agency=agency_b),
        "mp": create_user(role="mp", committee=committee),
        "moderator": create_user(role="moderator"),
        "suspended_moderator": create_user(role="moderator"),
        "admin": create_user(role="admin"),
    }
    # The author of the comment others vote on and flag; the stranger is whom tokens and admin pages are about.
    author, stranger = create_user(), create_user(confirmed=False)
    citizen = users["citizen"]

    def rejected(user):
        comment = create_comment(section, author=user, body=f"Не по теме {uuid.uuid4().hex}", state="pending")
        reject_comment(comment, reason="off_topic")
        return comment

    # Everyone writes before losing the right to: a rejected comment of their own, for the appeal row.
    own_rejected = {role: rejected(user).id for role, user in users.items()}
    approved = create_comment(section, author=author)
    pending = create_comment(section, author=citizen, body="Жду модерации.", state="pending")
    withdrawable = create_comment(section, author=citizen, body="Передумаю.")
    appealed = rejected(citizen)
    appeal = file_appeal(appealed, author=citizen, text="Это по теме.")
    notify(citizen, "approved", comment=withdrawable)
    campaign = Campaign(law_id=open_law.id, size=2, kind="campaign")
    summary_build = SummaryBuild(law_id=open_law.id, version_id=open_law.latest_version.id)
    db.session.add_all([campaign, summary_build])
    # The open draft's summaries: No. 1 submitted to parliament, No. 2 built, the agency's working copy.
    submitted = create_snapshot(open_law, open_law.latest_version, None)
    submitted.status, submitted.submitted_at = "submitted", utcnow()
    submitted.content_hash = content_hash(submitted.data, None, {})
    built_snapshot = create_snapshot(open_law, open_law.latest_version, None)
    # An answer of the agency to another published comment (the one above stays unanswered).
    answered = create_comment(section, author=author, body="Срок нужно сократить до пятнадцати дней.")
    answer = answer_comments(open_law, [answered], user=users["editor_a"], decision="accepted", reasoning={})

    users["unconfirmed"].email_confirmed_at = None
    for role in ("suspended", "suspended_moderator"):
        users[role].suspended_at, users[role].suspension_reason = utcnow(), "spam"
    db.session.commit()
    return SimpleNamespace(
        users={role: user.id for role, user in users.items()},
        emails={role: user.email for role, user in users.items()},
        agency_a_id=agency_a.id,
        committee_id=committee.id,
        open_slug=open_law.slug,
        draft_slug=draft_law.slug,
        section_id=section.id,
        draft_section_id=draft_section.id,
        approved_id=approved.id,
        pending_id=pending.id,
        withdrawable_id=withdrawable.id,
        rejected_id=own_rejected["citizen"],
        own_rejected=own_rejected,
        appeal_id=appeal.id,
        campaign_id=campaign.id,
        answer_id=answer.id,
        answered_id=answered.id,
        summary_build_id=summary_build.id,
        built_snapshot_number=built_snapshot.number,
        stranger_id=stranger.id,
        confirm_token=tokens.make_token(tokens.CONFIRM_SALT, {"uid": stranger.id, "email": stranger.email}),
        reset_token=tokens.make_token(
            tokens.RESET_SALT, {"uid": stranger.id, "pw": tokens.password_fingerprint(stranger.password_hash)}
        ),
        unsubscribe_token=make_unsubscribe_token(stranger, "reply", None),
    )


def request_order(key: tuple) -> tuple:
    """GETs first, then POSTs; logging out comes last, since it ends the session every other row relies on."""
    return (key[0] == "auth.logout", key[1] != "GET")


def url_for_row(app, world: SimpleNamespace, role: str, key: tuple) -> str:
    endpoint = key[0]
    rule = next(rule for rule in app.url_map.iter_rules(endpoint) if key[1] in rule.methods)
    values = {name: value for name, value in default_args(world).items() if name in rule.arguments}
    values |= ARGS.get(endpoint, lambda w: {})(world)
    if len(key) > 2:
        values |= VARIANTS[key[2]](world, role)
    return app.url_map.bind("localhost").build(endpoint, values, method=key[1])


def answer(client, response):
    """What the role got: the status code, or which kind of redirect."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return response.status_code
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    if urlsplit(response.location).path.endswith("/auth/login"):
        return LOGIN
    return REFUSED if any(category == "error" for category, _message in flashes) else MOVED


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, world, role):
    if role != "anonymous":
        response = AuthActions(client).login(world.emails[role])
        # Logged in, each role is sent to its own start page (home, or a staff workspace); a refusal stays on the form.
        assert response.status_code == 302 and "/auth/" not in response.location, f"{role} is not logged in"
        answer(client, response)  # drop the welcome messages
    mismatches = []
    for key in sorted(EXPECTED, key=request_order):
        url = url_for_row(app, world, role, key)
        with client.open(url, method=key[1], data=FORMS.get(key, {})) as response:
            got, expected = answer(client, response), EXPECTED[key][role]
        if got != expected:
            mismatches.append(f"{key}: {key[1]} {url} answered {got!r}, expected {expected!r}")
    assert not mismatches, f"{role}: {len(mismatches)} of {len(EXPECTED)} rows differ\n" + "\n".join(mismatches)
