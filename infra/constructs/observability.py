"""The supervisor's CloudWatch dashboard and KPI alarms, notifying an SNS topic.

Dashboard, top to bottom:
- our KPIs per channel (EMF metrics the analytics function publishes, namespace ContactCenter,
  dimensions service=analytics and Channel): contacts queued/answered/abandoned, abandonment
  rate, average speed of answer, service level, average handle time, self-service and repeat
  rates, each a 15-minute sum or a ratio of 15-minute sums, the interval of the KPI table;
- Amazon Connect's own queue metrics per queue (namespace AWS/Connect, dimensions InstanceId,
  MetricGroup=Queue, QueueName): contacts in queue now, longest wait, contacts refused at
  capacity; and the instance's voice metrics (concurrent calls, missed calls) and flow errors;
- the alarms' states and the analytics pipeline's health (iterator age, errors, failure queue);
- with `history.enabled`, the archive's Firehose: records converted or not, delivery freshness
  (its two alarms come from infra/constructs/history.py).

Alarms (thresholds from `config.alarms`), per conversational channel switched on (VOICE; CHAT,
which carries web chat and SMS): abandonment rate above `abandonment_rate_max`, ASA above
`asa_max_seconds`, service level within `service_level_threshold_seconds` below
`service_level_min`, each over a 15-minute interval. Rates need volume to mean anything: with
fewer than `MIN_QUEUED_FOR_RATES` contacts queued in the interval the rate alarms hold (one
abandoned call of two at 3 a.m. is not a 50% abandonment problem); the constant lives in
`config/dashboard.py`, where the local charts read it too. Email and task contacts wait
hours by design, so speed thresholds for conversations do not apply to them.

With `self_service.enabled`, a row for the bot (the Bot* metrics: contacts handed to the bot,
contained, escalated, abandoned in it; containment, bot abandonment and escalation rates, the
ratios `lambdas.analytics.logic.Kpis` defines) and, per conversational channel, two alarms:
containment below `self_service.containment_min` and bot abandonment above
`self_service.bot_abandonment_max`, held under `MIN_QUEUED_FOR_RATES` bot contacts in the
interval like the other rate alarms.

Alarms go to one KMS-encrypted SNS topic; `alarms.notify_email` subscribes an address (AWS sends
it a confirmation email first). CloudWatch may publish to the topic and use its key only for
alarms of this account and region.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from config import ContactCenterConfig
from config.dashboard import MIN_QUEUED_FOR_RATES
from infra.constructs.analytics import METRICS_NAMESPACE, SERVICE, Analytics
from infra.constructs.connect_core import ConnectCore
from infra.constructs.history import delivery_metric

KPI_PERIOD = Duration.minutes(15)
CONNECT_PERIOD = Duration.minutes(1)
CONVERSATIONAL_CHANNELS = ("VOICE", "CHAT")


def connect_channels(config: ContactCenterConfig) -> list[str]:
    """Connect's channels (as contact records name them) that the config switches on."""
    on = config.channels
    channels = []
    if on.voice:
        channels.append("VOICE")
    if on.chat or on.sms:
        channels.append("CHAT")
    if on.email:
        channels.append("EMAIL")
    if on.tasks:
        channels.append("TASK")
    return channels


def kpi_metric(name: str, channel: str, period: Duration = KPI_PERIOD) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE, "Channel": channel},
        statistic="Sum",
        period=period,
    )


def guarded_ratio(
    channel: str,
    *,
    numerator: tuple[str, str],
    denominator: tuple[str, str],
    label: str,
    otherwise: float = 0,
    minimum: int | None = None,
) -> cloudwatch.MathExpression:
    """numerator / denominator of the channel's KPI counters, each given as (variable, metric),
    or `otherwise` (a value that never alarms) while the denominator is zero, or below
    `minimum` where a rate over a handful of contacts would alarm on noise."""
    c = channel.lower()
    top, bottom = f"{numerator[0]}_{c}", f"{denominator[0]}_{c}"
    guard = f"{bottom} >= {minimum}" if minimum is not None else f"{bottom} > 0"
    return cloudwatch.MathExpression(
        expression=f"IF({guard}, {top} / {bottom}, {otherwise:g})",
        using_metrics={
            bottom: kpi_metric(denominator[1], channel),
            top: kpi_metric(numerator[1], channel),
        },
        label=label,
        period=KPI_PERIOD,
    )


def abandonment_rate(channel: str, label: str | None = None) -> cloudwatch.MathExpression:
    return guarded_ratio(
        channel,
        numerator=("abandoned", "ContactsAbandoned"),
        denominator=("queued", "ContactsQueued"),
        minimum=MIN_QUEUED_FOR_RATES,
        label=label or f"{channel} abandonment rate",
    )


