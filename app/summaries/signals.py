"""Signals other domains subscribe to (notifications) without importing the summaries' views."""

from blinker import Namespace

_signals = Namespace()

# Sent with the SummarySnapshot just submitted to its draft's committee, after the flush (not yet committed).
summary_submitted = _signals.signal("summary-submitted")

# Sent with a SummarySnapshot whose summary table was just made, with rows=[TableRow] and lang=: receivers fill in
# what other domains know of the rows (the agency's decision and reasoning), in place. Nothing is stored.
summary_table_made = _signals.signal("summary-table-made")
# Sent with a SummarySnapshot whose published document was just read, with document=dict: receivers add keys that
# are read live (the answers given since), in place; the stored snapshot and its content hash do not change.
summary_document_read = _signals.signal("summary-document-read")
