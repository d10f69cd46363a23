"""Downloads of a summary snapshot: the report (PDF), the summary table (DOCX, CSV), the document (JSON).

Submitted snapshots are public, as in the API; a snapshot not yet submitted only for the drafting agency's editors
and admins, and a 404 for everyone else (as for a draft in preparation). Labels follow the page's language.
"""

import io

from flask import Blueprint, abort, send_file
from flask_login import current_user

from app.i18n import current_lang
from app.laws.access import get_law_or_404
from app.summaries.document import can_read
from app.summaries.exports import export_snapshot
from app.summaries.review import get_snapshot

bp = Blueprint("summary_downloads", __name__)


@bp.get("/<slug>/<int:number>.<any(pdf, docx, csv, json):fmt>")
def download(slug: str, number: int, fmt: str):
    """Send a snapshot of a draft's summary as a file, if the user may read that snapshot."""
    law = get_law_or_404(slug, current_user)
    snapshot = get_snapshot(law, number)
    if snapshot is None or not can_read(snapshot, current_user):
        abort(404)
    export = export_snapshot(snapshot, fmt, current_lang())
    response = send_file(
        io.BytesIO(export.content),
        mimetype=export.mimetype,
        as_attachment=True,
        download_name=export.filename,
        max_age=0,
    )
    # A working copy is the agency's alone: no shared cache may keep it. A submitted one never changes, but its
    # table gains the agency's decisions, so caches ask again.
    response.headers["Cache-Control"] = "no-cache" if snapshot.is_submitted else "private, no-store"
    return response
