"""Editor pages: publish a draft from its text, add languages and versions, set the consultation window."""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from app.auth.decorators import require_role
from app.db import utcnow
from app.editor.forms import LawDetailsForm, NewLawForm, NewVersionForm, StatusForm
from app.extensions import db
from app.i18n import localized
from app.laws.access import get_law_for_edit, get_version_or_404
from app.laws.files import read_upload
from app.laws.identity import match_identities
from app.laws.importing import add_language, align, publish_version, text_fingerprint
from app.laws.messages import parse_error_message
from app.laws.models import ACTION_ONLY_STATUSES, LANGS, STATUS_TRANSITIONS, Law, LawStatus
from app.laws.parser import ParsedLaw, ParseError, detect_lang
from app.laws.services import LawError, change_status, create_law, set_window, update_law
from app.laws.structure import FlatNode, describe_key, parse_text
from app.organisations.models import Agency, Committee
from app.summaries import review
from app.summaries.forms import ActionForm as SummaryActionForm
from app.template_helpers import local_datetime
from app.web import commit_or_flash, request_page

bp = Blueprint("editor", __name__, template_folder="templates")

LANGUAGE_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}
RECENT_SUMMARIES = 5  # the newest on the draft's page; all of them on the summaries page


def read_submitted_text(form) -> str | None:
    """Return the uploaded file's text (copied into the form so it is not lost) or the pasted text."""
    upload = form.upload.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        text = read_upload(upload.filename, data)
        form.text.data = text
        return text
    text = (form.text.data or "").replace("\r\n", "\n")
    if len(text.encode("utf-8")) > current_app.config["IMPORT_MAX_BYTES"]:
        raise ParseError("too_large", limit=current_app.config["IMPORT_MAX_BYTES"])
    if not text.strip():
        raise ParseError("empty")
    return text


@dataclass
class Submission:
    """A parsed text from an import form; `confirmed` when Publish was pressed on the previewed text."""

    text: str
    parsed: ParsedLaw
    flat: list[FlatNode]
    confirmed: bool

    def preview(self, **extra) -> dict:
        counts: dict[str, int] = {}
        for item in self.flat:
            counts[item.kind] = counts.get(item.kind, 0) + 1
        warning = language_warning(self.text, self.parsed.lang)
        return {"tree": self.parsed.nodes, "lang": self.parsed.lang, "counts": counts, "warning": warning, **extra}


def parse_submission(form) -> Submission | None:
    """Read and parse the submitted text; on failure put a translated error on the form and return None."""
    try:
        text = read_submitted_text(form)
        parsed, flat = parse_text(text, form.lang.data)
    except ParseError as error:
        form.text.errors = [*form.text.errors, parse_error_message(error)]
        return None
    except LawError as error:
        form.text.errors = [*form.text.errors, str(error)]
        return None
    fingerprint = text_fingerprint(text, form.lang.data)
    # Publishing is allowed only for exactly the text the editor has seen previewed.
    confirmed = form.publishing() and form.fingerprint.data == fingerprint
    form.fingerprint.data = fingerprint
    return Submission(text, parsed, flat, confirmed)


def language_warning(text: str, lang: str) -> str | None:
    """Warn when the text's headings are in another language than the one chosen."""
    detected = detect_lang(text)
    if detected and detected != lang:
        return _(
            "The headings look like %(detected)s, but %(chosen)s was chosen. Check the language before publishing.",
            detected=LANGUAGE_LABELS[detected],
            chosen=LANGUAGE_LABELS[lang],
        )
    return None


def _agency_choices(form: NewLawForm) -> None:
    if current_user.is_admin:
        agencies = db.session.scalars(select(Agency).order_by(Agency.slug)).all()
    else:
        agencies = [current_user.agency] if current_user.agency else []
    form.agency.choices = [SelectChoice(a.id, _org_name(a)) for a in agencies]
    _committee_choices(form)


def _committee_choices(form) -> None:
    committees = db.session.scalars(select(Committee).order_by(Committee.slug)).all()
    form.committee.choices = [SelectChoice(0, _("— not assigned yet —"))] + [
        SelectChoice(c.id, _org_name(c)) for c in committees
    ]


