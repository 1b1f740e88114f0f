"""The pipeline's failure alarms: one period at or over the threshold alarms, no data does not."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk.assertions import Template

from infra.constructs.alarms import failure_alarm

METRIC = cloudwatch.Metric(namespace="Test", metric_name="Failures", statistic="Sum")


@pytest.mark.parametrize(
    ("threshold", "operator"),
    [
        ({"at_least": 1}, "GreaterThanOrEqualToThreshold"),
        ({"over": 3600}, "GreaterThanThreshold"),
    ],
)
def test_a_failure_alarm_fires_on_its_first_breaching_period(
    threshold: dict[str, float], operator: str
) -> None:
    stack = cdk.Stack(cdk.App(), "Alarms")
    failure_alarm(stack, "Alarm", metric=METRIC, description="why it matters", **threshold)
    Template.from_stack(stack).has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "AlarmDescription": "why it matters",
            "ComparisonOperator": operator,
            "Threshold": next(iter(threshold.values())),
            "EvaluationPeriods": 1,
            "TreatMissingData": "notBreaching",
        },
    )


@pytest.mark.parametrize("threshold", [{}, {"at_least": 1, "over": 1}])
def test_a_failure_alarm_needs_exactly_one_threshold(threshold: dict[str, float]) -> None:
    stack = cdk.Stack(cdk.App(), "Alarms")
    with pytest.raises(ValueError, match="exactly one"):
        failure_alarm(stack, "Alarm", metric=METRIC, description="d", **threshold)
