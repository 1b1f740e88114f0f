"""The rehearsal end to end on a small day: flows -> ACD -> records -> KPIs -> tables and chart."""

from __future__ import annotations

from datetime import datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ContactCenterConfig
from lambdas.analytics.logic import summarize
from local_connect.acd import Outcome
from local_connect.records import metric_rows
from local_connect.records.presentation import kpi_table
from local_connect.rehearsal import (
    AnalyticsStage,
    Rehearsal,
    comparison_table,
    draw_day,
    rehearse,
)
from local_connect.rehearsal.chart import chart_lines
from local_connect.rehearsal.day import RoutedContacts, day_customers, route_day, staffing_steps
from local_connect.rehearsal.flow_router import flow_router
from local_connect.rehearsal.planning import callback_policy, local_zone, variant_config
from local_connect.scenarios import parse_scenario
from scripts.cli import main

SMALL: dict[str, Any] = {
    "name": "small",
    "description": "Two busy morning hours at a small office",
    "config": "dev",
    "date": "2026-12-01",
    "seed": 42,
    "service_level_seconds": 30,
    "demand": {
        "contacts": 300,
        "hourly": {9: 0.6, 10: 0.4},
        "intents": {
            "pay": {"share": 0.5, "routes_as": "billing"},
            "ask": {"share": 0.5, "routes_as": "other"},
        },
    },
    "customers": {"population": 250, "known_share": 0.5},
    "channels": {
        "voice": {
            "flow_seconds": {"kind": "fixed", "value": 30},
            "talk": {"kind": "exponential", "mean": 240},
            "hold": {"share": 0.2, "duration": {"kind": "fixed", "value": 40}},
            "after_contact_work": {"kind": "fixed", "value": 20},
            "patience": {"kind": "exponential", "mean": 150},
        },
        "chat": {
            "flow_seconds": {"kind": "fixed", "value": 10},
            "talk": {"kind": "exponential", "mean": 900},
            "patience": {"kind": "exponential", "mean": 600},
        },
    },
    "callbacks": {"accept_share": 0.5, "answer_share": 0.9},
    # 6 agents on frontline, where config dev has 4 people: a what-if beyond the roster.
    "staffing": {"frontline": {9: 6, 10: 6, 11: 0}},
    "staffing_beyond_people": True,
    "variants": {
        "phone": {"channels": ["voice"]},
        "blended": {
            "channels": ["voice", "chat"],
            "channel_mix": {"ask": {"voice": 0.5, "chat": 0.5}},
            "self_service": {"ask": {"chat": 0.2}},
            "reminders": {"appointments": 40, "intent": "ask", "calls_avoided": 0.5},
        },
    },
}


@pytest.fixture(scope="module")
def small_day(dev_config: ContactCenterConfig) -> Any:
    return rehearse(parse_scenario(SMALL), dev_config)


def test_every_contact_and_callback_becomes_exactly_one_record(small_day: Any) -> None:
    for run in small_day.runs:
        ids = [record["ContactId"] for record in run.records]
        assert len(ids) == len(set(ids))
        callbacks = [c for c in run.simulation.contacts if c.initiation_method == "CALLBACK"]
        assert len(ids) == len(run.contacts) + len(callbacks)
        assert {r["Channel"] for r in run.records} == (
            {"VOICE"} if run.name == "phone" else {"VOICE", "CHAT"}
        )


def test_reminders_sent_the_evening_before_lower_the_demand_they_act_on(small_day: Any) -> None:
    phone, blended = small_day.runs
    assert phone.reminders is None
    assert blended.reminders is not None and blended.reminders.counts == {"sent": 40}
    asked = [c for c in blended.contacts if c.intent == "ask"]
    paid = [c for c in blended.contacts if c.intent == "pay"]
    # Every reminded customer makes half as many "ask" contacts; "pay" is untouched.
    assert len(asked) < 0.7 * len(paid)


def test_kpis_agree_with_what_the_acd_did(small_day: Any) -> None:
    for run in small_day.runs:
        results = run.simulation.contacts
        total = run.total()
        assert total.handled == sum(1 for c in results if c.outcome is Outcome.HANDLED)
        assert total.abandoned == sum(1 for c in results if c.outcome is Outcome.ABANDONED)
        assert total.callbacks_requested == sum(
            1 for c in results if c.outcome is Outcome.CALLBACK_REQUESTED
        )
        assert 0 < total.abandoned < total.queued  # a busy day, not a broken one
    blended = small_day.runs[1]
    assert blended.total().self_service == sum(1 for c in blended.contacts if c.self_service) > 0