def _org_name(org) -> str:
    return localized(org, "name")[0]


@bp.get("/")
@require_role("editor")
def index():
    """List the drafts of the editor's agency (all drafts for admins)."""
    query = select(Law).options(selectinload(Law.versions)).order_by(Law.updated_at.desc())
    if not current_user.is_admin:
        query = query.where(Law.agency_id == (current_user.agency_id or -1))
    pagination = db.paginate(query, page=request_page(), per_page=current_app.config["LAWS_PER_PAGE"], error_out=False)
    return render_template("editor/index.html", pagination=pagination, laws=pagination.items)


@bp.route("/laws/new", methods=["GET", "POST"])
@require_role("editor")
def new_law():
    """Create a draft law from its text: preview its structure, then save it in preparation or open it at once."""
    form = NewLawForm()
    _agency_choices(form)
    if not form.agency.choices:
        flash(_("Your account is not linked to a drafting agency yet. Ask an administrator to link it."), "error")
        return redirect(url_for("editor.index"))
    preview = None
    if form.validate_on_submit() and (submission := parse_submission(form)):
        if submission.confirmed and (law := _create_law(form, submission)):
            db.session.commit()
            if law.status == LawStatus.OPEN:
                flash(
                    _(
                        "The draft is published and open for comments until %(date)s.",
                        date=local_datetime(law.closes_at),
                    ),
                    "success",
                )
            else:
                flash(_("The draft was created. Set the consultation window and open it for comments."), "success")
            return redirect(url_for("editor.manage", slug=law.slug))
        preview = submission.preview(title=(form.title.data or "").strip() or submission.parsed.title)
    return render_template("editor/new_law.html", form=form, preview=preview)


def _create_law(form: NewLawForm, submission: Submission) -> Law | None:
    """Create the draft and its version 1, and open it if asked; on a refusal roll back, say why on the form."""
    agency = db.session.get(Agency, form.agency.data)
    if agency is None or (not current_user.is_admin and agency.id != current_user.agency_id):
        abort(403)
    opening = bool(form.open_consultation.data)
    if opening and not form.closes_at.data:
        form.closes_at.errors = [*form.closes_at.errors, _("Choose when the consultation closes to open it now.")]
        return None
    title = (form.title.data or "").strip() or submission.parsed.title or _("Untitled draft law")
    # Not commit_or_flash: the redirect needs the law it creates, and each refusal belongs to its own field.
    try:
        law = create_law(
            agency=agency,
            committee=db.session.get(Committee, form.committee.data) if form.committee.data else None,
            created_by=current_user,
            titles={form.lang.data: title},
            slug=(form.slug.data or "").strip().lower() or None,
        )
        publish_version(law, lang=form.lang.data, text=submission.text, created_by=current_user)
    except LawError as error:
        db.session.rollback()
        form.slug.errors = [*form.slug.errors, str(error)]
        return None
    if opening:
        try:
            set_window(law, utcnow(), _to_utc(form.closes_at.data))
            change_status(law, LawStatus.OPEN.value)
        except LawError as error:
            db.session.rollback()
            form.closes_at.errors = [*form.closes_at.errors, str(error)]
            return None
    return law


@bp.route("/laws/<slug>/", methods=["GET", "POST"])
@require_role("editor")
def manage(slug: str):
    """Edit a draft's titles, committee and consultation window; see its versions and status."""
    law = get_law_for_edit(slug, current_user)
    form = LawDetailsForm(obj=law)
    _committee_choices(form)
    if request.method == "GET":
        form.committee.data = law.committee_id or 0
        form.opens_at.data = _to_local(law.opens_at)
        form.closes_at.data = _to_local(law.closes_at)
    if form.validate_on_submit():

        def save() -> None:
            update_law(
                law,
                titles={code: getattr(form, f"title_{code}").data for code in LANGS},
                descriptions={code: getattr(form, f"description_{code}").data for code in LANGS},
                committee=db.session.get(Committee, form.committee.data) if form.committee.data else None,
            )
            set_window(law, _to_utc(form.opens_at.data), _to_utc(form.closes_at.data))

        if commit_or_flash(save, _("The changes were saved.")):
            return redirect(url_for("editor.manage", slug=law.slug))
    return render_template(
        "editor/manage.html",
        law=law,
        form=form,
        status_form=StatusForm(),
        # "Summary sent" follows from submitting a summary (below), never from a status button.
        next_statuses=[s for s in STATUS_TRANSITIONS.get(law.status, ()) if s not in ACTION_ONLY_STATUSES],
        languages=LANGS,
        snapshots=db.session.scalars(review.snapshots_query(law).limit(RECENT_SUMMARIES)).all(),
        building=review.unfinished_build(law),
        build_form=SummaryActionForm(),
    )


