"""What a search process keeps between searches: values by key, the least recently used dropped past a budget."""

import threading
from collections import OrderedDict
from collections.abc import Callable


class Kept:
    """Values by key, the least recently used dropped once what weigh() counts of them all passes `budget`, or past
    `size` entries (the last one added always stays). Searches read and write it from several threads: one lock around
    each step."""

    def __init__(self, budget: int | None = None, size: int | None = None, weigh: Callable[[object], int] = len):
        self.budget, self.size, self.weigh, self.held = budget, size, weigh, 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            found = self._entries.get(key, default)
            if found is not default:
                self._entries.move_to_end(key)
            return found

    def __setitem__(self, key, value) -> None:
        with self._lock:
            if key in self._entries:
                self.held -= self.weigh(self._entries.pop(key))
            self._entries[key] = value
            self.held += self.weigh(value)
            while len(self._entries) > 1 and (
                (self.budget is not None and self.held > self.budget)
                or (self.size is not None and len(self._entries) > self.size)
            ):
                self.held -= self.weigh(self._entries.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.held = 0
