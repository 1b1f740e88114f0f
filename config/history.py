"""The `history:` section: the contact-record archive in S3 and the Athena workgroup over it.

Kept in its own module, like `people`, so the stage model only includes it. On by default: at
rest it costs S3 storage only (Firehose, Glue and Athena bill per GB moved or scanned).
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from config.primitives import StrictModel

# S3 moves an object to Standard-IA no earlier than 30 days after it was written
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html).
IA_MINIMUM_DAYS = 30
# Athena refuses a per-query cutoff under 10 MB (10,485,760 bytes: BytesScannedCutoffPerQuery,
# https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html).
ATHENA_MINIMUM_SCAN_MB = 10
BYTES_PER_MB = 1024 * 1024


class HistoryConfig(StrictModel):
    """The contact-record archive in S3 and the Athena workgroup over it (docs/history-archive.md)."""

    enabled: bool = Field(
        default=True,
        description="Archive every contact record in S3 as Parquet and query it with Athena "
        "(`ccaas history`). At rest it costs S3 storage only.",
    )
    infrequent_access_after_days: int = Field(
        default=90,
        ge=IA_MINIMUM_DAYS,
        description="Days after which archived records move to S3 Standard-IA (S3's minimum: 30).",
    )
    expire_after_days: int | None = Field(
        default=1095,
        ge=1,
        description="Days after which archived records are deleted; null keeps them for ever.",
    )
    error_records_days: int = Field(
        default=7,
        ge=1,
        le=30,
        description="Days a record Firehose could not convert is kept under `errors/`: it is "
        "the raw contact record, customer's address included, so it lives briefly.",
    )
    bytes_scanned_limit_mb: int = Field(
        default=1000,
        ge=ATHENA_MINIMUM_SCAN_MB,
        description="Athena cancels a query of the workgroup that would scan more than this "
        "many MB (MiB; Athena's minimum is 10).",
    )
    results_days: int = Field(
        default=7,
        ge=1,
        description="Days Athena's query results are kept in their bucket.",
    )

    @model_validator(mode="after")
    def _expiry_after_transition(self) -> Self:
        # One lifecycle rule holds both actions; S3 rejects an expiry not after the transition.
        expire = self.expire_after_days
        if expire is not None and expire <= self.infrequent_access_after_days:
            raise ValueError(
                f"expire_after_days ({expire}) must be later than "
                f"infrequent_access_after_days ({self.infrequent_access_after_days}), or null"
            )
        return self

    @property
    def bytes_scanned_limit(self) -> int:
        return self.bytes_scanned_limit_mb * BYTES_PER_MB
