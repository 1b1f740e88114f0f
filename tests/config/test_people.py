"""The people section: every rule names the field to fix, and the loader finds the people file
beside the stage file (or refuses when people are set in both places)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import CONFIG_DIR, ConfigError, load_config, load_stage
from config.loader import parse_config, people_file, stage_files
from scripts.cli import main
from tests.scripts.cli_checks import one_error_line


@pytest.fixture(scope="module")
def dev_raw() -> dict[str, Any]:
    """dev.yaml with dev.people.yaml merged in, as one document."""
    raw = yaml.safe_load((CONFIG_DIR / "dev.yaml").read_text(encoding="utf-8"))
    people = yaml.safe_load((CONFIG_DIR / "dev.people.yaml").read_text(encoding="utf-8"))
    return {**raw, **people}


@pytest.fixture()
def raw(dev_raw: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dev_raw)


def problems_for(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return caught.value.problems


def person(raw: dict[str, Any], login: str) -> dict[str, Any]:
    return next(user for user in raw["people"]["users"] if user["login"] == login)


# -- the shipped files -------------------------------------------------------------------------


def test_shipped_stages_have_people_with_a_supervisor() -> None:
    for stage in ("dev", "prod"):
        people = load_stage(stage).people
        assert people is not None
        assert people.supervisors(), stage


def test_dev_counts_its_people_per_routing_profile() -> None:
    people = load_stage("dev").people
    assert people is not None
    assert people.agents_per_routing_profile() == {
        "frontline": 4,
        "field_support": 2,
        "bilingual": 2,
    }


# -- users -------------------------------------------------------------------------------------


def test_logins_are_unique_ignoring_case(raw: dict[str, Any]) -> None:
    person(raw, "jchen")["login"] = "MRivera"
    assert problems_for(raw) == [
        "people.users: logins ['mrivera'] are used more than once (case-insensitive)"
    ]


def test_a_login_connect_would_refuse_is_named(raw: dict[str, Any]) -> None:
    person(raw, "jchen")["login"] = "james chen"
    (problem,) = problems_for(raw)
    assert problem.startswith("people.users.1.login: String should match pattern")


def test_a_desk_phone_needs_its_number(raw: dict[str, Any]) -> None:
    del person(raw, "kpatel")["desk_phone_number"]
    assert problems_for(raw) == [
        "people.users.5: desk_phone_number is required when phone_type is DESK_PHONE"
    ]


def test_a_soft_phone_takes_no_desk_number(raw: dict[str, Any]) -> None:
    person(raw, "jchen")["desk_phone_number"] = "+13125550178"
    assert problems_for(raw) == [
        "people.users.1: desk_phone_number is only used when phone_type is DESK_PHONE"
    ]


def test_a_desk_number_must_be_e164(raw: dict[str, Any]) -> None:
    person(raw, "kpatel")["desk_phone_number"] = "312-555-0177"
    (problem,) = problems_for(raw)
    assert problem.startswith("people.users.5.desk_phone_number: '312-555-0177' is not an E.164")


def test_a_security_profile_listed_twice_is_refused(raw: dict[str, Any]) -> None:
    person(raw, "jchen")["security_profiles"] = ["agent", "agent"]
    assert problems_for(raw) == [
        "people.users.1.security_profiles: a security profile is listed more than once"
    ]


def test_an_unknown_security_profile_lists_the_two_there_are(raw: dict[str, Any]) -> None:
    person(raw, "jchen")["security_profiles"] = ["admin"]
    (problem,) = problems_for(raw)
    assert problem == "people.users.1.security_profiles.0: Input should be 'agent' or 'supervisor'"


def test_an_unknown_routing_profile_is_named_with_the_known_ones(raw: dict[str, Any]) -> None:
    person(raw, "jchen")["routing_profile"] = "backoffice"
    assert problems_for(raw) == [
        "people.users.1.routing_profile: unknown routing profile 'backoffice' "
        "(known: bilingual, field_support, frontline)"
    ]


def test_an_unknown_hierarchy_group_is_named(raw: dict[str, Any]) -> None:
    person(raw, "jchen")["hierarchy_group"] = "night_team"
    assert problems_for(raw) == [
        "people.users.1.hierarchy_group: unknown hierarchy group 'night_team' "
        "(known: bilingual_team, billing_team, field_team, riverside_hq)"
    ]


def test_a_hierarchy_group_without_a_hierarchy_is_unknown(raw: dict[str, Any]) -> None:
    del raw["people"]["hierarchy"]
    problems = problems_for(raw)
    assert problems[0] == (
        "people.users.0.hierarchy_group: unknown hierarchy group 'riverside_hq' (known: none)"
    )
    assert len(problems) == len(raw["people"]["users"])


def test_nobody_supervising_is_refused(raw: dict[str, Any]) -> None:
    person(raw, "mrivera")["security_profiles"] = ["agent"]
    assert problems_for(raw) == [
        "people.users: nobody has the supervisor security profile: add "
        "`security_profiles: [supervisor]` to at least one person"
    ]


@pytest.mark.parametrize("identity", ["CONNECT_MANAGED", "SAML"])
def test_email_is_required_when_connect_or_saml_signs_people_in(
    raw: dict[str, Any], identity: str
) -> None:
    raw["instance"]["identity_management"] = identity
    del person(raw, "jchen")["email"]
    assert problems_for(raw) == [
        f"people.users.1.email: is required with identity_management {identity} "
        "(Connect sends sign-in mail there)"
    ]


def test_a_login_over_20_characters_needs_saml(raw: dict[str, Any]) -> None:
    # CreateUser: up to 20 characters for instances not using SAML, 64 with it.
    person(raw, "jchen")["login"] = "james.chen.billing.team"
    assert problems_for(raw) == [
        "people.users.1.login: is 23 characters, Connect takes at most 20 with "
        "identity_management CONNECT_MANAGED (64 with SAML)"
    ]
    raw["instance"]["identity_management"] = "SAML"
    assert parse_config(raw).people is not None


def test_email_is_optional_with_an_existing_directory(raw: dict[str, Any]) -> None:
    raw["instance"]["identity_management"] = "EXISTING_DIRECTORY"
    raw["instance"]["directory_id"] = "d-1234567890"
    for user in raw["people"]["users"]:
        del user["email"]
    assert parse_config(raw).people is not None


# -- hierarchy ---------------------------------------------------------------------------------


def test_a_group_deeper_than_the_named_levels_is_refused(raw: dict[str, Any]) -> None:
    raw["people"]["hierarchy"]["groups"]["riverside_hq"]["groups"]["billing_team"] = {
        "groups": {"billing_nights": {}}
    }
    assert problems_for(raw) == [
        "people.hierarchy: groups.riverside_hq.groups.billing_team.groups.billing_nights: "
        "'billing_nights' sits at level 3 but only 2 levels are named (site, team)"
    ]


def test_a_group_name_used_twice_is_refused(raw: dict[str, Any]) -> None:
    raw["people"]["hierarchy"]["groups"]["annex"] = {"groups": {"field_team": {}}}
    assert problems_for(raw) == [
        "people.hierarchy: groups.annex.groups.field_team: group name 'field_team' is used "
        "more than once"
    ]


def test_more_than_five_levels_is_refused(raw: dict[str, Any]) -> None:
    raw["people"]["hierarchy"]["levels"] = ["a", "b", "c", "d", "e", "f"]
    (problem,) = problems_for(raw)
    assert problem.startswith("people.hierarchy.levels: List should have at most 5 items")


# -- agent statuses ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Available", "Offline"])
def test_connects_own_statuses_cannot_be_created(raw: dict[str, Any], name: str) -> None:
    raw["people"]["agent_statuses"].append({"name": name})
    assert problems_for(raw) == [
        f"people.agent_statuses.3.name: '{name}' is one of Connect's own statuses; it always exists"
    ]


def test_a_status_listed_twice_is_refused(raw: dict[str, Any]) -> None:
    raw["people"]["agent_statuses"].append({"name": "Lunch"})
    assert problems_for(raw) == [
        "people.agent_statuses: statuses ['Lunch'] are listed more than once"
    ]


# -- quick connects ----------------------------------------------------------------------------


def test_a_quick_connect_for_an_unknown_queue_names_the_entry(raw: dict[str, Any]) -> None:
    raw["people"]["quick_connects"]["field_dispatch"]["queues"] = ["support", "outages"]
    assert problems_for(raw) == [
        "people.quick_connects.field_dispatch.queues.1: unknown queue 'outages' "
        "(known: appointments, billing, general, spanish, support)"
    ]


def test_a_queue_quick_connect_needs_a_queue_transfer_flow(raw: dict[str, Any]) -> None:
    raw["people"]["quick_connects"]["to_billing"] = {
        "type": "queue",
        "queue": "billing",
        "flow": "inbound_voice",
        "queues": ["general"],
    }
    assert problems_for(raw) == [
        "people.quick_connects.to_billing.flow: flow 'inbound_voice' is CONTACT_FLOW, "
        "but a queue quick connect needs a flow of type QUEUE_TRANSFER"
    ]


def test_a_user_quick_connect_needs_an_agent_transfer_flow_and_a_known_user(
    raw: dict[str, Any],
) -> None:
    raw["people"]["quick_connects"]["to_nobody"] = {
        "type": "user",
        "user": "nobody",
        "flow": "transfer_to_queue",
        "queues": ["general"],
    }
    assert problems_for(raw) == [
        "people.quick_connects.to_nobody.user: unknown user 'nobody' (known: aokafor, "
        "bwalker, dmorales, jchen, kpatel, lgarcia, mrivera, tnguyen)",
        "people.quick_connects.to_nobody.flow: flow 'transfer_to_queue' is QUEUE_TRANSFER, "
        "but a user quick connect needs a flow of type AGENT_TRANSFER",
    ]


def test_a_quick_connect_through_an_unknown_flow_is_named(raw: dict[str, Any]) -> None:
    raw["people"]["quick_connects"]["to_billing"] = {
        "type": "queue",
        "queue": "billings",
        "flow": "transfer_to_queues",
        "queues": ["general"],
    }
    problems = problems_for(raw)
    assert problems[0] == (
        "people.quick_connects.to_billing.queue: unknown queue 'billings' "
        "(known: appointments, billing, general, spanish, support)"
    )
    assert problems[1].startswith(
        "people.quick_connects.to_billing.flow: unknown flow 'transfer_to_queues' (known: "
    )


def test_shipped_transfers_of_each_kind_are_accepted(dev_raw: dict[str, Any]) -> None:
    people = parse_config(dev_raw).people
    assert people is not None
    kinds = {quick_connect.type for quick_connect in people.quick_connects.values()}
    assert kinds == {"queue", "user", "phone"}


# -- the loader --------------------------------------------------------------------------------


@pytest.fixture()
def stage_dir(tmp_path: Path) -> Path:
    """A config folder holding dev.yaml and dev.people.yaml, as shipped."""
    for name in ("dev.yaml", "dev.people.yaml"):
        shutil.copy(CONFIG_DIR / name, tmp_path / name)
    return tmp_path


def test_the_people_file_beside_the_stage_file_is_merged(stage_dir: Path) -> None:
    config = load_config(stage_dir / "dev.yaml")
    assert config.people is not None
    assert [user.login for user in config.people.users][:2] == ["mrivera", "jchen"]
    assert people_file(stage_dir / "dev.yaml") == stage_dir / "dev.people.yaml"


def test_a_stage_without_a_people_file_has_no_people(stage_dir: Path) -> None:
    (stage_dir / "dev.people.yaml").unlink()
    assert load_config(stage_dir / "dev.yaml").people is None


def test_people_in_both_places_is_an_error_naming_both_files(
    stage_dir: Path, dev_raw: dict[str, Any]
) -> None:
    stage = yaml.safe_load((stage_dir / "dev.yaml").read_text(encoding="utf-8"))
    stage["people"] = dev_raw["people"]
    (stage_dir / "dev.yaml").write_text(yaml.safe_dump(stage), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(stage_dir / "dev.yaml")
    assert caught.value.problems == [
        "people: is set in both dev.yaml and dev.people.yaml; keep it in one of them"
    ]


@pytest.mark.parametrize(
    "document",
    [{"people": {}, "stage": "dev"}, {"users": []}, ["people"]],
    ids=["another-key", "no-people-key", "a-list"],
)
def test_a_people_file_holds_people_and_nothing_else(stage_dir: Path, document: Any) -> None:
    (stage_dir / "dev.people.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(stage_dir / "dev.yaml")
    assert caught.value.source == str(stage_dir / "dev.people.yaml")
    assert caught.value.problems == [
        "the file must hold one top-level key, people:, and nothing else"
    ]


def test_a_people_error_names_both_files_as_its_source(stage_dir: Path) -> None:
    text = (stage_dir / "dev.people.yaml").read_text(encoding="utf-8")
    (stage_dir / "dev.people.yaml").write_text(
        text.replace("routing_profile: bilingual", "routing_profile: bilingal", 1),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(stage_dir / "dev.yaml")
    assert caught.value.source == f"{stage_dir / 'dev.yaml'} with dev.people.yaml"
    assert caught.value.problems == [
        "people.users.6.routing_profile: unknown routing profile 'bilingal' "
        "(known: bilingual, field_support, frontline)"
    ]


def test_the_stage_listing_ignores_people_files(stage_dir: Path) -> None:
    shutil.copy(CONFIG_DIR / "prod.yaml", stage_dir / "prod.yaml")
    assert [path.name for path in stage_files(stage_dir)] == ["dev.yaml", "prod.yaml"]
    assert [path.name for path in stage_files(CONFIG_DIR)] == ["dev.yaml", "prod.yaml"]


def test_validate_config_names_the_people_field(
    stage_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (stage_dir / "dev.people.yaml").read_text(encoding="utf-8")
    (stage_dir / "dev.people.yaml").write_text(
        text.replace("hierarchy_group: field_team", "hierarchy_group: field_teams", 1),
        encoding="utf-8",
    )
    assert main(["validate-config", str(stage_dir / "dev.yaml")]) == 2
    assert one_error_line(capsys) == (
        f"ccaas validate-config: invalid config {stage_dir / 'dev.yaml'} with dev.people.yaml: "
        "people.users.4.hierarchy_group: unknown hierarchy group 'field_teams' "
        "(known: bilingual_team, billing_team, field_team, riverside_hq)"
    )
