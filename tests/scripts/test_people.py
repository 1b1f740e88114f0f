"""`ccaas people import|export`: Connect's bulk user CSV to the stage's people and back, every
bad row named by its line, nothing half-written."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import CONFIG_DIR, ContactCenterConfig, load_stage, loader
from config.people import SecurityProfile
from config.people_csv import COLUMNS
from scripts.cli import main
from tests.scripts.cli_checks import one_error_line

# What a team fills in from the console's template: Connect's default security profile names,
# soft/desk, yes/no, and passwords the import must not keep.
CONSOLE_HEADER = ",".join(COLUMNS)
CONSOLE_ROWS = [
    "Maria,Rivera,maria@example.org,,,Secret-1,mrivera,,frontline,CallCenterManager|Agent,"
    "riverside_hq,soft,,no,0,",
    "James,Chen,james@example.org,,,Secret-2,jchen,,frontline,Agent,"
    "riverside_hq|billing_team,soft,,yes,60,",
    "Kiran,Patel,kiran@example.org,kp@example.net,,Secret-3,kpatel,,field_support,Agent,"
    "field_team,desk,+13125550177,no,120,team=field",
    "Lucia,Garcia,lucia@example.org,,,,lgarcia,,bilingual,Agent,,soft,,no,60,",
]


def csv_text(*rows: str, header: str = CONSOLE_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture()
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config folder with dev as shipped, used by every command in the test."""
    folder = tmp_path / "config"
    folder.mkdir()
    for name in ("dev.yaml", "dev.people.yaml"):
        shutil.copy(CONFIG_DIR / name, folder / name)
    monkeypatch.setattr(loader, "CONFIG_DIR", folder)
    return folder


