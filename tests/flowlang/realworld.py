"""The corpus's flow folders, named once for every flowlang test that reads real exports.

A new folder of flows in the corpus must be added here: `test_every_flow_folder_is_checked`
fails until it is, so no folder is left out of the validator's tests.
"""

from __future__ import annotations

from pathlib import Path

# Folder -> how many exports it holds (a file lost in a download fails loudly).
FLOW_FOLDERS = {"flows": 48, "flows_more": 19}
LEGACY_FOLDER = "flows_legacy_format"


def real_exports(realworld_dir: Path) -> list[Path]:
    """Every flow-language export of the corpus, all flow folders, in a stable order."""
    return [
        path for folder in FLOW_FOLDERS for path in sorted((realworld_dir / folder).glob("*.json"))
    ]
