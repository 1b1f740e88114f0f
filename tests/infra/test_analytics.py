"""Analytics and observability in the template: the event source mapping's failure handling, the
failure queue, least-privilege grants, alarms from config to an encrypted topic, the dashboard."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_cdk.assertions import Match, Template

from config import ContactCenterConfig
from infra.constructs import analytics as analytics_construct

Synth = Callable[[ContactCenterConfig], Any]


def contact_center(synthesis: Any) -> Template:
    (name,) = [n for n in synthesis.templates if n.endswith("-ContactCenter")]
    return Template.from_json(synthesis.templates[name])


def only(template: Template, type_: str, props: dict[str, Any] | None = None) -> dict[str, Any]:
    found = template.find_resources(type_, {"Properties": props} if props else None)
    assert len(found) == 1, (type_, list(found))
    return next(iter(found.values()))


def logical_id(template: Template, type_: str, prefix: str) -> str:
    (match,) = [lid for lid in template.find_resources(type_) if lid.startswith(prefix)]
    return match


def analytics_function(template: Template) -> dict[str, Any]:
    return only(template, "AWS::Lambda::Function", {"Handler": "lambdas.analytics.handler.handler"})


def test_the_stream_mapping_isolates_poison_records_and_bounds_retries(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    function_id = logical_id(template, "AWS::Lambda::Function", "AnalyticsFunction")
    queue_id = logical_id(template, "AWS::SQS::Queue", "AnalyticsFailedBatches")
    mapping = only(
        template, "AWS::Lambda::EventSourceMapping", {"FunctionName": {"Ref": function_id}}
    )["Properties"]
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == analytics_construct.RETRY_ATTEMPTS
    # Records give up well inside the stream's 24 h retention, so they can still be read back.
    assert mapping["MaximumRecordAgeInSeconds"] == 6 * 3600 < 24 * 3600
    assert mapping["BatchSize"] == 500 and mapping["MaximumBatchingWindowInSeconds"] == 10
    assert mapping["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}
    }
    assert "ContactRecords" in json.dumps(mapping["EventSourceArn"])


def test_the_failure_queue_is_encrypted_with_its_own_key_and_tls_only(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    key_id = logical_id(template, "AWS::KMS::Key", "AnalyticsKey")
    queue = only(template, "AWS::SQS::Queue", {"KmsMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]}})
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert only(template, "AWS::KMS::Key", {"Description": Match.string_like_regexp("analytics")})[
        "Properties"
    ]["EnableKeyRotation"]
    policy = json.dumps(template.find_resources("AWS::SQS::QueuePolicy"))
    assert "aws:SecureTransport" in policy


def test_the_function_gets_its_settings_from_config_and_only_the_actions_it_uses(
    synth: Synth, voice_only_custom_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(voice_only_custom_config))
    variables = analytics_function(template)["Properties"]["Environment"]["Variables"]
    assert variables["SERVICE_LEVEL_THRESHOLD_SECONDS"] == "30"
    assert variables["REPEAT_WINDOW_HOURS"] == str(
        voice_only_custom_config.routing.repeat_contact.window_hours
    )
    assert variables["METRICS_RETENTION_DAYS"] == str(
        voice_only_custom_config.retention.metrics_days
    )
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == analytics_construct.METRICS_NAMESPACE
    assert variables["POWERTOOLS_SERVICE_NAME"] == analytics_construct.SERVICE
    assert "Metrics" in json.dumps(variables["METRICS_TABLE"])
    assert "Customers" in json.dumps(variables["CUSTOMERS_TABLE"])

    policy = only(
        template,
        "AWS::IAM::Policy",
        {"PolicyName": Match.string_like_regexp("^AnalyticsFunction")},
    )
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    dynamodb_actions = {
        action
        for statement in statements
        for action in _list(statement["Action"])
        if action.startswith("dynamodb:")
    }
    assert dynamodb_actions == set(analytics_construct.TABLE_ACTIONS)
    assert not any(a in dynamodb_actions for a in ("dynamodb:Scan", "dynamodb:DeleteItem"))
    assert all(
        "*" not in str(statement["Action"]) or statement["Action"] in _wildcards_ok()
        for statement in statements
    )


def _list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _wildcards_ok() -> list[Any]:
    """Action lists CDK's own grants produce with `*` in a name (KMS families)."""
    return [["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"]]