def average_speed_of_answer(channel: str, label: str | None = None) -> cloudwatch.MathExpression:
    return guarded_ratio(
        channel,
        numerator=("wait", "QueueAnswerTime"),
        denominator=("answered", "ContactsAnswered"),
        label=label or f"{channel} ASA (s)",
    )


def service_level(channel: str, label: str | None = None) -> cloudwatch.MathExpression:
    return guarded_ratio(
        channel,
        numerator=("within", "ContactsAnsweredInThreshold"),
        denominator=("queued", "ContactsQueued"),
        minimum=MIN_QUEUED_FOR_RATES,
        otherwise=1,
        label=label or f"{channel} service level",
    )


def _ratio(channel: str, numerator: str, denominator: str, label: str) -> cloudwatch.MathExpression:
    return guarded_ratio(
        channel, numerator=("n", numerator), denominator=("d", denominator), label=label
    )


def bot_rate(channel: str, counter: str, label: str, *, quiet: float) -> cloudwatch.MathExpression:
    """`counter` / bot contacts, or `quiet` (a value that never alarms) under the minimum volume."""
    return guarded_ratio(
        channel,
        numerator=("n", counter),
        denominator=("bot", "BotContacts"),
        minimum=MIN_QUEUED_FOR_RATES,
        otherwise=quiet,
        label=label,
    )


def containment_rate(channel: str) -> cloudwatch.MathExpression:
    return bot_rate(channel, "BotContained", f"{channel} containment", quiet=1)


def bot_abandonment_rate(channel: str) -> cloudwatch.MathExpression:
    return bot_rate(channel, "BotAbandoned", f"{channel} bot abandonment", quiet=0)


def escalation_rate(channel: str) -> cloudwatch.MathExpression:
    return bot_rate(channel, "BotEscalated", f"{channel} escalation", quiet=0)


