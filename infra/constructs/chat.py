"""Web chat: the widget site (S3 + CloudFront), its start-chat API and Connect's approved origins.

Only built when `channels.chat` is on. What it makes:

- chat-start Lambda (lambdas/chat_start) behind an API Gateway REST API: `POST /v1/chats`. REST
  rather than HTTP API because only REST stages take a WAF web ACL and validate request bodies
  against a model before a Lambda is paid for. The stage throttles, writes JSON access logs with
  retention, and answers CORS preflights itself for the configured origins only.
- A WAF rate rule per client IP on the stage (see `WAF_RATE_LIMIT`). Worth its ~$6/month: the
  stage's throttle is one bucket for everybody, so a single script could use it up and lock
  every real customer out, and every chat it starts lands in an agent's queue. The static site
  gets no web ACL (cached public files; nothing to protect that costs us more than the ACL).
  The same web ACL refuses, before API Gateway or the function is paid for, bodies over
  `MAX_CHAT_BODY_BYTES` (413) and POSTs that are not `application/json` (415); the local server
  (`ccaas chat --web`) gives the same answers from the same definitions (config/chat_settings.py).
  Each rule adds $1 a month.
- The widget (web/): built at synth by `node web/build.mjs` (amazon-connect-chatjs vendored
  from node_modules at the version package-lock.json pins), uploaded with `config.json` that
  carries the API URL, to a private bucket served only through CloudFront with origin access
  control. The bucket uses S3-managed encryption: the files are public web content, and a
  customer-managed key would cost a key and a KMS call per cache miss to protect nothing secret.
- `AWS::Connect::ApprovedOrigin` for each `chat.widget_origins` entry and the CloudFront domain
  (Connect allows 100 per instance).

The start-chat function may call `connect:StartChatContact` on the chat flow and nothing else on
Connect, read and write only items (GetItem/PutItem) in the customers table.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import jsii
from aws_cdk import (
    Aspects,
    AssetHashType,
    Aws,
    BundlingOptions,
    CfnElement,
    CfnOutput,
    DefaultStackSynthesizer,
    DockerImage,
    Duration,
    IAspect,
    ILocalBundling,
    RemovalPolicy,
    Stack,
    Token,
)
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct, IConstruct

from config import ContactCenterConfig
from config.chat_settings import API_STAGE as STAGE_NAME
from config.chat_settings import (
    BODY_TOO_LARGE,
    CHAT_CONTENT_TYPE,
    CHATS_PATH,
    MAX_CHAT_BODY_BYTES,
    NOT_JSON,
    Refusal,
    chat_topics,
)
from infra.constructs.connect_core import ConnectCore
from infra.constructs.data import DataStore, bucket_removal, settle_auto_delete_provider
from infra.constructs.flows import ContactFlows
from infra.constructs.python_function import PythonFunction, log_retention
from infra.nag import acknowledge, ignore_lint
from infra.paths import PROJECT_ROOT

WEB_DIR = PROJECT_ROOT / "web"
# Steady rate and burst for the whole stage. A contact center starting a chat every second
# all day is very busy; 10/s with bursts of 20 leaves room for a campaign's rush.
STAGE_RATE_LIMIT = 10
STAGE_BURST_LIMIT = 20
# Chat starts per client IP per 5 minutes. A person starts one or two; many customers can share
# an address behind carrier NAT or an office, so the limit is generous, and still stops a loop.
WAF_RATE_LIMIT = 50
WAF_WINDOW_SECONDS = 300
MAX_APPROVED_ORIGINS = 100
PREFLIGHT_MAX_AGE = Duration.minutes(10)
# Mirrors lambdas/chat_start/models.py (which stays the authority on what is valid).
MAX_NAME = 100
MAX_EMAIL = 254
MAX_PHONE = 32
FUNCTION_TIMEOUT_SECONDS = 10


def form_schema(topics: list[dict[str, str]]) -> apigw.JsonSchema:
    """The structure API Gateway checks before invoking the function (draft 4, as it requires).

    Emails and phone numbers are left to the function, which normalises what people type
    ("(312) 555-0143") instead of refusing it.
    """
    string = apigw.JsonSchemaType.STRING
    return apigw.JsonSchema(
        schema=apigw.JsonSchemaVersion.DRAFT4,
        title="PreChatForm",
        type=apigw.JsonSchemaType.OBJECT,
        required=["name", "topic"],
        additional_properties=False,
        properties={
            "name": apigw.JsonSchema(type=string, min_length=1, max_length=MAX_NAME),
            "email": apigw.JsonSchema(type=string, max_length=MAX_EMAIL),
            "phone": apigw.JsonSchema(type=string, max_length=MAX_PHONE),
            "topic": apigw.JsonSchema(type=string, enum=[topic["intent"] for topic in topics]),
            "clientToken": apigw.JsonSchema(type=string, pattern="^[A-Za-z0-9-]{8,64}$"),
        },
    )


@jsii.implements(ILocalBundling)
class WidgetBuild:
    """Builds the widget with the machine's Node.js (which the CDK itself needs), no Docker."""

    def try_bundle(self, output_dir: str, *_: Any, **__: Any) -> bool:
        subprocess.run(
            ["node", str(WEB_DIR / "build.mjs"), output_dir],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return True


class Chat(Construct):
    """Exposes `function`, `api`, `web_acl`, `site_bucket`, `distribution`, `widget_origin`
    and `approved_origins` (by origin)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ContactCenterConfig,
        connect_core: ConnectCore,
        data: DataStore,
        flows: ContactFlows,
    ) -> None:
        super().__init__(scope, construct_id)
        if config.chat is None:
            raise ValueError("channels.chat is on but the 'chat' section is missing")
        self.config = config
        chat = config.chat
        log_days = config.retention.log_days
        if len(chat.widget_origins) + 1 > MAX_APPROVED_ORIGINS:
            raise ValueError(
                f"chat.widget_origins: {len(chat.widget_origins)} origins plus the widget's own "
                f"CloudFront domain exceed Connect's {MAX_APPROVED_ORIGINS} approved origins"
            )
        topics = chat_topics(config)

        self.site_bucket = self._site_bucket(data, log_days)
        self.distribution = self._distribution(log_days, chat.widget_origins)
        self.widget_origin = f"https://{self.distribution.distribution_domain_name}"
        allowed_origins = [*chat.widget_origins, self.widget_origin]

        self.function = self._function(
            config=config,
            connect_core=connect_core,
            data=data,
            flows=flows,
            allowed_origins=allowed_origins,
            topics=topics,
        )
        self.api = self._api(allowed_origins, topics, log_days)
        self.web_acl = self._firewall()
        self._deploy_site(config, topics)
        self.approved_origins = {
            origin: connect.CfnApprovedOrigin(
                self,
                # Named by host, so adding or removing one origin leaves the others in place.
                "ApprovedOriginWidget"
                if origin == self.widget_origin
                else f"ApprovedOrigin-{origin.removeprefix('https://')}",
                instance_id=connect_core.instance_arn,
                origin=origin,
            )
            for origin in allowed_origins
        }
        CfnOutput(self, "WidgetUrl", value=f"{self.widget_origin}/index.html")
        CfnOutput(self, "ChatApiUrl", value=self.api.url)

    # --- the widget site --------------------------------------------------------------------
    def _site_bucket(self, data: DataStore, log_days: int) -> s3.Bucket:
        return s3.Bucket(
            self,
            "Site",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=data.access_logs_bucket,
            server_access_logs_prefix="chat-widget/",
            lifecycle_rules=[
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1))
            ],
            **bucket_removal(self.config.protect_data),
        )

    def _distribution(self, log_days: int, embedding_origins: list[str]) -> cloudfront.Distribution:
        # CloudFront's standard logs are written with an ACL grant, which the project's access
        # log bucket (ACLs disabled, as S3 recommends) cannot take: a bucket of their own.
        self.cdn_logs_bucket = s3.Bucket(
            self,
            "CdnLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(log_days))],
            **bucket_removal(self.config.protect_data),
        )
        settle_auto_delete_provider(self, log_days)
        acknowledge(
            self.cdn_logs_bucket,
            "AwsSolutions-S1",
            "This bucket only receives CloudFront's access logs; logging access to the log "
            "bucket itself would only log the log writer",
        )
        region = Aws.REGION
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Chat widget: CSP limited to our API and Connect's participant service",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy="; ".join(
                        [
                            "default-src 'self'",
                            "script-src 'self'",
                            "style-src 'self'",
                            "img-src 'self' data:",
                            f"connect-src 'self' https://*.execute-api.{region}.amazonaws.com "
                            f"https://participant.connect.{region}.amazonaws.com "
                            f"wss://*.transport.connect.{region}.amazonaws.com",
                            # The organisation's site may show the widget in an iframe.
                            "frame-ancestors 'self' " + " ".join(embedding_origins),
                            "base-uri 'none'",
                            "form-action 'self'",
                        ]
                    ),
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365),
                    include_subdomains=True,
                    override=True,
                ),
            ),
        )
        site_origin = origins.S3BucketOrigin.with_origin_access_control(self.site_bucket)
        distribution = cloudfront.Distribution(
            self,
            "Cdn",
            comment=f"{self.config.organisation} chat widget",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=site_origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                compress=True,
            ),
            additional_behaviors={
                # The API URL lives here; a new deploy must reach browsers at once.
                "/config.json": cloudfront.BehaviorOptions(
                    origin=site_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    response_headers_policy=headers,
                )
            },
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=self.cdn_logs_bucket,
            log_file_prefix="chat-widget/",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR1",
            "The widget serves the organisation's customers wherever they are (travelling, "
            "abroad); blocking countries is a policy choice the config does not make",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR2",
            "Static, cached public files with no forms of their own: a web ACL here costs more "
            "than anything it protects. The chat API, where abuse costs, has its own web ACL",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR4",
            "The widget uses CloudFront's default *.cloudfront.net certificate, whose TLS "
            "floor CloudFront fixes (CDK ignores minimumProtocolVersion without a certificate); "
            "a custom domain with an ACM certificate can set TLSv1.2_2021",
        )
        return distribution

    def _deploy_site(self, config: ContactCenterConfig, topics: list[dict[str, str]]) -> None:
        site = s3deploy.Source.asset(
            str(WEB_DIR),
            exclude=["node_modules", "dist", ".gitignore"],
            asset_hash_type=AssetHashType.SOURCE,
            bundling=BundlingOptions(
                # Only used if the machine has no Node.js, which the CDK itself requires.
                image=DockerImage.from_registry("public.ecr.aws/docker/library/node:20"),
                command=["sh", "-c", "node build.mjs /asset-output"],
                local=WidgetBuild(),
            ),
        )
        settings = s3deploy.Source.json_data(
            "config.json",
            {
                "apiUrl": self.api.url,
                "organisation": config.organisation,
                "topics": topics,
            },
        )
        deployment_logs = logs.LogGroup(
            self,
            "SiteDeploymentLogs",
            retention=log_retention(config.retention.log_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        s3deploy.BucketDeployment(
            self,
            "SiteDeployment",
            destination_bucket=self.site_bucket,
            sources=[site, settings],
            distribution=self.distribution,
            distribution_paths=["/*"],
            prune=True,
            memory_limit=512,
            log_group=deployment_logs,
        )
        self._scope_invalidation_to_the_distribution()
        self._acknowledge_deployment_provider()

    def _scope_invalidation_to_the_distribution(self) -> None:
        """BucketDeployment grants cloudfront:CreateInvalidation and GetInvalidation on "*";
        both take the distribution as their resource type (service authorization reference,
        https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html),
        so its provider's statement is narrowed to our distribution. CDK merges the policy's
        statements only when it resolves them, so an aspect (run just before synthesis) finds
        the statement's final position."""
        distribution_arn = Stack.of(self).format_arn(
            service="cloudfront",
            region="",
            resource="distribution",
            resource_name=self.distribution.distribution_id,
        )
        Aspects.of(Stack.of(self)).add(_InvalidationOnOneDistribution(distribution_arn))

    def _acknowledge_deployment_provider(self) -> None:
        """BucketDeployment's one provider function per stack: CDK's code, run at deploy only."""
        stack = Stack.of(self)
        for child in stack.node.children:
            if not child.node.id.startswith("Custom::CDKBucketDeployment"):
                continue
            acknowledge(
                child,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "CDK's BucketDeployment provider writes its own logs through the basic "
                "execution role; it runs only while CloudFormation deploys the widget",
            )
            acknowledge(
                child,
                "AwsSolutions-IAM5[Action::s3:GetBucket*]",
                "CDK's BucketDeployment grant: read the CDK asset bucket and write the widget "
                "bucket, both named; the wildcards are S3 action families",
            )
            for action in ("s3:GetObject*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"):
                acknowledge(
                    child,
                    f"AwsSolutions-IAM5[Action::{action}]",
                    "CDK's BucketDeployment grant on the CDK asset bucket and the widget "
                    "bucket only; the wildcard is an S3 action family",
                )
            site = stack.get_logical_id(_cfn(self.site_bucket))
            for resource in (_cdk_asset_objects(stack), f"<{site}.Arn>/*"):
                acknowledge(
                    child,
                    f"AwsSolutions-IAM5[Resource::{resource}]",
                    "CDK's BucketDeployment copies every object of the widget's asset into the "
                    "widget bucket (and prunes old ones): object-level access in these two "
                    "buckets only",
                )
            acknowledge(
                child,
                "AwsSolutions-L1",
                "BucketDeployment's provider runtime is chosen by aws-cdk-lib, not by us",
            )
            ignore_lint(
                child,
                "W3005",
                "BucketDeployment's provider keeps an explicit DependsOn on its role beside the "
                "GetAtt; that is aws-cdk-lib's generated code, not ours to change",
            )

    # --- the start-chat API -----------------------------------------------------------------
    def _function(
        self,
        *,
        config: ContactCenterConfig,
        connect_core: ConnectCore,
        data: DataStore,
        flows: ContactFlows,
        allowed_origins: list[str],
        topics: list[dict[str, str]],
    ) -> Any:
        assert config.chat is not None
        stack = Stack.of(self)
        function = PythonFunction(
            self,
            "StartChat",
            handler="lambdas.chat_start.handler.handler",
            description="Web chat: pre-chat form -> customer profile -> StartChatContact",
            service_name="chat-start",
            log_retention_days=config.retention.log_days,
            memory_size=512,
            timeout_seconds=FUNCTION_TIMEOUT_SECONDS,
            environment={
                "CONNECT_INSTANCE_ID": connect_core.instance.attr_id,
                "CHAT_FLOW_ID": flows.flow_id(config.chat.flow),
                "CUSTOMERS_TABLE": data.customers_table.table_name,
                # The CloudFront domain is a token: to_json_string keeps it a reference.
                "ALLOWED_ORIGINS": stack.to_json_string(allowed_origins),
                "CHAT_TOPICS": json.dumps(topics, separators=(",", ":")),
                "CONTACT_HISTORY_DAYS": str(config.retention.contact_history_days),
            },
        ).function
        iam.Grant.add_to_principal(
            grantee=function,
            actions=["connect:StartChatContact"],
            resource_arns=[flows.flow_arn(config.chat.flow)],
        )
        # Profiles: GetItem to find, PutItem (inside TransactWriteItems) to create and link.
        data.customers_table.grant(function, "dynamodb:GetItem", "dynamodb:PutItem")
        data.key.grant(function, "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
        return function

    def _api(
        self, allowed_origins: list[str], topics: list[dict[str, str]], log_days: int
    ) -> apigw.RestApi:
        access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            retention=log_retention(log_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"{self.config.instance.alias}-chat",
            description="Web chat: starts chat contacts for the widget",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # API Gateway needs the account's CloudWatch role to write access/execution logs.
            # It is one setting per account and Region, shared by every stage there: deleting
            # one stage must leave it (and the role it names) to the others, so both are
            # retained, never deleted with a stack.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                throttling_rate_limit=STAGE_RATE_LIMIT,
                throttling_burst_limit=STAGE_BURST_LIMIT,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
                # Errors only, and never request bodies: they hold names and emails.
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                metrics_enabled=True,
                tracing_enabled=True,
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=allowed_origins,
                allow_methods=["POST", "OPTIONS"],
                allow_headers=["Content-Type"],
                max_age=PREFLIGHT_MAX_AGE,
            ),
        )
        # API Gateway creates its execution log group on first use with no expiry; owning the
        # group by its fixed name gives it our retention instead.
        logs.LogGroup(
            self,
            "ApiExecutionLogs",
            log_group_name=f"API-Gateway-Execution-Logs_{api.rest_api_id}/{STAGE_NAME}",
            retention=log_retention(log_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        validator = api.add_request_validator(
            "FormValidator",
            request_validator_name="pre-chat-form",
            validate_request_body=True,
            validate_request_parameters=True,
        )
        model = api.add_model(
            "PreChatForm",
            content_type="application/json",
            model_name="PreChatForm",
            schema=form_schema(topics),
        )
        chats = api.root.add_resource(CHATS_PATH)
        chats.add_method(
            "POST",
            apigw.LambdaIntegration(self.function),
            request_validator=validator,
            request_models={"application/json": model},
        )
        self._error_responses(api)
        acknowledge(
            api,
            "AwsSolutions-APIG4",
            "Customers start a chat before anyone knows who they are (that is what the pre-chat "
            "form is for); the API is guarded by origin checks, a body model, stage throttling "
            "and a per-IP WAF rate rule instead of an authorizer",
        )
        acknowledge(
            api,
            "AwsSolutions-COG4",
            "No Cognito user pool: web chat customers are anonymous visitors of the "
            "organisation's site (see APIG4)",
        )
        acknowledge(
            api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level CloudWatch role with the AWS-managed policy the API "
            "Gateway guide attaches to it: CloudWatch Logs actions only (on '*'), and only "
            "apigateway.amazonaws.com can assume the role",
        )
        return api

    def _error_responses(self, api: apigw.RestApi) -> None:
        """API Gateway's own refusals in the function's JSON shape, without internals."""
        answers = {
            "BadRequestBody": (
                apigw.ResponseType.BAD_REQUEST_BODY,
                "400",
                "invalid_request",
                "Some fields of the pre-chat form need attention.",
            ),
            "Throttled": (
                apigw.ResponseType.THROTTLED,
                "429",
                "busy",
                "Our chat is very busy right now. Please try again in a minute.",
            ),
            "Default4xx": (
                apigw.ResponseType.DEFAULT_4_XX,
                None,
                "invalid_request",
                "The request was refused.",
            ),
            "Default5xx": (
                apigw.ResponseType.DEFAULT_5_XX,
                None,
                "unavailable",
                "Chat is unavailable right now. Please try again later.",
            ),
        }
        for construct_id, (kind, status, code, message) in answers.items():
            api.add_gateway_response(
                construct_id,
                type=kind,
                status_code=status,
                templates={
                    "application/json": json.dumps({"error": code, "message": message}),
                },
            )

    def _firewall(self) -> wafv2.CfnWebACL:
        busy = json.dumps(
            {"error": "busy", "message": "Too many chats from your network. Please try later."}
        )
        web_acl = wafv2.CfnWebACL(
            self,
            "ApiFirewall",
            scope="REGIONAL",
            description="Chat API: chat starts per client IP, body size and media type",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{self.config.instance.alias}-chat-api"),
            custom_response_bodies={
                "busy": wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=busy
                ),
                **{
                    refusal.error: wafv2.CfnWebACL.CustomResponseBodyProperty(
                        content_type="APPLICATION_JSON", content=refusal.body
                    )
                    for refusal in (BODY_TOO_LARGE, NOT_JSON)
                },
            },
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="chat-starts-per-ip",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(
                        block=wafv2.CfnWebACL.BlockActionProperty(
                            custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                                response_code=429, custom_response_body_key="busy"
                            )
                        )
                    ),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            limit=WAF_RATE_LIMIT,
                            aggregate_key_type="IP",
                            evaluation_window_sec=WAF_WINDOW_SECONDS,
                        )
                    ),
                    visibility_config=_visibility("chat-starts-per-ip"),
                ),
                _refuse(
                    "chat-body-size",
                    1,
                    BODY_TOO_LARGE,
                    wafv2.CfnWebACL.StatementProperty(
                        size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                            # Bodies beyond what WAF inspects (16 KB on API Gateway) match
                            # unmeasured: https://docs.aws.amazon.com/waf/latest/APIReference/API_Body.html
                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                                body=wafv2.CfnWebACL.BodyProperty(oversize_handling="MATCH")
                            ),
                            comparison_operator="GT",
                            size=MAX_CHAT_BODY_BYTES,
                            text_transformations=[_NO_TRANSFORMATION],
                        )
                    ),
                ),
                _refuse(
                    "chat-json-only",
                    2,
                    NOT_JSON,
                    wafv2.CfnWebACL.StatementProperty(
                        and_statement=wafv2.CfnWebACL.AndStatementProperty(
                            statements=[_is_post(), _not_json()]
                        )
                    ),
                ),
            ],
        )
        wafv2.CfnWebACLAssociation(
            self,
            "ApiFirewallAssociation",
            resource_arn=self.api.deployment_stage.stage_arn,
            web_acl_arn=web_acl.attr_arn,
        )
        return web_acl


