"""What the validator knows about each action type of the flow language.

Sources: AWS's flow language reference, one page per action under
https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html, checked
against every real export of the corpus (AWS samples, CI tools, flows exported from live
instances). Where the reference and what Connect accepts differ, the catalog follows practice
and says so: exports carry a `NoMatchingError` branch on actions the reference lists with no
errors (UpdateFlowAttributes, Loop), spell `Wait`'s timeout `TimeLimitSeconds`, name the
step-based routing action `UpdateContactRoutingCriteria`, and use `StartMediaStreaming`, which
the reference does not list.

A spec records only what a rule reads; everything else about an action is left to Connect. Each
number a rule enforces (`limits`) is the range the action's page states, cited next to it; where
a page is silent, there is no limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowlang.problems import Level

# Flow types (CloudFormation `AWS::Connect::ContactFlow.Type`) grouped the way the reference's
# "Restrictions" sections name them.
INBOUND = frozenset({"CONTACT_FLOW"})
TRANSFER = frozenset({"QUEUE_TRANSFER", "AGENT_TRANSFER"})
CUSTOMER_QUEUE = frozenset({"CUSTOMER_QUEUE"})
WHISPER = frozenset({"CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER"})
HOLD = frozenset({"CUSTOMER_HOLD", "AGENT_HOLD"})
CAMPAIGN = frozenset({"CAMPAIGN"})
ALL_FLOW_TYPES = INBOUND | TRANSFER | CUSTOMER_QUEUE | WHISPER | HOLD | CAMPAIGN

REFERENCE = "https://docs.aws.amazon.com/connect/latest/APIReference/"

# The operators the reference allows in a Condition ("List of Operators"):
# https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html
OPERATORS = frozenset(
    {
        "Equals",
        "TextStartsWith",
        "TextEndsWith",
        "TextContains",
        "NumberGreaterThan",
        "NumberGreaterOrEqualTo",
        "NumberLessThan",
        "NumberLessOrEqualTo",
    }
)

# Every error type an action page documents. A branch naming anything else is most likely a
# typo (its branch is never taken), but no page says Connect refuses it: a warning.
KNOWN_ERROR_TYPES = frozenset(
    {
        "NoMatchingError",
        "NoMatchingCondition",
        "InputTimeLimitExceeded",
        "InvalidPhoneNumber",
        "QueueAtCapacity",
        "InvalidCallbackNumber",
        "CallbackNumberNotDialable",
        "CallFailed",
        "ConnectionTimeLimitExceeded",
        "TimeLimitExceeded",
        "ContactNotLinked",
        "MultipleFound",
        "NoneFound",
        "MultipleFoundError",
        "NoneFoundError",
        "ChannelMismatch",
        "InFlightRedactionConfigurationFailed",
        "ParticipantNotFound",
    }
)

CONTACT_FLOW_TYPES = INBOUND | TRANSFER


@dataclass(frozen=True)
class Limit:
    """A whole number a parameter must hold: `low` to `high` (None: no upper bound).

    `dynamic`: a single JSONPath reference (`$.Attributes.timeout`) is accepted too, and judged
    by Connect when the flow runs; otherwise the number must be written in the flow ("Must be
    defined statically"). `level` is "error" for a limit the reference states, "warning" for
    one that is only this project's rule.
    """

    low: int
    high: int | None = None
    dynamic: bool = False
    level: Level = "error"

    def allows(self, number: int) -> bool:
        return self.low <= number and (self.high is None or number <= self.high)

    def describe(self) -> str:
        return f"{self.low} to {self.high}" if self.high is not None else f"{self.low} or more"


@dataclass(frozen=True)
class ActionSpec:
    """`errors`: the branches our own flows must handle (the action can fail that way).

    `required`: parameters the reference requires (an error when absent); `spellings` gives the
    other names Connect accepts for one of them (docs and exports have used both).
    `parameters`: every other parameter the reference documents or real exports use; None when
    the catalog does not list them (no unknown-parameter warning for that action).
    `conditions`: "none" (the reference supports no conditions), "any", or "equals" (only the
    Equals operator). `required_conditions`: operands that must each have an Equals condition.
    `ends_flow_on_success`: success leaves the flow (transfers), so NextAction is never taken.
    `terminal`: the action has no transitions at all.
    `loops`: plays until something interrupts it (the contact leaves the queue, a hold ends),
    so no NextAction is not a dead end.
    `flow_types`: where the reference allows the action; None when it is allowed everywhere.
    `exclusive`: groups of parameters of which at most one may be set (reference: "May not be
    specified if ...").
    `any_of`: groups of which the reference requires one (an error when none is given).
    `expects_one_of`: groups of which our flows set one, though the reference makes each
    optional (a warning).
    `chat_only` / `voice_only`: other channels take the error branch (a warning).
    `documented`: False for actions seen only in real exports.
    """

    type: str
    required: tuple[str, ...] = ()
    spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parameters: frozenset[str] | None = None
    errors: frozenset[str] = frozenset()
    conditions: str = "any"
    required_conditions: tuple[str, ...] = ()
    ends_flow_on_success: bool = False
    terminal: bool = False
    loops: bool = False
    flow_types: frozenset[str] | None = None
    exclusive: tuple[tuple[str, ...], ...] = ()
    any_of: tuple[tuple[str, ...], ...] = ()
    expects_one_of: tuple[tuple[str, ...], ...] = ()
    chat_only: bool = False
    voice_only: bool = False
    limits: dict[str, Limit] = field(default_factory=dict)
    documented: bool = True

    def names_of(self, parameter: str) -> tuple[str, ...]:
        """The parameter and every other spelling of it Connect accepts."""
        return (parameter, *self.spellings.get(parameter, ()))

    @property
    def known_parameters(self) -> frozenset[str] | None:
        if self.parameters is None:
            return None
        named = set(self.parameters) | set(self.limits)
        for name in self.required:
            named.update(self.names_of(name))
        for name in self.limits:
            named.update(self.names_of(name))
        for group in (*self.exclusive, *self.any_of, *self.expects_one_of):
            named.update(group)
        return frozenset(named)


NO_MATCH = frozenset({"NoMatchingError"})
PROMPT = ("PromptId", "Text", "SSML")
PROMPT_PARAMETERS = frozenset({*PROMPT, "Media", "TextToSpeechType"})
QUEUE_OR_AGENT = ("QueueId", "AgentId")
ROUTING_BEHAVIOUR = ("QueuePriority", "QueueTimeAdjustmentSeconds", "RoutingProficiencies")
NOT_HOLD_OR_WHISPER = CONTACT_FLOW_TYPES | CUSTOMER_QUEUE | CAMPAIGN
NONE: frozenset[str] = frozenset()

# Wait: "If defined statically, this must be a positive integer value no greater than 604800
# (seven days)", or a single JSONPath identifier.
# https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-wait.html
WAIT_LIMIT = Limit(1, 604_800, dynamic=True)
# InvokeLambdaFunction: "Must be greater than 0, no larger than 8, and an integer. Must be set
# statically." https://docs.aws.amazon.com/connect/latest/APIReference/interactions-invokelambdafunction.html
LAMBDA_LIMIT = Limit(1, 8)
# ... and up to 60 s when "InvocationType" is "ASYNCHRONOUS" (the block's Timeout: "up to 8
# seconds for synchronous mode and up to 60 seconds for asynchronous mode"):
# https://docs.aws.amazon.com/connect/latest/adminguide/invoke-lambda-function-block.html
ASYNCHRONOUS_LAMBDA_LIMIT = Limit(1, 60)

_SPECS = [
    # Participant actions
    ActionSpec(
        "MessageParticipant",
        parameters=PROMPT_PARAMETERS,
        errors=NO_MATCH,
        conditions="none",
        exclusive=(PROMPT,),
        flow_types=ALL_FLOW_TYPES - HOLD,
    ),
    ActionSpec(
        "MessageParticipantIteratively",
        required=("Messages",),
        parameters=frozenset({"ContinueMessagingDuringInterrupt"}),
        errors=NO_MATCH,
        conditions="equals",
        loops=True,
        flow_types=CUSTOMER_QUEUE | HOLD,
        voice_only=True,
        # The reference gives no range ("[Optional] Time to elapse before the action completes
        # with MessagesInterrupted"): below 1 s is our rule, not Connect's.
        # https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-messageparticipantiteratively.html
        limits={"InterruptFrequencySeconds": Limit(1, level="warning")},
    ),
    ActionSpec(
        "GetParticipantInput",
        required=("InputTimeLimitSeconds",),
        # The reference spelled it InputTimeoutSeconds until 2022.
        spellings={"InputTimeLimitSeconds": ("InputTimeoutSeconds",)},
        parameters=PROMPT_PARAMETERS
        | {"StoreInput", "InputValidation", "InputEncryption", "DTMFConfiguration"},
        errors=NO_MATCH,  # plus NoMatchingCondition/InputTimeLimitExceeded: see the validator
        conditions="equals",
        exclusive=(PROMPT,),
        flow_types=NOT_HOLD_OR_WHISPER,
        voice_only=True,
        # "Must be defined statically, and must be a valid integer larger than zero": no upper
        # bound (live instances export 300).
        # https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html
        limits={"InputTimeLimitSeconds": Limit(1)},
    ),
    ActionSpec(
        "ConnectParticipantWithLexBot",
        parameters=PROMPT_PARAMETERS
        | {"LexSessionAttributes", "LexInitilizationData", "LexTimeoutSeconds"},
        errors=frozenset({"NoMatchingError", "NoMatchingCondition"}),
        conditions="equals",
        exclusive=(PROMPT, ("LexBot", "LexV2Bot")),
        # "Provide either LexBot or LexV2Bot object":
        # https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-connectparticipantwithlexbot.html
        any_of=(("LexBot", "LexV2Bot"),),
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec("DisconnectParticipant", parameters=NONE, conditions="none", terminal=True),
    ActionSpec(
        "ShowView",
        required=("ViewResource",),
        parameters=frozenset(
            {"InvocationTimeLimitSeconds", "ViewData", "SensitiveDataConfiguration"}
        ),
        errors=frozenset({"NoMatchingError", "NoMatchingCondition", "TimeLimitExceeded"}),
        conditions="any",
        flow_types=INBOUND | CUSTOMER_QUEUE,
    ),
    # Contact actions
    ActionSpec("CompleteOutboundCall", parameters=frozenset({"CallerId"}), conditions="none"),
    ActionSpec("CreateCase", required=("CaseTemplateId",), errors=NO_MATCH),
    ActionSpec(
        "CreateTask",
        required=("ContactFlowId", "Name"),
        parameters=frozenset(
            {"Attributes", "Description", "References", "ScheduledTime", "TaskTemplateId"}
        ),
        errors=NO_MATCH,
        conditions="none",
        exclusive=(("DelaySeconds", "ScheduledTime"),),
        # "The integer value between 1 and 518400 (6 days)":
        # https://docs.aws.amazon.com/connect/latest/APIReference/createtask.html
        limits={"DelaySeconds": Limit(1, 518_400, dynamic=True)},
    ),
    ActionSpec("CreateWisdomSession", required=("WisdomAssistantArn",), errors=NO_MATCH),
    ActionSpec(
        "DequeueContactAndTransferToQueue",
        parameters=NONE,
        errors=frozenset({"NoMatchingError", "QueueAtCapacity"}),
        conditions="none",
        exclusive=(QUEUE_OR_AGENT,),
        ends_flow_on_success=True,
        flow_types=CUSTOMER_QUEUE,
    ),
    ActionSpec("EndFlowModuleExecution", terminal=True),
    ActionSpec("GetCase", errors=NO_MATCH),
    ActionSpec("InvokeFlowModule", required=("FlowModuleId",), errors=NO_MATCH),
    ActionSpec("StartOutboundChatContact", errors=NO_MATCH),
    ActionSpec("TagContact", required=("Tags",), errors=NO_MATCH),
    ActionSpec("UnTagContact", required=("TagKeys",), errors=NO_MATCH),
    ActionSpec(
        "TransferContactToAgent",
        parameters=NONE,
        conditions="none",
        ends_flow_on_success=True,
        flow_types=TRANSFER,
    ),
    ActionSpec(
        "TransferContactToQueue",
        parameters=NONE,
        errors=frozenset({"NoMatchingError", "QueueAtCapacity"}),
        conditions="none",
        ends_flow_on_success=True,
        flow_types=CONTACT_FLOW_TYPES,
    ),
    ActionSpec("UpdateCase", required=("CaseId",), errors=NO_MATCH),
    ActionSpec(
        "UpdateContactAttributes",
        required=("Attributes",),
        parameters=frozenset({"TargetContact"}),
        errors=NO_MATCH,
        conditions="none",
    ),
    ActionSpec(
        "UpdateContactCallbackNumber",
        required=("CallbackNumber",),
        parameters=NONE,
        errors=frozenset({"InvalidCallbackNumber", "CallbackNumberNotDialable"}),
        conditions="none",
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec("UpdateContactData", errors=NO_MATCH),
    ActionSpec(
        "UpdateContactEventHooks",
        required=("EventHooks",),
        parameters=frozenset({"EventHooksConfiguration"}),
        errors=NO_MATCH,
        conditions="none",
    ),
    ActionSpec("UpdateContactMediaProcessing", errors=NO_MATCH),
    ActionSpec(
        "UpdateContactMediaStreamingBehavior",
        required=("MediaStreamingState",),
        parameters=frozenset({"Participants", "MediaStreamType"}),
        errors=NO_MATCH,
        conditions="none",
    ),
    # Seen in a real export (aws-samples' unified clinical workflow), not in the reference: the
    # "Start media streaming" block's other form. Treated like UpdateContactMediaStreamingBehavior.
    ActionSpec("StartMediaStreaming", errors=NO_MATCH, voice_only=True, documented=False),
    ActionSpec("UpdateContactRecordingAndAnalyticsBehavior", errors=NO_MATCH),
    ActionSpec(
        "UpdateContactRecordingBehavior",
        parameters=frozenset({"RecordingBehavior", "AnalyticsBehavior"}),
        conditions="none",
    ),
    ActionSpec("ResumeContact", errors=NO_MATCH),
    ActionSpec(
        "UpdateContactRoutingBehavior",
        parameters=NONE,
        conditions="none",
        # Each "Cannot be specified if" either of the others is:
        # https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions-updatecontactroutingbehavior.html
        exclusive=(ROUTING_BEHAVIOUR,),
        expects_one_of=(ROUTING_BEHAVIOUR,),
        flow_types=CONTACT_FLOW_TYPES,
    ),
    ActionSpec(
        "UpdateContactTargetQueue",
        parameters=NONE,
        errors=NO_MATCH,
        conditions="none",
        exclusive=(QUEUE_OR_AGENT,),
        # Both "[Optional]" in the reference (the contact keeps its queue): setting none is a
        # mistake in our flows, not a flow Connect refuses.
        expects_one_of=(QUEUE_OR_AGENT,),
        flow_types=CONTACT_FLOW_TYPES,
    ),
    ActionSpec(
        "UpdateContactTextToSpeechVoice",
        parameters=frozenset({"TextToSpeechVoice", "TextToSpeechEngine", "TextToSpeechStyle"}),
        errors=NO_MATCH,
        conditions="none",
    ),
    ActionSpec(
        "UpdatePreviousContactParticipantState",
        parameters=frozenset({"PreviousContactParticipantState"}),
        errors=NO_MATCH,
        conditions="none",
    ),
    # Flow control actions
    ActionSpec(
        "CheckHoursOfOperation",
        parameters=frozenset({"HoursOfOperationId"}),
        errors=NO_MATCH,
        conditions="equals",
        # "There must be a Condition provided for Equals True and a Condition for Equals False":
        # https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-checkhoursofoperation.html
        required_conditions=("True", "False"),
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec(
        "CheckMetricData",
        required=("MetricType",),
        parameters=NONE,
        errors=NO_MATCH,
        conditions="any",
        exclusive=(QUEUE_OR_AGENT,),
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec("CheckOutboundCallStatus", parameters=NONE, errors=NO_MATCH, conditions="equals"),
    ActionSpec(
        "CheckVoiceId",
        required=("CheckVoiceIdOption",),
        parameters=NONE,
        errors=NO_MATCH,
        conditions="equals",
    ),
    ActionSpec(
        "Compare",
        required=("ComparisonValue",),
        parameters=NONE,
        errors=frozenset({"NoMatchingCondition"}),
        conditions="any",
    ),
    ActionSpec(
        "DistributeByPercentage",
        parameters=NONE,
        errors=frozenset({"NoMatchingCondition"}),
        conditions="any",
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec("EndFlowExecution", parameters=NONE, conditions="none", terminal=True),
    ActionSpec(
        "GetMetricData",
        parameters=frozenset({"QueueChannel"}),
        errors=NO_MATCH,
        conditions="none",
        exclusive=(QUEUE_OR_AGENT,),
    ),
    ActionSpec(
        "Loop",
        required=("LoopCount",),
        parameters=NONE,
        conditions="equals",
        # "There must be a Condition provided for Equals ContinueLooping and for Equals
        # DoneLooping"; LoopCount "must be between 0 and 100 (inclusive). Must either be fully
        # static or fully dynamic."
        # https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-loop.html
        required_conditions=("ContinueLooping", "DoneLooping"),
        limits={"LoopCount": Limit(0, 100, dynamic=True)},
    ),
    ActionSpec("StartVoiceIdStream", parameters=NONE, errors=NO_MATCH, conditions="none"),
    ActionSpec(
        "TransferToFlow",
        required=("ContactFlowId",),
        parameters=NONE,
        errors=NO_MATCH,
        conditions="none",
        ends_flow_on_success=True,
        flow_types=CONTACT_FLOW_TYPES,
    ),
    ActionSpec("UpdateFlowAttributes", required=("FlowAttributes",)),
    ActionSpec(
        "UpdateFlowLoggingBehavior",
        required=("FlowLoggingBehavior",),
        parameters=NONE,
        conditions="none",
    ),
    ActionSpec("UpdateRoutingCriteria", required=("RoutingCriteria",), errors=NO_MATCH),
    ActionSpec("UpdateContactRoutingCriteria", required=("RoutingCriteria",), errors=NO_MATCH),
    ActionSpec(
        "Wait",
        required=("TimeoutSeconds",),
        # The reference's name is TimeoutSeconds; flows pushed through CreateContactFlow use
        # TimeLimitSeconds, and Connect runs them.
        spellings={"TimeoutSeconds": ("TimeLimitSeconds",)},
        parameters=frozenset({"Events"}),
        errors=NO_MATCH,
        conditions="equals",
        # The reference's Restrictions say chat only; the block's page lists voice (inbound
        # flows), chat, task and email:
        # https://docs.aws.amazon.com/connect/latest/adminguide/wait.html
        limits={"TimeoutSeconds": WAIT_LIMIT},
    ),
    # Interactions
    ActionSpec("AssociateContactToCustomerProfile", errors=NO_MATCH),
    ActionSpec(
        "CreateCallbackContact",
        required=("MaximumConnectionAttempts", "RetryDelaySeconds"),
        parameters=frozenset({"QueueId", "AgentId", "ContactFlowId"}),
        errors=NO_MATCH,
        conditions="none",
        exclusive=(QUEUE_OR_AGENT,),
        # "If you specify a ContactFlowId, then InitialCallDelaySeconds parameter is ignored."
        any_of=(("InitialCallDelaySeconds", "ContactFlowId"),),
        flow_types=NOT_HOLD_OR_WHISPER,
        # https://docs.aws.amazon.com/connect/latest/APIReference/interactions-createcallbackcontact.html
        # Delays: "Must be larger than 0, no greater than 259,200 (three days) ... statically".
        # MaximumConnectionAttempts: "Must be larger than zero", but the designer writes 0 for
        # "no retries" and Connect accepts it (AWS's callback-management sample ships one).
        limits={
            "InitialCallDelaySeconds": Limit(1, 259_200),
            "MaximumConnectionAttempts": Limit(0),
            "RetryDelaySeconds": Limit(1, 259_200),
        },
    ),
    ActionSpec("CreateCustomerProfile", errors=NO_MATCH, conditions="none"),
    ActionSpec(
        "InvokeLambdaFunction",
        required=("LambdaFunctionARN", "InvocationTimeLimitSeconds"),
        parameters=frozenset(
            {"InvocationType", "LambdaInvocationAttributes", "ResponseValidation"}
        ),
        errors=NO_MATCH,
        conditions="none",
        limits={"InvocationTimeLimitSeconds": LAMBDA_LIMIT},  # 60 s when asynchronous
    ),
    ActionSpec("GetCustomerProfile", errors=NO_MATCH, conditions="none"),
    ActionSpec("GetCustomerProfileObject", errors=NO_MATCH),
    ActionSpec("GetCalculatedAttributesForCustomerProfile", errors=NO_MATCH),
    ActionSpec("UpdateCustomerProfile", errors=NO_MATCH, conditions="none"),
    ActionSpec(
        "TransferParticipantToThirdParty",
        # ThirdPartyPhoneNumber is optional since transfers to a voice connector (the page
        # lists their parameters beyond what the catalog records).
        spellings={"ThirdPartyConnectionTimeLimitSeconds": ("ThirdPartyConnectionTimeoutSeconds",)},
        errors=frozenset({"NoMatchingError"}),
        conditions="any",
        # "An integer, between 0 and 600 (inclusive) ... fully statically or as a single valid
        # JSONPath identifier."
        # https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-transferparticipanttothirdparty.html
        limits={"ThirdPartyConnectionTimeLimitSeconds": Limit(0, 600, dynamic=True)},
    ),
]

CATALOG: dict[str, ActionSpec] = {spec.type: spec for spec in _SPECS}

# Action types the local engine (`local_connect.flows`) does not interpret but stands in for,
# because they call services it does not have (Cases, Customer Profiles, Voice ID, Amazon Q in
# Connect, outbound campaigns, tasks): it takes their success path and says so. The reviewed
# list: a test asserts the engine's stand-ins are exactly these, so adding one shows here.
SIMULATED = frozenset(
    {
        "AssociateContactToCustomerProfile",
        "CheckOutboundCallStatus",
        "CheckVoiceId",
        "CompleteOutboundCall",
        "CreateCase",
        "CreateCustomerProfile",
        "CreateTask",
        "CreateWisdomSession",
        "GetCalculatedAttributesForCustomerProfile",
        "GetCase",
        "GetCustomerProfile",
        "GetCustomerProfileObject",
        "ResumeContact",
        "StartOutboundChatContact",
        "StartVoiceIdStream",
        "UpdateCase",
        "UpdateCustomerProfile",
        "UpdatePreviousContactParticipantState",
    }
)