class Observability(Construct):
    """Exposes `topic`, `dashboard` and `kpi_alarms`; `notify(alarms)` routes more alarms.
    The analytics function's and the history archive's alarms are notified and shown too."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        connect_core: ConnectCore,
        analytics: Analytics,
        history_alarms: Sequence[cloudwatch.Alarm],
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        removal = RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self,
            "Key",
            description=f"{config.organisation} supervisor alarm topic",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        self.topic = sns.Topic(
            self,
            "Alarms",
            display_name=f"{config.organisation} contact center alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        self._allow_cloudwatch_alarms()
        if config.alarms.notify_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarms.notify_email))

        self.channels = connect_channels(config)
        self.kpi_alarms = self._kpi_alarms()
        self.pipeline_alarms = [*analytics.alarms, *history_alarms]
        self.notify([*self.kpi_alarms, *self.pipeline_alarms])
        self.dashboard = self._dashboard(connect_core, analytics)

    def notify(self, alarms: Iterable[cloudwatch.Alarm]) -> None:
        """Sends these alarms' state changes (alarm and back to OK) to the topic."""
        action = actions.SnsAction(self.topic)
        for alarm in alarms:
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)

    def _allow_cloudwatch_alarms(self) -> None:
        """CloudWatch publishes alarm notifications itself: allow it, for our own alarms only,
        on the topic and on the key that encrypts it."""
        principal = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        conditions = {
            "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
            "ArnLike": {
                "aws:SourceArn": f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"
            },
        }
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[principal],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=conditions,
            )
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[principal],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is the key itself
                conditions=conditions,
            )
        )

    # -- alarms -------------------------------------------------------------------------------

    def _kpi_alarms(self) -> list[cloudwatch.Alarm]:
        thresholds = self.config.alarms
        alarms: list[cloudwatch.Alarm] = []
        for channel in self.channels:
            if channel not in CONVERSATIONAL_CHANNELS:
                continue
            name = channel.capitalize()
            alarms += [
                self._interval_alarm(
                    abandonment_rate(channel),
                    f"{name}AbandonmentRateAlarm",
                    f"{channel}: more than {thresholds.abandonment_rate_max:.0%} of queued "
                    "contacts abandoned",
                    above=thresholds.abandonment_rate_max,
                ),
                self._interval_alarm(
                    average_speed_of_answer(channel),
                    f"{name}AsaAlarm",
                    f"{channel}: average speed of answer above {thresholds.asa_max_seconds} s",
                    above=thresholds.asa_max_seconds,
                ),
                self._interval_alarm(
                    service_level(channel),
                    f"{name}ServiceLevelAlarm",
                    f"{channel}: fewer than {thresholds.service_level_min:.0%} of queued "
                    f"contacts answered within {thresholds.service_level_threshold_seconds} s",
                    below=thresholds.service_level_min,
                ),
            ]
            if self.config.self_service.enabled:
                alarms += self._bot_alarms(channel)
        return alarms

    def _bot_alarms(self, channel: str) -> list[cloudwatch.Alarm]:
        bot = self.config.self_service
        name = channel.capitalize()
        return [
            self._interval_alarm(
                containment_rate(channel),
                f"{name}BotContainmentAlarm",
                f"{channel}: the bot contained fewer than {bot.containment_min:.0%} of the "
                "contacts handed to it",
                below=bot.containment_min,
            ),
            self._interval_alarm(
                bot_abandonment_rate(channel),
                f"{name}BotAbandonmentAlarm",
                f"{channel}: more than {bot.bot_abandonment_max:.0%} of the contacts handed "
                "to the bot ended in it",
                above=bot.bot_abandonment_max,
            ),
        ]

    def _interval_alarm(
        self,
        kpi: cloudwatch.MathExpression,
        alarm_id: str,
        description: str,
        *,
        above: float | None = None,
        below: float | None = None,
    ) -> cloudwatch.Alarm:
        """An alarm on one 15-minute KPI interval crossing its threshold (`above` or `below`).
        No data is no breach: the rate expressions already answer a never-alarming value below
        the minimum volume, and a quiet stage has nothing to alarm about."""
        threshold, comparison = (
            (above, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD)
            if above is not None
            else (below, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD)
        )
        assert threshold is not None, "an alarm needs `above` or `below`"
        return kpi.create_alarm(
            self,
            alarm_id,
            alarm_description=f"{description} in a 15-minute interval",
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    # -- dashboard ----------------------------------------------------------------------------

    def _dashboard(self, core: ConnectCore, analytics: Analytics) -> cloudwatch.Dashboard:
        config = self.config
        thresholds = config.alarms
        channels = self.channels
        dashboard = cloudwatch.Dashboard(
            self,
            "Supervisor",
            dashboard_name=f"{config.instance.alias}-supervisor",
            default_interval=Duration.hours(12),
        )
        dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown=(
                    f"# {config.organisation}: contact center ({config.stage})\n"
                    f"Per 15-minute interval and channel. Targets: abandonment under "
                    f"{thresholds.abandonment_rate_max:.0%}, ASA under "
                    f"{thresholds.asa_max_seconds} s, {thresholds.service_level_min:.0%} "
                    f"answered within {thresholds.service_level_threshold_seconds} s. "
                    "Exact totals per queue: `ccaas report`."
                ),
                width=24,
                height=2,
            )
        )
        dashboard.add_widgets(
            self._graph(
                "Contacts queued, answered, abandoned",
                [
                    kpi_metric(name, channel).with_(label=f"{channel} {label}")
                    for channel in channels
                    for name, label in (
                        ("ContactsQueued", "queued"),
                        ("ContactsAnswered", "answered"),
                        ("ContactsAbandoned", "abandoned"),
                    )
                ],
            ),
            self._graph(
                "Abandonment rate",
                [abandonment_rate(channel) for channel in channels],
                threshold=thresholds.abandonment_rate_max,
            ),
            self._graph(
                "Average speed of answer (s)",
                [average_speed_of_answer(channel) for channel in channels],
                threshold=thresholds.asa_max_seconds,
            ),
            self._graph(
                f"Service level ({thresholds.service_level_threshold_seconds} s)",
                [service_level(channel) for channel in channels],
                threshold=thresholds.service_level_min,
            ),
        )
        dashboard.add_widgets(
            self._graph(
                "Average handle time (s)",
                [
                    _ratio(channel, "HandleTime", "ContactsHandled", f"{channel} AHT (s)")
                    for channel in channels
                ],
            ),
            self._graph(
                "Self-service rate",
                [
                    _ratio(channel, "ContactsSelfServed", "ContactsInbound", f"{channel}")
                    for channel in channels
                ],
            ),
            self._graph(
                "Repeat-contact rate (48 h, any channel)",
                [
                    _ratio(channel, "RepeatContacts", "ContactsIdentified", f"{channel}")
                    for channel in channels
                ],
            ),
            self._graph(
                "Refused at queue capacity, callbacks requested",
                [
                    kpi_metric(name, channel).with_(label=f"{channel} {label}")
                    for channel in channels
                    for name, label in (
                        ("ContactsQueueFull", "queue full"),
                        ("CallbacksRequested", "callbacks"),
                    )
                ],
            ),
        )
        if config.self_service.enabled:
            dashboard.add_widgets(*self._bot_widgets())
        dashboard.add_widgets(*self._connect_widgets(core))
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(
                title="Alarms",
                alarms=[*self.kpi_alarms, *self.pipeline_alarms],
                width=8,
                height=6,
            ),
            self._graph(
                "Analytics: record age at processing (ms)",
                [analytics.function.metric("IteratorAge", statistic="Maximum")],
                width=8,
            ),
            self._graph(
                "Analytics: errors, batches given up",
                [
                    analytics.function.metric_errors(statistic="Sum"),
                    analytics.dead_letters.metric_approximate_number_of_messages_visible(
                        statistic="Maximum"
                    ),
                ],
                width=8,
            ),
        )
        if config.history.enabled:
            dashboard.add_widgets(*self._history_widgets())
        return dashboard

    def _history_widgets(self) -> list[cloudwatch.IWidget]:
        stage = self.config.stage
        return [
            self._graph(
                "History archive: records converted, failed conversion",
                [
                    delivery_metric(stage, "SucceedConversion.Records", "Sum").with_(
                        label="converted"
                    ),
                    delivery_metric(stage, "FailedConversion.Records", "Sum").with_(label="failed"),
                ],
                width=12,
            ),
            self._graph(
                "History archive: age of the oldest record not yet in S3 (s)",
                [delivery_metric(stage, "DeliveryToS3.DataFreshness", "Maximum")],
                width=12,
            ),
        ]

    def _bot_widgets(self) -> list[cloudwatch.IWidget]:
        bot = self.config.self_service
        channels = [channel for channel in self.channels if channel in CONVERSATIONAL_CHANNELS]
        return [
            self._graph(
                "Bot: contacts, contained, escalated, abandoned",
                [
                    kpi_metric(name, channel).with_(label=f"{channel} {label}")
                    for channel in channels
                    for name, label in (
                        ("BotContacts", "in the bot"),
                        ("BotContained", "contained"),
                        ("BotEscalated", "escalated"),
                        ("BotAbandoned", "abandoned"),
                    )
                ],
            ),
            self._graph(
                "Bot containment rate",
                [containment_rate(channel) for channel in channels],
                threshold=bot.containment_min,
            ),
            self._graph(
                "Bot abandonment rate",
                [bot_abandonment_rate(channel) for channel in channels],
                threshold=bot.bot_abandonment_max,
            ),
            self._graph("Bot escalation rate", [escalation_rate(channel) for channel in channels]),
        ]

    def _connect_widgets(self, core: ConnectCore) -> list[cloudwatch.IWidget]:
        instance_id = core.instance.attr_id

        def queue_metric(name: str, queue: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/Connect",
                metric_name=name,
                dimensions_map={
                    "InstanceId": instance_id,
                    "MetricGroup": "Queue",
                    "QueueName": queue,
                },
                statistic=statistic,
                period=CONNECT_PERIOD,
                label=queue,
            )

        def instance_metric(name: str, statistic: str, label: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/Connect",
                metric_name=name,
                dimensions_map={"InstanceId": instance_id, "MetricGroup": "VoiceCalls"},
                statistic=statistic,
                period=CONNECT_PERIOD,
                label=label,
            )

        queues = list(self.config.queues)
        return [
            self._graph(
                "Connect: contacts in queue",
                [queue_metric("QueueSize", q, "Maximum") for q in queues],
                width=6,
            ),
            self._graph(
                "Connect: longest wait in queue (s)",
                [queue_metric("LongestQueueWaitTime", q, "Maximum") for q in queues],
                width=6,
            ),
            self._graph(
                "Connect: refused, queue at capacity",
                [queue_metric("QueueCapacityExceededError", q, "Sum") for q in queues],
                width=6,
            ),
            self._graph(
                "Connect: calls now, missed calls, flow errors",
                [
                    instance_metric("ConcurrentCalls", "Maximum", "concurrent calls"),
                    instance_metric("MissedCalls", "Sum", "missed calls"),
                    cloudwatch.MathExpression(
                        expression=(
                            "SUM(SEARCH('{AWS/Connect,InstanceId,MetricGroup,ContactFlowName} "
                            f'MetricName="ContactFlowErrors" InstanceId="{instance_id}"\', '
                            "'Sum', 300))"
                        ),
                        label="flow errors",
                        period=Duration.minutes(5),
                    ),
                ],
                width=6,
            ),
        ]

    @staticmethod
    def _graph(
        title: str,
        metrics: Sequence[cloudwatch.IMetric],
        *,
        threshold: float | None = None,
        width: int = 6,
    ) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(
            title=title,
            left=list(metrics),
            left_annotations=(
                [cloudwatch.HorizontalAnnotation(value=threshold, label="alarm threshold")]
                if threshold is not None
                else None
            ),
            width=width,
            height=6,
        )
