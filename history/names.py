"""The names of a stage's history resources in AWS, without the CDK: the CDK app gives the Glue
database and the Athena workgroup these names, and `ccaas history` finds them by them."""

from __future__ import annotations


def workgroup_name(stage: str) -> str:
    """The stage's Athena workgroup (letters, digits, `.`, `_` and `-` are allowed)."""
    return f"contact-history-{stage}"


def database_name(stage: str) -> str:
    """The stage's Glue database: Athena takes only lower-case letters, digits and `_` in a
    database name (https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html)."""
    return f"contact_history_{stage.lower().replace('-', '_')}"
