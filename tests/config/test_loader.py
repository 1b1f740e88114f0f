"""Loading a stage: the file found through `--stage` must be that stage's."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_config, load_stage, loader


def test_a_copied_config_cannot_deploy_over_the_stage_it_was_copied_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given config/staging.yaml copied from dev.yaml, still saying `stage: dev`
    copy = tmp_path / "staging.yaml"
    copy.write_text((loader.CONFIG_DIR / "dev.yaml").read_text(encoding="utf-8"))
    monkeypatch.setattr(loader, "CONFIG_DIR", tmp_path)
    # When it is loaded as stage staging, Then the error names both stages
    with pytest.raises(ConfigError) as error:
        load_stage("staging")
    assert error.value.problems == [
        "stage: 'dev' in a file for stage 'staging' "
        "(set stage: staging in staging.yaml, or use --stage dev)"
    ]


def test_a_binary_file_is_named_not_a_traceback(tmp_path: Path) -> None:
    binary = tmp_path / "dev.yaml"
    binary.write_bytes(b"stage: dev\n\xff\xfe\x00")
    with pytest.raises(ConfigError) as error:
        load_config(binary)
    assert error.value.problems == ["not a UTF-8 text file (byte 11)"]
