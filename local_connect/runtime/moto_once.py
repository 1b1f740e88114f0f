"""moto's repeated work done once: the one block the engine enters for it.

Within it each update expression text (`moto_updates`) and condition expression text
(`moto_conditions`) is parsed once, and each new item's size is summed once (`moto_items`), with
moto's answers and errors unchanged. The engine's moto blocks (the analytics phase, `ccaas report
--records`, the flow router) enter all three through this one name, so their lists stay the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from local_connect.runtime.moto_conditions import cached_condition_expressions
from local_connect.runtime.moto_items import summed_item_sizes
from local_connect.runtime.moto_updates import cached_update_expressions


@contextmanager
def moto_once() -> Iterator[None]:
    """For the block, moto parses each expression text once and sums each item's size once."""
    with cached_update_expressions(), cached_condition_expressions(), summed_item_sizes():
        yield
