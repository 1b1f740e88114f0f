"""The self-service bot as synthesized: every intent in every locale of the stage, the alias
calling the fulfillment function per locale, Connect's association and access, conversation
logs only when configured, and sensitive slots obfuscated."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from config import ContactCenterConfig
from config.bot import BOTS_DIR, load_bot
from infra.stacks import DataStack
from lambdas.self_service.opening_hours import Schedule
from tests.conftest import config_with

Synth = Callable[[ContactCenterConfig], Any]
HANDLER = "lambdas.self_service.handler.handler"
SHIPPED = load_bot(BOTS_DIR / "self_service.yaml")


def resources(synthesis: Any, kind: str) -> dict[str, dict[str, Any]]:
    (name,) = [n for n in synthesis.templates if n.endswith("-ContactCenter")]
    return {
        logical_id: resource
        for logical_id, resource in synthesis.templates[name]["Resources"].items()
        if resource["Type"] == kind
    }


def one(synthesis: Any, kind: str) -> tuple[str, dict[str, Any]]:
    (found,) = resources(synthesis, kind).items()
    return found


def fulfillment(synthesis: Any) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (logical_id, resource)
        for logical_id, resource in resources(synthesis, "AWS::Lambda::Function").items()
        if resource["Properties"]["Handler"] == HANDLER
    ]
    return found


@pytest.fixture(scope="module")
def dev(synth: Synth, dev_config: ContactCenterConfig) -> Any:
    return synth(dev_config)


@pytest.fixture(scope="module")
def prod(synth: Synth, prod_config: ContactCenterConfig) -> Any:
    return synth(prod_config)


def test_every_intent_in_every_locale_of_the_stage(dev: Any, prod: Any) -> None:
    for synthesis, locales in ((dev, ["en_US", "es_US"]), (prod, ["en_US"])):
        _, bot = one(synthesis, "AWS::Lex::Bot")
        built = bot["Properties"]["BotLocales"]
        assert [locale["LocaleId"] for locale in built] == locales
        for locale in built:
            intents = {intent["Name"]: intent for intent in locale["Intents"]}
            assert set(intents) == {*SHIPPED.intents, "FallbackIntent"}
            assert intents["FallbackIntent"]["ParentIntentSignature"] == "AMAZON.FallbackIntent"
            for name, definition in SHIPPED.intents.items():
                utterances = [u["Utterance"] for u in intents[name]["SampleUtterances"]]
                assert utterances == definition.utterances[locale["LocaleId"]]
                assert intents[name]["FulfillmentCodeHook"] == {"Enabled": True}


def test_the_alias_calls_the_fulfillment_function_in_every_locale(dev: Any) -> None:
    function_id, _ = fulfillment(dev)
    _, alias = one(dev, "AWS::Lex::BotAlias")
    _, version = one(dev, "AWS::Lex::BotVersion")
    settings = alias["Properties"]["BotAliasLocaleSettings"]
    assert [s["LocaleId"] for s in settings] == ["en_US", "es_US"]
    for setting in settings:
        hook = setting["BotAliasLocaleSetting"]["CodeHookSpecification"]["LambdaCodeHook"]
        assert hook["LambdaArn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert [s["LocaleId"] for s in version["Properties"]["BotVersionLocaleSpecification"]] == [
        "en_US",
        "es_US",
    ]


def test_lex_invokes_the_function_only_through_the_alias(dev: Any) -> None:
    function_id, _ = fulfillment(dev)
    alias_id, _ = one(dev, "AWS::Lex::BotAlias")
    permissions = [
        p["Properties"]
        for p in resources(dev, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
            "Principal": "lexv2.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"},
            "SourceArn": {"Fn::GetAtt": [alias_id, "Arn"]},
        }
    ]


def test_connect_is_associated_with_the_alias_and_may_use_it_from_its_instance(dev: Any) -> None:
    alias_id, _ = one(dev, "AWS::Lex::BotAlias")
    instance_id, _ = one(dev, "AWS::Connect::Instance")
    (_, association), *others = [
        (logical_id, resource)
        for logical_id, resource in resources(dev, "AWS::Connect::IntegrationAssociation").items()
        if resource["Properties"]["IntegrationType"] == "LEX_BOT"
    ]
    assert not others
    assert association["Properties"]["IntegrationArn"] == {"Fn::GetAtt": [alias_id, "Arn"]}
    assert association["Properties"]["InstanceId"] == {"Fn::GetAtt": [instance_id, "Arn"]}
    policy_id, policy = one(dev, "AWS::Lex::ResourcePolicy")
    assert policy_id in association["DependsOn"]
    (statement,) = policy["Properties"]["Policy"]["Statement"]
    assert statement["Principal"] == {"Service": "connect.amazonaws.com"}
    assert statement["Resource"] == {"Fn::GetAtt": [alias_id, "Arn"]}
    assert statement["Condition"]["ArnEquals"] == {
        "AWS:SourceArn": {"Fn::GetAtt": [instance_id, "Arn"]}
    }


def test_conversation_logs_only_when_configured_and_encrypted(dev: Any, prod: Any) -> None:
    _, prod_alias = one(prod, "AWS::Lex::BotAlias")
    assert "ConversationLogSettings" not in prod_alias["Properties"]
    _, dev_alias = one(dev, "AWS::Lex::BotAlias")
    (text_log,) = dev_alias["Properties"]["ConversationLogSettings"]["TextLogSettings"]
    group_id = text_log["Destination"]["CloudWatch"]["CloudWatchLogGroupArn"]["Fn::GetAtt"][0]
    group = resources(dev, "AWS::Logs::LogGroup")[group_id]["Properties"]
    assert group["KmsKeyId"] and group["RetentionInDays"] == 30
    assert "AudioLogSettings" not in dev_alias["Properties"]["ConversationLogSettings"]


def test_every_sensitive_slot_is_obfuscated_and_no_other(dev: Any) -> None:
    _, bot = one(dev, "AWS::Lex::Bot")
    for locale in bot["Properties"]["BotLocales"]:
        for intent in locale["Intents"]:
            definition = SHIPPED.intents.get(intent["Name"])
            for slot in intent.get("Slots", []):
                assert definition is not None
                sensitive = definition.slots[slot["Name"]].sensitive
                obfuscated = slot.get("ObfuscationSetting") == {
                    "ObfuscationSettingType": "DefaultObfuscation"
                }
                assert obfuscated == sensitive, (intent["Name"], slot["Name"])


def test_the_function_reads_the_bot_texts_and_the_stages_hours(dev: Any) -> None:
    _, function = fulfillment(dev)
    environment = function["Properties"]["Environment"]["Variables"]
    assert environment["BOT_TEXTS"] == "self_service"
    schedule = Schedule.model_validate(json.loads(environment["OPENING_HOURS"]))
    assert schedule.time_zone == "America/Chicago"
    assert len(json.dumps(environment)) < 4096


def test_the_function_may_change_appointments_and_only_read_the_rest(dev: Any) -> None:
    function_id, function = fulfillment(dev)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in resources(dev, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    dynamodb = sorted(
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        if action.startswith("dynamodb:")
    )
    assert dynamodb == [
        "dynamodb:GetItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ], function_id


def test_a_stage_without_self_service_gets_no_tables(dev_config: ContactCenterConfig) -> None:
    off = config_with(dev_config, self_service={"enabled": False})
    data = Template.from_stack(DataStack(App(), "Data", config=off))
    tables = data.find_resources("AWS::DynamoDB::Table")
    assert not [logical_id for logical_id in tables if "Appointments" in logical_id]
    assert not [logical_id for logical_id in tables if "Outages" in logical_id]
