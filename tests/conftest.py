"""Fixtures shared by the whole suite: configs and synthesized stages (synthesized once per
session), moto tables, and the Lambda context handlers get."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
from moto import mock_aws

from config import ContactCenterConfig, load_stage
from local_connect.emulation.faults import FakeClock, FaultInjector
from local_connect.runtime.lambda_runtime import LocalLambdaContext

# The fuzz targets' counts, summed in the controller when xdist runs workers.
pytest_plugins = ("tests.fuzz.tally",)

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# A Data stack table's logical id: "Data", its construct id, CDK's 8-character hash.
DATA_TABLE_ID = re.compile(r"^Data([A-Za-z]+)[0-9A-F]{8}$")
# No test may reach AWS: fake credentials and a fixed region for every boto3 client.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "ContactCenterTests",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `long` start first. pytest-xdist hands tests out in collection order, so a
    long test collected late runs alone at the end while the other worker waits; started first,
    it runs while the other worker gets through short ones."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session", autouse=True)
def one_botocore_loader() -> Iterator[None]:
    """Every boto3 session of the run reads the service models through one loader.

    moto's `mock_aws()` gives each test a new default boto3 session, and a new session reads and
    parses every service model it uses again: 0.2-0.4 s for each first client of a service in a
    test. The model files do not change during a run, and botocore's loader caches what it read.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            botocore.session, "create_loader", functools.cache(botocore.loaders.create_loader)
        )
        yield


# The account and Region `synth(config, in_account=True)` synthesizes for, as `cdk deploy` does.
DEPLOY_ACCOUNT, DEPLOY_REGION = "123456789012", "eu-west-2"


@pytest.fixture(scope="session")
def dev_config() -> ContactCenterConfig:
    return load_stage("dev")


@pytest.fixture(scope="session")
def prod_config() -> ContactCenterConfig:
    return load_stage("prod")


def config_with(config: ContactCenterConfig, **changes: Any) -> ContactCenterConfig:
    """A copy of `config` with top-level sections replaced, re-validated like a YAML edit."""
    raw = config.model_dump(mode="json")
    raw.update(changes)
    return ContactCenterConfig.model_validate(raw)


@pytest.fixture(scope="session")
def voice_only_config(dev_config: ContactCenterConfig) -> ContactCenterConfig:
    return config_with(
        dev_config,
        channels={"voice": True, "chat": False, "sms": False, "email": False, "tasks": False},
        chat=None,
        sms=None,
        email=None,
        tasks=None,
    )


@pytest.fixture(scope="session")
def prod_messaging_config(prod_config: ContactCenterConfig) -> ContactCenterConfig:
    """Production with SMS (a real toll-free number, imported into Connect) and email on."""
    channels = {**prod_config.channels.model_dump(), "sms": True, "email": True}
    return config_with(prod_config, channels=channels)


