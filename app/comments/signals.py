"""What happens to comments, for other domains (notifications, search, moderation) to react to.

Every signal but comment_preparing is sent inside the transaction, after a flush; receivers may add rows but must not
commit.
"""

from blinker import Namespace

_signals = Namespace()

# sender: a Comment checked and built by the web form but not stored yet (no id, not in the session), before the
# write transaction opens: receivers may work out from its text what they will store on comment_created (screening,
# fingerprints), so that this work is done without holding the database's write lock. They must not write.
comment_preparing = _signals.signal("comment-preparing")
# sender: the Comment; sent when it is created in whatever state (pending or approved).
comment_created = _signals.signal("comment-created")
# sender: the Comment; sent when it becomes visible to everyone (published at once, or approved later).
comment_published = _signals.signal("comment-published")
# sender: the Comment; sent when a moderator rejects it (reason and note are on the comment).
comment_rejected = _signals.signal("comment-rejected")
# sender: the Comment; sent when its author edits it, corrects its language or withdraws it (app.comments.services),
# and by moderation when a moderator hides it (app.moderation.decisions) or enough flags send it back to review
# (app.moderation.flags).
comment_changed = _signals.signal("comment-changed")
# sender: the Comment; sent when a flag is added.
comment_flagged = _signals.signal("comment-flagged")
