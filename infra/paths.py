"""Where infra finds the code and flow files it deploys; infra points at them, it never imports them."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = PROJECT_ROOT / "lambdas"
CONTACT_FLOWS_DIR = PROJECT_ROOT / "contact_flows"
# What the self-service function reads of each bot file (scripts/render_bots.py writes it).
BOT_TEXTS_DIR = LAMBDAS_DIR / "self_service" / "bots"
