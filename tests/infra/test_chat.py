"""The Chat construct's template: API (validation, throttling, logs, CORS, WAF), the widget site
(private bucket behind CloudFront with OAC), approved origins and least-privilege IAM.

Built once per module in two stacks like the real app (Data + a contact-center stack with the
flows and two stand-in flow Lambdas), synthesized with cdk-nag on and linted with cfn-lint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_

from config import ContactCenterConfig
from config.chat_settings import (
    BODY_TOO_LARGE,
    CHAT_CONTENT_TYPE,
    MAX_CHAT_BODY_BYTES,
    NOT_JSON,
    Refusal,
    chat_topics,
)
from infra.constructs.chat import (
    STAGE_BURST_LIMIT,
    STAGE_RATE_LIMIT,
    WAF_RATE_LIMIT,
    WEB_DIR,
    Chat,
)
from infra.constructs.connect_core import ConnectCore
from infra.constructs.flows import ContactFlows
from infra.nag import acknowledge, add_checks
from infra.stacks import DataStack, new_app
from lambdas.chat_start.models import PreChatForm
from tests.conftest import config_with
from tests.infra.cfn_lint import lint_findings

STACK = "ChatUnderTest"


@dataclass
class Built:
    template: dict[str, Any]
    report: dict[str, Any]
    outdir: Path

    @property
    def resources(self) -> dict[str, Any]:
        return self.template["Resources"]

    def of_type(self, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == type_}

    def one(self, type_: str, prefix: str = "Chat") -> tuple[str, dict[str, Any]]:
        (found,) = [(k, v) for k, v in self.of_type(type_).items() if k.startswith(prefix)]
        return found


def stand_ins(stack: Stack) -> dict[str, lambda_.IFunction]:
    functions: dict[str, lambda_.IFunction] = {}
    for name in ("crm_lookup", "routing"):
        function = lambda_.Function(
            stack,
            f"StandIn{name.title().replace('_', '')}",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
        )
        acknowledge(
            function,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "test stand-in for a flow Lambda",
        )
        function.node.default_child.add_metadata(  # type: ignore[union-attr]
            "cfn-lint", {"config": {"ignore_checks": ["W3005"]}}
        )
        functions[name] = function
    return functions


@pytest.fixture(scope="module")
def built(dev_config: ContactCenterConfig, tmp_path_factory: pytest.TempPathFactory) -> Built:
    outdir = tmp_path_factory.mktemp("chat-cdk")
    app = new_app(outdir=str(outdir))
    data = DataStack(app, "ChatData", config=dev_config)
    stack = Stack(app, STACK)
    core = ConnectCore(stack, "Connect", config=dev_config, data=data.data)
    flows = ContactFlows(
        stack, "Flows", config=dev_config, connect_core=core, lambda_functions=stand_ins(stack)
    )
    Chat(stack, "Chat", config=dev_config, connect_core=core, data=data.data, flows=flows)
    add_checks(app)
    app.synth()  # raises on any unacknowledged cdk-nag finding
    report_file = outdir / "validation-report.json"
    return Built(
        template=json.loads((outdir / f"{STACK}.template.json").read_text()),
        report=json.loads(report_file.read_text()) if report_file.exists() else {},
        outdir=outdir,
    )


def text_of(value: Any) -> str:
    """A CloudFormation string with each reference written as `{Ref}` / `{Logical.Attr}`."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        return "".join(text_of(part) for part in value["Fn::Join"][1])
    if "Fn::GetAtt" in value:
        return "{" + ".".join(value["Fn::GetAtt"]) + "}"
    if "Ref" in value:
        return "{" + value["Ref"] + "}"
    return json.dumps(value)


def test_post_chats_invokes_the_function_after_validating_the_body(built: Built) -> None:
    methods = {
        v["Properties"]["HttpMethod"]: v["Properties"]
        for k, v in built.of_type("AWS::ApiGateway::Method").items()
        if k.startswith("ChatApichats")
    }
    post = methods["POST"]
    assert post["Integration"]["Type"] == "AWS_PROXY"
    function_id, _ = built.one("AWS::Lambda::Function", "ChatStartChat")
    assert function_id in json.dumps(post["Integration"]["Uri"])
    validator_id, validator = built.one("AWS::ApiGateway::RequestValidator")
    assert post["RequestValidatorId"] == {"Ref": validator_id}
    assert validator["Properties"]["ValidateRequestBody"] is True
    model_id, _ = built.one("AWS::ApiGateway::Model")
    assert post["RequestModels"] == {"application/json": {"Ref": model_id}}


