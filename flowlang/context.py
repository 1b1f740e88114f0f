"""What a stage's config says about its flows: which placeholders resolve, types and channels.

The validator, the CDK construct and the local engine all resolve placeholders through this one
class, so "resolvable" means the same thing at `ccaas validate-flows` time and at synth time.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config import ContactCenterConfig
from config.model import Channel
from flowlang.placeholders import PlaceholderKind

# `${queue:routing.default_queue}`: a dotted name is a setting whose value is the config name.
# Config names never contain a dot, so the two forms cannot be confused.
_SETTING_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*$")
# `${bot:self_service}`: the config section of the stage's (one) bot.
BOT_SECTION = "self_service"
_CHANNEL_SECTIONS = {"chat": Channel.CHAT, "sms": Channel.SMS, "email": Channel.EMAIL}


class UnresolvablePlaceholderError(LookupError):
    """`reason` says which config entry is missing and what would make it resolvable."""

    def __init__(self, kind: PlaceholderKind, name: str, reason: str) -> None:
        self.kind = kind
        self.name = name
        self.reason = reason
        super().__init__(f"${{{kind}:{name}}}: {reason}")


@dataclass(frozen=True)
class FlowContext:
    """How one flow is used in a stage: its CloudFormation type and the channels that enter it.

    `channels` is None when the flow is not an entry point (queue, whisper, disconnect flows):
    any channel can reach it.
    """

    flow_type: str | None = None
    channels: frozenset[str] | None = None


class StageFlows:
    """Names the stage's config and functions define, as the flows' placeholders see them."""

    def __init__(
        self, config: ContactCenterConfig, lambdas: Collection[str], flows_dir: Path | None = None
    ) -> None:
        self.config = config
        self.lambdas = frozenset(lambdas)
        self.flows_dir = flows_dir
        self._settings = config.model_dump(mode="json")

    # --- placeholders -------------------------------------------------------------------------
    def config_name(self, kind: PlaceholderKind, name: str) -> str:
        """The config entry a placeholder names, following a dotted setting path once."""
        if kind == "setting" or "." not in name:
            return name
        value = self.setting(name)
        if not value:
            raise UnresolvablePlaceholderError(kind, name, f"setting '{name}' is empty")
        return value

    def check(self, kind: PlaceholderKind, name: str) -> None:
        """Raises UnresolvablePlaceholderError when the stage cannot give this placeholder a value."""
        if kind == "setting":
            self.setting(name)
            return
        if kind == "bot":
            if name != BOT_SECTION:
                raise UnresolvablePlaceholderError(
                    kind, name, f"the stage's one bot is '{BOT_SECTION}' (config `self_service`)"
                )
            return
        target = self.config_name(kind, name)
        known: Collection[str]
        if kind == "queue":
            known = self.config.queues
        elif kind == "hours":
            known = self.config.hours
        elif kind == "flow":
            known = self.config.flows
        else:
            known = self.lambdas
        if target not in known:
            where = {
                "queue": "config `queues`",
                "hours": "config `hours`",
                "flow": "config `flows`",
                "lambda": "the flow Lambdas (lambdas/<name>/handler.py)",
            }[kind]
            listing = ", ".join(sorted(known)) or "none"
            raise UnresolvablePlaceholderError(
                kind, name, f"no {kind} '{target}' in {where} (known: {listing})"
            )

    def setting(self, path: str) -> str:
        """A config value as the string a flow compares or shows ("true"/"false" for booleans).

        A setting of a channel section (chat, sms, email, tasks) resolves only when that channel
        is on: a flow that depends on a switched-off channel is a mistake worth catching.
        """
        if not _SETTING_PATH.match(path):
            raise UnresolvablePlaceholderError("setting", path, "is not a dotted config path")
        head = path.split(".", 1)[0]
        channel = _CHANNEL_SECTIONS.get(head) or (Channel.TASKS if head == "tasks" else None)
        if channel is not None and channel not in self.config.channels.enabled():
            raise UnresolvablePlaceholderError(
                "setting", path, f"channel '{channel.value}' is off in stage '{self.config.stage}'"
            )
        value: Any = self._settings
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                raise UnresolvablePlaceholderError(
                    "setting", path, f"config has no setting '{path}' (stopped at '{part}')"
                )
            value = value[part]
        if isinstance(value, dict | list):
            raise UnresolvablePlaceholderError(
                "setting", path, f"'{path}' is a section, not a single value"
            )
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    # --- how each flow is used ----------------------------------------------------------------
    def flow_context(self, flow_name: str) -> FlowContext:
        flow = self.config.flows.get(flow_name)
        channels: set[str] = set()
        if any(number.flow == flow_name for number in self.config.phone_numbers):
            channels.add("VOICE")
        config = self.config
        if (config.chat and config.chat.flow == flow_name) or (
            config.sms and config.sms.flow == flow_name
        ):
            channels.add("CHAT")
        if config.email and config.email.flow == flow_name:
            channels.add("EMAIL")
        if config.tasks and config.tasks.flow == flow_name:
            channels.add("TASK")
        return FlowContext(
            flow_type=flow.type.value if flow else None,
            channels=frozenset(channels) or None,
        )

    def flow_file(self, flow_name: str) -> Path:
        if self.flows_dir is None:
            raise ValueError("StageFlows was created without flows_dir")
        return self.flows_dir / self.config.flows[flow_name].file_name(flow_name)

    def flow_name_for(self, path: Path) -> str | None:
        """The config flow this file is (the very file config names, wherever the path points
        from), or None: a copy elsewhere or an export with the same name is not the stage's."""
        if self.flows_dir is None:
            return None
        target = path.resolve()
        for name in self.config.flows:
            if self.flow_file(name).resolve() == target:
                return name
        return None


def discover_lambdas(lambdas_dir: Path) -> list[str]:
    """Flow Lambdas that exist in the tree: `lambdas/<name>/handler.py` (not `common`)."""
    if not lambdas_dir.is_dir():
        return []
    return sorted(
        entry.name
        for entry in lambdas_dir.iterdir()
        if entry.is_dir() and (entry / "handler.py").is_file()
    )
