"""The routing rules hand-over from infra: every queue a rule names must come with its ARN."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lambdas.common.routing_rules import RoutingRules

ARN = "arn:aws:connect:us-east-1:123456789012:instance/i/queue/"


def test_rules_naming_a_queue_without_an_arn_are_refused() -> None:
    with pytest.raises(ValidationError, match="intents: support"):
        RoutingRules.model_validate(
            {
                "default_queue": "general",
                "queues": {"general": ARN + "g"},
                "intents": {"outage": "support"},
            }
        )


def test_minimal_rules_route_everything_to_the_default_queue() -> None:
    rules = RoutingRules.model_validate(
        {"default_queue": "general", "queues": {"general": ARN + "g"}}
    )
    assert rules.queue_arn("general") == ARN + "g"
    assert rules.base_priority == 5 and rules.repeat_contact.window_hours == 48
