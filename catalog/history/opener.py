"""A database opened once and kept, for a long-running server: a failure is remembered, then tried again."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from catalog.history.store import Store, StoreError

#: Seconds a database that could not be opened is left alone before the next try (not on every rerun).
RETRY_AFTER_S = 60.0


class Opener:
    """Opens one database once and keeps it; a failure is remembered for `RETRY_AFTER_S`, then tried again."""

    def __init__(self, url: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self._clock = clock
        self._store: Store | None = None
        self._problem: str | None = None
        self._failed_at = -math.inf
        self._lock = threading.Lock()

    def open(self) -> tuple[Store | None, str | None]:
        """The store, or None and why it cannot be opened. A default SQLite file that does not exist yet is
        created here: it is the user's own."""
        with self._lock:
            if self._store is None and self._clock() - self._failed_at >= RETRY_AFTER_S:
                try:
                    store = Store(self.url)
                    store.revision()  # readable, not only reachable
                except StoreError as error:
                    self._problem, self._failed_at = str(error), self._clock()
                else:
                    self._store, self._problem = store, None
            return self._store, self._problem
