"""The replacement guard on hand-made template pairs: CloudFormation's create-only properties
(from the resource schemas cfn-lint ships), renamed logical ids, and replacement spreading
through references."""

from __future__ import annotations

import copy
from typing import Any

from scripts.preflight.replacement import (
    create_only_properties,
    replacement_checks,
    replacements,
)
from scripts.preflight.report import Status

STACK = "ContactCenter-dev-ContactCenter"


def template(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


def instance(identity: str = "CONNECT_MANAGED") -> dict[str, Any]:
    return {
        "Type": "AWS::Connect::Instance",
        "Properties": {
            "InstanceAlias": "riverside-dev",
            "IdentityManagementType": identity,
            "Attributes": {"InboundCalls": True, "OutboundCalls": True},
        },
    }


def table(billing: str = "PAY_PER_REQUEST", policy: str = "Delete") -> dict[str, Any]:
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": policy,
        "Properties": {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": billing,
        },
    }


def sms_number(number_type: str) -> dict[str, Any]:
    return {
        "Type": "AWS::SMSVOICE::PhoneNumber",
        "Properties": {
            "IsoCountryCode": "US",
            "NumberType": number_type,
            "NumberCapabilities": ["SMS"],
            "MandatoryKeywords": {"HELP": {"Message": "help"}, "STOP": {"Message": "stop"}},
        },
    }


def imported_number() -> dict[str, Any]:
    return {
        "Type": "AWS::Connect::PhoneNumber",
        "Properties": {
            "TargetArn": {"Fn::GetAtt": ["Instance", "Arn"]},
            "SourcePhoneNumberArn": {"Fn::GetAtt": ["SmsNumber", "Arn"]},
        },
    }


def test_the_schemas_cfn_lint_ships_name_the_instances_create_only_properties() -> None:
    assert "/properties/IdentityManagementType" in create_only_properties("AWS::Connect::Instance")
    assert create_only_properties("AWS::NoSuch::Thing") == ()


def test_a_changed_identity_management_type_replaces_the_connect_instance() -> None:
    found = replacements(STACK, template(Instance=instance()), template(Instance=instance("SAML")))

    assert [(r.logical_id, r.type) for r in found] == [("Instance", "AWS::Connect::Instance")]
    (change,) = found[0].changes
    assert (change.path, change.before, change.after) == (
        "IdentityManagementType",
        "CONNECT_MANAGED",
        "SAML",
    )
    assert 'IdentityManagementType "CONNECT_MANAGED" -> "SAML"' in found[0].describe()
    assert "REPLACED" in found[0].describe()


def test_a_new_key_schema_replaces_the_table_though_the_schema_omits_it() -> None:
    """The CloudFormation reference says KeySchema requires replacement; the registry schema
    does not list it as create-only, so the guard adds it."""
    before = table()
    after = table()
    after["Properties"] = {
        **after["Properties"],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
    }

    (replaced,) = replacements(STACK, template(Customers=before), template(Customers=after))

    (change,) = replaced.changes
    assert change.path == "KeySchema"
    assert "every item in the table" in replaced.describe()


def test_a_renamed_table_logical_id_deletes_the_table_and_names_the_likely_new_id() -> None:
    found = replacements(
        STACK, template(CustomersTable1A2B=table()), template(CustomersTable9Z8Y=table())
    )

    (gone,) = found
    assert gone.removed and gone.renamed_to == ("CustomersTable9Z8Y",)
    assert "CloudFormation DELETES it and creates a new, empty one" in gone.describe()
    assert "every item in the table" in gone.describe()


def test_a_retained_table_that_vanishes_is_orphaned_not_deleted() -> None:
    (gone,) = replacements(STACK, template(Customers=table(policy="Retain")), template())

    assert gone.retained
    assert "retained, orphaned" in gone.describe()


def test_an_unchanged_template_replaces_nothing() -> None:
    both = template(Instance=instance(), Customers=table())

    assert replacements(STACK, both, copy.deepcopy(both)) == []
    (check,) = replacement_checks({STACK: both}, {STACK: copy.deepcopy(both)}, "cdk.out")
    assert check.status is Status.PASS


def test_a_property_updated_in_place_is_not_a_replacement() -> None:
    found = replacements(
        STACK, template(Customers=table()), template(Customers=table(billing="PROVISIONED"))
    )

    assert found == []


def test_replacement_spreads_to_a_create_only_reference_of_a_replaced_resource() -> None:
    before = template(
        Instance=instance(), SmsNumber=sms_number("TOLL_FREE"), Imported=imported_number()
    )
    after = template(
        Instance=instance(), SmsNumber=sms_number("TEN_DLC"), Imported=imported_number()
    )

    found = {r.logical_id: r for r in replacements(STACK, before, after)}

    assert set(found) == {"SmsNumber", "Imported"}
    assert found["Imported"].changes[0].because == "SmsNumber"
    assert "SourcePhoneNumberArn refers to SmsNumber" in found["Imported"].describe()


def test_stateless_resources_are_not_reported() -> None:
    function = {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "a"}}
    renamed = {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "b"}}

    assert replacements(STACK, template(F=function), template(F=renamed)) == []
    assert replacements(STACK, template(F=function), template(G=function)) == []


def test_each_replacement_is_a_loud_warning_with_a_fix() -> None:
    checks = replacement_checks(
        {STACK: template(Instance=instance("SAML"))},
        {STACK: template(Instance=instance())},
        "cdk.out",
    )

    (check,) = checks
    assert (check.name, check.status) == ("REPLACEMENT", Status.WARN)
    assert check.fix and "revert the change" in check.fix


def test_the_guard_on_the_synthesized_stage_finds_the_instance_and_nothing_else(
    synth: Any, dev_config: Any
) -> None:
    """On the real templates: only the edited property's resource, and what spreads from it
    through create-only references, is reported."""
    new = copy.deepcopy(synth(dev_config).templates)
    baseline = copy.deepcopy(new)
    stack = next(name for name in new if name.endswith("-ContactCenter"))
    (logical_id,) = [
        key
        for key, resource in new[stack]["Resources"].items()
        if resource["Type"] == "AWS::Connect::Instance"
    ]
    new[stack]["Resources"][logical_id]["Properties"]["IdentityManagementType"] = "SAML"

    found = [r for name in new for r in replacements(name, baseline[name], new[name])]

    assert logical_id in {r.logical_id for r in found}
    assert all(r.stack == stack for r in found)
    assert replacement_checks(baseline, copy.deepcopy(baseline), "cdk.out")[0].status is (
        Status.PASS
    )
