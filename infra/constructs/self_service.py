"""The self-service bot: a Lex V2 bot built from its bot file, its fulfillment function, and its
association with the Connect instance.

- Bot (`AWS::Lex::Bot`, L1: there is no L2): one locale per `self_service.locales`, each with the
  bot file's intents (sample utterances, slots, confirmation), its custom slot types and Lex's
  required FallbackIntent. Every intent calls the fulfillment function when fulfilled, and also
  on each dialog turn when it asks for something (slots or a confirmation), so an unidentified
  caller is told before being asked for account digits.
- Version and alias: an alias must point at a numbered version, and a version is a snapshot
  that CloudFormation never rebuilds, so the version's logical id carries a hash of the bot's
  definition: an edit makes a new version, the alias moves to it, and the old one is deleted.
  The alias names the fulfillment function per locale (its code hook).
- Access: Lex invokes the function only through this alias (`AWS:SourceArn`); Connect uses the
  alias only from this instance (the alias's resource policy) once the `LEX_BOT` integration
  association exists.
- Conversation logs: off unless `self_service.conversation_logs`; then text logs go to a log
  group with the stage's retention. Every slot the bot file marks `sensitive` is obfuscated in
  any log, whether or not logs are on (https://docs.aws.amazon.com/lexv2/latest/dg/monitoring-obfuscate.html).

Lex has no charge at rest (it bills per request); the tables are on-demand.
"""

from __future__ import annotations

import hashlib
import json

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lex as lex
from aws_cdk import aws_logs as logs
from constructs import Construct

from config import ContactCenterConfig
from config.bot import (
    FALLBACK_INTENT,
    BotDefinition,
    IntentDefinition,
    SlotDefinition,
    load_stage_bot,
    opening_hours_document,
    render_bot_texts,
)
from infra.constructs.connect_core import ConnectCore
from infra.constructs.data import DataStore
from infra.constructs.functions import (
    ENVIRONMENT_LIMIT_BYTES,
    FLOW_LAMBDA_MEMORY_MB,
    FLOW_LAMBDA_TIMEOUT_SECONDS,
)
from infra.constructs.python_function import PythonFunction, log_retention
from infra.nag import acknowledge
from infra.paths import BOT_TEXTS_DIR

ALIAS_NAME = "live"
# How many times Lex asks for a slot again before giving up on the intent.
SLOT_RETRIES = 2
# The Lambda code hook's message format version (CreateBotAlias: codeHookInterfaceVersion).
CODE_HOOK_VERSION = "1.0"
APPOINTMENT_ACTIONS = ("dynamodb:Query", "dynamodb:UpdateItem")
READ_ACTIONS = ("dynamodb:GetItem",)
# What Connect does with the bot: text and voice conversations through the alias.
CONNECT_LEX_ACTIONS = ["lex:RecognizeText", "lex:StartConversation"]


