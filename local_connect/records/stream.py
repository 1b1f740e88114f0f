"""The contact-record stream: Connect's Kinesis export of contact records, and Lambda's
Kinesis events read back from it."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any


class ContactRecordStream:
    """Connect's Kinesis export of contact records, played against a (moto) Kinesis stream.

    `put` writes records the way Connect does (JSON, partition key = ContactId); `lambda_events`
    reads them back in shard order and wraps them the way Lambda's Kinesis event source mapping
    hands them to a function (`{"Records": [{"kinesis": {"data": <base64>, ...}, ...}]}`).
    """

    PUT_LIMIT = 500  # PutRecords accepts at most 500 records per call

    def __init__(self, client: Any, stream_name: str) -> None:
        self.client = client
        self.name = stream_name
        description = client.describe_stream_summary(StreamName=stream_name)
        self.arn = description["StreamDescriptionSummary"]["StreamARN"]
        self.region = client.meta.region_name

    def put(self, records: Sequence[Mapping[str, Any]]) -> int:
        """Writes every record; returns how many Kinesis accepted (all, or it raises)."""
        written = 0
        for start in range(0, len(records), self.PUT_LIMIT):
            chunk = records[start : start + self.PUT_LIMIT]
            response = self.client.put_records(
                StreamName=self.name,
                Records=[
                    {
                        "Data": json.dumps(record, separators=(",", ":")).encode("utf-8"),
                        "PartitionKey": str(record["ContactId"]),
                    }
                    for record in chunk
                ],
            )
            if response.get("FailedRecordCount"):
                raise RuntimeError(
                    f"Kinesis rejected {response['FailedRecordCount']} contact record(s)"
                )
            written += len(chunk)
        return written

    def lambda_events(self, batch_size: int = 100) -> Iterator[dict[str, Any]]:
        """Everything in the stream, as Lambda Kinesis events of at most `batch_size` records."""
        shards = self.client.list_shards(StreamName=self.name)["Shards"]
        for shard in shards:
            iterator = self.client.get_shard_iterator(
                StreamName=self.name,
                ShardId=shard["ShardId"],
                ShardIteratorType="TRIM_HORIZON",
            )["ShardIterator"]
            batch: list[dict[str, Any]] = []
            while True:
                # One batch per read, not GetRecords' 10,000: a day's records read at once held
                # tens of MB more at the rehearsal's peak, for the same events.
                response = self.client.get_records(ShardIterator=iterator, Limit=batch_size)
                if not response["Records"]:
                    break  # caught up with the end of the shard: the day is fully read
                for item in response["Records"]:
                    batch.append(self._event_record(shard["ShardId"], item))
                    if len(batch) == batch_size:
                        yield {"Records": batch}
                        batch = []
                iterator = response["NextShardIterator"]
            if batch:
                yield {"Records": batch}

    def _event_record(self, shard_id: str, item: Mapping[str, Any]) -> dict[str, Any]:
        arrival = item.get("ApproximateArrivalTimestamp")
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": item["PartitionKey"],
                "sequenceNumber": item["SequenceNumber"],
                "data": base64.b64encode(item["Data"]).decode("ascii"),
                "approximateArrivalTimestamp": arrival.timestamp() if arrival else time.time(),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{shard_id}:{item['SequenceNumber']}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": f"arn:aws:iam::{self.arn.split(':')[4]}:role/rehearsal-analytics",
            "awsRegion": self.region,
            "eventSourceARN": self.arn,
        }
