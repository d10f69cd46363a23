"""Translated names of screening hints, queue orders and moderation actions."""

from flask_babel import lazy_gettext as _l

HINT_LABELS = {
    "links": _l("several links"),
    "profanity": _l("insults or obscenities"),
    "iin": _l("an IIN"),
    "phone": _l("a phone number"),
    "email": _l("an e-mail address"),
    "passport": _l("a passport number"),
    "id_card": _l("an identity card number"),
    "bank_card": _l("a bank card number"),
}
ACCOUNT_STATE_LABELS = {
    "active": _l("Account active"),
    "suspended": _l("Account suspended"),
}
SORT_LABELS = {
    "oldest": _l("Oldest first"),
    "newest": _l("Newest first"),
    "largest": _l("Largest group first"),
    "flags": _l("Most flagged first"),
}
ACTION_LABELS = {
    "approve": _l("Approved"),
    "reject": _l("Rejected"),
    "hide": _l("Hidden"),
    "restore": _l("Restored"),
    "publish_masked": _l("Published with personal data masked"),
    "suspend": _l("Account suspended"),
    "unsuspend": _l("Suspension lifted"),
    "appeal_upheld": _l("Appeal rejected: decision upheld"),
    "appeal_overturned": _l("Appeal accepted: comment published"),
    "flags_dismissed": _l("Flags dismissed"),
    "review_requested": _l("Sent back to review by flags"),
    "ungroup": _l("Taken out of a group of similar comments"),
}
REASON_DESCRIPTIONS = {
    "spam": _l("Advertising, links to unrelated sites, or the same message posted again and again by one person."),
    "offensive": _l("Insults, obscenities, threats or hatred towards a person or a group."),
    "off_topic": _l("Not about this draft law or the part of it the comment is attached to."),
    "personal_data": _l(
        "Someone's IIN, passport, identity card or bank card number, phone number, address or e-mail. Where possible "
        "the comment is published with these masked."
    ),
    "duplicate": _l("The same text as another comment by the same author on the same part of the draft."),
    "other": _l("Any other breach of the law of the Republic of Kazakhstan; the moderator explains it in a note."),
}