def test_pipeline_alarms_watch_iterator_age_errors_and_the_failure_queue(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    topic_id = logical_id(template, "AWS::SNS::Topic", "ObservabilityAlarms")
    iterator = only(template, "AWS::CloudWatch::Alarm", {"MetricName": "IteratorAge"})
    assert iterator["Properties"]["Threshold"] == 15 * 60 * 1000
    assert iterator["Properties"]["Statistic"] == "Maximum"
    errors = only(
        template,
        "AWS::CloudWatch::Alarm",
        {"MetricName": "Errors", "Namespace": "AWS/Lambda"},
    )
    depth = only(
        template,
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [
                {
                    "Name": "QueueName",
                    "Value": {
                        "Fn::GetAtt": [
                            logical_id(template, "AWS::SQS::Queue", "AnalyticsFailedBatches"),
                            "QueueName",
                        ]
                    },
                }
            ],
        },
    )
    for alarm in (iterator, errors, depth):
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching"


def kpi_alarms(template: Template) -> dict[str, dict[str, Any]]:
    return {
        lid: alarm["Properties"]
        for lid, alarm in template.find_resources("AWS::CloudWatch::Alarm").items()
        if lid.startswith("Observability")
    }


def queue_alarms(template: Template) -> dict[str, dict[str, Any]]:
    """The KPI alarms on queued contacts (the bot's have alarms of their own)."""
    return {lid: alarm for lid, alarm in kpi_alarms(template).items() if "Bot" not in lid}


