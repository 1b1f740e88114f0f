"""Environment variables for the length of a block: how the local engine sets what Lambda's
runtime (or the user's shell) would, and puts it back afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """`variables` set for the block and put back as they were afterwards."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def isolated_environment(
    variables: Mapping[str, str], *, drop: Iterable[str] = ()
) -> Iterator[None]:
    """`variables` set and `drop` removed for the block; afterwards the whole environment is
    as it was before, including whatever the block itself set (a handler's settings, say)."""
    saved = dict(os.environ)
    for name in drop:
        os.environ.pop(name, None)
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