def _display_zone() -> ZoneInfo:
    # The window is typed in the zone pages show dates in (Asia/Almaty), and stored in UTC.
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def _to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(_display_zone()).replace(tzinfo=None) if value else None


def _to_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=_display_zone()).astimezone(UTC) if value else None


@bp.post("/laws/<slug>/status")
@require_role("editor")
def set_status(slug: str):
    """Move the draft to its next status (open for comments, closed, ...)."""
    law = get_law_for_edit(slug, current_user)
    form = StatusForm()
    if form.validate_on_submit():
        commit_or_flash(lambda: change_status(law, form.status.data or ""), _("The status was changed."))
    return redirect(url_for("editor.manage", slug=law.slug))


@bp.route("/laws/<slug>/versions/new", methods=["GET", "POST"])
@require_role("editor")
def new_version(slug: str):
    """Publish the next version from its text, showing first which articles changed."""
    law = get_law_for_edit(slug, current_user)
    form = NewVersionForm()
    preview = None
    if form.validate_on_submit() and (submission := parse_submission(form)):
        if submission.confirmed:
            version = publish_version(
                law, lang=form.lang.data, text=submission.text, created_by=current_user, note=form.note.data
            )
            db.session.commit()
            flash(_("Version %(number)s was published.", number=version.number), "success")
            if version.number > 1:
                return redirect(url_for("laws.diff", slug=law.slug, old=version.number - 1, new=version.number))
            return redirect(url_for("editor.manage", slug=law.slug))
        followed = match_identities(law.latest_version, submission.flat, form.lang.data) if law.latest_version else {}
        preview = submission.preview(followed=len(followed), new=len(submission.flat) - len(followed))
    return render_template("editor/new_version.html", law=law, form=form, preview=preview)


@bp.route("/laws/<slug>/versions/<int:number>/languages/new", methods=["GET", "POST"])
@require_role("editor")
def add_version_language(slug: str, number: int):
    """Add the text of a version in another language, aligned part by part with the published one."""
    law = get_law_for_edit(slug, current_user)
    version = get_version_or_404(law, number)
    form = NewVersionForm()
    missing = [code for code in LANGS if not version.has_language(code)]
    if request.method == "GET" and request.args.get("lang") in LANGS:
        form.lang.data = request.args["lang"]
    preview = None
    if form.validate_on_submit() and (submission := parse_submission(form)):
        lang = form.lang.data
        alignment = align(version, submission.flat)
        if submission.confirmed and alignment.ok:
            add_language(version, lang=lang, text=submission.text, created_by=current_user)
            if not getattr(law, f"title_{lang}") and submission.parsed.title:
                setattr(law, f"title_{lang}", submission.parsed.title[:500])
            db.session.commit()
            flash(_("The text in %(language)s was added.", language=LANGUAGE_LABELS[lang]), "success")
            return redirect(url_for("laws.show_version", slug=law.slug, number=version.number, lang=lang))
        preview = submission.preview(
            alignment=alignment,
            missing=[describe_key(k) for k in alignment.missing],
            extra=[describe_key(k) for k in alignment.extra],
            kind_mismatch=[describe_key(k) for k in alignment.kind_mismatch],
            replacing=version.has_language(lang),
        )
    return render_template(
        "editor/add_language.html", law=law, version=version, form=form, preview=preview, missing=missing
    )
