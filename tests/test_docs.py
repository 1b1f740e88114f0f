"""The manual: the README is a front page, docs/ builds as a site with no broken link, and the
reference pages are what the code generates today."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from scripts import docs_reference

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_a_front_page() -> None:
    assert len(README.splitlines()) < 150
    commands = re.findall(r"^bash (scripts/\S+\.sh)", README, flags=re.MULTILINE)
    assert commands[:2] == ["scripts/rehearse.sh", "scripts/test.sh"]
    assert all((ROOT / command).is_file() for command in commands[:2])
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_readme_links_only_to_files_that_exist() -> None:
    targets = re.findall(r"\]\(((?!https?://)[^)#]+)(?:#[^)]*)?\)", README)
    assert targets
    assert [target for target in targets if not (ROOT / target).exists()] == []


def test_the_reference_pages_are_what_the_code_generates() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, text in docs_reference.pages().items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run: python scripts/docs_reference.py"


def test_every_page_is_in_the_navigation() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(entries: list[object]) -> set[str]:
        found: set[str] = set()
        for entry in entries:
            for value in entry.values() if isinstance(entry, dict) else [entry]:
                found |= pages(value) if isinstance(value, list) else {str(value)}
        return found

    on_disk = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert pages(config["nav"]) == on_disk


def test_the_site_builds_with_no_broken_link(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "reference" / "commands" / "rehearse" / "index.html").is_file()