@pytest.fixture()
def write_csv(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "users.csv"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_export_then_import_gives_back_the_same_people(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = load_stage("dev").people
    exported = tmp_path / "dev-users.csv"
    assert main(["people", "export", "--stage", "dev", "--out", str(exported)]) == 0
    assert main(["people", "import", str(exported), "--stage", "dev", "--force"]) == 0

    after = load_stage("dev").people
    assert after == before
    out, err = capsys.readouterr()
    assert "wrote" in out and "8 people (bilingual 2, field_support 2, frontline 4)" in out
    assert "the password column is ignored (0 row(s) had one)" in err


def test_export_writes_connects_template_with_the_deployed_profile_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["people", "export", "--stage", "dev"]) == 0
    header, maria, *_ = capsys.readouterr().out.splitlines()
    assert header == CONSOLE_HEADER
    assert maria == (
        "Maria,Rivera,maria.rivera@riverside-utilities.example,,,,mrivera,,frontline,"
        "ContactCenterSupervisor|ContactCenterAgent,riverside_hq,soft,,no,0,"
    )


def test_the_deployed_security_profiles_carry_the_names_the_csv_and_smoke_use(
    synth: Callable[[ContactCenterConfig], Any], dev_config: ContactCenterConfig
) -> None:
    names = {
        resource["Properties"]["SecurityProfileName"]
        for template in synth(dev_config).templates.values()
        for resource in template.get("Resources", {}).values()
        if resource["Type"] == "AWS::Connect::SecurityProfile"
    }
    assert {profile.connect_name for profile in SecurityProfile} <= names


def test_a_console_csv_replaces_the_users_and_keeps_the_rest(
    config_dir: Path, write_csv: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the shipped people file, with a quick connect to mrivera, who stays
    source = write_csv("\ufeff" + csv_text(*CONSOLE_ROWS))
    # When the console's CSV is imported
    assert main(["people", "import", str(source), "--stage", "dev", "--force"]) == 0
    # Then the users are the CSV's and the hierarchy, statuses and quick connects are kept
    people = load_stage("dev").people
    assert people is not None
    assert [user.login for user in people.users] == ["mrivera", "jchen", "kpatel", "lgarcia"]
    maria, james, kiran, lucia = people.users
    assert maria.security_profiles == [SecurityProfile.SUPERVISOR, SecurityProfile.AGENT]
    assert james.auto_accept and james.hierarchy_group == "billing_team"
    assert kiran.desk_phone_number == "+13125550177" and kiran.hierarchy_group == "field_team"
    assert lucia.hierarchy_group is None and lucia.after_contact_work_seconds == 60
    assert set(people.quick_connects) == {"field_dispatch", "billing_desk", "supervisor"}
    assert [status.name for status in people.agent_statuses] == ["Break", "Lunch", "Training"]
    # And the dropped columns are said, never the passwords themselves
    err = capsys.readouterr().err
    assert "the password column is ignored (3 row(s) had one)" in err
    assert "dropped: secondary email address (1), tags (1)" in err
    text = (config_dir / "dev.people.yaml").read_text(encoding="utf-8")
    assert "Secret" not in text and "kp@example.net" not in text
    assert text.startswith("# The people of stage dev, written by `ccaas people import users.csv`")


def test_every_bad_row_is_named_by_line_and_nothing_is_written(
    config_dir: Path, write_csv: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    before = (config_dir / "dev.people.yaml").read_bytes()
    source = write_csv(
        csv_text(
            CONSOLE_ROWS[0],
            "Ann,Lee,ann@example.org,,,,ann lee,,frontline,Agent,,soft,,no,0,",
            "",
            "Bo,Ng,bo@example.org,,,,bng,,backoffice,Supervisor2,,cell,,maybe,0,",
            "Jim,Chen,jim@example.org,,,,JChen,,frontline,Agent,,soft,,no,0,",
            "Jo,Chen,jo@example.org,,,,jchen,,frontline,Agent,,soft,,no,0,",
            "Cy,Do,cy@example.org,,,,cdo,,frontline,Agent,riverside_hq|field_team|x,desk,,no,0,",
            "Di,Ek,di@example.org,,,,dek,,frontline,Agent,night_team,soft,,no,-5,",
            "Ed,Fu,ed@example.org,,,,efu,,frontline,Agent,field_team/billing_team,soft,,no,0,",
        )
    )
    assert main(["people", "import", str(source), "--stage", "dev", "--force"]) == 1

    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1] == f"ccaas people: 11 problem(s) in {source}; nothing written"
    found = [line.removeprefix(f"{source}: ") for line in lines[:-1]]
    assert found[0].startswith("line 3: user login: String should match pattern")
    assert found[1:] == [
        "line 5: routing profile name: 'backoffice' is not a routing profile of the stage "
        "(known: bilingual, field_support, frontline)",
        "line 5: security_profile_name_1|security_profile_name_2: unknown security profile "
        "'Supervisor2' (the stage has agent and supervisor; Connect's Agent becomes agent, "
        "CallCenterManager, Admin and QualityAnalyst become supervisor)",
        "line 5: phone type (soft/desk): 'cell' is not soft or desk",
        "line 5: soft phone auto accept (yes/no): 'maybe' is not yes or no",
        "line 7: user login: 'jchen' is also on line 6 (logins are unique, ignoring case)",
        "line 8: user_hierarchy_1|user_hierarchy_2: unknown hierarchy group 'x' "
        "(known: bilingual_team, billing_team, field_team, riverside_hq)",
        "line 8: phone number: desk_phone_number is required when phone_type is DESK_PHONE",
        "line 9: user_hierarchy_1|user_hierarchy_2: unknown hierarchy group 'night_team' "
        "(known: bilingual_team, billing_team, field_team, riverside_hq)",
        "line 9: ACW timeout (seconds): Input should be greater than or equal to 0",
        "line 10: user_hierarchy_1|user_hierarchy_2: 'field_team/billing_team' is not where "
        "billing_team sits in people.hierarchy (riverside_hq|billing_team)",
    ]
    assert (config_dir / "dev.people.yaml").read_bytes() == before
    assert not list(config_dir.glob(".dev.people.yaml.*"))


def test_problems_of_the_whole_stage_name_the_row_to_fix(
    config_dir: Path, write_csv: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # No supervisor, James without an email, and mrivera (a quick connect's target) gone
    source = write_csv(
        csv_text(
            "James,Chen,,,,,jchen,,frontline,Agent,,soft,,no,0,",
            "Ada,Okafor,ada@example.org,,,,aokafor,,frontline,Agent,,soft,,no,0,",
        )
    )
    assert main(["people", "import", str(source), "--stage", "dev", "--force"]) == 1
    found = [line.removeprefix(f"{source}: ") for line in capsys.readouterr().err.splitlines()]
    assert found[:-1] == [
        "line 2 (jchen): email: is required with identity_management CONNECT_MANAGED "
        "(Connect sends sign-in mail there)",
        "people.quick_connects.supervisor.user: unknown user 'mrivera' (known: aokafor, jchen)",
        "people.users: nobody has the supervisor security profile: add "
        "`security_profiles: [supervisor]` to at least one person",
    ]


def test_header_problems_are_named_before_any_row(
    config_dir: Path, write_csv: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(csv_text(header="First Name,Last  Name,user login,routing profile,team"))
    assert main(["people", "import", str(source), "--stage", "dev", "--force"]) == 1
    found = [line.removeprefix(f"{source}: ") for line in capsys.readouterr().err.splitlines()]
    assert found[0].startswith("line 1: unknown column 'routing profile' (Connect's template")
    assert found[1].startswith("line 1: unknown column 'team'")
    assert found[2] == (
        "line 1: missing column(s) 'routing profile name', "
        "'security_profile_name_1|security_profile_name_2', 'phone type (soft/desk)'"
    )


def test_a_header_without_rows_is_refused(
    config_dir: Path, write_csv: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(csv_text())
    assert main(["people", "import", str(source), "--stage", "dev", "--force"]) == 1
    assert f"{source}: line 2: no users: the file holds the header row only" in (
        capsys.readouterr().err
    )


def test_an_existing_people_file_is_replaced_only_with_force(
    config_dir: Path, write_csv: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(csv_text(*CONSOLE_ROWS))
    assert main(["people", "import", str(source), "--stage", "dev"]) == 2
    assert one_error_line(capsys) == (
        f"ccaas people: {config_dir / 'dev.people.yaml'} exists (pass --force to replace its "
        "users; its hierarchy, agent statuses and quick connects are kept)"
    )


def test_out_writes_elsewhere_and_leaves_the_stage_alone(
    config_dir: Path, write_csv: Callable[[str], Path], tmp_path: Path
) -> None:
    before = (config_dir / "dev.people.yaml").read_bytes()
    out = tmp_path / "private" / "dev.people.yaml"
    source = write_csv(csv_text(*CONSOLE_ROWS))
    assert main(["people", "import", str(source), "--stage", "dev", "--out", str(out)]) == 0
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [user["login"] for user in written["people"]["users"]] == [
        "mrivera",
        "jchen",
        "kpatel",
        "lgarcia",
    ]
    assert (config_dir / "dev.people.yaml").read_bytes() == before


def test_people_in_the_stage_file_are_not_set_twice(
    config_dir: Path, write_csv: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    people = yaml.safe_load((config_dir / "dev.people.yaml").read_text(encoding="utf-8"))
    stage = yaml.safe_load((config_dir / "dev.yaml").read_text(encoding="utf-8"))
    (config_dir / "dev.yaml").write_text(yaml.safe_dump({**stage, **people}), encoding="utf-8")
    (config_dir / "dev.people.yaml").unlink()
    source = write_csv(csv_text(*CONSOLE_ROWS))
    assert main(["people", "import", str(source), "--stage", "dev"]) == 2
    assert one_error_line(capsys).startswith(
        "ccaas people: people: is in dev.yaml, so a dev.people.yaml beside it would set it twice"
    )


def test_a_stage_without_people_has_nothing_to_export(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_dir / "dev.people.yaml").unlink()
    assert main(["people", "export", "--stage", "dev"]) == 2
    assert one_error_line(capsys).startswith("ccaas people: stage 'dev' has no people: section")


def test_the_people_help_shows_both_actions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["people", "import", "--help"])
    assert "ccaas people import staff.csv --stage dev --force" in capsys.readouterr().out
