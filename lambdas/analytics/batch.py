"""Powertools' Kinesis batch processor, extended to count a whole batch at once.

Powertools calls the record handler once per record and reports the records that raised as
`batchItemFailures`. Counting needs the whole batch at once (collapse versions per contact, one
write per aggregate key), so this processor runs in two steps inside Powertools' own machinery:
the record handler only parses (a malformed record fails alone, as Powertools intends), then
`process` hands every parsed record to the counter and turns the items it could not count into
failures, exactly as if their handler had raised. Powertools then builds the partial response
(and raises, making Lambda bisect the batch, only when every record failed).

Lambda's Kinesis checkpoint moves to the lowest failed sequence number, so records after a
failure are delivered again; the counter skips them (they are counted at their version already).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from lambdas.analytics.service import BatchOutcome
from lambdas.common.contact_records import ContactRecord

RawRecord = dict[str, Any]
Counter = Callable[[Sequence[tuple[int, ContactRecord]]], BatchOutcome[int]]


class ContactRecordBatchProcessor(BatchProcessor):
    """`outcome` holds the last batch's counting result (for metrics and logs)."""

    def __init__(self, count: Callable[[], Counter], **kwargs: Any) -> None:
        super().__init__(event_type=EventType.KinesisDataStreams, **kwargs)
        self._count = count
        self.outcome: BatchOutcome[int] = BatchOutcome()

    def process(self) -> list[tuple]:
        results = super().process()
        parsed: list[tuple[int, ContactRecord]] = [
            (index, result)
            for index, (status, result, _record) in enumerate(results)
            if status == "success"
        ]
        self.outcome = self._count()(parsed) if parsed else BatchOutcome()
        failed = set()
        for index, error in self.outcome.failed:
            raw: RawRecord = results[index][2]
            failed.add(id(raw))
            results[index] = self.failure_handler(
                record=KinesisStreamRecord(raw),
                exception=(type(error), error, error.__traceback__),
            )
        if failed:
            self.success_messages = [m for m in self.success_messages if id(m) not in failed]
        return results
