"""The account checks: moto where it answers the API (Connect ListInstances, SSM GetParameter,
SES v2 GetEmailIdentity), botocore's Stubber where moto does not (Service Quotas for Connect,
Lambda GetAccountSettings, SES v2 GetAccount, End User Messaging SMS), so every request is
still validated against the service model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from config import ContactCenterConfig
from scripts.preflight.account import (
    AccountClients,
    Stage,
    account_checks,
    connect_instance_check,
    email_identity_check,
    lambda_concurrency_check,
    phone_number_quota_check,
    ses_account_check,
    sms_number_check,
    sms_registration_check,
    sms_spend_check,
    sms_tier_check,
    ssm_parameter_checks,
)
from scripts.preflight.report import Status
from tests.conftest import config_with

POWERTOOLS = "/aws/service/powertools/python/arm64/python3.14/3.37.0"
BOOTSTRAP = "/cdk-bootstrap/hnb659fds/version"
INSTANCES_QUOTA = "Amazon Connect instances per account"
NUMBERS_QUOTA = "Phone numbers per instance"


def quota(name: str, value: float) -> dict[str, Any]:
    return {"ServiceCode": "connect", "QuotaCode": "L-0000", "QuotaName": name, "Value": value}


def templates(
    numbers: int = 2, reserved: int = 0, parameters: tuple[str, ...] = ()
) -> dict[str, Any]:
    resources: dict[str, Any] = {
        f"Number{i}": {"Type": "AWS::Connect::PhoneNumber", "Properties": {}}
        for i in range(numbers)
    }
    resources["Routing"] = {
        "Type": "AWS::Lambda::Function",
        "Properties": {"ReservedConcurrentExecutions": reserved} if reserved else {},
    }
    return {
        "ContactCenter-dev-ContactCenter": {
            "Parameters": {
                f"P{i}": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": name}
                for i, name in enumerate(parameters)
            },
            "Resources": resources,
        }
    }


def deployed(resource_type: str, **properties: str) -> dict[str, Any]:
    return {"Stack": {"Resources": {"Thing": {"Type": resource_type, "Properties": properties}}}}


class Account:
    """A Stubber in front of every client: a call nobody stubbed fails, none reaches AWS.
    `use_moto` swaps in moto clients for the services moto answers."""

    def __init__(self, clients: dict[str, Any]) -> None:
        self._clients = clients
        self.stubbers: list[Stubber] = []
        self.service_quotas = self._stubbed("service-quotas")
        self.lambda_ = self._stubbed("lambda")
        self.ses_stubbed = self._stubbed("sesv2")
        self.sms = self._stubbed("pinpoint-sms-voice-v2")
        self.cloudformation = self._stubbed("cloudformation")
        self.connect = self._stubbed("connect")
        self.ssm = self._stubbed("ssm")
        self.sesv2 = self.ses_stubbed

    def _stubbed(self, service: str) -> Any:
        client = self._clients[service]
        stubber = Stubber(client)
        stubber.activate()
        self.stubbers.append(stubber)
        return client

    def use_moto(self) -> None:
        self.connect = boto3.client("connect")
        self.ssm = boto3.client("ssm")
        self.sesv2 = boto3.client("sesv2")

    def stub(self, client: Any) -> Stubber:
        return next(s for s in self.stubbers if s.client is client)

    def quotas(self, *quotas: dict[str, Any], listed: bool = True) -> None:
        """ListServiceQuotas answers with `quotas` (or nothing, then the defaults answer)."""
        stub = self.stub(self.service_quotas)
        params = {"ServiceCode": "connect"}
        if listed:
            stub.add_response("list_service_quotas", {"Quotas": list(quotas)}, params)
        else:
            stub.add_response("list_service_quotas", {"Quotas": []}, params)
            stub.add_response("list_aws_default_service_quotas", {"Quotas": list(quotas)}, params)

    def clients(self, *, ses_stubbed: bool = False) -> AccountClients:
        return AccountClients(
            cloudformation=self.cloudformation,
            connect=self.connect,
            service_quotas=self.service_quotas,
            lambda_=self.lambda_,
            ssm=self.ssm,
            sesv2=self.ses_stubbed if ses_stubbed else self.sesv2,
            sms=self.sms,
        )

    def all_answered(self) -> None:
        for stubber in self.stubbers:
            stubber.deactivate()  # all of them first: the clients are shared with later tests
        for stubber in self.stubbers:
            stubber.assert_no_pending_responses()


@pytest.fixture(scope="module")
def stubbed_clients() -> dict[str, Any]:
    """Made once: building a client costs a tenth of a second; each test stubs them afresh."""
    return {
        "service-quotas": boto3.client("service-quotas"),
        "lambda": boto3.client("lambda"),
        "sesv2": boto3.client("sesv2"),
        "pinpoint-sms-voice-v2": boto3.client("pinpoint-sms-voice-v2"),
        "cloudformation": boto3.client("cloudformation"),
        "connect": boto3.client("connect"),
        "ssm": boto3.client("ssm"),
    }


@pytest.fixture
def account(stubbed_clients: dict[str, Any]) -> Iterator[Account]:
    account = Account(stubbed_clients)
    yield account
    account.all_answered()


@pytest.fixture
def in_moto(aws: None, account: Account) -> Account:
    """The account, with moto answering Connect, SSM and SES v2 identities."""
    account.use_moto()
    return account


def stage(config: ContactCenterConfig, deployed_templates: Any = None, **kwargs: Any) -> Stage:
    return Stage(config=config, templates=templates(**kwargs), deployed=deployed_templates or {})


def create_instance(connect: Any, alias: str) -> None:
    connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias=alias,
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
    )


# -- Connect -----------------------------------------------------------------------------------


def test_a_new_instance_within_the_quota_passes(in_moto: Account, dev_config: Any) -> None:
    create_instance(in_moto.connect, "someone-else")
    in_moto.quotas(quota(INSTANCES_QUOTA, 2))

    check = connect_instance_check(stage(dev_config), in_moto.clients())

    assert check.status is Status.PASS
    assert "1 of 2 instances in use" in check.detail


def test_an_instance_over_the_quota_fails_with_the_quota_to_raise(
    in_moto: Account, dev_config: Any
) -> None:
    create_instance(in_moto.connect, "someone-else")
    in_moto.quotas(quota(INSTANCES_QUOTA, 1), listed=False)

    check = connect_instance_check(stage(dev_config), in_moto.clients())

    assert check.status is Status.FAIL
    assert check.fix and "Amazon Connect instances per account" in check.fix


def test_an_alias_taken_by_an_instance_this_stage_did_not_create_fails(
    in_moto: Account, dev_config: Any
) -> None:
    create_instance(in_moto.connect, dev_config.instance.alias)

    check = connect_instance_check(stage(dev_config), in_moto.clients())

    assert check.status is Status.FAIL
    assert "CreateInstance would fail" in check.detail


def test_the_stages_own_deployed_instance_passes(in_moto: Account, dev_config: Any) -> None:
    alias = dev_config.instance.alias
    create_instance(in_moto.connect, alias)
    ours = deployed("AWS::Connect::Instance", InstanceAlias=alias)

    check = connect_instance_check(stage(dev_config, ours), in_moto.clients())

    assert check.status is Status.PASS


def test_an_identity_whose_owner_is_unknown_warns_instead_of_failing(
    in_moto: Account, dev_config: Any
) -> None:
    in_moto.sesv2.create_email_identity(EmailIdentity="support.example.gov")
    unknown = Stage(config=with_domain(dev_config, create=True), templates={}, deployed=None)

    check = email_identity_check(unknown, in_moto.clients())

    assert check.status is Status.WARN
    assert "GetTemplate" in (check.fix or "")


def test_more_phone_numbers_than_the_instance_quota_fail(account: Account, dev_config: Any) -> None:
    account.quotas(quota(INSTANCES_QUOTA, 2), quota(NUMBERS_QUOTA, 2))

    check = phone_number_quota_check(stage(dev_config, numbers=3), account.clients())

    assert check.status is Status.FAIL
    assert "claims 3 numbers; the quota is 2" in check.detail


# -- Lambda and SSM ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unreserved", "reserved", "status"),
    [(10, 0, Status.FAIL), (1000, 0, Status.PASS), (1000, 950, Status.FAIL)],
)
def test_lambda_concurrency_below_what_the_stage_needs_fails(
    account: Account, dev_config: Any, unreserved: int, reserved: int, status: Status
) -> None:
    settings = {"ConcurrentExecutions": unreserved, "UnreservedConcurrentExecutions": unreserved}
    account.stub(account.lambda_).add_response("get_account_settings", {"AccountLimit": settings})

    check = lambda_concurrency_check(stage(dev_config, reserved=reserved), account.clients())

    assert check.status is status
    if status is Status.FAIL:
        assert check.fix and "L-B99A9384" in check.fix


def test_every_ssm_parameter_the_templates_resolve_must_exist(
    in_moto: Account, dev_config: Any
) -> None:
    in_moto.ssm.put_parameter(Name=BOOTSTRAP, Value="30", Type="String")

    checks = ssm_parameter_checks(
        stage(dev_config, parameters=(POWERTOOLS, BOOTSTRAP)), in_moto.clients()
    )

    by_name = {check.detail.split(":")[0]: check for check in checks}
    assert by_name[BOOTSTRAP].status is Status.PASS
    assert by_name[POWERTOOLS].status is Status.FAIL
    assert "Powertools" in (by_name[POWERTOOLS].fix or "")


# -- SES ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ({"ProductionAccessEnabled": False, "SendingEnabled": True}, Status.WARN),
        (
            {
                "ProductionAccessEnabled": True,
                "SendingEnabled": True,
                "SendQuota": {"Max24HourSend": 50000.0},
            },
            Status.PASS,
        ),
        ({"ProductionAccessEnabled": True, "SendingEnabled": False}, Status.FAIL),
    ],
)
def test_ses_sandbox_warns_and_disabled_sending_fails(
    account: Account, answer: dict[str, Any], status: Status
) -> None:
    account.stub(account.ses_stubbed).add_response("get_account", answer, {})

    assert ses_account_check(account.clients(ses_stubbed=True)).status is status


def with_domain(config: ContactCenterConfig, *, create: bool) -> ContactCenterConfig:
    email = config.model_dump(mode="json")["email"]
    return config_with(
        config, email={**email, "domain": "support.example.gov", "create_identity": create}
    )


def test_an_identity_the_deploy_will_create_passes(in_moto: Account, dev_config: Any) -> None:
    check = email_identity_check(stage(with_domain(dev_config, create=True)), in_moto.clients())

    assert check.status is Status.PASS
    assert "the deploy creates it" in check.detail


def test_a_shared_identity_nobody_created_fails(in_moto: Account, dev_config: Any) -> None:
    check = email_identity_check(stage(with_domain(dev_config, create=False)), in_moto.clients())

    assert check.status is Status.FAIL


def test_an_identity_another_stack_created_fails_the_creating_stage(
    in_moto: Account, dev_config: Any
) -> None:
    in_moto.sesv2.create_email_identity(EmailIdentity="support.example.gov")

    check = email_identity_check(stage(with_domain(dev_config, create=True)), in_moto.clients())

    assert check.status is Status.FAIL
    assert "create_identity: false" in (check.fix or "")


def test_the_stages_own_identity_warns_until_dkim_proves_the_domain(
    in_moto: Account, dev_config: Any
) -> None:
    in_moto.sesv2.create_email_identity(EmailIdentity="support.example.gov")
    ours = deployed("AWS::SES::EmailIdentity", EmailIdentity="support.example.gov")

    check = email_identity_check(
        stage(with_domain(dev_config, create=True), ours), in_moto.clients()
    )

    assert check.status is Status.WARN
    assert "DKIM NOT_STARTED" in check.detail
    assert "MessagingDkimRecord1..3" in (check.fix or "")


def test_a_domain_with_dkim_verified_passes(account: Account, dev_config: Any) -> None:
    account.stub(account.ses_stubbed).add_response(
        "get_email_identity",
        {"VerifiedForSendingStatus": True, "DkimAttributes": {"Status": "SUCCESS"}},
        {"EmailIdentity": "support.example.gov"},
    )

    check = email_identity_check(
        stage(with_domain(dev_config, create=False)), account.clients(ses_stubbed=True)
    )

    assert check.status is Status.PASS


# -- SMS ---------------------------------------------------------------------------------------


def with_sms(config: ContactCenterConfig, number_type: str) -> ContactCenterConfig:
    sms = config.model_dump(mode="json")["sms"]
    return config_with(config, sms={**sms, "number_type": number_type})


def test_a_sandboxed_sms_account_warns(account: Account) -> None:
    account.stub(account.sms).add_response(
        "describe_account_attributes",
        {"AccountAttributes": [{"Name": "ACCOUNT_TIER", "Value": "SANDBOXED"}]},
        {},
    )

    assert sms_tier_check(account.clients()).status is Status.WARN


def test_a_spend_limit_below_the_configured_one_warns(account: Account, dev_config: Any) -> None:
    limit = {
        "Name": "TEXT_MESSAGE_MONTHLY_SPEND_LIMIT",
        "EnforcedLimit": 1,
        "MaxLimit": 1,
        "Overridden": False,
    }
    account.stub(account.sms).add_response("describe_spend_limits", {"SpendLimits": [limit]}, {})

    check = sms_spend_check(stage(dev_config), account.clients())

    assert check.status is Status.WARN
    assert "$1" in check.detail and "$10" in check.detail


@pytest.mark.parametrize(
    ("number_type", "statuses", "expected"),
    [
        ("TOLL_FREE", [], Status.WARN),
        ("TOLL_FREE", ["REVIEWING"], Status.WARN),
        ("TOLL_FREE", ["DELETED", "COMPLETE"], Status.PASS),
        ("TEN_DLC", [], Status.FAIL),
    ],
)
def test_a_us_number_needs_its_registration(
    account: Account, dev_config: Any, number_type: str, statuses: list[str], expected: Status
) -> None:
    registration_type = {
        "TOLL_FREE": "US_TOLL_FREE_REGISTRATION",
        "TEN_DLC": "US_TEN_DLC_CAMPAIGN_REGISTRATION",
    }[number_type]
    registrations = [
        {
            "RegistrationArn": f"arn:aws:sms-voice:us-east-1:123456789012:registration/r-{i}",
            "RegistrationId": f"r-{i}",
            "RegistrationType": registration_type,
            "RegistrationStatus": status,
            "CurrentVersionNumber": 1,
            "CreatedTimestamp": "2026-11-01T00:00:00Z",
        }
        for i, status in enumerate(statuses)
    ]
    account.stub(account.sms).add_response(
        "describe_registrations",
        {"Registrations": registrations},
        {"Filters": [{"Name": "registration-type", "Values": [registration_type]}]},
    )

    check = sms_registration_check(stage(with_sms(dev_config, number_type)), account.clients())

    assert check.status is expected


def test_the_simulator_number_needs_no_registration(account: Account, dev_config: Any) -> None:
    check = sms_registration_check(stage(dev_config), account.clients())

    assert check.status is Status.PASS


def test_a_number_not_active_yet_warns(account: Account, dev_config: Any) -> None:
    sms = dev_config.sms
    number = {
        "PhoneNumberArn": "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-1",
        "PhoneNumber": "+18005550100",
        "Status": "PENDING",
        "IsoCountryCode": "US",
        "MessageType": "TRANSACTIONAL",
        "NumberCapabilities": ["SMS"],
        "NumberType": "SIMULATOR",
        "MonthlyLeasingPrice": "0",
        "TwoWayEnabled": False,
        "SelfManagedOptOutsEnabled": False,
        "OptOutListName": sms.opt_out_list,
        "DeletionProtectionEnabled": False,
        "CreatedTimestamp": "2026-11-01T00:00:00Z",
    }
    account.stub(account.sms).add_response(
        "describe_phone_numbers",
        {"PhoneNumbers": [number]},
        {
            "Filters": [
                {"Name": "opt-out-list-name", "Values": [sms.opt_out_list]},
                {"Name": "number-type", "Values": ["SIMULATOR"]},
                {"Name": "iso-country-code", "Values": ["US"]},
            ]
        },
    )

    check = sms_number_check(stage(dev_config), account.clients())

    assert check.status is Status.WARN
    assert "+18005550100 PENDING" in check.detail


# -- all together ------------------------------------------------------------------------------


def test_a_refused_call_warns_naming_it_and_the_other_checks_still_run(
    in_moto: Account, voice_only_config: Any
) -> None:
    in_moto.quotas(quota(INSTANCES_QUOTA, 2))
    in_moto.quotas(quota(NUMBERS_QUOTA, 5))
    in_moto.stub(in_moto.lambda_).add_client_error(
        "get_account_settings", "AccessDeniedException", "not allowed"
    )

    checks = account_checks(stage(voice_only_config), in_moto.clients())

    by_name = {check.name: check for check in checks}
    assert by_name["lambda concurrency"].status is Status.WARN
    assert (
        "GetAccountSettings refused: AccessDeniedException" in by_name["lambda concurrency"].detail
    )
    assert by_name["connect instance"].status is Status.PASS
    assert by_name["connect phone numbers"].status is Status.PASS
    assert not {"ses account", "sms account"} & set(by_name)  # voice only
