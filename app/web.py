"""Small helpers shared by views of several domains."""

from collections.abc import Callable

from flask import flash, request

from app.errors import UserError
from app.extensions import db


def request_page() -> int:
    """Return ?page= as a positive integer; anything else is page 1."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def commit_or_flash(
    action: Callable[[], object], success: str | None = None, on_error: Callable[[str], object] | None = None
) -> bool:
    """Run one service call: commit and flash `success`, or roll back and flash the refusal or give it to `on_error`."""
    try:
        action()
    except UserError as error:
        db.session.rollback()
        # A form shows the refusal next to its field instead: on_error=form.field.errors.append.
        if on_error is None:
            flash(str(error), "error")
        else:
            on_error(str(error))
        return False
    db.session.commit()
    if success:
        flash(success, "success")
    return True