def test_body_model_agrees_with_the_functions_form_model(
    built: Built, dev_config: ContactCenterConfig
) -> None:
    _, model = built.one("AWS::ApiGateway::Model")
    schema = model["Properties"]["Schema"]
    pydantic_schema = PreChatForm.model_json_schema(by_alias=True)

    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(pydantic_schema["properties"])
    assert sorted(schema["required"]) == sorted(pydantic_schema["required"])
    assert schema["properties"]["topic"]["enum"] == [t["intent"] for t in chat_topics(dev_config)]
    for field in ("name", "email", "phone"):
        assert (
            schema["properties"][field]["maxLength"]
            == pydantic_schema["properties"][field].get("maxLength")
            or pydantic_schema["properties"][field]["anyOf"][0]["maxLength"]
        )


def test_stage_throttles_logs_as_json_with_retention_and_traces(built: Built) -> None:
    _, stage = built.one("AWS::ApiGateway::Stage")
    props = stage["Properties"]
    settings = props["MethodSettings"][0]
    assert settings["ThrottlingRateLimit"] == STAGE_RATE_LIMIT
    assert settings["ThrottlingBurstLimit"] == STAGE_BURST_LIMIT
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["DataTraceEnabled"] is False  # bodies hold names and emails
    assert props["TracingEnabled"] is True
    access_log_group = props["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0]
    assert built.resources[access_log_group]["Properties"]["RetentionInDays"] == 30
    assert json.loads(props["AccessLogSetting"]["Format"])["status"] == "$context.status"
    execution_logs = [
        v["Properties"]
        for v in built.of_type("AWS::Logs::LogGroup").values()
        if "API-Gateway-Execution-Logs_" in text_of(v["Properties"].get("LogGroupName", ""))
    ]
    assert [group["RetentionInDays"] for group in execution_logs] == [30]


def test_preflight_answers_the_widget_origins_and_the_cloudfront_domain_only(
    built: Built, dev_config: ContactCenterConfig
) -> None:
    (options,) = [
        v["Properties"]
        for k, v in built.of_type("AWS::ApiGateway::Method").items()
        if k.startswith("ChatApichats") and v["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    (response,) = options["Integration"]["IntegrationResponses"]
    template = text_of(response["ResponseTemplates"]["application/json"])
    allowed = set(re.findall(r'\$origin == "([^"]+)"', template))
    allowed.add(
        response["ResponseParameters"]["method.response.header.Access-Control-Allow-Origin"].strip(
            "'"
        )
    )
    assert dev_config.chat is not None
    assert allowed == {*dev_config.chat.widget_origins, "https://{ChatCdn5AD083A4.DomainName}"}
    assert (
        response["ResponseParameters"]["method.response.header.Access-Control-Allow-Methods"]
        == "'POST,OPTIONS'"
    )


def test_gateway_refusals_are_json_without_internals(built: Built) -> None:
    responses = {
        v["Properties"]["ResponseType"]: v["Properties"]
        for v in built.of_type("AWS::ApiGateway::GatewayResponse").values()
    }
    assert set(responses) >= {"BAD_REQUEST_BODY", "THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"}
    for response in responses.values():
        body = json.loads(response["ResponseTemplates"]["application/json"])
        assert set(body) == {"error", "message"}
        assert "$context" not in response["ResponseTemplates"]["application/json"]
    assert responses["THROTTLED"]["StatusCode"] == "429"


def test_waf_limits_chat_starts_per_ip_on_the_stage(built: Built) -> None:
    acl_id, _ = built.one("AWS::WAFv2::WebACL")
    rule = waf_rules(built)["chat-starts-per-ip"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["AggregateKeyType"]) == (WAF_RATE_LIMIT, "IP")
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    _, association = built.one("AWS::WAFv2::WebACLAssociation")
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    stage_id, _ = built.one("AWS::ApiGateway::Stage")
    assert stage_id in json.dumps(association["Properties"]["ResourceArn"])


def waf_rules(built: Built) -> dict[str, dict[str, Any]]:
    _, acl = built.one("AWS::WAFv2::WebACL")
    return {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}


def refused_with(built: Built, rule: dict[str, Any], refusal: Refusal) -> bool:
    """The rule blocks with the refusal's status and exactly its JSON body."""
    _, acl = built.one("AWS::WAFv2::WebACL")
    response = rule["Action"]["Block"]["CustomResponse"]
    body = acl["Properties"]["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    return (response["ResponseCode"], body) == (
        refusal.status,
        {"ContentType": "APPLICATION_JSON", "Content": refusal.body},
    )


def test_waf_refuses_bodies_over_the_limit_and_any_it_cannot_measure(built: Built) -> None:
    rule = waf_rules(built)["chat-body-size"]
    size = rule["Statement"]["SizeConstraintStatement"]
    # WAF sees at most the first 16 KB of an API Gateway body; MATCH refuses anything longer
    # instead of letting it through half-measured.
    assert size["FieldToMatch"] == {"Body": {"OversizeHandling": "MATCH"}}
    assert (size["ComparisonOperator"], size["Size"]) == ("GT", MAX_CHAT_BODY_BYTES)
    assert MAX_CHAT_BODY_BYTES < 16 * 1024
    assert refused_with(built, rule, BODY_TOO_LARGE)


def test_waf_refuses_posts_that_are_not_json(built: Built) -> None:
    rule = waf_rules(built)["chat-json-only"]
    method, not_json = rule["Statement"]["AndStatement"]["Statements"]
    assert method["ByteMatchStatement"]["FieldToMatch"] == {"Method": {}}
    assert method["ByteMatchStatement"]["SearchString"] == "POST"
    content_type = not_json["NotStatement"]["Statement"]["ByteMatchStatement"]
    assert content_type["FieldToMatch"] == {"SingleHeader": {"Name": "content-type"}}
    assert (content_type["PositionalConstraint"], content_type["SearchString"]) == (
        "STARTS_WITH",
        CHAT_CONTENT_TYPE,
    )
    assert content_type["TextTransformations"] == [{"Priority": 0, "Type": "LOWERCASE"}]
    assert refused_with(built, rule, NOT_JSON)
    assert sorted(rule["Priority"] for rule in waf_rules(built).values()) == [0, 1, 2]


def test_function_gets_the_chat_flow_origins_and_topics(
    built: Built, dev_config: ContactCenterConfig
) -> None:
    _, function = built.one("AWS::Lambda::Function", "ChatStartChat")
    env = function["Properties"]["Environment"]["Variables"]
    assert function["Properties"]["Handler"] == "lambdas.chat_start.handler.handler"
    assert "FlowsFlowInboundChat" in json.dumps(env["CHAT_FLOW_ID"])
    assert "ChatCdn" in json.dumps(env["ALLOWED_ORIGINS"])
    assert json.loads(env["CHAT_TOPICS"]) == [
        {"intent": o.intent, "label": o.label} for o in dev_config.routing.menu
    ]


def test_function_may_only_start_chats_on_the_chat_flow_and_touch_profile_items(
    built: Built,
) -> None:
    _, policy = built.one("AWS::IAM::Policy", "ChatStartChat")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    actions = {
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert actions == {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "connect:StartChatContact",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "logs:CreateLogStream",  # its own log group only (tests/infra/test_least_privilege.py)
        "logs:PutLogEvents",
    }
    (connect_statement,) = [s for s in statements if s["Action"] == "connect:StartChatContact"]
    assert connect_statement["Resource"] == {
        "Fn::GetAtt": ["FlowsFlowInboundChat66EAE9BD", "ContactFlowArn"]
    }


def test_site_bucket_is_private_ssl_only_logged_and_read_only_by_cloudfront(
    built: Built,
) -> None:
    _, bucket = built.one("AWS::S3::Bucket", "ChatSite")
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert props["LoggingConfiguration"]["LogFilePrefix"] == "chat-widget/"
    assert props["LifecycleConfiguration"]["Rules"]
    _, policy = built.one("AWS::S3::BucketPolicy", "ChatSite")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (deny_http,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny_http["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    allowed = [s for s in statements if s["Effect"] == "Allow"]
    (cloudfront,) = [
        s for s in allowed if s["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    ]
    # dev empties its buckets on delete: CDK's auto-delete function may list and delete.
    (emptier,) = [s for s in allowed if s is not cloudfront]
    assert "AutoDeleteObjects" in json.dumps(emptier["Principal"])
    assert cloudfront["Action"] == "s3:GetObject"
    assert "ChatCdn" in json.dumps(cloudfront["Condition"])


def test_cloudfront_uses_oac_https_logs_and_never_caches_config_json(built: Built) -> None:
    _, distribution = built.one("AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    assert "ChatCdnLogs" in json.dumps(config["Logging"]["Bucket"])
    (config_json,) = config["CacheBehaviors"]
    assert config_json["PathPattern"] == "/config.json"
    # Managed policy "CachingDisabled".
    assert config_json["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    _, headers = built.one("AWS::CloudFront::ResponseHeadersPolicy")
    csp = text_of(
        headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
            "ContentSecurityPolicy"
        ]["ContentSecurityPolicy"]
    )
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_approved_origins_are_the_widget_origins_and_the_widget_domain(
    built: Built, dev_config: ContactCenterConfig
) -> None:
    origins = {
        text_of(v["Properties"]["Origin"])
        for v in built.of_type("AWS::Connect::ApprovedOrigin").values()
    }
    assert dev_config.chat is not None
    assert origins == {*dev_config.chat.widget_origins, "https://{ChatCdn5AD083A4.DomainName}"}


def test_site_deployment_ships_the_vendored_chatjs_and_the_api_url(built: Built) -> None:
    _, deployment = built.one("Custom::CDKBucketDeployment")
    props = deployment["Properties"]
    assert props["Prune"] is True
    assert "ChatCdn" in json.dumps(props["DistributionId"])
    assert "ChatApi" in json.dumps(props["SourceMarkers"])  # config.json's apiUrl
    pinned = json.loads((WEB_DIR / "package.json").read_text())["dependencies"]
    staged = [
        path
        for path in built.outdir.glob("asset.*/vendor/amazon-connect-chat.js")
        if (path.parent.parent / "index.html").exists()
    ]
    assert staged, "the widget asset has no vendored amazon-connect-chatjs"
    lock = json.loads((WEB_DIR / "package-lock.json").read_text())
    assert (
        lock["packages"]["node_modules/amazon-connect-chatjs"]["version"]
        == pinned["amazon-connect-chatjs"]
    )
    assert "cdn" not in (staged[0].parent.parent / "index.html").read_text().lower()


def test_site_deployment_invalidates_only_our_distribution(built: Built) -> None:
    # CreateInvalidation and GetInvalidation take the distribution as resource type:
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html
    cdn, _ = built.one("AWS::CloudFront::Distribution")
    ((_, policy),) = [
        (k, v)
        for k, v in built.of_type("AWS::IAM::Policy").items()
        if k.startswith("CustomCDKBucketDeployment")
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (invalidation,) = [s for s in statements if "cloudfront:CreateInvalidation" in s["Action"]]
    assert sorted(invalidation["Action"]) == [
        "cloudfront:CreateInvalidation",
        "cloudfront:GetInvalidation",
    ]
    assert text_of(invalidation["Resource"]) == (
        "arn:{AWS::Partition}:cloudfront::{AWS::AccountId}:distribution/{" + cdn + "}"
    )
    # The S3 statements keep their buckets.
    assert all("s3:" in json.dumps(s["Action"]) for s in statements if s is not invalidation)
    assert "*" not in [s["Resource"] for s in statements]


def test_every_acknowledgement_carries_a_reason(built: Built) -> None:
    suppressed = [
        v
        for plugin in built.report.get("pluginReports", [])
        for v in plugin.get("suppressedViolations", [])
    ]
    assert suppressed
    assert all(
        len(v.get("reason", "")) > 30 for v in suppressed if "stand-in" not in v.get("reason", "")
    )


def test_template_passes_cfn_lint(built: Built) -> None:
    assert lint_findings([built.outdir / f"{STACK}.template.json"]) == []


def test_too_many_origins_for_connect_fail_at_synth(dev_config: ContactCenterConfig) -> None:
    origins = [f"https://site{i}.example" for i in range(100)]
    crowded = config_with(dev_config, chat={"flow": "inbound_chat", "widget_origins": origins})
    app = new_app()
    with pytest.raises(ValueError, match="exceed Connect's 100 approved origins"):
        Chat(
            Stack(app, "Crowded"),
            "Chat",
            config=crowded,
            connect_core=None,  # type: ignore[arg-type]
            data=None,  # type: ignore[arg-type]
            flows=None,  # type: ignore[arg-type]
        )


def test_topics_fall_back_to_intents_without_a_menu(dev_config: ContactCenterConfig) -> None:
    routing = dev_config.routing.model_dump(mode="json") | {"menu": []}
    config = config_with(dev_config, routing=routing)

    assert chat_topics(config)[0] == {"intent": "billing", "label": "Billing"}
    assert [t["intent"] for t in chat_topics(config)] == list(dev_config.routing.intents)


def test_voice_only_stage_has_no_chat_resources(
    synth: Callable[[ContactCenterConfig], Any], voice_only_config: ContactCenterConfig
) -> None:
    synthesis = synth(voice_only_config)
    types = {
        resource["Type"]
        for template in synthesis.templates.values()
        for resource in template.get("Resources", {}).values()
    }
    assert not types & {
        "AWS::ApiGateway::RestApi",
        "AWS::CloudFront::Distribution",
        "AWS::Connect::ApprovedOrigin",
        "AWS::WAFv2::WebACL",
    }
