"""Synthetic customers: fictional, reproducible, shaped by the config, and findable once written."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from config import ContactCenterConfig
from lambdas.common.profiles import ProfileRepository
from scripts.cli import main
from scripts.commands import seed_profiles
from scripts.seed import SeedSpec, generate_customers, max_customers, write_customers
from tests.scripts.cli_checks import one_error_line, only_aws_settings

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
FICTIONAL_PHONE = re.compile(r"^\+1[2-9]\d\d55501\d\d$")
RESERVED_EMAIL = re.compile(r"^[a-z0-9.]+@example\.(com|org|net)$")


def test_same_seed_same_customers_other_seed_others() -> None:
    first = generate_customers(50, seed=3, now=NOW)
    assert first == generate_customers(50, seed=3, now=NOW)
    assert first != generate_customers(50, seed=4, now=NOW)


def test_customers_are_fictional_and_never_share_an_identifier() -> None:
    customers = generate_customers(1000, now=NOW)
    identifiers = [i for c in customers for i in c.profile.identifiers]

    assert len(identifiers) == len(set(identifiers))
    assert all(c.profile.identifiers for c in customers)
    for identifier in identifiers:
        if identifier.kind.value == "phone":
            assert FICTIONAL_PHONE.match(identifier.value), identifier.value
        if identifier.kind.value == "email":
            assert RESERVED_EMAIL.match(identifier.value), identifier.value


def test_the_mix_follows_the_config(dev_config: ContactCenterConfig) -> None:
    customers = generate_customers(400, now=NOW, spec=SeedSpec.from_config(dev_config))
    tiers = {c.profile.tier for c in customers}
    languages = {c.profile.language for c in customers}
    contacts = [contact for c in customers for contact in c.history]

    assert tiers == {"standard", *dev_config.routing.tier_priority}
    assert languages == {"en", *dev_config.routing.languages}
    assert {contact.queue for contact in contacts} <= set(dev_config.queues)
    assert {contact.channel for contact in contacts} == {"VOICE", "CHAT", "EMAIL", "TASK"}
    assert any(c.profile.open_issue for c in customers)
    recent = [c for c in customers if c.history and NOW - c.history[0].at <= timedelta(hours=48)]
    assert 0.05 < len(recent) / len(customers) < 0.25


def test_a_voice_only_stage_has_only_voice_history(voice_only_config: ContactCenterConfig) -> None:
    customers = generate_customers(200, now=NOW, spec=SeedSpec.from_config(voice_only_config))
    assert {contact.channel for c in customers for contact in c.history} == {"VOICE"}


def test_more_customers_than_fictional_numbers_is_refused() -> None:
    with pytest.raises(ValueError, match="fictional"):
        generate_customers(max_customers() + 1, now=NOW)


def test_written_customers_resolve_by_every_identifier_with_their_last_contact(
    tables: Any,
) -> None:
    repository = ProfileRepository(tables.customers)
    customers = generate_customers(40, now=NOW)

    summary = write_customers(repository, customers, now=NOW)

    assert summary.customers == 40
    assert summary.contacts == sum(len(c.history) for c in customers)
    for customer in customers:
        latest = max(customer.history, key=lambda c: c.at, default=None)
        for identifier in customer.profile.identifiers:
            found = repository.resolve([identifier])
            assert found is not None and found.profile.customer_id == customer.profile.customer_id
            assert found.profile.last_contact_id == (latest.contact_id if latest else None)
    repeaters = [
        c
        for c in customers
        if repository.find(c.profile.identifiers[0]).is_repeat_contact(  # type: ignore[union-attr]
            NOW, timedelta(hours=48)
        )
    ]
    assert len(repeaters) == summary.recent


def test_writing_the_same_customers_again_changes_nothing(tables: Any) -> None:
    repository = ProfileRepository(tables.customers)
    customers = generate_customers(15, now=NOW)
    write_customers(repository, customers, now=NOW)
    before = sorted(map(str, tables.customers.scan()["Items"]))

    write_customers(repository, generate_customers(15, now=NOW), now=NOW)

    assert sorted(map(str, tables.customers.scan()["Items"])) == before


def test_cli_seeds_a_local_table_and_checks_lookups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "customers.json"
    code = main(["seed-profiles", "--count", "30", "--now", NOW.isoformat(), "--json", str(out)])

    printed, progress = capsys.readouterr()
    assert code == 0
    assert "Wrote 30 customers to a local moto table" in printed
    assert progress.splitlines()[0] == "ccaas seed-profiles: writing customers (30)"
    assert progress.splitlines()[-1] == "  30/30"
    assert "NOT FOUND" not in printed and printed.count("->") == 3
    assert not re.search(r"\+1\d{10}", printed)  # numbers are printed masked
    assert len(json.loads(out.read_text())) == 30


def test_cli_writes_to_a_named_table(
    table_definitions: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    with mock_aws():
        properties = table_definitions["customers"]
        table = boto3.resource("dynamodb", region_name="us-east-1").create_table(
            TableName="ContactCenter-dev-Customers",
            KeySchema=properties["KeySchema"],
            AttributeDefinitions=properties["AttributeDefinitions"],
            BillingMode="PAY_PER_REQUEST",
        )
        code = main(
            ["seed-profiles", "--count", "5", "--table", table.name, "--region", "us-east-1"]
        )
        assert code == 0
        assert table.scan(Select="COUNT")["Count"] >= 5 * 2  # a profile and an identity each
    assert "to table ContactCenter-dev-Customers" in capsys.readouterr().out


def test_cli_refuses_protected_stages_and_stray_aws_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["seed-profiles", "--stage", "prod", "--table", "customers"]) == 2
    assert "protects its data" in one_error_line(capsys)
    assert main(["seed-profiles", "--profile", "dev"]) == 2
    assert "--profile/--region need --table" in one_error_line(capsys)


def test_a_count_below_one_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["seed-profiles", "--count", "0"])
    assert exit_.value.code == 2
    assert "0 is out of range (at least 1)" in one_error_line(capsys)


def test_an_unwritable_json_is_refused_before_any_customer_is_made(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(seed_profiles, "generate_customers", lambda *_, **__: pytest.fail("work"))
    assert main(["seed-profiles", "--json", "/proc/ccaas-nowhere/customers.json"]) == 2
    assert one_error_line(capsys).startswith(
        "ccaas seed-profiles: --json /proc/ccaas-nowhere/customers.json cannot be written"
    )


def test_a_local_run_ignores_the_users_aws_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    only_aws_settings(monkeypatch, AWS_PROFILE="does-not-exist", AWS_DEFAULT_REGION="eu-west-2")
    assert main(["seed-profiles", "--count", "5", "--now", NOW.isoformat()]) == 0
    assert "Wrote 5 customers to a local moto table" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "variables", "says"),
    [
        ([], {}, "ccaas seed-profiles: no AWS region (pass --region, or set AWS_REGION"),
        (
            ["--profile", "does-not-exist"],
            {"AWS_REGION": "eu-west-2"},
            "ccaas seed-profiles: AWS profile 'does-not-exist' not found",
        ),
        (
            [],
            {"AWS_PROFILE": "does-not-exist", "AWS_DEFAULT_REGION": "eu-west-2"},
            "ccaas seed-profiles: AWS profile 'does-not-exist' not found",
        ),
        ([], {"AWS_REGION": "eu-west-2"}, "ccaas seed-profiles: no AWS credentials (run"),
    ],
    ids=["no-region", "unknown-profile", "unknown-AWS_PROFILE", "no-credentials"],
)
def test_a_real_table_needs_a_region_a_profile_that_exists_and_credentials(
    argv: list[str],
    variables: dict[str, str],
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only_aws_settings(monkeypatch, **variables)
    monkeypatch.setattr(seed_profiles, "generate_customers", lambda *_, **__: pytest.fail("work"))
    assert main(["seed-profiles", "--table", "customers", *argv]) == 2
    assert one_error_line(capsys).startswith(says)


def test_a_refused_write_is_one_line_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with mock_aws():  # no table of that name
        code = main(
            ["seed-profiles", "--count", "3", "--table", "missing", "--region", "us-east-1"]
        )
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    assert err.splitlines()[-1].startswith(
        "ccaas seed-profiles: AWS refused: ResourceNotFoundException"
    )
