"""The README is the user's manual: its commands exist and its config reference is complete."""

from __future__ import annotations

import re
from pathlib import Path

from config import ContactCenterConfig

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_the_two_commands_exist_and_ci_runs_the_test_command() -> None:
    commands = re.findall(r"^bash (scripts/\S+\.sh)", README, flags=re.MULTILINE)
    assert commands[:2] == ["scripts/rehearse.sh", "scripts/test.sh"]
    for command in commands[:2]:
        assert (ROOT / command).is_file()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci


def test_config_reference_documents_every_top_level_section() -> None:
    reference = README.split("## Config reference", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in ContactCenterConfig.model_fields if f"`{name}" not in reference]
    assert missing == []
