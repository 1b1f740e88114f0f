"""What a rehearsal produced: each variant's day (`VariantRun`) and the whole run (`Rehearsal`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from config import ContactCenterConfig
from lambdas.analytics.logic import Kpis, summarize
from local_connect.acd import Outcome, SimulationResult
from local_connect.records import MetricRow
from local_connect.rehearsal.reminders import ReminderTraffic
from local_connect.scenarios import Scenario
from local_connect.scenarios.traffic import ArrivingContact


@dataclass
class VariantRun:
    name: str
    description: str
    config: ContactCenterConfig
    contacts: list[ArrivingContact]
    simulation: SimulationResult
    records: list[dict[str, Any]]
    rows: list[MetricRow]  # the metrics table after the analytics counted the records
    kpi_source: str
    service_level_seconds: int
    day_start: datetime  # local midnight: the ACD's clock counts seconds from it
    routing: str
    timings: dict[str, float]
    reminders: ReminderTraffic | None = None

    def total(self, channel: str | None = None) -> Kpis:
        """The day's KPIs of one channel, or of all."""
        total = Kpis()
        by_channel = summarize(
            self.rows, threshold_seconds=self.service_level_seconds, by_queue=False
        )
        for (record_channel, _), kpis in by_channel.items():
            if channel is None or record_channel == channel:
                total.add(kpis)
        return total

    def outcomes(self, outcome: Outcome, channel: str | None = None) -> int:
        return sum(
            1
            for c in self.simulation.contacts
            if c.outcome is outcome and (channel is None or c.channel == channel)
        )

    def callbacks(self) -> int:
        """Callback contacts booked: from the queue's offer and from the queue-full branch."""
        return sum(1 for c in self.simulation.contacts if c.initiation_method == "CALLBACK")

    def agent_hours_saved(self) -> float:
        """Agent handle time (talk, hold, after-contact work) the contacts the bot served would
        have needed, as drawn for them; a chat counts whole, although an agent may hold several
        at once, so on chat channels it is an upper bound."""
        contained = (c for c in self.contacts if c.bot is not None and c.bot.outcome == "contained")
        return sum(c.talk + c.hold + c.after_contact_work for c in contained) / 3600

    def inbound(self, channel: str | None = None) -> int:
        """Contacts customers started (callbacks excluded), including those ended in the flow."""
        return sum(
            1 for contact in self.contacts if channel is None or contact.connect_channel == channel
        )


@dataclass
class Rehearsal:
    scenario: Scenario
    service_level_seconds: int
    runs: list[VariantRun]
    wall_seconds: float

    @property
    def contacts(self) -> int:
        return sum(len(run.contacts) for run in self.runs)
