"""`source scripts/bootstrap.sh` in a user's shell: PATH gains .venv/bin and nothing else changes;
the scripts that source it with `set -e` still stop when it fails."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "scripts" / "bootstrap.sh"
SYSTEM_PATH = os.environ["PATH"]  # bash, node and coreutils, wherever this machine has them


def _bash(script: str, cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": SYSTEM_PATH, "HOME": str(cwd), **environment},
        check=False,
    )


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """A checkout whose .venv and web/node_modules are installed for the current pyproject.toml
    and package-lock.json, so bootstrap has nothing to install."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(BOOTSTRAP, root / "scripts" / "bootstrap.sh")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "web" / "node_modules").mkdir(parents=True)
    (root / "web" / "package-lock.json").write_text("{}\n")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    for folder, source in (
        (".venv", "pyproject.toml"),
        ("web/node_modules", "web/package-lock.json"),
    ):
        digest = hashlib.sha256((root / source).read_bytes()).hexdigest()[:16]
        (root / folder / f".installed-{digest}").touch()
    return root


def test_sourcing_keeps_the_callers_options_and_folder_and_adds_the_venv_to_path(
    checkout: Path, tmp_path: Path
) -> None:
    script = f"""
        before="$- $(set +o) $(pwd)"
        source {checkout}/scripts/bootstrap.sh
        echo "status=$?"
        after="$- $(set +o) $(pwd)"
        [ "$before" = "$after" ] && echo "shell unchanged" || echo "changed: $before -> $after"
        echo "PATH=$PATH"
        false
        echo "still here after a failing command"
    """
    result = _bash(script, tmp_path, PYTHON=sys.executable)

    assert result.stdout.splitlines() == [
        "status=0",
        "shell unchanged",
        f"PATH={checkout}/.venv/bin:{SYSTEM_PATH}",
        "still here after a failing command",
    ]
    assert result.stderr == ""


def test_a_failure_returns_its_status_and_leaves_the_shell_as_it_was(
    checkout: Path, tmp_path: Path
) -> None:
    script = f"""
        before="$- $(set +o) $(pwd) $PATH"
        source {checkout}/scripts/bootstrap.sh
        echo "status=$?"
        [ "$before" = "$- $(set +o) $(pwd) $PATH" ] && echo "shell unchanged"
    """
    result = _bash(script, tmp_path, PYTHON="no-python")

    assert result.stdout.splitlines() == ["status=2", "shell unchanged"]
    assert result.stderr.startswith("Python 3.11 or newer is required")


def test_a_script_with_set_e_stops_when_bootstrap_fails(checkout: Path, tmp_path: Path) -> None:
    script = f"set -euo pipefail; source {checkout}/scripts/bootstrap.sh; echo went on"
    result = _bash(script, tmp_path, PYTHON="no-python")

    assert result.returncode == 2
    assert result.stdout == ""
