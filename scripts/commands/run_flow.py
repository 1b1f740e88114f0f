"""`ccaas run-flow`: the path one contact takes through any flow file, block by block.

The flow interpreter (`local_connect.flows`) with a trace. A file from another instance runs
without a config: `ForeignResources` stands in for its hours and queues, its Lambdas take their
Error branch, and each guess is printed as a warning. With --stage, the stage's queues, hours,
placeholders and Lambdas (the real handlers, over moto) are the instance the flow runs in.
The path is the result (stdout); a run that cannot finish is exit 1, bad input exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from config import ContactCenterConfig, load_stage
from config.model import HoursConfig
from scripts.cli_support import EXIT_OK, EXIT_PROBLEMS, CommandError, read_text

CHANNELS = ("voice", "chat", "task", "email")
# Fictional customer addresses (North American 555-01xx, example.com) for the contact.
CUSTOMER_PHONE = "+15555550143"
CUSTOMER_EMAIL = "customer@example.com"
DESCRIPTION = """\
Runs one contact through a contact flow file, all on this machine, and prints the path it takes:
each block visited, what the contact heard or read, what the customer entered, the contact
attributes set, the branch taken, and where the contact ends (a queue, a disconnect, a transfer).

Any flow file works, including an export from another Connect instance. Without --stage, its
hours of operation come from --hours (else always open), its queues are mapped by --queue-map
(else they all go to one default queue, BasicQueue), its Lambda functions take their Error
branch, a Lex bot takes the customer's input as the intent name, and blocks that need services
the local engine lacks (Customer Profiles, Cases, Voice ID, Amazon Q...) are simulated: they take
their success branch. Each guess is printed as a `warning:` or `simulated:` line. With --stage,
the stage's queues, hours, placeholders and Lambdas (the real handlers, over a local DynamoDB
with no customers) are used, foreign queues go to the stage's default queue, and with
self_service on, the stage's bot answers (the local Lex and the real fulfillment function).

