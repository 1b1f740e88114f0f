"""Read-only checks against the account and region a stage deploys to: what CloudFormation
would only find halfway through a deploy, or what makes a deployed stage fail its customers.

Every check reads; none writes. A call the caller may not make (AccessDenied) or that fails is
a warning naming the call, never a crash: the other checks still run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from config import ContactCenterConfig
from scripts.preflight.replacement import Template
from scripts.preflight.report import Check, failed, passed, warned

CLIENT_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5)

# Lambda keeps at least 100 concurrent executions unreserved for functions without reserved
# concurrency; new accounts start with a lower account limit (often 10):
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
LAMBDA_MIN_UNRESERVED = 100
LAMBDA_CONCURRENCY_QUOTA = "L-B99A9384"  # Service Quotas code of Lambda "Concurrent executions"
# Service Quotas names of Connect's quotas (service code `connect`), matched case-insensitively:
# https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html
CONNECT_INSTANCES_QUOTA = "instances per account"
CONNECT_NUMBERS_QUOTA = "phone numbers per instance"
SES_PRODUCTION = "https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html"
SMS_SANDBOX = "https://docs.aws.amazon.com/sms-voice/latest/userguide/sandbox.html"
SMS_SPEND = "https://docs.aws.amazon.com/sms-voice/latest/userguide/spend-limit.html"
SMS_REGISTRATION = "https://docs.aws.amazon.com/sms-voice/latest/userguide/registration-help.html"
# The registration an End User Messaging number type needs before carriers deliver its texts.
# A 10DLC number cannot even be requested without a completed campaign registration, so its
# absence fails the deploy; a toll-free number is requested first and registered after.
REGISTRATIONS = {
    "TOLL_FREE": ("US_TOLL_FREE_REGISTRATION", False),
    "TEN_DLC": ("US_TEN_DLC_CAMPAIGN_REGISTRATION", True),
}
REGISTRATION_DONE = "COMPLETE"
SSM_VALUE_TYPE = "AWS::SSM::Parameter::Value<"
UNKNOWN_OWNER = "whether this stage created it is unknown (its deployed stacks could not be read)"
OWNER_FIX = "allow the caller cloudformation:GetTemplate on the stage's stacks, and run again"


@dataclass(frozen=True)
class AccountClients:
    """One boto3 client per service the checks read (tests give moto or Stubber clients)."""

    cloudformation: Any
    connect: Any
    service_quotas: Any
    lambda_: Any
    ssm: Any
    sesv2: Any
    sms: Any  # AWS End User Messaging SMS: `pinpoint-sms-voice-v2`

    @classmethod
    def from_session(cls, session: Any) -> AccountClients:
        def client(name: str) -> Any:
            return session.client(name, config=CLIENT_CONFIG)

        return cls(
            cloudformation=client("cloudformation"),
            connect=client("connect"),
            service_quotas=client("service-quotas"),
            lambda_=client("lambda"),
            ssm=client("ssm"),
            sesv2=client("sesv2"),
            sms=client("pinpoint-sms-voice-v2"),
        )


@dataclass(frozen=True)
class Stage:
    """What the account checks read: the config, the new templates, and the deployed ones
    (empty before the first deploy; None when CloudFormation would not say), which tell this
    stage's own resources from others'."""

    config: ContactCenterConfig
    templates: Mapping[str, Template]
    deployed: Mapping[str, Template] | None

    def count(self, resource_type: str) -> int:
        return sum(1 for _ in _resources(self.templates, resource_type))

    def deployed_declares(self, resource_type: str, prop: str, value: str) -> bool | None:
        """Whether a deployed stack of this stage declares the resource; None: unknown."""
        if self.deployed is None:
            return None
        return any(
            resource.get("Properties", {}).get(prop) == value
            for resource in _resources(self.deployed, resource_type)
        )


def account_checks(stage: Stage, clients: AccountClients) -> list[Check]:
    config = stage.config
    checks: list[tuple[str, Callable[[], list[Check]]]] = [
        ("connect instance", lambda: [connect_instance_check(stage, clients)]),
        ("connect phone numbers", lambda: [phone_number_quota_check(stage, clients)]),
        ("lambda concurrency", lambda: [lambda_concurrency_check(stage, clients)]),
        ("ssm parameter", lambda: ssm_parameter_checks(stage, clients)),
    ]
    if config.channels.email and config.email is not None:
        checks += [
            ("ses account", lambda: [ses_account_check(clients)]),
            ("email domain", lambda: [email_identity_check(stage, clients)]),
        ]
    if config.channels.sms and config.sms is not None:
        checks += [
            ("sms account", lambda: [sms_tier_check(clients)]),
            ("sms spend limit", lambda: [sms_spend_check(stage, clients)]),
            ("sms registration", lambda: [sms_registration_check(stage, clients)]),
            ("sms number", lambda: [sms_number_check(stage, clients)]),
        ]
    return [check for name, run in checks for check in _guarded(name, run)]


# -- Connect -----------------------------------------------------------------------------------


def connect_instance_check(stage: Stage, clients: AccountClients) -> Check:
    """CreateInstance fails on an alias already taken in the region, or over the quota."""
    alias = stage.config.instance.alias
    aliases = [
        summary.get("InstanceAlias")
        for page in clients.connect.get_paginator("list_instances").paginate()
        for summary in page["InstanceSummaryList"]
    ]
    if alias in aliases:
        ours = stage.deployed_declares("AWS::Connect::Instance", "InstanceAlias", alias)
        if ours is None:
            return warned("connect instance", f"'{alias}' exists; {UNKNOWN_OWNER}", OWNER_FIX)
        if ours:
            return passed("connect instance", f"'{alias}' exists, created by this stage")
        return failed(
            "connect instance",
            f"an instance '{alias}' exists that this stage's stacks did not create: "
            "CreateInstance would fail",
            "choose another instance.alias, or delete the other instance",
        )
    quota = _quota(clients.service_quotas, "connect", CONNECT_INSTANCES_QUOTA)
    if quota is None:
        return warned(
            "connect instance",
            f"{len(aliases)} instance(s) in the region; Service Quotas lists no instance quota",
            "check 'Amazon Connect instances per account' in the Service Quotas console",
        )
    if len(aliases) + 1 > quota:
        return failed(
            "connect instance",
            f"{len(aliases)} of the account's {quota:g} instances are in use; this stage "
            "creates one more",
            "request an increase of 'Amazon Connect instances per account' in Service Quotas, "
            "or delete an unused instance (Connect limits creations and deletions per 30 days)",
        )
    return passed("connect instance", f"{len(aliases)} of {quota:g} instances in use; +1 here")


def phone_number_quota_check(stage: Stage, clients: AccountClients) -> Check:
    """Claiming (or importing) a number over the instance's quota fails mid-deploy."""
    needed = stage.count("AWS::Connect::PhoneNumber")
    quota = _quota(clients.service_quotas, "connect", CONNECT_NUMBERS_QUOTA)
    if quota is None:
        return warned(
            "connect phone numbers",
            f"the stage claims {needed}; Service Quotas lists no phone number quota",
            "check 'Phone numbers per instance' in the Service Quotas console",
        )
    if needed > quota:
        return failed(
            "connect phone numbers",
            f"the stage claims {needed} numbers; the quota is {quota:g} per instance",
            "request an increase of 'Phone numbers per instance' in Service Quotas",
        )
    return passed("connect phone numbers", f"the stage claims {needed} of {quota:g} allowed")