@pytest.fixture(scope="session")
def voice_only_custom_config(voice_only_config: ContactCenterConfig) -> ContactCenterConfig:
    """Voice only, with alarm thresholds unlike the defaults, someone to tell, a one-off closed
    day and no history archive: the settings the stage tests vary, in one config so they cost
    one synth."""
    hours = voice_only_config.model_dump(mode="json")["hours"]
    hours["business"]["holidays"] = [{"name": "Storm closure", "date": "2027-02-16"}]
    return config_with(
        voice_only_config,
        hours=hours,
        alarms={
            "abandonment_rate_max": 0.07,
            "asa_max_seconds": 45,
            "service_level_min": 0.9,
            "service_level_threshold_seconds": 30,
            "notify_email": "floor.supervisor@example.gov",
        },
        history={"enabled": False},
    )


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Callable[[ContactCenterConfig], Any]:
    """Synthesizes each distinct config once per test session, shared by the xdist workers.

    The workers of one session share a folder (`session_root`); the first worker to need a
    config synthesizes it while holding a lock on that config's entry, and the others wait and
    read the templates it wrote instead of spending half a minute each on the same synth. The
    cache lives only as long as the session: one kept between sessions would have to be keyed by
    everything that shapes a template (infra/, lambdas/, contact_flows/, the CDK's version...),
    and a missed key would test stale templates.
    """
    from aws_cdk import Environment

    from infra.synth import Synthesis, synthesize

    in_account_env = Environment(account=DEPLOY_ACCOUNT, region=DEPLOY_REGION)

    cache_root = session_root(tmp_path_factory) / "synthesized"
    cache_root.mkdir(exist_ok=True)
    in_process: dict[str, Synthesis] = {}

    def run(config: ContactCenterConfig, *, in_account: bool = False) -> Synthesis:
        """`in_account`: as `cdk deploy` synthesizes, with an account and region resolved."""
        where = f"@{DEPLOY_ACCOUNT}/{DEPLOY_REGION}" if in_account else ""
        identity = config.model_dump_json() + where
        key = hashlib.sha256(identity.encode()).hexdigest()[:16]
        if key not in in_process:
            entry = cache_root / key
            with (cache_root / f"{key}.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
                written = entry / "synthesis.json"
                if written.exists():
                    saved = json.loads(written.read_text(encoding="utf-8"))
                    in_process[key] = Synthesis(
                        outdir=entry / "cdk.out",
                        templates=saved["templates"],
                        report=saved["report"],
                    )
                else:
                    synthesis = synthesize(
                        config, entry / "cdk.out", env=in_account_env if in_account else None
                    )
                    text = json.dumps(
                        {"templates": synthesis.templates, "report": synthesis.report}
                    )
                    written.write_text(text, encoding="utf-8")
                    in_process[key] = synthesis
        return in_process[key]

    return run


def session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this test session, the same for all its xdist workers.

    A worker's base temp is `<session>/popen-gw<N>` (pytest-xdist sets PYTEST_XDIST_WORKER in
    workers); without xdist it is the session's folder itself.
    """
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def realworld_dir() -> Path:
    """The real-world corpus (files written by others), from the folder CCAAS_REALWORLD names.

    A clone does not carry it: without it the tests that read it skip, saying how to get it,
    unless CCAAS_REQUIRE_REALWORLD=1 (as in CI), where a missing corpus fails them.
    """
    configured = os.environ.get("CCAAS_REALWORLD", "")
    if configured and Path(configured).is_dir():
        return Path(configured).resolve()
    missing = f"{configured} is not a folder" if configured else "CCAAS_REALWORLD is not set"
    reason = (
        f"real-world corpus not found ({missing}): set CCAAS_REALWORLD to a folder made by "
        "`python scripts/fetch_realworld.py --dest DIR`"
    )
    if os.environ.get("CCAAS_REQUIRE_REALWORLD") == "1":
        pytest.fail(f"{reason} (CCAAS_REQUIRE_REALWORLD=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def table_definitions(
    synth: Callable[[ContactCenterConfig], Any], dev_config: ContactCenterConfig
) -> dict[str, dict[str, Any]]:
    """Key schemas, attributes and TTL of each table of the synthesized Data stack, by its
    construct id in lower case (`customers`, `metrics`, `idempotency`, `appointments`...).

    Tests create their moto tables from these, so tests and infrastructure cannot diverge.
    """
    synthesis = synth(dev_config)
    (data,) = [body for name, body in synthesis.templates.items() if name.endswith("-Data")]
    return {
        DATA_TABLE_ID.sub(r"\1", logical_id).lower(): resource["Properties"]
        for logical_id, resource in data["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def create_moto_table(dynamodb: Any, name: str, properties: dict[str, Any]) -> Any:
    """A moto table called `name` with a synthesized table's keys and TTL (`table_definitions`)."""
    table = dynamodb.create_table(
        TableName=name,
        KeySchema=properties["KeySchema"],
        AttributeDefinitions=properties["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.meta.client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return table


@dataclass
class Tables:
    customers: Any
    metrics: Any
    idempotency: Any


@pytest.fixture()
def aws() -> Iterator[None]:
    """Every AWS call in the test goes to moto."""
    with mock_aws():
        yield


@pytest.fixture()
def tables(aws: None, table_definitions: dict[str, dict[str, Any]]) -> Tables:
    """moto tables named customers/metrics/idempotency, shaped like the deployed ones."""
    dynamodb = boto3.resource("dynamodb")
    names = [field.name for field in fields(Tables)]
    return Tables(
        **{name: create_moto_table(dynamodb, name, table_definitions[name]) for name in names}
    )


@pytest.fixture()
def lambda_context() -> LocalLambdaContext:
    """The context a handler receives (the Powertools cookbook's one `lambda_context` fixture),
    from the local Lambda runtime's context class. Its clock stands still, so a slow test never
    runs a flow function out of time (tests of time budgets give a context the `fake_clock`)."""
    return LocalLambdaContext("test-function", timer=lambda: 0.0)


@pytest.fixture()
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def faults(fake_clock: FakeClock) -> Iterator[FaultInjector]:
    """Faults for every boto3 client in the test; they and botocore's backoff cost fake time."""
    injector = FaultInjector(clock=fake_clock)
    with injector.active():
        yield injector
