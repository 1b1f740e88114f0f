"""A stage's flows, loaded once, with their placeholders resolved to local ARNs.

Infra resolves `${queue:billing}`, `${lambda:routing}`... to CloudFormation references at synth
(through `flowlang.context.StageFlows`); here the same placeholders resolve, through the same
class, to ARNs of the emulated instance (`local_connect.emulation`), so an ARN a flow or a Lambda
hands back (`$.External.queueArn`) names the same queue the emulated Connect API knows. Each flow
is read and resolved once per library: contacts never touch the disk.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from config import ContactCenterConfig
from config.bot import BOTS_DIR, load_bot
from flowlang.context import StageFlows, discover_lambdas
from flowlang.loader import Flow, parse_flow
from flowlang.placeholders import PlaceholderKind, resolve
from local_connect.runtime.local_aws import LOCAL_ACCOUNT_ID, LOCAL_REGION, lex_bot_alias

REPO = Path(__file__).resolve().parents[2]
FLOWS_DIR = REPO / "contact_flows"
LAMBDAS_DIR = REPO / "lambdas"


@dataclass(frozen=True)
class Named:
    """A resource the flows refer to: its config name and its ARN."""

    name: str
    arn: str


class FlowLibrary:
    """Flows by name, and the queues, hours, flows and functions their ARNs stand for."""

    def __init__(
        self,
        *,
        account_id: str = LOCAL_ACCOUNT_ID,
        region: str = LOCAL_REGION,
        instance_arn: str | None = None,
        config: ContactCenterConfig | None = None,
        flows_dir: Path = FLOWS_DIR,
        lambdas: Iterable[str] | None = None,
    ) -> None:
        self.config = config
        self.account_id = account_id
        self.region = region
        self.instance_arn = instance_arn or (
            f"arn:aws:connect:{region}:{account_id}:instance/"
            + _stable_id(account_id, "instance", config.instance.alias if config else "local")
        )
        self.flows_dir = flows_dir
        self.lambda_names = frozenset(discover_lambdas(LAMBDAS_DIR) if lambdas is None else lambdas)
        self.stage = StageFlows(config, self.lambda_names, flows_dir) if config else None
        self._by_arn: dict[str, tuple[str, Named]] = {}
        self._flows: dict[str, Flow] = {}
        self._sources: dict[str, Path] = {}
        if config is not None:
            for name, flow in config.flows.items():
                self._sources[name] = flows_dir / flow.file_name(name)
                self._name("flow", name)
            for name in config.queues:
                self._name("queue", name)
            for name in config.hours:
                self._name("hours", name)
        for name in self.lambda_names:
            self._name("lambda", name)

    @classmethod
    def for_stage(
        cls, config: ContactCenterConfig, *, instance_arn: str | None = None, **kwargs: object
    ) -> FlowLibrary:
        return cls(config=config, instance_arn=instance_arn, **kwargs)  # type: ignore[arg-type]

    def add_file(self, name: str, path: Path) -> None:
        """A flow outside the stage (a test's flow, a real-world export), known as `name`."""
        self._sources[name] = path
        self._flows.pop(name, None)
        self._name("flow", name)

    # -- names and ARNs --------------------------------------------------------------------------
    def arn(self, kind: str, name: str) -> str:
        """The local ARN of a queue, hours, flow or Lambda, in the emulated instance's scheme."""
        if kind == "lambda":
            return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}"
        segment = {"queue": "queue", "hours": "operating-hours", "flow": "contact-flow"}[kind]
        instance_id = self.instance_arn.rsplit("/", 1)[-1]
        return f"{self.instance_arn}/{segment}/{_stable_id(instance_id, kind_key(kind), name)}"

    def _name(self, kind: str, name: str) -> Named:
        named = Named(name, self.arn(kind, name))
        self._by_arn[named.arn] = (kind, named)
        self._by_arn[named.arn.rsplit("/", 1)[-1]] = (kind, named)
        if kind == "lambda":
            self._by_arn[name] = (kind, named)
        return named

    def find(self, kind: str, reference: str | None) -> Named | None:
        """A queue/hours/flow/lambda by ARN or id (what flows and Lambdas pass around)."""
        if not reference:
            return None
        found = self._by_arn.get(reference.strip())
        if found is None and kind == "lambda" and ":function:" in reference:
            found = self._by_arn.get(reference.rsplit(":function:", 1)[-1].split(":")[0])
        if found is None or found[0] != kind:
            return None
        return found[1]

    def named(self, kind: str, name: str) -> Named:
        return Named(name, self.arn(kind, name))

    # -- flows -----------------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return sorted(self._sources)

    def flow(self, name: str) -> Flow:
        """The flow with the stage's placeholders resolved; read from disk the first time only."""
        flow = self._flows.get(name)
        if flow is None:
            source = self._sources.get(name)
            if source is None:
                raise KeyError(f"no flow named '{name}' (known: {', '.join(self.names)})")
            raw = parse_flow(source.read_text(encoding="utf-8"), source=str(source))
            document = resolve(raw.document, self._resolve) if self.stage else raw.document
            flow = Flow(
                source=raw.source,
                version=raw.version,
                start_action=raw.start_action,
                actions=parse_flow(document, source=raw.source).actions,
                metadata=raw.metadata,
                document=document,
                envelope=raw.envelope,
                wrapped_as=raw.wrapped_as,
            )
            self._flows[name] = flow
        return flow

    def flow_type(self, name: str) -> str | None:
        if self.config is not None and name in self.config.flows:
            return self.config.flows[name].type.value
        return self.flow(name).flow_type

    @cached_property
    def bot_alias_arn(self) -> str | None:
        """The local alias ARN of the stage's self-service bot; None when it has none."""
        if self.config is None or not self.config.self_service.enabled:
            return None
        bot = load_bot(BOTS_DIR / self.config.self_service.bot_file)
        _, _, arn = lex_bot_alias(bot.name, account_id=self.account_id, region=self.region)
        return arn

    def _resolve(self, kind: PlaceholderKind, name: str) -> str:
        assert self.stage is not None
        if kind == "setting":
            return self.stage.setting(name)
        self.stage.check(kind, name)
        if kind == "bot":
            return self.bot_alias_arn or ""
        return self.arn(kind, self.stage.config_name(kind, name))


def kind_key(kind: str) -> str:
    """The emulation's id namespace for each kind (so ids agree with `ConnectInstance`)."""
    return {"queue": "queue", "flow": "flow", "hours": "hours"}[kind]


def _stable_id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(("local-connect", *parts))))