def _quota(service_quotas: Any, service: str, name_part: str) -> float | None:
    """A quota's value: the applied one, else AWS's default (ListServiceQuotas lists only
    quotas with an applied value for some services)."""
    for operation in ("list_service_quotas", "list_aws_default_service_quotas"):
        for page in service_quotas.get_paginator(operation).paginate(ServiceCode=service):
            for quota in page["Quotas"]:
                if name_part in quota["QuotaName"].lower():
                    return float(quota["Value"])
    return None


# -- Lambda and SSM ----------------------------------------------------------------------------


def lambda_concurrency_check(stage: Stage, clients: AccountClients) -> Check:
    """The flow Lambdas run while a caller waits: throttled, the caller takes the flow's error
    branch. A reserved concurrency that leaves fewer than 100 unreserved fails the deploy."""
    reserved = sum(
        int(resource.get("Properties", {}).get("ReservedConcurrentExecutions", 0))
        for resource in _resources(stage.templates, "AWS::Lambda::Function")
    )
    needed = reserved + LAMBDA_MIN_UNRESERVED
    limits = clients.lambda_.get_account_settings()["AccountLimit"]
    unreserved = limits["UnreservedConcurrentExecutions"]
    detail = (
        f"{unreserved} unreserved concurrent executions (account limit "
        f"{limits['ConcurrentExecutions']}); the stage needs {needed} ({reserved} reserved by "
        f"its functions + the {LAMBDA_MIN_UNRESERVED} Lambda keeps unreserved)"
    )
    if unreserved < needed:
        return failed(
            "lambda concurrency",
            detail,
            f"request an increase of Lambda 'Concurrent executions' ({LAMBDA_CONCURRENCY_QUOTA}) "
            "in Service Quotas: new accounts start low, and a throttled flow Lambda sends "
            "callers down the error branch",
        )
    return passed("lambda concurrency", detail)


