"""What happens to answers, for other domains (notifications) to react to without importing answers' views.

Every signal is sent inside the transaction, after a flush; receivers may add rows but must not commit.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Answer; comments=[Comment]: the comments it now reaches that had no answer or another one.
answer_given = _signals.signal("answer-given")
# sender: the Answer, after a correction; comments=[Comment]: every comment it reaches.
answer_corrected = _signals.signal("answer-corrected")
# sender: the Answer, linked to the unit that changed because of it; comments=[Comment]: every comment it reaches.
answer_traced = _signals.signal("answer-traced")
