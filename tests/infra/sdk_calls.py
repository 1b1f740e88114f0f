"""The AWS API calls a synthesized template's `AwsCustomResource`s make at deploy time.

CDK writes each call (`Create`, `Update`, `Delete`) as a JSON string, joined around
CloudFormation references (`Fn::GetAtt`, `Ref`, `Fn::Select` of `Fn::Split`...). `sdk_calls`
evaluates those references with values the caller chooses (symbols for a template test,
plausible ARNs for a replay against the emulation) and decodes each call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Attribute = Callable[[str, str], str]
Reference = Callable[[str], str]
# A value another stack exports (`Fn::ImportValue`), by export name.
Imported = Callable[[str], str]
# AwsCustomResource's service names (SDK v2 style) -> botocore's.
BOTOCORE_SERVICES = {
    "Connect": "connect",
    "PinpointSMSVoiceV2": "pinpoint-sms-voice-v2",
    "CloudWatchLogs": "logs",
}


@dataclass(frozen=True)
class SdkCall:
    logical_id: str
    resource_type: str
    phase: str  # Create | Update | Delete
    service: str  # botocore's name, e.g. "connect"
    operation: str  # e.g. "AssociateFlow"
    parameters: dict[str, Any]


def evaluate(
    value: Any, attribute: Attribute, reference: Reference, imported: Imported | None = None
) -> Any:
    """`value` with CloudFormation's intrinsic functions applied."""
    imported = imported or symbolic_import
    if isinstance(value, list):
        return [evaluate(item, attribute, reference, imported) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Fn::Join":
            separator, parts = argument
            return separator.join(str(evaluate(p, attribute, reference, imported)) for p in parts)
        if key == "Fn::GetAtt":
            logical_id, name = argument
            return attribute(logical_id, name)
        if key == "Ref":
            return reference(argument)
        if key == "Fn::ImportValue":
            return imported(argument)
        if key == "Fn::Select":
            index, items = argument
            values = evaluate(items, attribute, reference, imported)
            # A symbol has no parts to select from: say what would be selected.
            return values[int(index)] if int(index) < len(values) else f"@Select{index}:{values}"
        if key == "Fn::Split":
            separator, text = argument
            return str(evaluate(text, attribute, reference, imported)).split(separator)
        if key.startswith("Fn::"):
            raise NotImplementedError(f"{key} is not evaluated here")
    return {k: evaluate(v, attribute, reference, imported) for k, v in value.items()}


def symbolic_attribute(logical_id: str, name: str) -> str:
    return f"@GetAtt:{logical_id}.{name}"


def symbolic_reference(name: str) -> str:
    return f"@Ref:{name}"


def symbolic_import(name: str) -> str:
    return f"@Import:{name}"


def sdk_calls(
    template: Mapping[str, Any],
    attribute: Attribute = symbolic_attribute,
    reference: Reference = symbolic_reference,
    imported: Imported = symbolic_import,
) -> Iterator[SdkCall]:
    """Every AwsCustomResource call of the template, in template order."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if "ServiceToken" not in properties:
            continue
        for phase in ("Create", "Update", "Delete"):
            if phase not in properties:
                continue
            call = json.loads(evaluate(properties[phase], attribute, reference, imported))
            action = call["action"]
            yield SdkCall(
                logical_id=logical_id,
                resource_type=resource["Type"],
                phase=phase,
                service=BOTOCORE_SERVICES[call["service"]],
                operation=action[0].upper() + action[1:],
                parameters=call.get("parameters", {}),
            )