def ssm_parameter_checks(stage: Stage, clients: AccountClients) -> list[Check]:
    """Every SSM parameter the templates resolve at deploy (CloudFormation refuses the change
    set when one is missing): the Powertools layer's public parameter and the CDK bootstrap
    version among them."""
    from infra.constructs.python_function import POWERTOOLS_LAYER_PARAMETER

    powertools = POWERTOOLS_LAYER_PARAMETER.split("{", 1)[0]
    checks = []
    for name in sorted(_ssm_parameters(stage.templates)):
        try:
            clients.ssm.get_parameter(Name=name)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ParameterNotFound":
                raise
            if name.startswith(powertools):
                fix = (
                    "Powertools has not published this release's layer in the region (yet): "
                    "wait, or pin the previous aws-lambda-powertools in pyproject.toml"
                )
            elif name.startswith("/cdk-bootstrap/"):
                fix = "run `cdk bootstrap` in this account and region (see the deploy docs)"
            else:
                fix = "create the parameter, or change what the stack resolves"
            checks.append(failed("ssm parameter", f"{name}: not found in the region", fix))
            continue
        checks.append(passed("ssm parameter", f"{name}: exists"))
    return checks


def _ssm_parameters(templates: Mapping[str, Template]) -> set[str]:
    return {
        parameter["Default"]
        for template in templates.values()
        for parameter in template.get("Parameters", {}).values()
        if str(parameter.get("Type", "")).startswith(SSM_VALUE_TYPE) and "Default" in parameter
    }


# -- SES ---------------------------------------------------------------------------------------


def ses_account_check(clients: AccountClients) -> Check:
    account = clients.sesv2.get_account()
    if not account.get("SendingEnabled", False) or account.get("EnforcementStatus") == "SHUTDOWN":
        return failed(
            "ses account",
            f"SES sending is disabled (enforcement status {account.get('EnforcementStatus')})",
            "see the SES console's reputation page; AWS support re-enables sending",
        )
    if not account.get("ProductionAccessEnabled", False):
        return warned(
            "ses account",
            "SES is in the sandbox: mail goes only to verified addresses, 200 a day",
            f"request production access: {SES_PRODUCTION}",
        )
    quota = account.get("SendQuota", {}).get("Max24HourSend", 0)
    return passed("ses account", f"production access, sending enabled, {quota:g} a day")


def email_identity_check(stage: Stage, clients: AccountClients) -> Check:
    """The domain's SES identity: one the deploy would fail to create (another owner), one a
    sharing stage expects but nobody created, or one whose DKIM (domain ownership) is not
    verified yet, so nothing is sent."""
    email = stage.config.email
    assert email is not None
    domain = email.domain
    try:
        identity = clients.sesv2.get_email_identity(EmailIdentity=domain)
    except ClientError as error:
        if error.response["Error"]["Code"] != "NotFoundException":
            raise
        if email.create_identity:
            return passed(
                "email domain",
                f"{domain}: no SES identity yet; the deploy creates it, then publish the DNS "
                "records it outputs",
            )
        return failed(
            "email domain",
            f"{domain}: no SES identity, and email.create_identity is false",
            "deploy the stage that creates the identity first, or set create_identity: true",
        )
    ours = stage.deployed_declares("AWS::SES::EmailIdentity", "EmailIdentity", domain)
    if email.create_identity and ours is None:
        return warned(
            "email domain", f"{domain}: an SES identity exists; {UNKNOWN_OWNER}", OWNER_FIX
        )
    if email.create_identity and not ours:
        return failed(
            "email domain",
            f"{domain}: an SES identity exists that this stage did not create; the deploy "
            "would fail creating it",
            "set email.create_identity: false to share it, or delete the other identity",
        )
    dkim = identity.get("DkimAttributes", {}).get("Status", "NOT_STARTED")
    if dkim == "SUCCESS" and identity.get("VerifiedForSendingStatus"):
        return passed("email domain", f"{domain}: verified (DKIM proves domain ownership)")
    return warned(
        "email domain",
        f"{domain}: not verified yet (DKIM {dkim}); nothing is sent from it until it is",
        "publish the three DKIM CNAMEs the deploy outputs (MessagingDkimRecord1..3)",
    )


# -- SMS (AWS End User Messaging SMS) ----------------------------------------------------------


