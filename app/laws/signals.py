"""Signals other domains subscribe to (notifications, search) without importing laws' views."""

from blinker import Namespace

_signals = Namespace()

# Sent with the new LawVersion after it is flushed (not yet committed).
version_published = _signals.signal("version-published")
# Sent with a LawVersion whose text changed in place (a language added or replaced).
version_changed = _signals.signal("version-changed")
# Sent with a Law whose status, titles or window changed.
law_changed = _signals.signal("law-changed")
# Sent with a Law whose status changed, with old= and new= (status values), after the flush.
law_status_changed = _signals.signal("law-status-changed")
# Sent by `flask laws list` with the listed laws, laws=[Law], and figures={law id: {}}: receivers add what other
# domains know of each draft ("comments": its published comments), in place. Nothing is stored.
laws_listed = _signals.signal("laws-listed")
