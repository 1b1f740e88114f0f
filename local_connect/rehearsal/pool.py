"""The rehearsal's jobs in parallel: a pool of forked processes, or this process alone."""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

# (function, inputs, called with each input as its job finishes) -> results in input order
Mapper = Callable[[Callable[[Any], Any], Sequence[Any], Callable[[Any], object]], list[Any]]


@contextlib.contextmanager
def process_pool(workers: int) -> Iterator[Mapper]:
    """`map` over a pool of forked processes (they inherit the imported modules), or in this
    process when there is one worker. Results keep the order of the inputs either way."""
    if workers <= 1:

        def in_process(
            function: Callable[[Any], Any], items: Sequence[Any], finished: Callable[[Any], object]
        ) -> list[Any]:
            results = []
            for item in items:
                results.append(function(item))
                finished(item)
            return results

        yield in_process
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:

        def in_pool(
            function: Callable[[Any], Any], items: Sequence[Any], finished: Callable[[Any], object]
        ) -> list[Any]:
            jobs = {pool.submit(function, item): item for item in items}
            for job in as_completed(jobs):
                job.result()  # a failed job fails the step at once
                finished(jobs[job])
            return [job.result() for job in jobs]

        yield in_pool
