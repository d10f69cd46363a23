"""Signals other domains subscribe to (notifications, search) without importing laws' views."""

from blinker import Namespace

_signals = Namespace()

# Sent with the new LawVersion after it is flushed (not yet committed).
version_published = _signals.signal("version-published")
