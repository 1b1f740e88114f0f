"""Our `${kind:NAME}` placeholders are found and resolved; other tools' syntaxes are left alone."""

from __future__ import annotations

from flowlang.loader import parse_flow
from flowlang.placeholders import PlaceholderRef, find_placeholders, resolve, substitute

DOCUMENT = {
    "Version": "2019-10-30",
    "StartAction": "lookup",
    "Actions": [
        {
            "Identifier": "lookup",
            "Type": "InvokeLambdaFunction",
            "Parameters": {
                "LambdaFunctionARN": "${lambda:crm_lookup}",
                "InvocationTimeLimitSeconds": "3",
                "LambdaInvocationAttributes": {"region": "${AWS::Region}", "n": "{{phone}}"},
            },
            "Transitions": {"NextAction": "greet"},
        },
        {
            "Identifier": "greet",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "Welcome to ${setting:organisation}. Queue ${Q:sales:Q}"},
            "Transitions": {"NextAction": "queue"},
        },
        {
            "Identifier": "queue",
            "Type": "UpdateContactTargetQueue",
            "Parameters": {"QueueId": "${queue:billing}"},
        },
    ],
}


def test_find_reports_kind_name_action_and_path_in_file_order() -> None:
    found = find_placeholders(parse_flow(DOCUMENT, source="f.json"))

    assert found == [
        PlaceholderRef("lambda", "crm_lookup", "lookup", "Parameters.LambdaFunctionARN"),
        PlaceholderRef("setting", "organisation", "greet", "Parameters.Text"),
        PlaceholderRef("queue", "billing", "queue", "Parameters.QueueId"),
    ]
    assert found[0].text == "${lambda:crm_lookup}"


def test_resolve_replaces_ours_inside_strings_and_leaves_others() -> None:
    calls: list[tuple[str, str]] = []

    def resolver(kind: str, name: str) -> str:
        calls.append((kind, name))
        return f"<{kind}/{name}>"

    resolved = resolve(DOCUMENT, resolver)

    lookup, greet, queue = resolved["Actions"]
    assert lookup["Parameters"]["LambdaFunctionARN"] == "<lambda/crm_lookup>"
    assert lookup["Parameters"]["LambdaInvocationAttributes"] == {
        "region": "${AWS::Region}",
        "n": "{{phone}}",
    }
    assert greet["Parameters"]["Text"] == "Welcome to <setting/organisation>. Queue ${Q:sales:Q}"
    assert queue["Parameters"]["QueueId"] == "<queue/billing>"
    assert calls == [("lambda", "crm_lookup"), ("setting", "organisation"), ("queue", "billing")]
    # The input is not modified.
    assert DOCUMENT["Actions"][2]["Parameters"]["QueueId"] == "${queue:billing}"


def test_substitute_prefers_the_longest_match() -> None:
    arn = "arn:aws:connect:us-east-1:111122223333:instance/i-1"
    document = {"a": f"{arn}/queue/q-1", "b": [arn], "c": 3}
    result = substitute(document, {arn: "INSTANCE", f"{arn}/queue/q-1": "${queue:billing}"})
    assert result == {"a": "${queue:billing}", "b": ["INSTANCE"], "c": 3}