--input answers the flow's prompts in order: digits on voice, a message on chat or email ('' is
silence: the input times out); it takes every word after it, so name FILE first. After the last
answer the customer stays silent, then hangs up.
--hours is a YAML or JSON file holding one entry of the config's `hours` section (time_zone,
weekly, holidays); --queue-map a YAML or JSON mapping of queue ARN, queue id or queue name (as
the export's metadata names it) to a local queue name. --at without a UTC offset is in the
hours' time zone (UTC when there are none).

Writes nothing. Exit code 0 when the contact reaches an end, whatever it is; 1 when the run
stops on an action type the local engine does not know, a transition to a missing action, or a
loop with no end; 2 for bad input.

Examples:
  ccaas run-flow export.json --input 1                     a caller who presses 1
  ccaas run-flow chat.json --channel chat --input billing --attributes '{"tier": "gold"}'
  ccaas run-flow export.json --hours hours.yaml --queue-map queues.yaml --at 2026-11-26T10:00
  ccaas run-flow contact_flows/inbound_voice.json --stage dev --input agent
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run-flow",
        help="print the path a contact takes through any flow file (offline, no config needed)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="a flow-language JSON file")
    parser.add_argument(
        "--channel", choices=CHANNELS, default="voice", help="the contact's channel (voice)"
    )
    parser.add_argument(
        "--input",
        dest="inputs",
        nargs="+",
        action="extend",
        default=[],
        metavar="DIGITS_OR_TEXT",
        help="the customer's answers to the flow's prompts, in order",
    )
    parser.add_argument(
        "--attributes", metavar="JSON", help="contact attributes at the start, a JSON object"
    )
    parser.add_argument("--hours", type=Path, metavar="FILE", help="hours of operation (YAML)")
    parser.add_argument(
        "--queue-map", type=Path, metavar="FILE", help="foreign queue -> local queue (YAML)"
    )
    parser.add_argument("--stage", help="run in config/<stage>.yaml's instance")
    parser.add_argument(
        "--at",
        type=datetime.fromisoformat,
        metavar="TIME",
        help="when the contact arrives, ISO 8601 (default: now)",
    )
    parser.set_defaults(handler=run, offline=True)


def run(args: argparse.Namespace) -> int:
    from local_connect.flows import Contact, FlowInterpreter, FlowOutcome, ForeignResources
    from local_connect.flows.foreign import parse_hours, parse_queue_map

    read_text(args.file, "flow file")  # missing, a folder or binary: one line, exit 2
    attributes = _attributes(args.attributes)
    hours = _document(args.hours, "hours file", parse_hours) if args.hours else None
    queue_map = _document(args.queue_map, "queue map", parse_queue_map) if args.queue_map else {}
    config = load_stage(args.stage) if args.stage else None
    if config is not None:
        _check_queue_map(queue_map, config, args.queue_map)
    instance = _Instance(config)
    name = instance.load(args.file, args.stage)

    engine = FlowInterpreter(
        instance.library,
        lambdas=instance.lambdas,
        queues=instance.queues,
        foreign=ForeignResources(
            hours=hours, queue_map=queue_map, default_queue=instance.default_queue
        ),
        trace=True,
    )
    channel = args.channel.upper()
    contact = Contact(
        channel=channel,
        initiation_method="API" if channel in ("CHAT", "TASK") else "INBOUND",
        customer_endpoint=_endpoint(channel),
        attributes=attributes,
    )
    at = _arrival(args.at, hours, config)
    flow_type = instance.library.flow_type(name) or "type not given"
    print(
        f"flow '{name}' ({flow_type}) from {args.file}: a {channel} contact at "
        f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        flush=True,
    )
    outcome = FlowOutcome(contact=contact, flow=name)
    with _stage_world(config, instance.library, at) as lex:
        engine.lex = lex
        stopped = _drive(engine, name, outcome, at, args.inputs)
    for line in path_lines(outcome, start_flow=name):
        print(line)
    print(f"stopped: {stopped}" if stopped is not None else f"ended: {_ending(outcome)}")
    for line in summary_lines(outcome, default_queue=instance.default_queue):
        print(line)
    return EXIT_PROBLEMS if stopped is not None else EXIT_OK


class _Instance:
    """Where the flow runs: the stage's instance (its queues, hours, placeholders and real
    Lambdas), or an empty one whose queues are whatever the flow and the queue map name."""

    def __init__(self, config: ContactCenterConfig | None) -> None:
        from local_connect.flows import FlowLibrary, LambdaRegistry, StaticQueues
        from local_connect.flows.environment import flow_lambda_environment
        from local_connect.flows.foreign import DEFAULT_QUEUE

        self.config = config
        if config is not None:
            self.library = FlowLibrary.for_stage(config)
            self.default_queue = config.routing.default_queue
            self.queues = StaticQueues(
                capacity={n: q.max_contacts for n, q in config.queues.items() if q.max_contacts}
            )
            # The stage's flow Lambdas, in the local Lambda runtime with infra's environment.
            self.lambdas = LambdaRegistry(environment=flow_lambda_environment(config, self.library))
        else:
            self.library = FlowLibrary(lambdas=[])
            self.default_queue = DEFAULT_QUEUE
            self.queues = StaticQueues()
            self.lambdas = LambdaRegistry(discover=False)

    def load(self, path: Path, stage: str | None) -> str:
        """The flow's name here (a stage's own file keeps its config name), read once: a file
        that is no flow is bad input, not a run that stops."""
        from flowlang.context import UnresolvablePlaceholderError
        from flowlang.problems import FlowFormatError

        stage_flows = self.library.stage
        name = stage_flows.flow_name_for(path) if stage_flows is not None else None
        if name is None:
            name = path.stem
            self.library.add_file(name, path)
        try:
            self.library.flow(name)
        except FlowFormatError as error:
            reasons = "; ".join(problem.reason for problem in error.problems)
            raise CommandError(f"{path} is not a contact flow: {reasons}") from None
        except UnresolvablePlaceholderError as error:
            raise CommandError(f"{path}: {error}", f"check config/{stage}.yaml") from None
        return name


def _drive(engine: Any, name: str, outcome: Any, at: datetime, inputs: list[str]) -> str | None:
    """Runs the flow to its end, the scripted customer answering; the reason it stopped
    early (an action type the engine does not know, a missing action, a loop), or None."""
    from local_connect.flows import FlowError, ScriptedCustomer

    customer = ScriptedCustomer([answer or None for answer in inputs])
    try:
        steps = engine.steps(name, outcome.contact, at=at, outcome=outcome)
        prompt = next(steps)
        while True:
            prompt = steps.send(customer.respond(prompt))
    except StopIteration:
        return None
    except FlowError as error:
        return str(error)


# -- inputs ------------------------------------------------------------------------------------


def _attributes(text: str | None) -> dict[str, str]:
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"--attributes is not JSON: {error.msg} at column {error.colno}",
            """write a JSON object, e.g. '{"tier": "gold"}'""",
        ) from None
    if not isinstance(value, dict):
        raise CommandError("--attributes must be a JSON object of names to values")
    attributes: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, dict | list) or item is None:
            raise CommandError(f"--attributes: '{key}' must be text or a number (Connect's are)")
        attributes[key] = item if isinstance(item, str) else json.dumps(item)
    return attributes


