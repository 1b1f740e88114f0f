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
) -> Iterator[Mapping[str, str]]:
    """`variables` set and `drop` removed for the block; afterwards the whole environment is
    as it was before, including whatever the block itself set (a handler's settings, say).
    Yields the environment as it was before the block."""
    saved = dict(os.environ)
    for name in drop:
        os.environ.pop(name, None)
    os.environ.update(variables)
    try:
        yield saved
    finally:
        # Only what differs is put back: the local Lambda runtime enters this block for every
        # invocation, and rewriting the whole environment each time costs more than the diff.
        current = dict(os.environ)
        for name in current.keys() - saved.keys():
            del os.environ[name]
        for name, value in saved.items():
            if current.get(name) != value:
                os.environ[name] = value