def test_bot_alarms_hold_under_the_minimum_volume_and_take_the_stage_thresholds(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    # Given dev, which hands voice and chat customers to the bot
    template = contact_center(synth(dev_config))
    bot = {lid: alarm for lid, alarm in kpi_alarms(template).items() if "Bot" in lid}
    if not dev_config.self_service.enabled:
        assert bot == {}
        return

    # Then containment and bot abandonment alarm per conversational channel, at the thresholds
    # of `self_service`, and hold (a value that never alarms) under 10 bot contacts
    assert sorted(lid.split("Bot")[0] for lid in bot) == [
        "ObservabilityChat",
        "ObservabilityChat",
        "ObservabilityVoice",
        "ObservabilityVoice",
    ]
    containment = next(p for lid, p in bot.items() if lid.startswith("ObservabilityVoiceBotCont"))
    abandonment = next(p for lid, p in bot.items() if lid.startswith("ObservabilityVoiceBotAban"))
    assert containment["Threshold"] == dev_config.self_service.containment_min
    assert containment["ComparisonOperator"] == "LessThanThreshold"
    assert abandonment["Threshold"] == dev_config.self_service.bot_abandonment_max
    assert abandonment["ComparisonOperator"] == "GreaterThanThreshold"
    expressions = [q.get("Expression") for q in containment["Metrics"]]
    assert "IF(bot_voice >= 10, n_voice / bot_voice, 1)" in expressions
    expressions = [q.get("Expression") for q in abandonment["Metrics"]]
    assert "IF(bot_voice >= 10, n_voice / bot_voice, 0)" in expressions
    body = json.dumps(only(template, "AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    for metric in ("BotContacts", "BotContained", "BotEscalated", "BotAbandoned"):
        assert f'\\"{metric}\\"' in body, metric


def test_kpi_alarms_take_their_thresholds_from_config_per_conversational_channel(
    synth: Synth, voice_only_custom_config: ContactCenterConfig, dev_config: ContactCenterConfig
) -> None:
    voice_only = queue_alarms(contact_center(synth(voice_only_custom_config)))
    by_kind = {
        kind: next(p for lid, p in voice_only.items() if kind in lid)
        for kind in ("AbandonmentRate", "Asa", "ServiceLevel")
    }
    assert len(voice_only) == 3  # voice only: no CHAT alarms
    assert by_kind["AbandonmentRate"]["Threshold"] == 0.07
    assert by_kind["AbandonmentRate"]["ComparisonOperator"] == "GreaterThanThreshold"
    assert by_kind["Asa"]["Threshold"] == 45
    assert by_kind["ServiceLevel"]["Threshold"] == 0.9
    assert by_kind["ServiceLevel"]["ComparisonOperator"] == "LessThanThreshold"
    expressions = [q.get("Expression") for q in by_kind["AbandonmentRate"]["Metrics"]]
    assert "IF(queued_voice >= 10, abandoned_voice / queued_voice, 0)" in expressions
    metrics = {
        q["MetricStat"]["Metric"]["MetricName"]: q["MetricStat"]
        for q in by_kind["ServiceLevel"]["Metrics"]
        if "MetricStat" in q
    }
    assert set(metrics) == {"ContactsQueued", "ContactsAnsweredInThreshold"}
    stat = metrics["ContactsQueued"]
    assert stat["Period"] == 900 and stat["Stat"] == "Sum"
    assert stat["Metric"]["Namespace"] == "ContactCenter"
    assert {d["Name"]: d["Value"] for d in stat["Metric"]["Dimensions"]} == {
        "service": "analytics",
        "Channel": "VOICE",
    }

    dev = queue_alarms(contact_center(synth(dev_config)))
    assert len(dev) == 6  # dev has chat and SMS on: VOICE and CHAT
    assert any("Chat" in lid for lid in dev)


def test_alarms_go_to_an_encrypted_topic_cloudwatch_may_use_and_email_when_configured(
    synth: Synth, voice_only_custom_config: ContactCenterConfig, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(voice_only_custom_config))
    key_id = logical_id(template, "AWS::KMS::Key", "ObservabilityKey")
    only(template, "AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]}})
    subscription = only(template, "AWS::SNS::Subscription")["Properties"]
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == "floor.supervisor@example.gov"
    for alarm in kpi_alarms(template).values():
        assert len(alarm["AlarmActions"]) == 1 and len(alarm["OKActions"]) == 1

    topic_policy = json.dumps(template.find_resources("AWS::SNS::TopicPolicy"))
    key_policy = json.dumps(
        only(template, "AWS::KMS::Key", {"Description": Match.string_like_regexp("alarm")})
    )
    for policy in (topic_policy, key_policy):
        assert "cloudwatch.amazonaws.com" in policy
        assert "aws:SourceAccount" in policy and ":alarm:*" in policy

    dev = contact_center(synth(dev_config))
    assert not dev.find_resources("AWS::SNS::Subscription", {"Properties": {"Protocol": "email"}})


def test_the_dashboard_shows_connect_queue_metrics_and_our_kpis_per_channel(
    synth: Synth, dev_config: ContactCenterConfig
) -> None:
    template = contact_center(synth(dev_config))
    dashboard = only(template, "AWS::CloudWatch::Dashboard")["Properties"]
    assert dashboard["DashboardName"] == f"{dev_config.instance.alias}-supervisor"
    body = json.dumps(dashboard["DashboardBody"])
    for queue in dev_config.queues:
        assert f'\\"QueueName\\",\\"{queue}\\"' in body, queue
    for metric in ("QueueSize", "LongestQueueWaitTime", "QueueCapacityExceededError"):
        assert f'\\"AWS/Connect\\",\\"{metric}\\"' in body, metric
    for channel in ("VOICE", "CHAT"):
        assert f'\\"Channel\\",\\"{channel}\\"' in body, channel
    for metric in ("ContactsAbandoned", "QueueAnswerTime", "HandleTime", "RepeatContacts"):
        assert metric in body
    assert "Analytics: record age at processing" in body