class SelfService(Construct):
    """Exposes `bot`, `alias`, `alias_arn` (what a flow's ConnectParticipantWithLexBot names)
    and `function`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        connect_core: ConnectCore,
        data: DataStore,
    ) -> None:
        super().__init__(scope, construct_id)
        if data.appointments_table is None or data.outages_table is None:
            raise ValueError("self_service.enabled needs the Data stack's self-service tables")
        self.config = config
        self.definition = load_stage_bot(config)
        self.locales = list(config.self_service.locales)
        _check_texts_rendered(config, self.definition)
        stack = Stack.of(self)

        self.function = self._function(config, data)
        self.role = iam.Role(
            self,
            "BotRole",
            assumed_by=iam.ServicePrincipal("lexv2.amazonaws.com"),
            description="Lex V2 self-service bot: speech synthesis and conversation logs",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["polly:SynthesizeSpeech"], resources=["*"])
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Lex speaks through polly:SynthesizeSpeech, whose only resource type is a Polly "
            "lexicon; the bot uses none, so the action can only be granted on '*' (the Lex "
            "service-linked role's own policy grants it the same way)",
        )
        self.bot = lex.CfnBot(
            self,
            "Bot",
            name=f"{config.stage}-{self.definition.name}",
            description=self.definition.description or None,
            role_arn=self.role.role_arn,
            # Given as CloudFormation spells it: the L1's DataPrivacy is untyped, and its
            # property class would render `childDirected`, which CloudFormation rejects.
            data_privacy={"ChildDirected": False},
            idle_session_ttl_in_seconds=self.definition.idle_session_ttl_seconds,
            auto_build_bot_locales=True,
            bot_locales=[self._locale(locale) for locale in self.locales],
        )
        version_hash = hashlib.sha256(
            f"{self.definition.model_dump_json()}|{self.locales}|{self.bot.name}".encode()
        ).hexdigest()[:10]
        self.version = lex.CfnBotVersion(
            self,
            f"Version{version_hash}",
            bot_id=self.bot.attr_id,
            description=f"bot definition {version_hash}",
            bot_version_locale_specification=[
                lex.CfnBotVersion.BotVersionLocaleSpecificationProperty(
                    locale_id=locale,
                    bot_version_locale_details=lex.CfnBotVersion.BotVersionLocaleDetailsProperty(
                        source_bot_version="DRAFT"
                    ),
                )
                for locale in self.locales
            ],
        )
        self.conversation_logs = (
            self._conversation_log_group(config) if config.self_service.conversation_logs else None
        )
        if self.conversation_logs is not None:
            self.conversation_logs.grant_write(self.role)
        self.alias = lex.CfnBotAlias(
            self,
            "Alias",
            bot_alias_name=ALIAS_NAME,
            bot_id=self.bot.attr_id,
            bot_version=self.version.attr_bot_version,
            bot_alias_locale_settings=[
                lex.CfnBotAlias.BotAliasLocaleSettingsItemProperty(
                    locale_id=locale,
                    bot_alias_locale_setting=lex.CfnBotAlias.BotAliasLocaleSettingsProperty(
                        enabled=True,
                        code_hook_specification=lex.CfnBotAlias.CodeHookSpecificationProperty(
                            lambda_code_hook=lex.CfnBotAlias.LambdaCodeHookProperty(
                                code_hook_interface_version=CODE_HOOK_VERSION,
                                lambda_arn=self.function.function_arn,
                            )
                        ),
                    ),
                )
                for locale in self.locales
            ],
            conversation_log_settings=self._conversation_log_settings(),
        )
        self.alias_arn = self.alias.attr_arn
        self.function.add_permission(
            "LexInvoke",
            principal=iam.ServicePrincipal("lexv2.amazonaws.com"),
            source_arn=self.alias_arn,
            source_account=stack.account,
        )
        # The alias's resource policy: Connect may converse with it, from this instance only.
        # https://docs.aws.amazon.com/lexv2/latest/dg/security_iam_resource-based-policy-examples.html
        self.alias_policy = lex.CfnResourcePolicy(
            self,
            "AliasPolicy",
            resource_arn=self.alias_arn,
            policy={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ConnectInstance",
                        "Effect": "Allow",
                        "Principal": {"Service": "connect.amazonaws.com"},
                        "Action": CONNECT_LEX_ACTIONS,
                        "Resource": self.alias_arn,
                        "Condition": {
                            "StringEquals": {"AWS:SourceAccount": stack.account},
                            "ArnEquals": {"AWS:SourceArn": connect_core.instance_arn},
                        },
                    }
                ],
            },
        )
        self.association = connect.CfnIntegrationAssociation(
            self,
            "ConnectAssociation",
            instance_id=connect_core.instance_arn,
            integration_type="LEX_BOT",
            integration_arn=self.alias_arn,
        )
        self.association.add_dependency(self.alias_policy)

    # --- the fulfillment function -------------------------------------------------------------

    def _function(self, config: ContactCenterConfig, data: DataStore) -> lambda_.Function:
        assert data.appointments_table is not None and data.outages_table is not None
        environment = {
            "CUSTOMERS_TABLE": data.customers_table.table_name,
            "APPOINTMENTS_TABLE": data.appointments_table.table_name,
            "OUTAGES_TABLE": data.outages_table.table_name,
            "BOT_TEXTS": _texts_name(config),
            "OPENING_HOURS": json.dumps(opening_hours_document(config), separators=(",", ":")),
        }
        _check_environment_fits(environment)
        wrapper = PythonFunction(
            self,
            "Fulfillment",
            handler="lambdas.self_service.handler.handler",
            description="Self-service bot: appointments, outages, balances, opening hours",
            log_retention_days=config.retention.log_days,
            environment=environment,
            # The caller hears silence while the code hook runs, as with the flow functions.
            memory_size=FLOW_LAMBDA_MEMORY_MB,
            timeout_seconds=FLOW_LAMBDA_TIMEOUT_SECONDS,
            service_name="self-service",
        )
        function = wrapper.function
        data.appointments_table.grant(function, *APPOINTMENT_ACTIONS)
        data.outages_table.grant(function, *READ_ACTIONS)
        data.customers_table.grant(function, *READ_ACTIONS)
        # Moving or cancelling an appointment writes to a table encrypted with the data key.
        data.key.grant_encrypt_decrypt(function)
        wrapper.acknowledge_key_grants()
        return function

    # --- the bot's definition -----------------------------------------------------------------

    def _locale(self, locale: str) -> lex.CfnBot.BotLocaleProperty:
        definition = self.definition
        settings = definition.locales[locale]
        return lex.CfnBot.BotLocaleProperty(
            locale_id=locale,
            nlu_confidence_threshold=definition.nlu_confidence_threshold,
            voice_settings=lex.CfnBot.VoiceSettingsProperty(
                voice_id=settings.voice, engine=settings.engine
            ),
            slot_types=[
                lex.CfnBot.SlotTypeProperty(
                    name=name,
                    description=slot_type.description or None,
                    slot_type_values=[
                        lex.CfnBot.SlotTypeValueProperty(
                            sample_value=lex.CfnBot.SampleValueProperty(value=value.value),
                            synonyms=[
                                lex.CfnBot.SampleValueProperty(value=synonym)
                                for synonym in value.synonyms.get(locale, [])
                            ]
                            or None,
                        )
                        for value in slot_type.values
                    ],
                    value_selection_setting=lex.CfnBot.SlotValueSelectionSettingProperty(
                        resolution_strategy="TOP_RESOLUTION"
                    ),
                )
                for name, slot_type in definition.slot_types.items()
            ]
            or None,
            intents=[
                *(
                    self._intent(name, intent, locale)
                    for name, intent in definition.intents.items()
                ),
                lex.CfnBot.IntentProperty(
                    name=FALLBACK_INTENT,
                    parent_intent_signature="AMAZON.FallbackIntent",
                    intent_closing_setting=lex.CfnBot.IntentClosingSettingProperty(
                        closing_response=_response(definition.fallback[locale])
                    ),
                ),
            ],
        )

    def _intent(
        self, name: str, intent: IntentDefinition, locale: str
    ) -> lex.CfnBot.IntentProperty:
        asks = bool(intent.slots) or intent.confirmation is not None
        confirmation = (
            lex.CfnBot.IntentConfirmationSettingProperty(
                prompt_specification=_prompt(intent.confirmation[locale]),
                declination_response=_response(intent.declined[locale])
                if intent.declined
                else None,
            )
            if intent.confirmation is not None
            else None
        )
        return lex.CfnBot.IntentProperty(
            name=name,
            description=intent.description,
            sample_utterances=[
                lex.CfnBot.SampleUtteranceProperty(utterance=utterance)
                for utterance in intent.utterances[locale]
            ],
            slots=[self._slot(slot_name, slot, locale) for slot_name, slot in intent.slots.items()]
            or None,
            slot_priorities=[
                lex.CfnBot.SlotPriorityProperty(priority=index, slot_name=slot_name)
                for index, slot_name in enumerate(intent.slots, start=1)
            ]
            or None,
            intent_confirmation_setting=confirmation,
            dialog_code_hook=lex.CfnBot.DialogCodeHookSettingProperty(enabled=True)
            if asks
            else None,
            fulfillment_code_hook=lex.CfnBot.FulfillmentCodeHookSettingProperty(enabled=True),
        )

    def _slot(self, name: str, slot: SlotDefinition, locale: str) -> lex.CfnBot.SlotProperty:
        return lex.CfnBot.SlotProperty(
            name=name,
            description=slot.description or None,
            slot_type_name=slot.type,
            value_elicitation_setting=lex.CfnBot.SlotValueElicitationSettingProperty(
                slot_constraint="Required" if slot.required else "Optional",
                prompt_specification=_prompt(slot.prompt[locale]),
            ),
            obfuscation_setting=lex.CfnBot.ObfuscationSettingProperty(
                obfuscation_setting_type="DefaultObfuscation"
            )
            if slot.sensitive
            else None,
        )

    def _conversation_log_group(self, config: ContactCenterConfig) -> logs.LogGroup:
        """Conversations are personal data: their group is encrypted with a key of its own,
        which CloudWatch Logs may use for this account's log groups only.
        https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"""
        stack = Stack.of(self)
        key = kms.Key(
            self,
            "ConversationLogsKey",
            description=f"{config.organisation} self-service conversation logs ({config.stage})",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                # In a key policy, Resource "*" is this key alone; the condition below limits
                # CloudWatch Logs to this account's log groups in this Region, as the AWS page
                # above prescribes (the group's name is not known before it is created).
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        return logs.LogGroup(
            self,
            "ConversationLogs",
            encryption_key=key,
            retention=log_retention(config.retention.log_days),
            removal_policy=RemovalPolicy.DESTROY,
        )

    def _conversation_log_settings(self) -> lex.CfnBotAlias.ConversationLogSettingsProperty | None:
        if self.conversation_logs is None:
            return None
        return lex.CfnBotAlias.ConversationLogSettingsProperty(
            text_log_settings=[
                lex.CfnBotAlias.TextLogSettingProperty(
                    enabled=True,
                    destination=lex.CfnBotAlias.TextLogDestinationProperty(
                        cloud_watch=lex.CfnBotAlias.CloudWatchLogGroupLogDestinationProperty(
                            cloud_watch_log_group_arn=self.conversation_logs.log_group_arn,
                            log_prefix=f"{self.config.stage}/",
                        )
                    ),
                )
            ]
        )


def _message_groups(text: str) -> list[lex.CfnBot.MessageGroupProperty]:
    return [
        lex.CfnBot.MessageGroupProperty(
            message=lex.CfnBot.MessageProperty(
                plain_text_message=lex.CfnBot.PlainTextMessageProperty(value=text)
            )
        )
    ]


def _prompt(text: str) -> lex.CfnBot.PromptSpecificationProperty:
    return lex.CfnBot.PromptSpecificationProperty(
        message_groups_list=_message_groups(text), max_retries=SLOT_RETRIES, allow_interrupt=True
    )


def _response(text: str) -> lex.CfnBot.ResponseSpecificationProperty:
    return lex.CfnBot.ResponseSpecificationProperty(
        message_groups_list=_message_groups(text), allow_interrupt=True
    )


def _texts_name(config: ContactCenterConfig) -> str:
    return config.self_service.bot_file.removesuffix(".yaml")


def _check_texts_rendered(config: ContactCenterConfig, bot: BotDefinition) -> None:
    """Fails the synth when the function would deploy sentences its bot file no longer has."""
    path = BOT_TEXTS_DIR / f"{_texts_name(config)}.json"
    if not path.is_file() or path.read_text(encoding="utf-8") != render_bot_texts(bot):
        raise ValueError(
            f"{path.name}: the self-service function's texts do not match "
            f"bots/{config.self_service.bot_file}: run `python scripts/render_bots.py`"
        )


def _check_environment_fits(environment: dict[str, str]) -> None:
    """Fails the synth, not the deploy, when the hours outgrow Lambda's 4 KB of variables."""
    # Table names resolve to at most 255 characters each; the others are literal here.
    size = sum(len(k) + (255 if "TABLE" in k else len(v)) for k, v in environment.items()) + 512
    if size > ENVIRONMENT_LIMIT_BYTES:
        raise ValueError(
            f"self_service: the opening hours need about {size} bytes of environment, over "
            f"Lambda's {ENVIRONMENT_LIMIT_BYTES}: fewer holidays in the hours it reads"
        )