def _document(path: Path, what: str, parse: Any) -> Any:
    """A YAML (or JSON, which YAML reads too) file through its parser; one line when wrong."""
    text = read_text(path, what)
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CommandError(f"{path} is not YAML or JSON{where}", f"expected a {what}") from None
    try:
        return parse(document)
    except ValueError as error:
        raise CommandError(
            f"{path}: {error}", f"see `ccaas run-flow --help` for the {what}"
        ) from None


def _check_queue_map(
    queue_map: dict[str, str], config: ContactCenterConfig, path: Path | None
) -> None:
    unknown = sorted({queue for queue in queue_map.values() if queue not in config.queues})
    if unknown:
        raise CommandError(
            f"{path}: no queue {', '.join(unknown)} in stage '{config.stage}'",
            f"known: {', '.join(sorted(config.queues))}",
        )


def _endpoint(channel: str) -> dict[str, str] | None:
    from local_connect.flows import Contact

    if channel == "VOICE":
        return Contact.phone(CUSTOMER_PHONE)
    if channel == "EMAIL":
        return Contact.email(CUSTOMER_EMAIL)
    return None


def _arrival(
    at: datetime | None, hours: HoursConfig | None, config: ContactCenterConfig | None
) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is not None:
        return at
    if hours is None and config is not None:
        hours = config.hours[config.queues[config.routing.default_queue].hours]
    return at.replace(tzinfo=ZoneInfo(hours.time_zone) if hours else UTC)


@contextlib.contextmanager
def _stage_world(
    config: ContactCenterConfig | None, library: Any, at: datetime
) -> Iterator[Any | None]:
    """With a stage, its flow Lambdas run for real over moto (an empty customers table) and,
    when self-service is on, its bot answers through the emulated Lex with the real fulfillment
    function; yields that Lex client (None without a bot). Without a stage, nothing to set up."""
    if config is None:
        yield None
        return
    from moto import mock_aws

    from local_connect.emulation import AwsWorld, emulate_aws
    from local_connect.emulation.lex import connect_lex_client
    from local_connect.runtime.resources import create_customers_table, create_self_service_tables

    world = AwsWorld.from_config(config, region=library.region, clock=lambda: at)
    with mock_aws(), emulate_aws(world):
        create_customers_table(library.region)
        if not config.self_service.enabled:
            yield None
            return
        create_self_service_tables(library.region)
        yield connect_lex_client(library.region, world.instance.arn)


