"""Names of decisions in the reader's language, for pages, e-mails and exports."""

from flask_babel import lazy_gettext as _l

DECISION_LABELS = {
    "accepted": _l("Accepted"),
    "partly_accepted": _l("Partly accepted"),
    # Not "Rejected": that is a moderation state ("Отклонён"); the agency's decision is "Не принято".
    "rejected": _l("Not accepted"),
    "not_applicable": _l("Not applicable"),
}
