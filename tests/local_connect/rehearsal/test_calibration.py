"""Calibration: a scenario parameter fitted until the baseline reproduces an observed KPI."""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ContactCenterConfig
from local_connect.rehearsal import calibration as calibration_module
from local_connect.rehearsal.calibration import (
    Calibration,
    CalibrationError,
    fit,
    parameter_of,
    parse_target,
)
from local_connect.rehearsal.routing import FlowOutcome
from local_connect.scenarios import load_scenario
from local_connect.scenarios.traffic import ArrivingContact, Customer
from scripts.cli import main
from tests.local_connect.rehearsal.test_rehearsal import SMALL

# A voice-only morning whose callers of intent "pay" may end in the flow served: the share of
# customer contacts ending in the flow (the self_service KPI) is, give or take the draws, that
# share, which is the answer calibration must find.
TINY: dict[str, Any] = {
    **copy.deepcopy(SMALL),
    "demand": {
        **SMALL["demand"],
        "contacts": 240,
        "intents": {"pay": SMALL["demand"]["intents"]["pay"] | {"share": 1.0}},
    },
    "variants": {"phone": {"channels": ["voice"], "self_service": {"pay": {"voice": 0.1}}}},
}
ROUTED: Counter[str] = Counter()


class EveryoneToGeneral:
    """A stand-in for the entry flows that counts the contacts it is asked about."""

    def __init__(self, config: ContactCenterConfig, population: Sequence[Customer]) -> None:
        pass

    def route(self, contact: ArrivingContact, at: datetime) -> FlowOutcome:
        ROUTED[contact.contact_id] += 1
        return FlowOutcome(queue="general")

    def tally(self) -> Counter[str]:
        return Counter()


def calibration(dev_config: ContactCenterConfig, kpi: str, parameter: str) -> Calibration:
    return Calibration(
        TINY,
        "tiny.yaml",
        dev_config,
        "phone",
        parse_target(kpi),
        parameter_of(TINY, parameter, "phone"),
        router_factory=EveryoneToGeneral,
    )


def test_fit_finds_the_root_of_a_monotone_kpi_in_a_few_tries() -> None:
    # Given a KPI falling with the parameter, 35% at 185.7 (1 / (1 + x/100))
    found = fit(lambda x: 1 / (1 + x / 100), 0.35, 420)
    # Then the fit lands within one point, bracketing and narrowing in a handful of tries
    assert abs(found.measured - 0.35) <= 0.01
    assert 170 < found.value < 200 and len(found.trials) <= 6
    # and a whole parameter lands on a whole value
    assert fit(lambda x: x / 1000, 0.35, 100, integer=True).value == 350


def test_a_target_beyond_the_parameters_reach_is_named_with_what_it_can_reach() -> None:
    with pytest.raises(CalibrationError, match=r"50.0% is out of reach: .* spans only 26.0%-30.0%"):
        fit(lambda share: 0.2 + 0.1 * share, 0.5, 0.6, upper=1.0)


def test_calibration_converges_on_a_small_day_with_a_known_answer(
    dev_config: ContactCenterConfig,
) -> None:
    # Given a day where the self-service rate follows the share of callers served in the flow
    ROUTED.clear()
    calibrate = calibration(dev_config, "self_service=30%", "variants.phone.self_service.pay.voice")
    # When that share is fitted to a 30% self-service rate
    found = calibrate.run()
    # Then it is found near 0.30, and each contact went through the flows only once
    assert abs(found.measured - 0.30) <= 0.01
    assert abs(found.value - 0.30) < 0.06
    assert len(found.trials) > 2 and set(ROUTED.values()) == {1}


def test_a_parameter_the_kpi_does_not_follow_cannot_be_calibrated(
    dev_config: ContactCenterConfig,
) -> None:
    calibrate = calibration(dev_config, "self_service=30%", "channels.voice.talk.mean")
    with pytest.raises(CalibrationError, match=r"does not move .* cannot reach 30.0%"):
        calibrate.run()


def test_targets_and_parameters_are_read_as_the_help_says() -> None:
    assert parse_target("voice.abandonment=35%") == parse_target("voice.abandonment=0.35")
    assert parse_target("abandonment=35%").channel is None
    raw = yaml.safe_load(Path("local_connect/scenarios/dmv.yaml").read_text(encoding="utf-8"))
    hour = parameter_of(raw, "staffing.frontline.9", "voice_only")
    assert hour.path == ("staffing", "frontline", 9) and hour.integer and hour.start == 104
    scaled = parameter_of(raw, "staffing", "voice_only").apply(raw, 0.5)
    assert scaled["staffing"]["frontline"][9] == 52 and raw["staffing"]["frontline"][9] == 104
    assert parameter_of(raw, "customers.known_share", "voice_only").upper == 1.0
    assert parameter_of(raw, "channels.voice.patience.mean", "voice_only").upper == math.inf


def test_ccaas_rehearse_calibrate_writes_a_copy_and_keeps_the_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calibration_module, "flow_router", EveryoneToGeneral)
    source = tmp_path / "tiny.yaml"
    source.write_text(yaml.safe_dump({**TINY, "demand": {**TINY["demand"], "contacts": 80}}))
    before = source.read_text()
    out = tmp_path / "fitted.yaml"
    argv = ["rehearse", "--scenario", str(source), "--workers", "1", "--calibrated-out"]
    code = main(
        [
            *argv,
            str(out),
            "--calibrate",
            "self_service=25%",
            "--fit",
            "variants.phone.self_service.pay.voice",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "fitted: variants.phone.self_service.pay.voice = " in printed
    assert source.read_text() == before
    fitted = load_scenario(str(out))
    assert fitted.name == "small-calibrated"
    assert fitted.variants["phone"].self_service_share("pay", "voice") != 0.1
    assert main([*argv, str(source), "--calibrate", "self_service=25%", "--fit", "staffing"]) == 2
    assert "is the scenario itself" in capsys.readouterr().err
