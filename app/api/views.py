"""Open data API (read-only JSON), described by app/api/openapi.json."""

import csv
import io
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, request, stream_with_context, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.answers.exporting import CSV_FIELDS, answer_objects, csv_cells
from app.answers.figures import LawFigures, agency_figures, figures_of_law
from app.answers.services import answers_for
from app.comments.models import Comment, CommentState
from app.extensions import csrf, db
from app.laws.access import PUBLIC_STATUSES, public_laws_condition
from app.laws.models import LANGS, Law, LawVersion, Section
from app.laws.reading import load_sections
from app.organisations.models import Agency, Committee
from app.spreadsheets import safe_cell
from app.summaries.document import latest_snapshot, published_document
from app.summaries.review import get_snapshot

bp = Blueprint("api", __name__)
csrf.exempt(bp)

OPENAPI_FILE = Path(__file__).with_name("openapi.json")


@cache
def _openapi_text() -> str:
    return OPENAPI_FILE.read_text(encoding="utf-8")


def _int_arg(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        abort(400, description=f"'{name}' must be a whole number from {minimum} to {maximum}")
    return int(raw)


def _per_lang(obj, field: str) -> dict[str, str | None]:
    return {code: getattr(obj, f"{field}_{code}") for code in LANGS}


def _org(org) -> dict | None:
    if org is None:
        return None
    return {"slug": org.slug, "name": _per_lang(org, "name")}


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _version(law: Law, version: LawVersion) -> dict:
    return {
        "number": version.number,
        "published_at": _iso(version.published_at),
        "languages": version.language_list,
        "note": version.note,
        "sections_url": url_for("api.sections", slug=law.slug, number=version.number, _external=True),
    }


def _law(law: Law, with_versions: bool = False) -> dict:
    data = {
        "slug": law.slug,
        "title": _per_lang(law, "title"),
        "description": _per_lang(law, "description"),
        "status": law.status,
        "agency": _org(law.agency),
        "committee": _org(law.committee),
        "consultation": {
            "opens_at": _iso(law.opens_at),
            "closes_at": _iso(law.closes_at),
            "is_open": law.is_open_for_comments(),
        },
        "latest_version": law.latest_version.number if law.latest_version else None,
        "updated_at": _iso(law.updated_at),
        "url": url_for("api.law", slug=law.slug, _external=True),
    }
    if with_versions:
        data["versions"] = [_version(law, v) for v in law.versions]
    return data


def _public_law_or_404(slug: str) -> Law:
    law = db.session.scalar(
        select(Law)
        .where(Law.slug == slug[:80], public_laws_condition())
        .options(selectinload(Law.versions), selectinload(Law.agency), selectinload(Law.committee))
    )
    if law is None:
        abort(404)
    return law


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI description of this API."""
    return Response(_openapi_text(), mimetype="application/json")


@bp.get("/laws")
def laws():
    """List published draft laws, newest change first, with filters."""
    config = current_app.config
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", config["API_PAGE_SIZE"], 1, config["API_MAX_PAGE_SIZE"])
    query = (
        select(Law)
        .where(public_laws_condition())
        .options(selectinload(Law.versions), selectinload(Law.agency), selectinload(Law.committee))
        .order_by(Law.updated_at.desc(), Law.id)
    )
    status = request.args.get("status")
    if status:
        if status not in PUBLIC_STATUSES:
            abort(400, description="unknown status")
        query = query.where(Law.status == status)
    if request.args.get("agency"):
        query = query.join(Law.agency).where(Agency.slug == request.args["agency"])
    if request.args.get("committee"):
        query = query.join(Law.committee).where(Committee.slug == request.args["committee"])
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return jsonify(
        items=[_law(law) for law in pagination.items],
        page=page,
        per_page=per_page,
        total=pagination.total,
        pages=pagination.pages,
    )


@bp.get("/laws/<slug>")
def law(slug: str):
    """Return one draft law with its versions."""
    return jsonify(_law(_public_law_or_404(slug), with_versions=True))


@bp.get("/laws/<slug>/versions/<int:number>/sections")
def sections(slug: str, number: int):
    """Return the tree of sections of one version, with the text in every language."""
    law = _public_law_or_404(slug)
    version = law.version(number)
    if version is None:
        abort(404)
    nodes: dict[int, dict] = {}
    roots: list[dict] = []
    for section in load_sections(version):
        node = {
            "id": section.id,
            "identity": section.identity_id,
            "kind": section.kind,
            "number": section.number,
            "anchor": section.anchor,
            "heading": _per_lang(section, "heading"),
            "text": _per_lang(section, "body"),
            "children": [],
        }
        nodes[section.id] = node
        parent = nodes.get(section.parent_id) if section.parent_id else None
        (parent["children"] if parent else roots).append(node)
    return jsonify(law=law.slug, version=_version(law, version), sections=roots)


COMMENT_FIELDS = [
    "id", "law", "version", "section_id", "section_kind", "section_number", "parent_id", "stance", "lang",
    "body", "proposed_wording", "author", "agree", "disagree", "published_at", "channel", "ref", "received_at",
]  # fmt: skip


def _comment(comment: Comment, answer: dict | None) -> dict:
    section = comment.section
    return {
        "id": comment.id,
        "law": comment.law.slug,
        "version": section.version.number,
        "section_id": section.id,
        "section_kind": section.kind,
        "section_number": section.number,
        "parent_id": comment.parent_id,
        "stance": comment.stance,
        "lang": comment.lang,
        "body": comment.body,
        "proposed_wording": comment.proposed_wording,
        "author": comment.author.display_name,
        "agree": comment.agree_count,
        "disagree": comment.disagree_count,
        "published_at": _iso(comment.published_at),
        # Where it came from (web, letter, hearing...); an imported one keeps the sender's registration number.
        "channel": comment.channel,
        "ref": comment.ref,
        "received_at": _iso(comment.received_at),
        # The drafting agency's answer (app/answers/exporting.py), or None while it has none.
        "answer": answer,
    }


def _csv_rows(query) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COMMENT_FIELDS + CSV_FIELDS)
    yield "\ufeff" + buffer.getvalue()  # a BOM so that spreadsheet programs read UTF-8 Kazakh correctly
    for batch in db.session.scalars(query.execution_options(yield_per=500)).partitions():
        answers = answer_objects(answers_for(c.id for c in batch))  # one query per batch, not per comment
        buffer.seek(0)
        buffer.truncate()
        for comment in batch:
            item = _comment(comment, answers.get(comment.id))
            cells = [item[name] for name in COMMENT_FIELDS] + csv_cells(item["answer"])
            writer.writerow([safe_cell(value) for value in cells])
        yield buffer.getvalue()


def _comments_answer(query, filename: str):
    query = query.where(Comment.state == CommentState.APPROVED).options(
        joinedload(Comment.author), joinedload(Comment.law), joinedload(Comment.section).joinedload(Section.version)
    )
    if request.args.get("format") == "csv":
        headers = {"Content-Disposition": f"attachment; filename={filename}.csv"}
        rows = stream_with_context(_csv_rows(query.order_by(Comment.id)))
        return Response(rows, mimetype="text/csv", headers=headers)
    if request.args.get("format") not in (None, "json"):
        abort(400, description="format must be json or csv")
    config = current_app.config
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", config["API_PAGE_SIZE"], 1, config["API_MAX_PAGE_SIZE"])
    # The page's ids first, from the index alone: joined to their authors and sections before the LIMIT, every
    # comment of the section was read and sorted whole (70 ms at 10,000 comments; 2 ms this way).
    ids = query.with_only_columns(Comment.id).order_by(Comment.id.desc())
    page_ids = db.session.scalars(ids.limit(per_page).offset((page - 1) * per_page)).all()
    total = db.session.scalar(query.with_only_columns(func.count(Comment.id)).order_by(None))
    ordered = query.where(Comment.id.in_(page_ids)).order_by(Comment.id.desc())
    items = db.session.scalars(ordered).unique().all() if page_ids else []
    answers = answer_objects(answers_for(c.id for c in items))
    return jsonify(
        items=[_comment(c, answers.get(c.id)) for c in items],
        page=page,
        per_page=per_page,
        total=total,
        pages=-(-total // per_page),
    )


@bp.get("/sections/<int:section_id>/comments")
def section_comments(section_id: int):
    """Published comments on one section (JSON pages, or all of them as CSV)."""
    section = db.session.get(Section, section_id)
    if section is None or not section.version.law.is_public:
        abort(404)
    return _comments_answer(select(Comment).where(Comment.section_id == section.id), f"section-{section.id}-comments")


@bp.get("/laws/<slug>/comments")
def law_comments(slug: str):
    """Published comments on every section of a draft law (JSON pages, or all of them as CSV)."""
    law = _public_law_or_404(slug)
    return _comments_answer(select(Comment).where(Comment.law_id == law.id), f"{law.slug}-comments")


@bp.get("/laws/<slug>/summary")
def law_summary(slug: str):
    """Return the latest summary of a draft's consultation submitted to parliament."""
    snapshot = latest_snapshot(_public_law_or_404(slug), submitted_only=True)
    if snapshot is None:
        abort(404, description="No summary of this draft law has been submitted to parliament yet.")
    # The answers are read now: the snapshot's own data stays what parliament received.
    return jsonify(published_document(snapshot))


@bp.get("/laws/<slug>/summaries/<int:number>")
def law_summary_snapshot(slug: str, number: int):
    """Return one submitted summary of a draft's consultation, by its number."""
    snapshot = get_snapshot(_public_law_or_404(slug), number)
    # One not yet submitted is the agency's working copy: to the public it does not exist.
    if snapshot is None or not snapshot.is_submitted:
        abort(404, description="This draft law has no submitted summary with this number.")
    return jsonify(published_document(snapshot))


def _law_figures(entry: LawFigures) -> dict:
    law = entry.law
    return {
        "slug": law.slug,
        "title": _per_lang(law, "title"),
        "status": law.status,
        "closes_at": _iso(law.closes_at),
        "answers_due": entry.due.isoformat() if entry.due else None,
        "figures": entry.figures.as_dict(),
    }


@bp.get("/figures")
def figures():
    """Return the Hearing State figures: overall, and per agency in rank order with each public draft's."""
    ranked, overall = agency_figures()
    agencies = [
        {
            "slug": entry.agency.slug,
            "name": _per_lang(entry.agency, "name"),
            "rank": rank,
            "figures": entry.figures.as_dict(),
            "laws": [_law_figures(law_entry) for law_entry in entry.laws],
        }
        for rank, entry in enumerate(ranked, start=1)
    ]
    return jsonify(overall=overall.as_dict(), agencies=agencies)


@bp.get("/laws/<slug>/figures")
def law_figures(slug: str):
    """Return the Hearing State figures of one public draft."""
    entry = figures_of_law(_public_law_or_404(slug))
    return jsonify(
        slug=entry.law.slug,
        answers_due=entry.due.isoformat() if entry.due else None,
        figures=entry.figures.as_dict(),
    )


@bp.get("/search")
def search():
    """Ranked search over drafts, sections and published comments, with snippets."""
    from app.search.backend import Filters
    from app.search.documents import TYPES
    from app.search.services import search as run_search

    query = request.args.get("q", "")
    if not query.strip():
        abort(400, description="q is required")
    kind = request.args.get("type")
    if kind is not None and kind not in TYPES:
        abort(400, description="type must be law, section or comment")
    lang = request.args.get("lang")
    if lang is not None and lang not in LANGS:
        abort(400, description="lang must be kk, ru or en")
    status = request.args.get("status")
    if status is not None and status not in PUBLIC_STATUSES:
        abort(400, description="unknown status")
    page = _int_arg("page", 1, 1, 1000)
    per_page = _int_arg("per_page", 20, 1, 50)
    lang_only = request.args.get("lang_only", "0")
    if lang_only not in ("0", "1", "true", "false"):
        abort(400, description="lang_only must be 0 or 1")
    # Without a type each type's best hits come back; ask for one type to page through it. The totals are exact
    # under the filters: a type's total is the number of items its pages hold.
    filters = Filters(
        type=kind, law=request.args.get("law") or None, lang=lang, status=status, lang_only=lang_only in ("1", "true")
    )
    results = run_search(query, filters, page, per_page)
    return jsonify(
        query=results.query,
        incomplete=results.incomplete,
        suggestion=results.suggestion,
        also_searched=[{"lang": lang, "term": term} for lang, term in results.also_searched],
        totals=results.totals,
        items=[
            {
                "type": item.type,
                "id": item.doc_id,
                "url": item.url,
                "title": item.title,
                "law_title": item.law_title,
                "lang": item.lang,
                "snippet": str(item.snippet),
                "score": round(item.score, 4),
            }
            for kind_items in results.groups.values()
            for item in kind_items
        ],
    )