def test_the_same_scenario_gives_the_same_day(
    dev_config: ContactCenterConfig, small_day: Any
) -> None:
    again = rehearse(parse_scenario(SMALL), dev_config, variants=["phone"])
    assert again.runs[0].records == small_day.runs[0].records


def test_tables_and_chart(small_day: Any, tmp_path: Path) -> None:
    blended = small_day.runs[1]
    table = kpi_table(blended.rows, threshold_seconds=small_day.service_level_seconds)
    assert table.splitlines()[0].split()[:3] == ["channel", "queue", "contacts"]
    assert any(line.startswith("CHAT     general") for line in table.splitlines())
    comparison = comparison_table(small_day)
    assert "phone" in comparison and "blended" in comparison
    assert "voice volume vs phone" in comparison
    chart = draw_day(small_day, tmp_path / "day.png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_comparison_reads_its_kpis_from_the_variants_metric_rows(small_day: Any) -> None:
    # Given each variant's metric rows
    for run in small_day.runs:
        # When the comparison takes a channel's total, then it is the Kpis of those rows
        by_channel = summarize(run.rows, threshold_seconds=30, by_queue=False)
        assert run.total("VOICE") == by_channel[("VOICE", "")]
        # and the day's customer contacts are the records' customer-started ones
        assert run.total().inbound == run.inbound()


def test_the_chart_draws_each_variants_channels_with_their_queue_length(small_day: Any) -> None:
    lines = chart_lines(small_day)
    assert [line.label for line in lines] == ["phone voice", "blended voice", "blended chat"]
    blended_chat = lines[2]
    assert {key.channel for key, _ in blended_chat.rows} == {"CHAT"}
    assert max(waiting for _, waiting in blended_chat.waiting) > 0


def test_the_flows_are_seeded_with_each_caller_of_the_day_once(small_day: Any) -> None:
    contacts = small_day.runs[0].contacts
    callers = day_customers(contacts)
    assert len({person.index for person in callers}) == len(callers)
    assert {person.index for person in callers} == {c.customer.index for c in contacts}
    assert len(callers) < len(contacts)  # some called more than once (callbacks, repeats)
    assert callers[0] == contacts[0].customer


def test_the_bots_contacts_are_counted_from_the_attributes_the_flows_set(
    dev_config: ContactCenterConfig,
) -> None:
    # Given a short day whose callers meet the bot
    raw = {
        **SMALL,
        "demand": {**SMALL["demand"], "contacts": 120},
        "variants": {"bot": {"channels": ["voice"], "bot": True}},
        "self_service": {
            "pay": {
                "bot_intent": "CheckBalance",
                "try_share": 0.9,
                "abandon_share": 0.1,
                "fulfil_share": 0.5,
                "seconds": {"kind": "fixed", "value": 60},
            }
        },
    }
    # When it is rehearsed through the real flows
    (run,) = rehearse(parse_scenario(raw), dev_config).runs
    # Then the analytics count what the traffic drew, and the comparison says so
    drawn = [c.bot.outcome for c in run.contacts if c.bot is not None]
    total = run.total()
    assert total.bot_contacts == len(drawn) == len(run.contacts)
    assert total.bot_contained == drawn.count("contained") > 0
    assert total.bot_abandoned == drawn.count("abandoned") > 0
    contained = [c for c in run.contacts if c.bot is not None and c.bot.outcome == "contained"]
    saved = sum(c.talk + c.hold + c.after_contact_work for c in contained) / 3600
    assert run.agent_hours_saved() == pytest.approx(saved)
    comparison = comparison_table(Rehearsal(parse_scenario(raw), 30, [run], 0.0)).splitlines()
    rows = {line[:28].strip(): line[28:].strip() for line in comparison}
    assert rows["contained by the bot"] == (
        f"{total.bot_contained} ({total.bot_contained / total.bot_contacts:.0%})"
    )
    assert rows["bot abandonment"] == f"{total.bot_abandoned / total.bot_contacts:.1%}"
    assert rows["agent-hours saved"] == f"{saved:,.0f}"


def test_variant_config_switches_channels_and_the_bot_only(dev_config: ContactCenterConfig) -> None:
    voice = variant_config(dev_config, ["voice"])
    assert voice.channels.voice and not voice.channels.chat and not voice.channels.sms
    assert not voice.self_service.enabled
    assert variant_config(dev_config, ["voice"], bot=True).self_service.enabled
    assert voice.queues == dev_config.queues


@pytest.mark.long
def test_ccaas_rehearse_prints_the_tables_and_writes_chart_and_records(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from lambdas.analytics import handler as analytics
    from lambdas.crm_lookup import handler as crm_lookup
    from lambdas.routing import handler as routing

    # As in a long-lived process: the functions' modules already imported, logging at INFO.
    for module in (crm_lookup, routing, analytics):
        module.logger.setLevel("INFO")
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    chart = tmp_path / "small.png"
    code = main(
        [
            "rehearse",
            "--scenario",
            str(scenario),
            "--chart",
            str(chart),
            "--records-out",
            str(tmp_path),
            "--workers",
            "1",
        ]
    )
    out = capfd.readouterr().out
    assert code == 0
    assert "== phone:" in out and "== blended:" in out and "== comparison" in out
    assert "Staffing: synthetic agents beyond the 8 people of config dev" in out
    assert "entry flows run with their Lambdas: " in out
    assert "counted by the analytics handler" in out
    assert '"level":"INFO"' not in out  # the functions' logs stay out of the report
    sent_row = next(line for line in out.splitlines() if line.startswith("reminders sent"))
    assert sorted(sent_row.split()[-2:]) == ["-", "40"]  # phone: none; blended: all texted
    assert chart.is_file()
    lines = (tmp_path / "small-phone.jsonl").read_text(encoding="utf-8").splitlines()
    records = [yaml.safe_load(line) for line in lines]
    kpis = summarize(metric_rows(records, threshold_seconds=30), threshold_seconds=30)
    assert sum(k.contacts for k in kpis.values()) == len(lines)


def test_ccaas_rehearse_names_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = dict(SMALL, staffing={"nights": {9: 1}})
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert main(["rehearse", "--scenario", str(scenario)]) == 2
    assert "staffing.nights: not a routing profile of the config" in capsys.readouterr().err
    assert main(["rehearse", "--scenario", str(scenario).replace("broken", "absent")]) == 2


def test_the_analytics_handler_counts_the_day_as_the_records_say(
    dev_config: ContactCenterConfig, small_day: Any
) -> None:
    # Every variant: the metric rows the real analytics handler stores in the metrics table,
    # after the records went through the contact-record stream, are the rows the handler's
    # counting gives straight from the emitted records (the `records_only` stage).
    for run in small_day.runs:
        rows, source = AnalyticsStage(batch_size=50)(dev_config, run.records, 30)
        assert "counted by the analytics handler" in source
        stored = [(key, {n: v for n, v in counters.items() if v}) for key, counters in rows]
        assert stored == metric_rows(run.records, threshold_seconds=30), run.name


def test_variants_in_parallel_processes_play_the_same_days(
    dev_config: ContactCenterConfig, small_day: Any
) -> None:
    parallel = rehearse(parse_scenario(SMALL), dev_config, workers=2)
    assert [run.records for run in parallel.runs] == [run.records for run in small_day.runs]
    assert [run.routing for run in parallel.runs] == [run.routing for run in small_day.runs]


def test_a_day_routed_in_parts_is_the_day_routed_at_once(
    dev_config: ContactCenterConfig, small_day: Any
) -> None:
    run = small_day.runs[1]
    contacts = run.contacts
    day_start = datetime.combine(
        parse_scenario(SMALL).date, clock(0), tzinfo=local_zone(dev_config)
    )
    config = run.config
    whole = route_day(flow_router, config, contacts, day_start)
    third = len(contacts) // 3
    parts = [contacts[:third], contacts[third : 2 * third], contacts[2 * third :]]
    joined = RoutedContacts.joined([route_day(flow_router, config, p, day_start) for p in parts])
    assert joined.requests == whole.requests
    assert list(joined.ended_in_flow) == list(whole.ended_in_flow)
    assert joined.routed == whole.routed
    assert joined.tally == whole.tally
    assert sum(whole.tally.values()) == len(contacts) - sum(c.self_service for c in contacts)


def test_callbacks_retry_the_way_the_customer_queue_flow_books_them(
    dev_config: ContactCenterConfig,
) -> None:
    policy = callback_policy(dev_config, parse_scenario(SMALL))
    assert policy is not None
    # contact_flows/customer_queue.json: CreateCallbackContact MaximumConnectionAttempts "2",
    # RetryDelaySeconds "600"; config dev: callbacks offered after 120 s in queue.
    assert (policy.max_attempts, policy.retry_delay, policy.offer_after) == (2, 600.0, 120.0)
    off = dev_config.model_copy(
        update={"callbacks": dev_config.callbacks.model_copy(update={"enabled": False})}
    )
    assert callback_policy(off, parse_scenario(SMALL)) is None


def test_staffing_by_hour_becomes_steps_from_local_midnight() -> None:
    steps = staffing_steps({"frontline": {9: 14, 11: 0}, "bilingual": {10: 2}})
    assert [(s.profile, s.start, s.agents) for s in steps] == [
        ("frontline", 32_400.0, 14),
        ("frontline", 39_600.0, 0),
        ("bilingual", 36_000.0, 2),
    ]