@jsii.implements(IAspect)
class _InvalidationOnOneDistribution:
    """Puts BucketDeployment's invalidation statement on one distribution instead of "*"."""

    def __init__(self, distribution_arn: str) -> None:
        self.distribution_arn = distribution_arn

    def visit(self, node: IConstruct) -> None:
        if (
            not isinstance(node, iam.CfnPolicy)
            or "Custom::CDKBucketDeployment" not in node.node.path
        ):
            return
        # The L1 property itself (not an override), so cdk-nag checks what is deployed.
        document = Stack.of(node).resolve(node.policy_document)
        for statement in document["Statement"]:
            if "cloudfront:CreateInvalidation" in statement["Action"]:
                statement["Resource"] = self.distribution_arn
        node.policy_document = document


def _cfn(construct: Construct) -> CfnElement:
    resource = construct.node.default_child
    assert isinstance(resource, CfnElement)
    return resource


_NO_TRANSFORMATION = wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")


def _refuse(
    name: str, priority: int, refusal: Refusal, statement: wafv2.CfnWebACL.StatementProperty
) -> wafv2.CfnWebACL.RuleProperty:
    """A rule that blocks what `statement` matches with `refusal`'s status and JSON body."""
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=refusal.status, custom_response_body_key=refusal.error
                )
            )
        ),
        statement=statement,
        visibility_config=_visibility(name),
    )


