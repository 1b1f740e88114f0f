"""Which changes between two templates would make CloudFormation replace a stateful resource.

A resource is replaced, not updated, when a create-only property changes (the resource type's
schema lists them as `createOnlyProperties`), when its type changes, or when its logical id
changes (CloudFormation sees a deletion and a creation). Replacement also spreads: a resource
whose create-only property refers (Ref, Fn::GetAtt, Fn::Sub) to a replaced resource gets a new
value at deploy time, so it is replaced too. We read the schemas cfn-lint ships, so the rules
are AWS's own registry schemas, not a list of ours:
https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html

Only stateful resources are reported: replacing a Lambda function is routine, replacing the
Connect instance loses its phone numbers, users and history.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from scripts.preflight.report import Check, passed, warned

Template = Mapping[str, Any]

# What a replacement loses, per type: the reason each type counts as stateful.
LOSSES = {
    "AWS::Connect::Instance": "its claimed phone numbers, users, queues, contact records and "
    "history go with it",
    "AWS::Connect::PhoneNumber": "the number customers know is released, and may not be "
    "claimed again",
    "AWS::SMSVOICE::PhoneNumber": "the SMS number customers text is released, with its "
    "registration",
    "AWS::Connect::User": "the agent's login, settings and performance history",
    "AWS::DynamoDB::Table": "every item in the table",
    "AWS::DynamoDB::GlobalTable": "every item in the table",
    "AWS::S3::Bucket": "every object in the bucket (recordings, transcripts, reports)",
    "AWS::KMS::Key": "the key: data encrypted with the old key needs it to be read",
    "AWS::Kinesis::Stream": "the records not yet read from the stream",
    "AWS::Logs::LogGroup": "the logs already written",
    "AWS::SES::EmailIdentity": "the verified domain: DNS records must be published again",
    "AWS::SQS::Queue": "the messages waiting in the queue",
    "AWS::SecretsManager::Secret": "the secret's value",
}
# Properties the CloudFormation reference documents as "Update requires: Replacement" that the
# registry schemas cfn-lint ships leave out of createOnlyProperties: a new key schema or local
# secondary index means a new, empty table
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html).
DOCUMENTED_REPLACEMENTS = {
    "AWS::DynamoDB::Table": ("/properties/KeySchema", "/properties/LocalSecondaryIndexes"),
}
# CDK gives these deletion policies to what it considers stateful; the guard honours them too.
KEEPING_POLICIES = {"Retain", "RetainExceptOnCreate", "Snapshot"}
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class PropertyChange:
    """`because` names the replaced resource a property refers to, when that is the reason."""

    path: str
    before: Any
    after: Any
    because: str | None = None

    def describe(self) -> str:
        if self.because:
            return f"{self.path} refers to {self.because}, which is replaced"
        return f"{self.path} {_show(self.before)} -> {_show(self.after)}"


@dataclass(frozen=True)
class Replacement:
    stack: str
    logical_id: str
    type: str
    changes: tuple[PropertyChange, ...] = ()
    renamed_to: tuple[str, ...] = ()  # new logical ids of the same type, for a vanished one
    retained: bool = False  # the old resource's DeletionPolicy keeps it (orphaned)

    @property
    def removed(self) -> bool:
        return not self.changes

    def describe(self) -> str:
        what = f"{self.stack} {self.logical_id} ({self.type})"
        loss = LOSSES.get(self.type, "the data it holds")
        if not self.removed:
            reasons = "; ".join(change.describe() for change in self.changes)
            return f"{what} would be REPLACED: {reasons}; {loss}"
        renamed = f" (renamed to {' or '.join(self.renamed_to)}?)" if self.renamed_to else ""
        fate = (
            "the old one is retained, orphaned, and a new empty one is created"
            if self.retained
            else "CloudFormation DELETES it"
            + (" and creates a new, empty one" if self.renamed_to else "")
        )
        return f"{what} is gone from the template{renamed}: {fate}; {loss}"


def replacement_checks(
    new: Mapping[str, Template],
    baseline: Mapping[str, Template],
    source: str,
    region: str = DEFAULT_REGION,
) -> list[Check]:
    """One warning per stateful resource the deploy would replace or delete, or one pass."""
    compared = [stack for stack in new if stack in baseline]
    found = [
        replacement
        for stack in compared
        for replacement in replacements(stack, baseline[stack], new[stack], region)
    ]
    if found:
        return [
            warned(
                "REPLACEMENT",
                replacement.describe(),
                "keep the resource's logical id (the construct's id and path, or "
                "override_logical_id)"
                if replacement.removed
                else "revert the change; if it is meant, back up or export the data first",
            )
            for replacement in found
        ]
    if not compared:
        return [passed("replacement guard", f"{source}: none of these stacks; nothing to replace")]
    return [
        passed(
            "replacement guard",
            f"{len(compared)} stack(s) compared with {source}: no stateful resource replaced",
        )
    ]


def create_only_properties(resource_type: str, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """The type's `createOnlyProperties` as JSON pointers (`/properties/InstanceAlias`), with
    the documented replacements its schema omits; none for a type the registry does not know
    (custom resources)."""
    # cfn-lint's registry costs 1.5 s and 60 MB to import: only preflight pays it, not every
    # `ccaas` command (the CLI imports each command's module to build its parser).
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

    documented = DOCUMENTED_REPLACEMENTS.get(resource_type, ())
    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type)
    except ResourceNotFoundError:
        return documented
    listed = tuple(schema.schema.get("createOnlyProperties", ()))
    return listed + tuple(pointer for pointer in documented if pointer not in listed)


def is_stateful(resource: Mapping[str, Any]) -> bool:
    return (
        resource.get("Type") in LOSSES
        or resource.get("DeletionPolicy") in KEEPING_POLICIES
        or resource.get("UpdateReplacePolicy") in KEEPING_POLICIES
    )


def replacements(
    stack: str, before: Template, after: Template, region: str = DEFAULT_REGION
) -> list[Replacement]:
    """The stateful resources of `before` that deploying `after` would replace or delete."""
    old = before.get("Resources", {})
    new = after.get("Resources", {})
    replaced: dict[str, tuple[PropertyChange, ...]] = {}
    for logical_id, resource in new.items():
        previous = old.get(logical_id)
        if previous is None:
            continue
        if previous.get("Type") != resource.get("Type"):
            change = PropertyChange("Type", previous.get("Type"), resource.get("Type"))
            replaced[logical_id] = (change,)
            continue
        changes = tuple(_changed_create_only(previous, resource, region))
        if changes:
            replaced[logical_id] = changes
    _spread(replaced, old, new, region)
    found = [
        Replacement(stack, logical_id, new[logical_id]["Type"], changes)
        for logical_id, changes in replaced.items()
        if is_stateful(old[logical_id])
    ]
    for logical_id, resource in old.items():
        if logical_id in new or not is_stateful(resource):
            continue
        added = [
            new_id
            for new_id, candidate in new.items()
            if new_id not in old and candidate.get("Type") == resource.get("Type")
        ]
        found.append(
            Replacement(
                stack,
                logical_id,
                resource["Type"],
                renamed_to=tuple(added),
                retained=resource.get("DeletionPolicy") in KEEPING_POLICIES,
            )
        )
    return found


def _changed_create_only(
    before: Mapping[str, Any], after: Mapping[str, Any], region: str
) -> Iterator[PropertyChange]:
    old_properties = before.get("Properties", {})
    new_properties = after.get("Properties", {})
    for pointer in create_only_properties(after["Type"], region):
        old_value = _at(old_properties, pointer)
        new_value = _at(new_properties, pointer)
        if old_value != new_value:
            yield PropertyChange(_path(pointer), old_value, new_value)


def _spread(
    replaced: dict[str, tuple[PropertyChange, ...]],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    region: str,
) -> None:
    """Adds, until nothing changes, the resources whose create-only properties refer to a
    replaced resource (its Ref and attributes change at deploy time)."""
    spreading = True
    while spreading:
        spreading = False
        for logical_id, resource in new.items():
            if logical_id in replaced or logical_id not in old:
                continue
            properties = resource.get("Properties", {})
            for pointer in create_only_properties(resource["Type"], region):
                hit = sorted(_references(_at(properties, pointer)) & replaced.keys())
                if hit:
                    replaced[logical_id] = (PropertyChange(_path(pointer), None, None, hit[0]),)
                    spreading = True
                    break


def _at(properties: Mapping[str, Any], pointer: str) -> Any:
    """The value at a schema pointer; a `*` (any array item) compares the whole array."""
    value: Any = properties
    for segment in pointer.split("/")[2:]:
        if segment == "*" or not isinstance(value, Mapping):
            return value
        value = value.get(segment.replace("~1", "/").replace("~0", "~"))
    return value


def _references(value: Any) -> set[str]:
    """Logical ids a property value refers to through Ref, Fn::GetAtt and Fn::Sub."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                found |= {name.split(".")[0] for name in _sub_names(str(text))}
                if isinstance(inner, list) and len(inner) > 1:
                    found |= _references(inner[1])
            else:
                found |= _references(inner)
    return found


def _sub_names(text: str) -> Iterator[str]:
    for part in text.split("${")[1:]:
        name = part.split("}", 1)[0]
        if not name.startswith("!"):  # ${!Literal} is an escaped literal, not a reference
            yield name


def _path(pointer: str) -> str:
    return ".".join(pointer.split("/")[2:])


def _show(value: Any) -> str:
    text = "(none)" if value is None else json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."
