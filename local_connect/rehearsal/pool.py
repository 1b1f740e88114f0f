"""The rehearsal's jobs in parallel: a pool of forked processes for one step, or this process."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any


def parallel_map(
    workers: int,
    function: Callable[[Any], Any],
    items: Sequence[Any],
    finished: Callable[[Any], object] = lambda item: None,
) -> list[Any]:
    """`function` over `items`, results in the order of the items; `finished` hears of each
    item as its job ends, in this process.

    Each call forks its own pool (the workers inherit the imported modules and the data so
    far), of no more processes than there are items, and ends it before returning: a worker
    that stays idle after its step still holds all the memory it grew, and a step with a
    single job runs here rather than in a copy of this process. Peak memory is what lets a
    day of 15,000 contacts fit in 500 MB (docs/performance.md).
    """
    size = min(workers, len(items))
    if size <= 1:
        results = []
        for item in items:
            results.append(function(item))
            finished(item)
        return results
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=size, mp_context=context) as pool:
        jobs = {pool.submit(function, item): item for item in items}
        for job in as_completed(jobs):
            job.result()  # a failed job fails the step at once
            finished(jobs[job])
        return [job.result() for job in jobs]
