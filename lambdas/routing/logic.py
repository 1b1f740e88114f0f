"""Routing decisions, without I/O: target queue and priority from the config's routing rules.

Queue, first rule that applies:
1. language: the customer's language has its own queue (`routing.languages`): an agent who
   speaks it matters more than which team usually handles the topic;
2. repeat contact: a contact within the window whose intent names no specific queue (none,
   unknown, or one that maps to the default queue, like "other", which chat, email and task
   flows always send) goes back to the queue that handled the last contact
   (`repeat_contact.same_queue`). A caller who chose a specific, different service is taken at
   their word: the last contact's queue is a guess about today, the menu choice is not;
3. intent: the menu or chat choice (`routing.intents`);
4. otherwise the default queue.

A language queue keeps its own hours. When the language rule chose the queue, the decision also
names the *alternate*: the queue the other rules choose. The flows check the chosen queue's hours
and move a contact the language queue cannot take now (closed, e.g. an outage reported on a
holiday) to the alternate, so an open queue answers instead of a closed one holding the contact.

Priority (1 is served first, Connect's range 1..100): `base_priority`, lowered to the tier's
`tier_priority` when that is better (VIP), then lowered by `repeat_contact.priority_boost` for a
repeat contact. Both adjustments apply whichever rule chose the queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from lambdas.common.flow_events import FlowRequest
from lambdas.common.identification import is_repeat_contact, language_hint
from lambdas.common.profiles import CustomerProfile
from lambdas.common.routing_rules import MAX_PRIORITY, MIN_PRIORITY, RoutingRules

CRM_ANSWER_FLAG = "customerFound"  # set on the contact by the flow from crm_lookup's answer


class CustomerContext(BaseModel):
    """What routing knows about the customer; the default is an unknown customer."""

    found: bool = False
    customer_id: str = ""
    tier: str = ""
    language: str = ""
    is_repeat: bool = False
    last_queue: str = ""


class RouteDecision(BaseModel):
    queue_name: str
    queue_arn: str
    priority: int = Field(ge=MIN_PRIORITY, le=MAX_PRIORITY)
    reasons: tuple[str, ...]
    alternate_queue_name: str
    alternate_queue_arn: str
    alternate_reasons: tuple[str, ...]

    def as_attributes(self) -> dict[str, str]:
        """The flow's contract: UpdateContactTargetQueue takes queueArn (alternateQueueArn when
        the chosen queue is closed); priority is a string."""
        return {
            "queueArn": self.queue_arn,
            "queueName": self.queue_name,
            "priority": str(self.priority),
            "routingReason": ",".join(self.reasons),
            "alternateQueueArn": self.alternate_queue_arn,
            "alternateQueueName": self.alternate_queue_name,
            "alternateRoutingReason": ",".join(self.alternate_reasons),
        }


def requested_intent(request: FlowRequest) -> str:
    """The flow passes the menu choice as the block's `intent` parameter (or attribute)."""
    return (request.value("intent") or "").strip().lower()


def context_from_attributes(request: FlowRequest, rules: RoutingRules) -> CustomerContext | None:
    """The crm_lookup answer the flow copied onto the contact, or None when it is not there or
    lacks what the rules need (then routing looks the customer up itself: one round trip)."""
    found = request.attributes.get(CRM_ANSWER_FLAG, "").strip().lower()
    if found not in ("true", "false"):
        return None
    if found == "false":
        return CustomerContext(language=language_hint(request))
    attributes = request.attributes
    is_repeat = attributes.get("isRepeatContact", "").strip().lower() == "true"
    last_queue = attributes.get("lastContactQueue", "").strip()
    if is_repeat and rules.repeat_contact.same_queue and not last_queue:
        return None
    return CustomerContext(
        found=True,
        customer_id=attributes.get("customerId", "").strip(),
        tier=attributes.get("tier", "").strip().lower(),
        language=_primary_language(attributes.get("language", "")),
        is_repeat=is_repeat,
        last_queue=last_queue,
    )


def context_from_profile(
    profile: CustomerProfile | None,
    request: FlowRequest,
    *,
    now: datetime,
    rules: RoutingRules,
) -> CustomerContext:
    if profile is None:
        return CustomerContext(language=language_hint(request))
    window = timedelta(hours=rules.repeat_contact.window_hours)
    return CustomerContext(
        found=True,
        customer_id=profile.customer_id,
        tier=profile.tier.lower(),
        language=_primary_language(profile.language),
        is_repeat=is_repeat_contact(profile, request, now=now, window=window),
        last_queue=profile.last_contact_queue or "",
    )


def decide_route(intent: str, customer: CustomerContext, rules: RoutingRules) -> RouteDecision:
    alternate, alternate_reasons = _queue_without_language(intent, customer, rules)
    if customer.language in rules.languages:
        queue, reasons = rules.languages[customer.language], [f"language:{customer.language}"]
    else:
        queue, reasons = alternate, list(alternate_reasons)

    priority = rules.base_priority
    adjustments: list[str] = []
    tier_priority = rules.tier_priority.get(customer.tier)
    if tier_priority is not None and tier_priority < priority:
        priority = tier_priority
        adjustments.append(f"tier:{customer.tier}")
    if customer.is_repeat and rules.repeat_contact.priority_boost:
        priority -= rules.repeat_contact.priority_boost
        adjustments.append("repeat_contact_boost")
    return RouteDecision(
        queue_name=queue,
        queue_arn=rules.queue_arn(queue),
        priority=min(MAX_PRIORITY, max(MIN_PRIORITY, priority)),
        reasons=(*reasons, *adjustments),
        alternate_queue_name=alternate,
        alternate_queue_arn=rules.queue_arn(alternate),
        alternate_reasons=(*alternate_reasons, *adjustments),
    )


def _queue_without_language(
    intent: str, customer: CustomerContext, rules: RoutingRules
) -> tuple[str, list[str]]:
    """Rules 2-4: the queue for the contact when its language does not decide."""
    intent_queue = rules.intents.get(intent)
    if (
        customer.is_repeat
        and rules.repeat_contact.same_queue
        and customer.last_queue in rules.queues
        and intent_queue in (None, rules.default_queue)
    ):
        return customer.last_queue, ["repeat_contact_queue"]
    if intent_queue is not None:
        return intent_queue, [f"intent:{intent}"]
    return rules.default_queue, ["default"]


def default_route(rules: RoutingRules) -> RouteDecision:
    """The safe default when nothing else can be decided: the default queue, base priority."""
    return RouteDecision(
        queue_name=rules.default_queue,
        queue_arn=rules.queue_arn(rules.default_queue),
        priority=rules.base_priority,
        reasons=("fallback",),
        alternate_queue_name=rules.default_queue,
        alternate_queue_arn=rules.queue_arn(rules.default_queue),
        alternate_reasons=("fallback",),
    )


def _primary_language(raw: str) -> str:
    return raw.strip().lower().replace("_", "-").split("-")[0]
