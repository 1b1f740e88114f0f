"""moto's update and condition expressions, each text parsed once: the one block to enter.

The engine's moto blocks (the analytics phase, `ccaas report --records`, the flow router) want
both caches; entering them through one name keeps every block's list the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from local_connect.runtime.moto_conditions import cached_condition_expressions
from local_connect.runtime.moto_updates import cached_update_expressions


@contextmanager
def cached_expressions() -> Iterator[None]:
    """For the block, moto parses each update and condition expression text once."""
    with cached_update_expressions(), cached_condition_expressions():
        yield
