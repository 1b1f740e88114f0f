"""The rules of `ConnectParticipantWithLexBot` that a generic action spec cannot say.

From the action's reference page
(https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-connectparticipantwithlexbot.html):
`LexV2Bot` is an object whose `AliasArn` "May be specified statically or dynamically";
`LexSessionAttributes` is a map of strings; `LexTimeoutSeconds` is `{"Text": number}` (the chat
timeout; when it runs out the action takes `InputTimeLimitExceeded`); the conditions compare the
name of the intent the bot ended on. The legacy `LexBot` object (Name, Region, Alias) names an
Amazon Lex V1 bot, and Lex V1 reached its end of support on 15 September 2025
(https://docs.aws.amazon.com/lex/latest/dg/context-mgmt-session-timeout.html): a warning, since
exports still carry it.

Real exports use author placeholders (`{{BotAliasArn}}`) and JSONPath references for the alias,
so only a shape Connect cannot read is an error; an alias that is neither an ARN nor a reference
is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flowlang.loader import Action
from flowlang.placeholders import PLACEHOLDER
from flowlang.problems import ERROR, WARNING, Level

ACTION_TYPE = "ConnectParticipantWithLexBot"
# arn:${Partition}:lex:${Region}:${Account}:bot-alias/${BotId}/${BotAliasId}: the Lex V2 ARN
# format of the service authorization reference (the draft alias's id is TSTALIASID).
ALIAS_ARN = re.compile(
    r"^arn:aws[a-z-]*:lex:[a-z0-9-]+:\d{12}:bot-alias/[0-9A-Za-z]+/[0-9A-Za-z]+$"
)
# CreateIntent's intentName pattern: a condition naming anything else never matches.
INTENT_NAME = re.compile(r"^([0-9a-zA-Z][_-]?){1,100}$")
_JSONPATH = re.compile(r"^\$\.[^\s$]+$")


def lex_findings(action: Action) -> Iterator[tuple[Level, str]]:
    """Problems of one ConnectParticipantWithLexBot action, each with its level."""
    parameters = action.parameters
    v2 = parameters.get("LexV2Bot")
    if v2 is not None:
        yield from _alias(v2)
    if parameters.get("LexBot") is not None:
        yield (
            WARNING,
            "LexBot names an Amazon Lex V1 bot; Lex V1 support ended on 15 September 2025: "
            "use LexV2Bot with the bot alias ARN",
        )
    attributes = parameters.get("LexSessionAttributes")
    if attributes is not None:
        if not isinstance(attributes, dict):
            yield ERROR, "LexSessionAttributes must be a map of names to text values"
        else:
            for name, value in attributes.items():
                if not isinstance(value, str):
                    yield (
                        ERROR,
                        f"LexSessionAttributes '{name}' must be text (a value or a JSONPath "
                        f"reference), found {type(value).__name__}",
                    )
    if parameters.get("LexTimeoutSeconds") is not None and not needs_timeout_branch(action):
        yield ERROR, 'LexTimeoutSeconds must be {"Text": seconds} (the chat timeout)'
    for branch in action.transitions.conditions:
        operand = branch.operands[0] if branch.operands else ""
        if not isinstance(operand, str) or not INTENT_NAME.match(operand):
            yield (
                WARNING,
                f"condition compares the intent name with {operand!r}, which no Lex intent can "
                "be called (letters, digits, _ or -): its branch is never taken",
            )


def needs_timeout_branch(action: Action) -> bool:
    """A chat timeout set on the action ends it with InputTimeLimitExceeded when it runs out."""
    timeout = action.parameters.get("LexTimeoutSeconds")
    return action.type == ACTION_TYPE and isinstance(timeout, dict) and set(timeout) == {"Text"}


def _alias(v2: Any) -> Iterator[tuple[Level, str]]:
    if not isinstance(v2, dict) or not isinstance(v2.get("AliasArn"), str):
        yield ERROR, 'LexV2Bot must be {"AliasArn": the bot alias ARN or a JSONPath reference}'
        return
    alias = v2["AliasArn"].strip()
    if not alias:
        yield ERROR, "LexV2Bot AliasArn is empty"
    elif not (ALIAS_ARN.match(alias) or _JSONPATH.match(alias) or PLACEHOLDER.fullmatch(alias)):
        yield (
            WARNING,
            f"LexV2Bot AliasArn {alias!r} is neither a bot alias ARN "
            "(arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT_ID/ALIAS_ID) nor a JSONPath reference",
        )
