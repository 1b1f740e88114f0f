"""SMS and email: End User Messaging SMS, SES v2 and Connect's native email and SMS channels.

Only what `channels.sms` / `channels.email` switch on is created, under logical IDs that never
depend on which other channels are on, so switching a channel on adds resources and replaces
none.

SMS (channels.sms)
- End User Messaging SMS (`AWS::SMSVOICE::*`): an opt-out list, a configuration set whose events
  go to the messaging topic, and a phone number. STOP and HELP are answered by End User
  Messaging itself (the number's mandatory keywords), which also adds STOP senders to the
  opt-out list; START opts back in on long codes and 10DLC (carriers own it on toll-free).
  Self-managed opt-outs are not supported with Connect as the two-way destination, so no
  Lambda sits on inbound texts.
- A real number (not SIMULATOR) gets Amazon Connect as its two-way destination, is imported
  into the Connect instance (`AWS::Connect::PhoneNumber` with `SourcePhoneNumberArn`) and is
  pointed at the chat flow (`AssociateFlow`, `SMS_PHONE_NUMBER`, with the End User Messaging
  number's ARN): inbound texts become chat contacts (subtype connect:SMS) in the chat flow, and
  the crm_lookup Lambda finds the customer by the sender's number. Simulator numbers only reach
  simulator destinations, so they are not imported.

Email (channels.email)
- SES v2: the domain identity with Easy DKIM and a custom MAIL FROM, a configuration set with
  SES's account-level suppression (bounces and complaints) and bounce/complaint events to the
  messaging topic.
- Connect's email channel: the domain as an `SES_IDENTITY` integration, one
  `AWS::Connect::EmailAddress` per `email.addresses`, email message and attachment storage.
- Receiving: a receipt rule set for the domain that stores each message in a KMS-encrypted
  bucket and invokes inbound-email, which finds or creates the sender's profile and starts the
  email contact with the customer's attributes (`connect:StartEmailContact`).

Outbound (either channel)
- notify: SQS (KMS, DLQ) -> Lambda with partial batch responses and idempotency.
- delivery-events: the messaging topic -> Lambda: suppression list and SMS spend metrics.
"""

from __future__ import annotations

import json

from aws_cdk import Aws, CfnElement, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ses_actions as ses_actions
from aws_cdk import aws_smsvoice as smsvoice
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from constructs import Construct

from config import ContactCenterConfig
from config.model import EmailConfig
from infra.constructs.alarms import failure_alarm
from infra.constructs.connect_core import ConnectCore, pascal
from infra.constructs.data import DataStore, bucket_removal, settle_auto_delete_provider
from infra.constructs.flows import ContactFlows
from infra.constructs.python_function import PythonFunction
from infra.nag import acknowledge

NOTIFY_TIMEOUT_SECONDS = 30
INBOUND_PREFIX = "inbound/"
# Redeliveries a notify message may take: quiet-hours deferrals count as receives too.
NOTIFY_MAX_RECEIVES = 8


def sending_window(config: ContactCenterConfig) -> str:
    """`sms.quiet_hours` as notify reads it: the hours texts MAY be sent, "08:00-21:00".

    The config's range cannot cross midnight (end > start), so it can only name the daytime
    sending window; the quiet hours are the rest of the day (dev/prod: 21:00-08:00).
    """
    hours = config.sms.quiet_hours if config.sms else None
    return f"{hours.start:%H:%M}-{hours.end:%H:%M}" if hours else ""


def default_time_zone(config: ContactCenterConfig) -> str:
    """The time zone of the default queue's hours: used when a customer has none of their own."""
    queue = config.queues[config.routing.default_queue]
    return config.hours[queue.hours].time_zone


def address_intents(config: ContactCenterConfig) -> list[dict[str, str | None]]:
    """Each Connect email address with the routing intent whose queue it names, if any."""
    if config.email is None:
        return []
    entries: list[dict[str, str | None]] = []
    for address in config.email.addresses:
        intent = next(
            (name for name, queue in config.routing.intents.items() if queue == address.queue),
            None,
        )
        entries.append({"address": f"{address.local_part}@{config.email.domain}", "intent": intent})
    return entries