def sms_tier_check(clients: AccountClients) -> Check:
    attributes = {
        attribute["Name"]: attribute["Value"]
        for page in clients.sms.get_paginator("describe_account_attributes").paginate()
        for attribute in page["AccountAttributes"]
    }
    tier = attributes.get("ACCOUNT_TIER", "unknown")
    if tier != "PRODUCTION":
        return warned(
            "sms account",
            f"End User Messaging SMS account tier {tier}: texts only to verified numbers",
            f"request production access: {SMS_SANDBOX}",
        )
    return passed("sms account", "production tier")


def sms_spend_check(stage: Stage, clients: AccountClients) -> Check:
    assert stage.config.sms is not None
    wanted = stage.config.sms.monthly_spend_limit_usd
    limits = {
        limit["Name"]: limit
        for page in clients.sms.get_paginator("describe_spend_limits").paginate()
        for limit in page["SpendLimits"]
    }
    enforced = limits.get("TEXT_MESSAGE_MONTHLY_SPEND_LIMIT", {}).get("EnforcedLimit", 0)
    detail = f"monthly text spend limit ${enforced}; sms.monthly_spend_limit_usd is ${wanted}"
    if enforced < wanted:
        return warned(
            "sms spend limit",
            detail + ": sending stops early",
            f"request a spend limit increase: {SMS_SPEND}",
        )
    return passed("sms spend limit", detail)


def sms_registration_check(stage: Stage, clients: AccountClients) -> Check:
    sms = stage.config.sms
    assert sms is not None
    needed = REGISTRATIONS.get(sms.number_type) if sms.country_code == "US" else None
    if needed is None:
        return passed(
            "sms registration",
            f"no US registration applies to a {sms.number_type} number in {sms.country_code}",
        )
    registration_type, blocks_deploy = needed
    registrations = [
        registration
        for page in clients.sms.get_paginator("describe_registrations").paginate(
            Filters=[{"Name": "registration-type", "Values": [registration_type]}]
        )
        for registration in page["Registrations"]
    ]
    statuses = sorted({registration["RegistrationStatus"] for registration in registrations})
    if REGISTRATION_DONE in statuses:
        return passed("sms registration", f"{registration_type}: {REGISTRATION_DONE}")
    detail = f"{registration_type}: " + (", ".join(statuses) if statuses else "none")
    fix = f"complete the registration (toll-free: up to 15 business days): {SMS_REGISTRATION}"
    if blocks_deploy:
        return failed("sms registration", detail + "; the number cannot be requested", fix)
    return warned("sms registration", detail + "; carriers block the number's texts", fix)


def sms_number_check(stage: Stage, clients: AccountClients) -> Check:
    """The stage's End User Messaging number (its opt-out list, type and country): absent
    before the first deploy, and not usable by Connect until ACTIVE."""
    sms = stage.config.sms
    assert sms is not None
    filters = [
        {"Name": "opt-out-list-name", "Values": [sms.opt_out_list]},
        {"Name": "number-type", "Values": [sms.number_type]},
        {"Name": "iso-country-code", "Values": [sms.country_code]},
    ]
    numbers = [
        number
        for page in clients.sms.get_paginator("describe_phone_numbers").paginate(Filters=filters)
        for number in page["PhoneNumbers"]
    ]
    if not numbers:
        return passed(
            "sms number", f"none yet; the deploy requests a {sms.number_type} {sms.country_code}"
        )
    waiting = [n for n in numbers if n.get("Status") != "ACTIVE"]
    shown = ", ".join(f"{n.get('PhoneNumber')} {n.get('Status')}" for n in numbers)
    if waiting:
        return warned(
            "sms number", shown, "wait until End User Messaging SMS shows the number ACTIVE"
        )
    return passed("sms number", shown)


# -- helpers -----------------------------------------------------------------------------------


def _resources(templates: Mapping[str, Template], resource_type: str) -> Iterator[Any]:
    for template in templates.values():
        for resource in template.get("Resources", {}).values():
            if resource.get("Type") == resource_type:
                yield resource


def _guarded(name: str, run: Callable[[], list[Check]]) -> Iterable[Check]:
    """A refused or failed call is a warning on the check, naming the call; the other checks
    go on."""
    try:
        return run()
    except ClientError as error:
        details = error.response.get("Error", {})
        return [
            warned(
                name,
                f"not checked: {error.operation_name} refused: {details.get('Code')}: "
                f"{details.get('Message')}",
                f"allow the caller {error.operation_name} (read-only), or check this by hand",
            )
        ]
    except BotoCoreError as error:
        return [warned(name, f"not checked: {error}", "check the network and the region")]
