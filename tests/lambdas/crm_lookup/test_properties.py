"""Property: whatever Connect (or anything else) sends, crm_lookup answers a flat string map."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.fuzz.strategies import flow_events, json_values
from tests.lambdas.crm_lookup.conftest import Crm

CONTRACT_KEYS = {"customerId", "customerFound", "isRepeatContact", "tier", "language"}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=flow_events() | json_values)
def test_any_event_gets_a_flat_string_map_and_never_raises(crm: Crm, event: Any) -> None:
    answer = crm.invoke(event)

    assert isinstance(answer, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items())
    assert set(answer) >= CONTRACT_KEYS
    assert answer["customerFound"] in ("true", "false")
    assert len(json.dumps(answer).encode()) < 32 * 1024
    assert len(crm.dynamodb.calls) <= 1
    crm.dynamodb.clear()