def keyword_messages(config: ContactCenterConfig) -> dict[str, str]:
    """The texts End User Messaging answers keywords with (carriers require HELP and STOP)."""
    org = config.organisation
    website = config.chat.widget_origins[0] if config.chat else None
    return {
        "HELP": f"{org}: for help, reply to this text to reach an agent"
        + (f" or visit {website}" if website else "")
        + ". Msg&data rates may apply. Reply STOP to opt out.",
        "STOP": f"{org}: you are unsubscribed and will get no more texts from us. "
        "Reply START to subscribe again.",
        "START": f"{org}: you are subscribed again. Reply STOP to opt out.",
        "AYUDA": f"{org}: responda a este mensaje para hablar con un agente"
        + (f" o visite {website}" if website else "")
        + ". Responda STOP para cancelar.",
    }


class Messaging(Construct):
    """Exposes `notify_queue`, `notify`, `events_topic`, and per channel `sms_number`,
    `sms_connect_number`, `email_identity`, `email_addresses`, `inbound_email`."""

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
        self.config = config
        self.connect_core = connect_core
        self.data = data
        removal = RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY
        log_days = config.retention.log_days

        self.key = kms.Key(
            self,
            "Key",
            description=f"{config.organisation} messaging queues, topic and inbound mail",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        self.failures = self._queue("FailedEvents", dead_letter=None)
        acknowledge(
            self.failures,
            "AwsSolutions-SQS3",
            "This queue is itself the failure destination of the messaging functions and the "
            "topic subscription; a failure queue of a failure queue would only move the problem",
        )

        # --- delivery feedback: SES bounces/complaints and SMS delivery events ----------------
        self.events_topic = sns.Topic(
            self, "Events", master_key=self.key, enforce_ssl=True, display_name="Messaging events"
        )
        self.delivery_events = self._function(
            "DeliveryEvents",
            handler="lambdas.delivery_events.handler.handler",
            description="Bounces and complaints into the suppression list; SMS events as metrics",
            service="delivery-events",
            environment={"CUSTOMERS_TABLE": data.customers_table.table_name},
            log_days=log_days,
        )
        data.customers_table.grant_write_data(self.delivery_events)
        self.events_topic.add_subscription(
            subscriptions.LambdaSubscription(self.delivery_events, dead_letter_queue=self.failures)
        )
        self.delivery_events.configure_async_invoke(
            on_failure=destinations.SqsDestination(self.failures), retry_attempts=2
        )

        # --- notify: outbound reminders, confirmations and surveys ----------------------------
        self.notify_dlq = self._queue("NotifyDeadLetters", dead_letter=None)
        self.notify_queue = self._queue(
            "NotifyQueue",
            dead_letter=sqs.DeadLetterQueue(
                queue=self.notify_dlq, max_receive_count=NOTIFY_MAX_RECEIVES
            ),
            # AWS's guidance for Lambda consumers: at least six times the function timeout.
            visibility=Duration.seconds(6 * NOTIFY_TIMEOUT_SECONDS),
        )
        notify_env = {
            "ORGANISATION": config.organisation,
            "CUSTOMERS_TABLE": data.customers_table.table_name,
            "IDEMPOTENCY_TABLE": data.idempotency_table.table_name,
            "NOTIFY_QUEUE_URL": self.notify_queue.queue_url,
            "DEFAULT_TIME_ZONE": default_time_zone(config),
            "SURVEY_LINK": (config.survey.link or "") if config.survey.enabled else "",
        }
        self.sms_number: smsvoice.CfnPhoneNumber | None = None
        self.sms_connect_number: connect.CfnPhoneNumber | None = None
        if config.channels.sms and config.sms is not None:
            notify_env.update(self._sms())
        self.email_identity: ses.IEmailIdentity | None = None
        self.email_addresses: dict[str, connect.CfnEmailAddress] = {}
        if config.channels.email and config.email is not None:
            notify_env.update(self._email())

        self.notify = self._function(
            "Notify",
            handler="lambdas.notify.handler.handler",
            description="Outbound SMS and email: reminders, callback confirmations, surveys",
            service="notify",
            environment=notify_env,
            log_days=log_days,
            timeout_seconds=NOTIFY_TIMEOUT_SECONDS,
        )
        self.notify.add_event_source(
            event_sources.SqsEventSource(
                self.notify_queue,
                batch_size=10,
                report_batch_item_failures=True,
                # Two pollers keep sends near a toll-free number's default 3 texts per second;
                # throttled sends are retried by the client and then by SQS.
                max_concurrency=2,
            )
        )
        self.notify_queue.grant_consume_messages(self.notify)
        data.customers_table.grant_read_data(self.notify)
        data.idempotency_table.grant_read_write_data(self.notify)
        self._grant_notify_senders()
        self.follow_up: lambda_.Function | None = None
        if config.channels.sms and config.sms is not None:
            self.follow_up = self._follow_up(data, log_days)
        self._dead_letter_alarms()
        CfnOutput(self, "NotifyQueueUrl", value=self.notify_queue.queue_url)

    def _follow_up(self, data: DataStore, log_days: int) -> lambda_.Function:
        """What the voice flow promised a caller (`followUpRequested`: a callback confirmation or
        a text instead of waiting), read from the contact records and put on the notify queue.

        The event source's filter lets only those records invoke the function: every other
        contact costs nothing here.
        """
        function = self._function(
            "FollowUp",
            handler="lambdas.follow_up.handler.handler",
            description="Contact records asking for a follow-up -> notify queue",
            service="follow-up",
            environment={"NOTIFY_QUEUE_URL": self.notify_queue.queue_url},
            log_days=log_days,
        )
        function.add_event_source(
            event_sources.KinesisEventSource(
                data.contact_record_stream,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=100,
                bisect_batch_on_error=True,
                retry_attempts=3,
                max_record_age=Duration.hours(6),
                report_batch_item_failures=True,
                on_failure=event_sources.SqsDlq(self.failures),
                filters=[
                    lambda_.FilterCriteria.filter(
                        {
                            "data": {
                                "Attributes": {
                                    "followUpRequested": lambda_.FilterRule.or_("callback", "sms")
                                }
                            }
                        }
                    )
                ],
            )
        )
        self.notify_queue.grant_send_messages(function)
        return function

    # --- SMS ------------------------------------------------------------------------------------
    def _sms(self) -> dict[str, str]:
        config = self.config
        sms = config.sms
        assert sms is not None
        stage = config.instance.alias
        self.opt_out_list = smsvoice.CfnOptOutList(
            self, "SmsOptOutList", opt_out_list_name=sms.opt_out_list
        )
        # End User Messaging publishes its events to SNS with its own service principal.
        self._allow_service_to_publish("sms-voice.amazonaws.com")
        self.sms_configuration_set = smsvoice.CfnConfigurationSet(
            self,
            "SmsConfigurationSet",
            configuration_set_name=f"{stage}-sms",
            event_destinations=[
                smsvoice.CfnConfigurationSet.EventDestinationProperty(
                    event_destination_name="delivery-events",
                    enabled=True,
                    matching_event_types=["TEXT_ALL"],
                    sns_destination=smsvoice.CfnConfigurationSet.SnsDestinationProperty(
                        topic_arn=self.events_topic.topic_arn
                    ),
                )
            ],
        )
        messages = keyword_messages(config)
        optional = [
            smsvoice.CfnPhoneNumber.OptionalKeywordProperty(
                keyword="AYUDA", message=messages["AYUDA"], action="AUTOMATIC_RESPONSE"
            )
        ]
        if sms.number_type != "TOLL_FREE":
            # US toll-free opt-in/opt-out keywords are handled by the carriers, not by us.
            optional.append(
                smsvoice.CfnPhoneNumber.OptionalKeywordProperty(
                    keyword="START", message=messages["START"], action="OPT_IN"
                )
            )
        real_number = sms.number_type != "SIMULATOR"
        self.sms_number = smsvoice.CfnPhoneNumber(
            self,
            "SmsPhoneNumber",
            iso_country_code=sms.country_code,
            number_type=sms.number_type,
            number_capabilities=["SMS"],
            opt_out_list_name=self.opt_out_list.ref,
            self_managed_opt_outs_enabled=False,
            mandatory_keywords=smsvoice.CfnPhoneNumber.MandatoryKeywordsProperty(
                help=smsvoice.CfnPhoneNumber.MandatoryKeywordProperty(message=messages["HELP"]),
                stop=smsvoice.CfnPhoneNumber.MandatoryKeywordProperty(message=messages["STOP"]),
            ),
            optional_keywords=optional,
            # No TwoWay here: Connect as the two-way destination is `connect.<region>.amazonaws.com`
            # (see associate_flows), which this property's schema (pattern ^arn:) refuses.
            deletion_protection_enabled=config.protect_data,
        )
        self.sms_number.apply_removal_policy(
            RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY
        )
        if real_number:
            self.sms_connect_number = connect.CfnPhoneNumber(
                self,
                "SmsConnectNumber",
                target_arn=self.connect_core.instance_arn,
                source_phone_number_arn=self.sms_number.attr_arn,
                description=f"SMS number -> {sms.flow}",
            )
            CfnOutput(self, "SmsNumberForCustomers", value=self.sms_number.attr_phone_number)
        return {
            "SMS_ORIGINATION_IDENTITY": self.sms_number.attr_arn,
            "SMS_OPT_OUT_LIST": sms.opt_out_list,
            "SMS_CONFIGURATION_SET": f"{stage}-sms",
            "SMS_SENDING_WINDOW": sending_window(config),
            "SMS_REMINDERS": "true" if sms.reminders else "false",
        }

    def _connect_sms_to_instance(self, flows: ContactFlows, flow_name: str) -> None:
        """Two-way to Connect, then the import into the instance, then the chat flow.

        End User Messaging documents Connect as a number's inbound destination as
        `TwoWayChannelArn` = `connect.<region>.amazonaws.com`
        (https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-phone-number.html;
        the console's "Destination type: Amazon Connect", which then offers the import). The
        CloudFormation property only takes an ARN, so `UpdatePhoneNumber` sets it. The number is
        then imported (`SmsConnectNumber`) and associated with the flow by its End User
        Messaging ARN, the ResourceId `AssociateFlow` takes for `SMS_PHONE_NUMBER`
        (https://docs.aws.amazon.com/connect/latest/APIReference/API_AssociateFlow.html).
        """
        assert self.sms_number is not None and self.sms_connect_number is not None
        number_arn = self.sms_number.attr_arn
        two_way = flows.sdk_call(
            "SmsTwoWayToConnect",
            create=cr.AwsSdkCall(
                service="PinpointSMSVoiceV2",
                action="updatePhoneNumber",
                parameters={
                    "PhoneNumberId": number_arn,
                    "TwoWayEnabled": True,
                    "TwoWayChannelArn": f"connect.{Aws.REGION}.amazonaws.com",
                },
                physical_resource_id=cr.PhysicalResourceId.of("sms-two-way-connect"),
            ),
            # The number goes with the stack (or is retained with its settings, prod).
            delete=None,
            actions=["sms-voice:UpdatePhoneNumber"],
            resources=[number_arn],
            resource_type="Custom::SmsTwoWayChannel",
        )
        self.sms_connect_number.node.add_dependency(two_way)
        association = flows.associate_flow(
            "SmsNumberFlow",
            resource_arn=number_arn,
            resource_type="SMS_PHONE_NUMBER",
            flow_name=flow_name,
        )
        # Connect associates only a number the instance has imported.
        association.node.add_dependency(self.sms_connect_number)

    # --- email ----------------------------------------------------------------------------------
    def _email(self) -> dict[str, str]:
        config = self.config
        email = config.email
        assert email is not None
        stage = config.instance.alias
        core = self.connect_core
        self.email_configuration_set = ses.ConfigurationSet(
            self,
            "EmailConfigurationSet",
            configuration_set_name=f"{stage}-email",
            # SES adds hard bounces and complaints to the account-level suppression list and
            # stops sending to them; delivery-events keeps our own copy for notify and agents.
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            reputation_metrics=True,
            sending_enabled=True,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
        )
        self.email_configuration_set.add_event_destination(
            "Feedback",
            destination=ses.EventDestination.sns_topic(self.events_topic),
            events=[
                ses.EmailSendingEvent.BOUNCE,
                ses.EmailSendingEvent.COMPLAINT,
                ses.EmailSendingEvent.REJECT,
                ses.EmailSendingEvent.DELIVERY_DELAY,
            ],
        )
        # The event destination adds SES's topic policy; the topic's key must let SES encrypt.
        self._allow_service_to_use_key("ses.amazonaws.com")
        self.email_identity = self._email_identity(email)
        # SES receives the domain's mail in this Region once its MX points here:
        # https://docs.aws.amazon.com/ses/latest/dg/receiving-email-mx-record.html
        CfnOutput(
            self,
            "InboundMxRecord",
            description="MX to publish for the domain, so SES receives its mail",
            value=f"{email.domain} MX 10 inbound-smtp.{Aws.REGION}.amazonaws.com",
        )

        # Connect's email channel sends agents' replies through this SES identity.
        identity_association = connect.CfnIntegrationAssociation(
            self,
            "EmailIdentityAssociation",
            instance_id=core.instance_arn,
            integration_type="SES_IDENTITY",
            integration_arn=self.email_identity.email_identity_arn,
        )
        for address in email.addresses:
            resource = connect.CfnEmailAddress(
                self,
                f"EmailAddress{pascal(address.local_part.replace('.', '_').replace('-', '_'))}",
                instance_arn=core.instance_arn,
                email_address=f"{address.local_part}@{email.domain}",
                display_name=address.display_name,
                description=f"{address.local_part}@ -> {email.flow}"
                + (f" ({address.queue})" if address.queue else ""),
            )
            resource.node.add_dependency(identity_association)
            self.email_addresses[address.local_part] = resource
        self._email_storage()
        self._inbound_email()
        return {
            "EMAIL_FROM": f"{email.from_address}@{email.domain}",
            "EMAIL_CONFIGURATION_SET": f"{stage}-email",
        }

    def _email_identity(self, email: EmailConfig) -> ses.IEmailIdentity:
        """The domain's SES identity: created here with Easy DKIM and a custom MAIL FROM, and the
        DNS records that verify it as stack outputs; or, with `email.create_identity: false`,
        the one another stage in this account created (an account holds an identity once)."""
        if not email.create_identity:
            return ses.EmailIdentity.from_email_identity_name(self, "EmailIdentity", email.domain)
        identity = ses.EmailIdentity(
            self,
            "EmailIdentity",
            identity=ses.Identity.domain(email.domain),
            configuration_set=self.email_configuration_set,
            dkim_signing=True,
            mail_from_domain=f"mail.{email.domain}",
            mail_from_behavior_on_mx_failure=ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
        )
        # Easy DKIM: three CNAMEs verify the domain
        # (https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html).
        for index in (1, 2, 3):
            CfnOutput(
                self,
                f"DkimRecord{index}",
                description="CNAME to publish in DNS for Easy DKIM (verifies the domain)",
                value=f"{getattr(identity, f'dkim_dns_token_name{index}')} CNAME "
                f"{getattr(identity, f'dkim_dns_token_value{index}')}",
            )
        # Custom MAIL FROM: an MX and an SPF record on mail.<domain>; until they resolve SES
        # sends from amazonses.com (USE_DEFAULT_VALUE)
        # (https://docs.aws.amazon.com/ses/latest/dg/mail-from.html).
        CfnOutput(
            self,
            "MailFromMxRecord",
            description="MX to publish for the MAIL FROM domain",
            value=f"mail.{email.domain} MX 10 feedback-smtp.{Aws.REGION}.amazonses.com",
        )
        CfnOutput(
            self,
            "MailFromSpfRecord",
            description="SPF TXT record to publish for the MAIL FROM domain",
            value=f'mail.{email.domain} TXT "v=spf1 include:amazonses.com ~all"',
        )
        return identity

    def _email_storage(self) -> None:
        """Connect keeps email bodies and attachments in the recordings bucket, with our key."""
        data = self.data
        for resource_type in ("EMAIL_MESSAGES", "ATTACHMENTS"):
            connect.CfnInstanceStorageConfig(
                self,
                f"{pascal(resource_type.lower())}Storage",
                instance_arn=self.connect_core.instance_arn,
                resource_type=resource_type,
                storage_type="S3",
                s3_config=connect.CfnInstanceStorageConfig.S3ConfigProperty(
                    bucket_name=data.recordings_bucket.bucket_name,
                    bucket_prefix=resource_type.lower().replace("_", "-"),
                    encryption_config=connect.CfnInstanceStorageConfig.EncryptionConfigProperty(
                        encryption_type="KMS", key_id=data.key.key_arn
                    ),
                ),
            )

    def _inbound_email(self) -> None:
        config = self.config
        email = config.email
        assert email is not None
        core = self.connect_core
        self.inbound_bucket = s3.Bucket(
            self,
            "InboundMail",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.data.access_logs_bucket,
            server_access_logs_prefix="inbound-mail/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    # Connect keeps its own copy (EMAIL_MESSAGES); ours is the original MIME,
                    # kept as long as recordings.
                    expiration=Duration.days(config.retention.recordings_days),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            **bucket_removal(config.protect_data),
        )
        settle_auto_delete_provider(self, config.retention.log_days)
        # SES writes the message through the bucket's default SSE-KMS encryption: the same key
        # permission as for the topic (added with the configuration set above).
        self.inbound_email = self._function(
            "InboundEmail",
            handler="lambdas.inbound_email.handler.handler",
            description="Inbound email: profile by sender, then a Connect email contact",
            service="inbound-email",
            environment={
                "CUSTOMERS_TABLE": self.data.customers_table.table_name,
                "CONNECT_INSTANCE_ID": core.instance.attr_id,
                "INBOUND_BUCKET": self.inbound_bucket.bucket_name,
                "INBOUND_PREFIX": INBOUND_PREFIX,
                "EMAIL_DOMAIN": email.domain,
                "INBOUND_ADDRESSES": json.dumps(address_intents(config)),
                "CONTACT_HISTORY_DAYS": str(config.retention.contact_history_days),
            },
            log_days=config.retention.log_days,
        )
        # Only GetObject under the prefix SES writes to (no listing), and decryption with our key.
        iam.Grant.add_to_principal(
            grantee=self.inbound_email,
            actions=["s3:GetObject"],
            resource_arns=[self.inbound_bucket.arn_for_objects(f"{INBOUND_PREFIX}*")],
        )
        self.key.grant_decrypt(self.inbound_email)
        acknowledge(
            self.inbound_email,
            f"AwsSolutions-IAM5[Resource::<{self._logical_id(self.inbound_bucket)}.Arn>/"
            f"{INBOUND_PREFIX}*]",
            "SES names each stored message by its own message id, so the function may read "
            "any object under the prefix SES writes to, and nothing else",
        )
        self.data.customers_table.grant_read_write_data(self.inbound_email)
        iam.Grant.add_to_principal(
            grantee=self.inbound_email,
            actions=["connect:StartEmailContact"],
            resource_arns=[
                core.instance_arn,
                f"{core.instance_arn}/contact/*",
                *[address.attr_email_address_arn for address in self.email_addresses.values()],
            ],
        )
        acknowledge(
            self.inbound_email,
            f"AwsSolutions-IAM5[Resource::<{self._logical_id(core.instance)}.Arn>/contact/*]",
            "StartEmailContact creates the contact it authorizes, so its id cannot be named in "
            "advance; the wildcard is limited to contacts of this instance",
        )
        self.inbound_email.configure_async_invoke(
            on_failure=destinations.SqsDestination(self.failures), retry_attempts=2
        )
        self.receipt_rules = ses.ReceiptRuleSet(
            self,
            "InboundRules",
            receipt_rule_set_name=f"{config.instance.alias}-inbound",
            rules=[
                ses.ReceiptRuleOptions(
                    receipt_rule_name="to-connect",
                    # The whole domain: unknown local parts reach the default address.
                    recipients=[email.domain],
                    scan_enabled=True,
                    tls_policy=ses.TlsPolicy.REQUIRE,
                    actions=[
                        ses_actions.S3(
                            bucket=self.inbound_bucket, object_key_prefix=INBOUND_PREFIX
                        ),
                        ses_actions.Lambda(
                            function=self.inbound_email,
                            invocation_type=ses_actions.LambdaInvocationType.EVENT,
                        ),
                    ],
                )
            ],
        )
        CfnOutput(
            self,
            "ActivateInboundRules",
            description="One account-wide rule set is active per region; activate ours once",
            value=f"aws ses set-active-receipt-rule-set --rule-set-name "
            f"{config.instance.alias}-inbound",
        )

    # --- shared ---------------------------------------------------------------------------------
    def _grant_notify_senders(self) -> None:
        if self.sms_number is not None:
            iam.Grant.add_to_principal(
                grantee=self.notify,
                actions=["sms-voice:SendTextMessage"],
                resource_arns=[self.sms_number.attr_arn, self.sms_configuration_set.attr_arn],
            )
            iam.Grant.add_to_principal(
                grantee=self.notify,
                actions=["sms-voice:DescribeOptedOutNumbers"],
                resource_arns=[self.opt_out_list.attr_arn],
            )
        if self.email_identity is not None:
            self.email_identity.grant_send_email(self.notify)
            # SES v2 also authorizes the configuration set named in the request.
            iam.Grant.add_to_principal(
                grantee=self.notify,
                actions=["ses:SendEmail"],
                resource_arns=[
                    f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:configuration-set/"
                    f"{self.email_configuration_set.configuration_set_name}"
                ],
            )
        if self.sms_number is not None:
            self._spend_alarm()

    def _dead_letter_alarms(self) -> None:
        """A message in either failure queue is a notification or an email nobody handled."""
        for construct_id, queue in (
            ("NotifyDeadLettersAlarm", self.notify_dlq),
            ("FailedEventsAlarm", self.failures),
        ):
            failure_alarm(
                self,
                construct_id,
                metric=queue.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(5), statistic="Maximum"
                ),
                description=f"Messages waiting in {construct_id.removesuffix('Alarm')}",
                at_least=1,
            )

    def _spend_alarm(self) -> None:
        """End User Messaging refuses texts once the account's monthly limit is spent; warn
        when one day spends a quarter of `sms.monthly_spend_limit_usd`."""
        sms = self.config.sms
        assert sms is not None
        self.sms_spend_alarm = failure_alarm(
            self,
            "SmsDailySpend",
            metric=cloudwatch.Metric(
                namespace="ContactCenter",
                metric_name="SmsSpendUsd",
                dimensions_map={"service": "delivery-events"},
                statistic="Sum",
                period=Duration.days(1),
            ),
            description=f"SMS spend in one day reached a quarter of the monthly limit "
            f"(${sms.monthly_spend_limit_usd})",
            at_least=sms.monthly_spend_limit_usd / 4,
        )

    def _allow_service_to_publish(self, service: str) -> None:
        """Topic policy and key policy for an AWS service publishing on our account's behalf."""
        self.events_topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(service)],
                actions=["sns:Publish"],
                resources=[self.events_topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        self._allow_service_to_use_key(service)

    def _allow_service_to_use_key(self, service: str) -> None:
        # Only requests made for this account (no confused deputy across accounts).
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(service)],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )

    def _queue(
        self,
        construct_id: str,
        *,
        dead_letter: sqs.DeadLetterQueue | None,
        visibility: Duration | None = None,
    ) -> sqs.Queue:
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.key,
            enforce_ssl=True,
            dead_letter_queue=dead_letter,
            visibility_timeout=visibility,
            retention_period=Duration.days(14),
        )

    def _function(
        self,
        construct_id: str,
        *,
        handler: str,
        description: str,
        service: str,
        environment: dict[str, str],
        log_days: int,
        timeout_seconds: int = 30,
    ) -> lambda_.Function:
        function = PythonFunction(
            self,
            construct_id,
            handler=handler,
            description=description,
            log_retention_days=log_days,
            environment=environment,
            timeout_seconds=timeout_seconds,
            service_name=service,
        )
        function.acknowledge_key_grants()
        return function.function

    def _logical_id(self, construct: Construct) -> str:
        """How cdk-nag names a resource inside a finding: `<LogicalId.Arn>`."""
        resource = construct if isinstance(construct, CfnElement) else construct.node.default_child
        assert isinstance(resource, CfnElement)
        return Stack.of(self).get_logical_id(resource)

    def associate_flows(self, flows: ContactFlows) -> None:
        """Points the SMS number and the email addresses at their flows (ContactFlows).

        Called by the stack once the ContactFlows construct exists; CloudFormation has no
        property for these, so ContactFlows makes the calls at deploy time.
        """
        config = self.config
        if self.sms_connect_number is not None and self.sms_number is not None and config.sms:
            self._connect_sms_to_instance(flows, config.sms.flow)
        if config.email is not None:
            for local_part, address in self.email_addresses.items():
                flows.associate_flow(
                    f"EmailAddress{pascal(local_part.replace('.', '_').replace('-', '_'))}Flow",
                    resource_arn=address.attr_email_address_arn,
                    resource_type="INBOUND_EMAIL",
                    flow_name=config.email.flow,
                )