# -- output ------------------------------------------------------------------------------------

_ENDINGS = {
    "disconnect": "disconnected by the flow",
    "end": "the flow ended (EndFlowExecution)",
    "agent": "transferred to the agent the flow set",
    "third_party": "transferred to an external number",
    "holding": "holding in the queue: its messages play until an agent answers",
    "customer_left": "the customer left while the flow waited for them",
}


def _ending(outcome: Any) -> str:
    where = f"(flow '{outcome.ended_in}')"
    if outcome.ended_by == "queue":
        priority = f", priority {outcome.priority}" if outcome.priority is not None else ""
        return f"in queue '{outcome.queue}'{priority} {where}"
    if outcome.ended_by == "error":
        last = outcome.errors[-1] if outcome.errors else None
        failed = f" at {last.action_type} '{last.action}'" if last is not None else ""
        return f"dropped: an error{failed} with no error branch {where}"
    if outcome.ended_by == "other_flow":
        return (
            f"transferred to flow {outcome.transferred_to}, which is not loaded "
            f"(run its file next) {where}"
        )
    return f"{_ENDINGS.get(str(outcome.ended_by), str(outcome.ended_by))} {where}"


def path_lines(outcome: Any, *, start_flow: str) -> list[str]:
    """Each block the contact went through, numbered, with what happened there."""
    lines: list[str] = []
    flow = start_flow
    width = len(str(len(outcome.steps)))
    for number, step in enumerate(outcome.steps, start=1):
        if step.flow != flow:
            flow = step.flow
            lines.append(f"  -- in flow '{flow}'")
        lines.append(f"  {number:>{width}}. {step.action_type} '{step.action}'")
        indent = " " * (width + 6)
        for text in step.said:
            lines.append(f"{indent}says: {_one_line(text)}")
        if step.answer is not None:
            lines.append(f"{indent}customer: {_one_line(step.answer)}")
        for key, value in step.attributes.items():
            lines.append(f"{indent}sets: {key} = {_one_line(value)}")
        for key, value in step.flow_attributes.items():
            lines.append(f"{indent}sets flow attribute: {key} = {_one_line(value)}")
        if step.simulated:
            lines.append(f"{indent}simulated: {step.action_type}")
        if step.result is not None:
            lines.append(f"{indent}-> {step.result}")
    return lines


def summary_lines(outcome: Any, *, default_queue: str) -> list[str]:
    lines: list[str] = []
    if outcome.attributes:
        shown = ", ".join(f"{k}={_one_line(v)}" for k, v in sorted(outcome.attributes.items()))
        lines.append(f"attributes: {shown}")
    if outcome.contact.event_hooks:
        hooks = ", ".join(f"{k} -> {v}" for k, v in sorted(outcome.contact.event_hooks.items()))
        lines.append(f"event hooks: {hooks}")
    if outcome.callback is not None:
        queue = outcome.callback.queue.name if outcome.callback.queue else "(none)"
        lines.append(f"callback booked: {outcome.callback.number} in queue '{queue}'")
    lines.append(f"time in the flow: about {round(outcome.seconds_in_flow)} s")
    if outcome.simulated:
        lines.append(f"simulated: {', '.join(dict.fromkeys(outcome.simulated))}")
    mapped = {ref: local for ref, (local, by_map) in outcome.foreign_queues.items() if by_map}
    defaulted = [ref for ref, (_, by_map) in outcome.foreign_queues.items() if not by_map]
    for reference, local in mapped.items():
        lines.append(f"queue map: {reference} -> '{local}'")
    if defaulted:
        lines.append(
            f"warning: {len(defaulted)} queue(s) not in this instance went to the default "
            f"queue '{default_queue}' (map them with --queue-map): {', '.join(defaulted)}"
        )
    lines.extend(f"warning: {warning}" for warning in outcome.warnings)
    return lines


def _one_line(text: str) -> str:
    return " ".join(str(text).split()) or '""'  # an empty value shows as such
