"""Who may open the answers pages of a draft: the one loader every answers view uses."""

from flask import abort

from app.answers.services import can_answer
from app.laws.access import get_law_for_edit
from app.laws.models import Law


def get_law_to_answer(slug: str, user) -> Law:
    """The draft, if the user may answer its comments: 404 if missing, 403 if not theirs or not public yet."""
    law = get_law_for_edit(slug, user)
    if not can_answer(law, user):
        abort(403)
    return law
