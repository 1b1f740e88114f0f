"""What the validator knows about each action type of the flow language.

Sources: the Flow language reference (https://docs.aws.amazon.com/connect/latest/APIReference/
flow-language-actions.html and one page per action), checked against 48 real exports from AWS
samples. Where the reference and what Connect accepts in practice differ, the catalog follows
practice and says so: exports carry a `NoMatchingError` branch on actions the reference lists
with no errors (UpdateFlowAttributes, Loop), omit `InvocationType` on InvokeLambdaFunction, and
name the step-based routing action `UpdateContactRoutingCriteria`.

A spec records only what a rule reads; everything else about an action is left to Connect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Flow types (CloudFormation `AWS::Connect::ContactFlow.Type`) grouped the way the reference's
# "Restrictions" sections name them.
INBOUND = frozenset({"CONTACT_FLOW"})
TRANSFER = frozenset({"QUEUE_TRANSFER", "AGENT_TRANSFER"})
CUSTOMER_QUEUE = frozenset({"CUSTOMER_QUEUE"})
WHISPER = frozenset({"CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER"})
HOLD = frozenset({"CUSTOMER_HOLD", "AGENT_HOLD"})
CAMPAIGN = frozenset({"CAMPAIGN"})
ALL_FLOW_TYPES = INBOUND | TRANSFER | CUSTOMER_QUEUE | WHISPER | HOLD | CAMPAIGN

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

# Every error type an action page documents; a branch naming anything else is a typo Connect
# would reject.
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
class ActionSpec:
    """`errors`: the branches our own flows must handle (the action can fail that way).

    `conditions`: "none" (no result to compare), "any", or "equals" (only the Equals operator).
    `required_conditions`: operands that must each have an Equals condition, and no others.
    `ends_flow_on_success`: success leaves the flow (transfers), so NextAction is never taken.
    `terminal`: the action has no transitions at all.
    `flow_types`: where the reference allows the action; None when it is allowed everywhere.
    `exclusive`: groups of parameters of which at most one may be set.
    `any_of`: groups of parameters of which at least one must be set.
    """

    type: str
    required: tuple[str, ...] = ()
    errors: frozenset[str] = frozenset()
    conditions: str = "none"
    required_conditions: tuple[str, ...] = ()
    ends_flow_on_success: bool = False
    terminal: bool = False
    flow_types: frozenset[str] | None = None
    exclusive: tuple[tuple[str, ...], ...] = ()
    any_of: tuple[tuple[str, ...], ...] = ()
    chat_only: bool = False
    voice_only: bool = False
    static_integers: dict[str, tuple[int, int]] = field(default_factory=dict)


NO_MATCH = frozenset({"NoMatchingError"})
PROMPT = ("PromptId", "Text", "SSML")
QUEUE_OR_AGENT = ("QueueId", "AgentId")
NOT_HOLD_OR_WHISPER = CONTACT_FLOW_TYPES | CUSTOMER_QUEUE | CAMPAIGN

_SPECS = [
    # Participant actions
    ActionSpec(
        "MessageParticipant",
        errors=NO_MATCH,
        exclusive=(PROMPT,),
        flow_types=ALL_FLOW_TYPES - HOLD,
    ),
    ActionSpec(
        "MessageParticipantIteratively",
        required=("Messages",),
        errors=NO_MATCH,
        conditions="equals",
        flow_types=CUSTOMER_QUEUE | HOLD,
        voice_only=True,
        static_integers={"InterruptFrequencySeconds": (1, 86_400)},
    ),
    ActionSpec(
        "GetParticipantInput",
        required=("InputTimeLimitSeconds",),
        errors=NO_MATCH,  # plus NoMatchingCondition/InputTimeLimitExceeded: see the validator
        conditions="equals",
        exclusive=(PROMPT,),
        flow_types=NOT_HOLD_OR_WHISPER,
        voice_only=True,
    ),
    ActionSpec(
        "ConnectParticipantWithLexBot",
        errors=frozenset({"NoMatchingError", "NoMatchingCondition"}),
        conditions="equals",
        exclusive=(PROMPT, ("LexBot", "LexV2Bot")),
        any_of=(("LexBot", "LexV2Bot"),),
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec("DisconnectParticipant", terminal=True),
    ActionSpec(
        "ShowView",
        required=("ViewResource",),
        errors=frozenset({"NoMatchingError", "NoMatchingCondition", "TimeLimitExceeded"}),
        conditions="any",
        flow_types=INBOUND | CUSTOMER_QUEUE,
    ),
    # Contact actions
    ActionSpec("CompleteOutboundCall"),
    ActionSpec("CreateCase", required=("CaseTemplateId",), errors=NO_MATCH),
    ActionSpec("CreateTask", required=("ContactFlowId", "Name"), errors=NO_MATCH),
    ActionSpec("CreateWisdomSession", required=("WisdomAssistantArn",), errors=NO_MATCH),
    ActionSpec(
        "DequeueContactAndTransferToQueue",
        errors=frozenset({"NoMatchingError", "QueueAtCapacity"}),
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
    ActionSpec("TransferContactToAgent", ends_flow_on_success=True, flow_types=TRANSFER),
    ActionSpec(
        "TransferContactToQueue",
        errors=frozenset({"NoMatchingError", "QueueAtCapacity"}),
        ends_flow_on_success=True,
        flow_types=CONTACT_FLOW_TYPES,
    ),
    ActionSpec("UpdateCase", required=("CaseId",), errors=NO_MATCH),
    ActionSpec("UpdateContactAttributes", required=("Attributes",), errors=NO_MATCH),
    ActionSpec(
        "UpdateContactCallbackNumber",
        required=("CallbackNumber",),
        errors=frozenset({"InvalidCallbackNumber", "CallbackNumberNotDialable"}),
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec("UpdateContactData", errors=NO_MATCH),
    ActionSpec("UpdateContactEventHooks", required=("EventHooks",), errors=NO_MATCH),
    ActionSpec("UpdateContactMediaProcessing", errors=NO_MATCH),
    ActionSpec(
        "UpdateContactMediaStreamingBehavior",
        required=("MediaStreamingState",),
        errors=NO_MATCH,
    ),
    ActionSpec("UpdateContactRecordingAndAnalyticsBehavior", errors=NO_MATCH),
    ActionSpec("UpdateContactRecordingBehavior"),
    ActionSpec("ResumeContact", errors=NO_MATCH),
    ActionSpec(
        "UpdateContactRoutingBehavior",
        exclusive=(("QueuePriority", "QueueTimeAdjustmentSeconds"),),
        any_of=(("QueuePriority", "QueueTimeAdjustmentSeconds"),),
        flow_types=CONTACT_FLOW_TYPES,
    ),
    ActionSpec(
        "UpdateContactTargetQueue",
        errors=NO_MATCH,
        exclusive=(QUEUE_OR_AGENT,),
        any_of=(QUEUE_OR_AGENT,),
        flow_types=CONTACT_FLOW_TYPES,
    ),
    ActionSpec("UpdateContactTextToSpeechVoice", errors=NO_MATCH),
    ActionSpec("UpdatePreviousContactParticipantState", errors=NO_MATCH),
    # Flow control actions
    ActionSpec(
        "CheckHoursOfOperation",
        errors=NO_MATCH,
        conditions="equals",
        required_conditions=("True", "False"),
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec(
        "CheckMetricData",
        required=("MetricType",),
        errors=NO_MATCH,
        conditions="any",
        exclusive=(QUEUE_OR_AGENT,),
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec("CheckOutboundCallStatus", errors=NO_MATCH, conditions="equals"),
    ActionSpec(
        "CheckVoiceId", required=("CheckVoiceIdOption",), errors=NO_MATCH, conditions="equals"
    ),
    ActionSpec(
        "Compare",
        required=("ComparisonValue",),
        errors=frozenset({"NoMatchingCondition"}),
        conditions="any",
    ),
    ActionSpec(
        "DistributeByPercentage",
        errors=frozenset({"NoMatchingCondition"}),
        conditions="any",
        flow_types=NOT_HOLD_OR_WHISPER,
    ),
    ActionSpec("EndFlowExecution", terminal=True),
    ActionSpec("GetMetricData", errors=NO_MATCH, exclusive=(QUEUE_OR_AGENT,)),
    ActionSpec(
        "Loop",
        required=("LoopCount",),
        conditions="equals",
        required_conditions=("ContinueLooping", "DoneLooping"),
    ),
    ActionSpec("StartVoiceIdStream", errors=NO_MATCH),
    ActionSpec(
        "TransferToFlow",
        required=("ContactFlowId",),
        errors=NO_MATCH,
        ends_flow_on_success=True,
        flow_types=CONTACT_FLOW_TYPES,
    ),
    ActionSpec("UpdateFlowAttributes", required=("FlowAttributes",)),
    ActionSpec("UpdateFlowLoggingBehavior", required=("FlowLoggingBehavior",)),
    ActionSpec("UpdateRoutingCriteria", required=("RoutingCriteria",), errors=NO_MATCH),
    ActionSpec("UpdateContactRoutingCriteria", required=("RoutingCriteria",), errors=NO_MATCH),
    ActionSpec(
        "Wait",
        required=("TimeoutSeconds",),
        errors=NO_MATCH,
        conditions="equals",
        chat_only=True,
        static_integers={"TimeoutSeconds": (1, 604_800)},
    ),
    # Interactions
    ActionSpec("AssociateContactToCustomerProfile", errors=NO_MATCH),
    ActionSpec(
        "CreateCallbackContact",
        required=("InitialCallDelaySeconds", "MaximumConnectionAttempts", "RetryDelaySeconds"),
        errors=NO_MATCH,
        exclusive=(QUEUE_OR_AGENT,),
        flow_types=NOT_HOLD_OR_WHISPER,
        static_integers={
            "InitialCallDelaySeconds": (1, 259_200),
            # The reference says > 0, but the designer writes 0 for "no retries" and Connect
            # accepts it (AWS's callback-management sample ships one).
            "MaximumConnectionAttempts": (0, 1_000),
            "RetryDelaySeconds": (1, 259_200),
        },
    ),
    ActionSpec("CreateCustomerProfile", errors=NO_MATCH),
    ActionSpec(
        "InvokeLambdaFunction",
        required=("LambdaFunctionARN", "InvocationTimeLimitSeconds"),
        errors=NO_MATCH,
        # Connect waits at most 8 s for a flow Lambda; the value must be written in the flow.
        static_integers={"InvocationTimeLimitSeconds": (1, 8)},
    ),
    ActionSpec("GetCustomerProfile", errors=NO_MATCH),
    ActionSpec("GetCustomerProfileObject", errors=NO_MATCH),
    ActionSpec("GetCalculatedAttributesForCustomerProfile", errors=NO_MATCH),
    ActionSpec("UpdateCustomerProfile", errors=NO_MATCH),
    ActionSpec(
        "TransferParticipantToThirdParty",
        required=("ThirdPartyPhoneNumber",),
        errors=frozenset({"NoMatchingError"}),
        conditions="any",
    ),
]

CATALOG: dict[str, ActionSpec] = {spec.type: spec for spec in _SPECS}
