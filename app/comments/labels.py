"""Translated names of stances, states and reasons, shared by pages, e-mails and exports."""

from flask_babel import lazy_gettext as _l

STANCE_LABELS = {
    "support": _l("Supports"),
    "oppose": _l("Opposes"),
    "neutral": _l("Neutral"),
    "amend": _l("Proposes new wording"),
}
STATE_LABELS = {
    "pending": _l("Awaiting moderation"),
    "approved": _l("Published"),
    "rejected": _l("Rejected"),
    "hidden": _l("Hidden by a moderator"),
    "withdrawn": _l("Withdrawn by the author"),
}
REJECTION_LABELS = {
    "spam": _l("spam or advertising"),
    "offensive": _l("offensive language"),
    "off_topic": _l("not about this draft"),
    "personal_data": _l("contains personal data"),
    "duplicate": _l("duplicates another comment"),
    "other": _l("other"),
}
FLAG_LABELS = {
    "spam": _l("Spam or advertising"),
    "offensive": _l("Offensive language"),
    "off_topic": _l("Not about this draft"),
    "personal_data": _l("Reveals personal data"),
    "other": _l("Something else"),
}

# How a comment reached the agency, next to its author's name; comments from this site's form carry no label.
CHANNEL_LABELS = {
    "web": _l("on this site"),
    "portal": _l("from another portal"),
    "letter": _l("by letter"),
    "hearing": _l("at a hearing"),
    "e-otinish": _l("through e-Otinish"),
    "other": _l("through another channel"),
}


def label(table: dict, code: str | None) -> str:
    return str(table.get(code or "", code or ""))
