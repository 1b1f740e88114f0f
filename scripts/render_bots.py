"""Renders every bot file (bots/*.yaml) to the JSON the self-service function reads.

The function ships without PyYAML and `config/`, so its sentences travel as
lambdas/self_service/bots/<name>.json (config.bot.render_bot_texts); the synth refuses a
rendering that no longer matches its bot file, and a test checks every one is current.

    python scripts/render_bots.py          # after editing a bot file
    python scripts/render_bots.py --check  # exit 1 and name the stale files
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config import ConfigError
from config.bot import BOTS_DIR, load_bot, render_bot_texts
from infra.paths import BOT_TEXTS_DIR


def rendered() -> dict[Path, str]:
    """Each bot file's rendering, by the path it belongs at."""
    return {
        BOT_TEXTS_DIR / f"{path.stem}.json": render_bot_texts(load_bot(path))
        for path in sorted(BOTS_DIR.glob("*.yaml"))
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale renderings")
    args = parser.parse_args(argv)
    try:
        renderings = rendered()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    stale = [
        path
        for path, text in renderings.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    if args.check:
        for path in stale:
            print(f"stale: {path} (run python scripts/render_bots.py)", file=sys.stderr)
        return 1 if stale else 0
    BOT_TEXTS_DIR.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_text(renderings[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
