"""The pipeline's alarms: one breach of one period is worth a look, and no data is no trouble.

Every alarm outside the KPI ones (which `Observability` builds from the config's thresholds)
watches a failure signal: a record not converted, a batch given up on, a queue with a message,
a stream falling behind. Such a signal fires on its first occurrence, and a metric with no data
means nothing happened (a quiet stream publishes nothing), so they share their evaluation and
their missing-data treatment here.
"""

from __future__ import annotations

from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct


def failure_alarm(
    scope: Construct,
    construct_id: str,
    *,
    metric: cloudwatch.IMetric,
    description: str,
    at_least: float | None = None,
    over: float | None = None,
) -> cloudwatch.Alarm:
    """Alarms when one period's `metric` reaches `at_least` (>=) or passes `over` (>)."""
    if (at_least is None) == (over is None):
        raise ValueError("give exactly one of at_least and over")
    return cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_description=description,
        metric=metric,
        threshold=at_least if at_least is not None else over,
        comparison_operator=(
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
            if at_least is not None
            else cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
        ),
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
