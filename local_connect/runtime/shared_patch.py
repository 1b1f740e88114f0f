"""A patch of a library that stays applied while any block, in any thread, is inside it.

The local engine speeds moto up by replacing a few of its functions for the length of a block
(`fast_dynamodb`, `item_level_rollback`, `cached_update_expressions`,
`cached_condition_expressions`, `summed_item_sizes`). Blocks nest and run in the rehearsal's
threads at once, so the first one in applies the patch and the last one out undoes it; a count
under a lock says which is which.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class SharedPatch:
    def __init__(self, apply: Callable[[], None], undo: Callable[[], None]) -> None:
        self._apply = apply
        self._undo = undo
        self._lock = threading.Lock()
        self._depth = 0

    @contextmanager
    def applied(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._apply()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    self._undo()
