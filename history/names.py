"""Where a stage's contact history lives in AWS, named once.

The CDK app creates the Glue database and the Athena workgroup under these names, and
`ccaas history` finds them by the same names, so neither has to read the other's outputs.
Stage names are lower-case letters, digits and '_' (config.primitives.NAME), which Glue database
names and Athena workgroup names both accept as they are.
"""

from __future__ import annotations

# The SQL files in history/sql/ name the table unqualified; the query runs in the stage's database.
TABLE_NAME = "contact_records"


def database_name(stage: str) -> str:
    """The stage's Glue database holding `contact_records`."""
    return f"contact_center_{stage}_history"


def workgroup_name(stage: str) -> str:
    """The stage's Athena workgroup: its results bucket, encryption and bytes-scanned limit."""
    return f"contact-center-{stage}-history"


# The archive bucket's layout: converted records under `records/dt=<day>/`, records Firehose
# could not convert (raw, so short-lived) under `errors/`.
RECORDS_PREFIX = "records/"
ERRORS_PREFIX = "errors/"
