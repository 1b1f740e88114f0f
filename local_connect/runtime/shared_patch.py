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
from typing import Any


class SharedPatch:
    def __init__(self, apply: Callable[[], None], undo: Callable[[], None]) -> None:
        self._apply = apply
        self._undo = undo
        self._lock = threading.Lock()
        self._depth = 0

    @classmethod
    def replacing(cls, *replacements: tuple[Any, str, Any]) -> SharedPatch:
        """A patch that sets each (owner, name) to its replacement and puts back what was there
        when the patch was made (the raw class attribute, so a classmethod stays one)."""
        originals = [
            (owner, name, vars(owner)[name] if name in vars(owner) else getattr(owner, name))
            for owner, name, _ in replacements
        ]

        def apply() -> None:
            for owner, name, replacement in replacements:
                setattr(owner, name, replacement)

        def undo() -> None:
            for owner, name, original in originals:
                setattr(owner, name, original)

        return cls(apply, undo)

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
