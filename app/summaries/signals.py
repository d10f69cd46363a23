"""Signals other domains subscribe to (notifications) without importing the summaries' views."""

from blinker import Namespace

_signals = Namespace()

# Sent with the SummarySnapshot just submitted to its draft's committee, after the flush (not yet committed).
summary_submitted = _signals.signal("summary-submitted")