def _is_post() -> wafv2.CfnWebACL.StatementProperty:
    """POST only: CORS preflights (OPTIONS) carry no body and no content type."""
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(method={}),
            positional_constraint="EXACTLY",
            search_string="POST",
            text_transformations=[_NO_TRANSFORMATION],
        )
    )


def _not_json() -> wafv2.CfnWebACL.StatementProperty:
    """A Content-Type other than application/json (parameters such as charset allowed)."""
    return wafv2.CfnWebACL.StatementProperty(
        not_statement=wafv2.CfnWebACL.NotStatementProperty(
            statement=wafv2.CfnWebACL.StatementProperty(
                byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                        single_header={"Name": "content-type"}
                    ),
                    positional_constraint="STARTS_WITH",
                    search_string=CHAT_CONTENT_TYPE,
                    text_transformations=[
                        wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")
                    ],
                )
            )
        )
    )


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True,
        metric_name=metric_name,
        sampled_requests_enabled=True,
    )


def _cdk_asset_objects(stack: Stack) -> str:
    """The CDK asset bucket's objects as cdk-nag names them in the provider's policy.

    The bootstrap bucket carries the account and region: pseudo-parameters in an
    environment-agnostic synth (tests, `ccaas synth` without credentials), literal values when the
    CDK CLI resolved them (`cdk deploy`), so the acknowledgement must follow the stack's env.
    """
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
    qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER
    return f"arn:<AWS::Partition>:s3:::cdk-{qualifier}-assets-{account}-{region}/*"
