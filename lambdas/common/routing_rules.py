"""The routing rules the routing function applies, as infra hands them over (one JSON env var).

Infra builds this JSON from `config.routing` and the deployed queues (queue name -> queue ARN,
resolved by CloudFormation), so the function needs no Connect API call to find a queue and
config/model.py stays the one place where rules are written and validated. This model checks
the hand-over: every queue a rule names has an ARN.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

MIN_PRIORITY = 1
MAX_PRIORITY = 100  # Connect's queue priority range; 1 is served first
DEFAULT_BASE_PRIORITY = 5


class RepeatContactPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    window_hours: int = Field(default=48, ge=1, le=720)
    priority_boost: int = Field(default=2, ge=0, le=99)
    same_queue: bool = True


class RoutingRules(BaseModel):
    """`config.routing` with queue names resolved to ARNs; see config/model.py for meanings."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    default_queue: str
    queues: dict[str, str] = Field(min_length=1, description="queue name -> queue ARN")
    intents: dict[str, str] = Field(default_factory=dict, description="intent -> queue name")
    base_priority: int = Field(default=DEFAULT_BASE_PRIORITY, ge=MIN_PRIORITY, le=MAX_PRIORITY)
    tier_priority: dict[str, int] = Field(default_factory=dict)
    languages: dict[str, str] = Field(default_factory=dict, description="language -> queue")
    repeat_contact: RepeatContactPolicy = RepeatContactPolicy()

    @model_validator(mode="after")
    def _every_named_queue_has_an_arn(self) -> Self:
        named = {
            "default_queue": [self.default_queue],
            "intents": list(self.intents.values()),
            "languages": list(self.languages.values()),
        }
        missing = sorted(
            f"{rule}: {queue}"
            for rule, queues in named.items()
            for queue in queues
            if not self.queues.get(queue)
        )
        if missing:
            raise ValueError(f"queues without an ARN: {', '.join(missing)}")
        for tier, priority in self.tier_priority.items():
            if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
                raise ValueError(f"tier_priority.{tier}: {priority} is outside 1..100")
        return self

    def queue_arn(self, name: str) -> str:
        return self.queues[name]
