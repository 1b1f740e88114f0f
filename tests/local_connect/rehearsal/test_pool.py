"""The rehearsal's steps in parallel: results in order, and no process left holding memory."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from local_connect.rehearsal.pool import parallel_map


def _square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def test_results_keep_the_order_of_the_items_and_each_is_heard_of_once() -> None:
    heard: list[int] = []
    results = parallel_map(2, _square_and_pid, [3, 1, 2, 5], heard.append)
    assert [square for square, _ in results] == [9, 1, 4, 25]
    assert sorted(heard) == [1, 2, 3, 5]


def test_a_step_forks_workers_and_ends_them_before_returning() -> None:
    results = parallel_map(2, _square_and_pid, [1, 2, 3, 4])
    assert {pid for _, pid in results} - {os.getpid()}  # the jobs ran in other processes
    assert multiprocessing.active_children() == []  # and none of them outlives the step


@pytest.mark.parametrize("workers", [1, 4])
def test_a_step_with_one_job_or_one_worker_runs_in_this_process(workers: int) -> None:
    items = [7] if workers > 1 else [7, 8]
    results = parallel_map(workers, _square_and_pid, items)
    assert {pid for _, pid in results} == {os.getpid()}


def _inverse(number: int) -> int:
    return 1 // number


def test_a_failed_job_fails_the_step() -> None:
    with pytest.raises(ZeroDivisionError):
        parallel_map(2, _inverse, [1, 0, 2])
