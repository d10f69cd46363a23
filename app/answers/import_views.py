"""Answers from the agency's own spreadsheet, uploaded on the answers page (editors of the draft's agency, admins)."""

import csv
import io

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.answers.access import get_law_to_answer
from app.answers.import_forms import ImportAnswersForm
from app.answers.importing import COLUMNS, import_answers
from app.answers.views import bp
from app.auth.decorators import require_role
from app.errors import UserError
from app.extensions import db
from app.summaries.models import SummarySnapshot

# What each column means, shown next to the upload.
COLUMN_HELP = (
    ("ref", _l("The registration number of a comment received by letter, at a hearing or through another portal.")),
    ("comment_id", _l("The number of a comment on this site, as the summary and the answers pages show it.")),
    ("theme", _l("A theme of the summary, for example s12-t3: all its published comments get the row's answer.")),
    ("campaign", _l("A campaign number: all its published comments get the row's answer.")),
    ("decision", _l("accepted, partly_accepted, rejected or not_applicable.")),
    ("reasoning_kk", _l("Why, in Kazakh.")),
    ("reasoning_ru", _l("Why, in Russian.")),
    ("reasoning_en", _l("Why, in English.")),
    ("changed_in", _l("Optional, for accepted and partly accepted: the changed unit as version:unit, e.g. 2:5.1.")),
)
# The downloadable example: header and one row. Semicolons, because Excel set to Russian or Kazakh splits on them;
# the BOM, because without it Excel reads UTF-8 as the local code page and garbles Cyrillic.
TEMPLATE_ROW = {
    "comment_id": "12",
    "decision": "partly_accepted",
    "reasoning_kk": "Ұсыныс ішінара ескерілді: мерзім 15 жұмыс күніне дейін қысқартылды.",
    "reasoning_ru": "Предложение учтено частично: срок сокращён до 15 рабочих дней.",
    "reasoning_en": "Partly taken into account: the period is cut to 15 working days.",
    "changed_in": "2:10",
}


@bp.route("/<slug>/import", methods=["GET", "POST"], endpoint="import_answers")
@require_role("editor")
def import_answers_page(slug: str):
    """Upload a CSV or XLSX table of answers: every row answered, or none and the bad rows listed by line."""
    law = get_law_to_answer(slug, current_user)
    snapshots = db.session.scalars(
        select(SummarySnapshot).where(SummarySnapshot.law_id == law.id).order_by(SummarySnapshot.number.desc())
    ).all()
    form = ImportAnswersForm()
    form.snapshot.choices = [
        SelectChoice(0, _("The latest summary")),
        *(SelectChoice(s.number, _("Summary no. %(number)s", number=s.number)) for s in snapshots),
    ]
    errors: list[tuple[int, str]] = []
    if form.validate_on_submit():
        snapshot = next((s for s in snapshots if s.number == form.snapshot.data), None)
        upload = form.file.data
        data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        try:
            result = import_answers(law, data, upload.filename or "", user=current_user, snapshot=snapshot)
        except UserError as error:
            db.session.rollback()
            if error.status == 403:
                abort(403)
            form.file.errors.append(str(error))
        else:
            if not result.errors:
                db.session.commit()
                flash(result.summary(), "success")
                return redirect(url_for("answers.workspace", slug=law.slug))
            db.session.rollback()
            errors = result.errors
    return render_template(
        "answers/import.html", law=law, form=form, errors=errors, columns=COLUMN_HELP, active="import"
    )


@bp.get("/<slug>/import/template.csv")
@require_role("editor")
def import_template(slug: str):
    """Download the table's header and one example row as CSV."""
    law = get_law_to_answer(slug, current_user)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([TEMPLATE_ROW.get(name, "") for name in COLUMNS])
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="answers-{law.slug}.csv"'},
    )
