"""`ccaas chat` in a terminal, through `main` as a user runs it: offline whatever the user's AWS
settings say, numbers range-checked, the in-chat commands in --help, a console without JSON."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config import ContactCenterConfig
from scripts.cli import main
from scripts.commands import chat, chat_web
from tests.scripts.cli_checks import one_error_line


def test_help_lists_the_in_chat_commands_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["chat", "--help"])
    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    for command in ("/agent", "/say TEXT", "/end", "/quit", "/state", "/help"):
        assert command in usage, command
    assert usage.count("ccaas chat --") >= 2
    assert "needs no AWS account" in usage and "--web" in usage


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["chat", "--waiting", "-100"], "-100 is out of range (at least 0)"),
        (["chat", "--at", "tomorrow"], "--at"),
    ],
)
def test_bad_numbers_and_times_are_refused_by_the_parser(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    line = one_error_line(capsys)
    assert line.startswith("ccaas chat: ") and says in line


@pytest.mark.parametrize("web", [[], ["--web"]])
def test_a_stage_without_chat_is_one_line_exit_2(
    web: list[str],
    voice_only_config: ContactCenterConfig,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(chat, "load_stage", lambda stage: voice_only_config)
    monkeypatch.setattr(chat_web, "load_stage", lambda stage: voice_only_config)
    monkeypatch.setattr("builtins.input", lambda _prompt: pytest.fail("no chat may start"))
    assert main(["chat", *web]) == 2
    assert one_error_line(capsys) == (
        "ccaas chat: channels.chat is off in config/dev.yaml (choose a stage with chat on)"
    )


@pytest.fixture()
def users_own_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A user whose AWS settings would break any AWS call: the chat must not care."""
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.delenv("AWS_REGION", raising=False)
    yield


def test_a_chat_runs_offline_whatever_the_users_aws_settings_and_prints_no_json(
    users_own_aws: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    typed = iter(["agent", "/agent", "/say Hi Ana", "/end"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(typed))

    code = main(
        [
            "chat",
            "--name",
            "Ana",
            "--topic",
            "billing",
            "--at",
            "2026-11-24T10:00",
            "--waiting",
            "2",
        ]
    )

    out, err = capsys.readouterr()
    assert code == 0, err
    assert "(waiting in queue 'billing', position 3)" in out
    assert "Agent: Hi Ana" in out and out.rstrip().endswith("(the chat has ended)")
    assert "{" not in out + err  # no EMF metrics, no JSON logs from the Lambdas
    assert err == ""


def test_a_known_customer_gets_the_appointment_from_the_bot_without_a_queue(
    users_own_aws: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    dev_config: ContactCenterConfig,
) -> None:
    # Given dev, whose chat flow hands customers to the self-service bot first
    assert dev_config.self_service.enabled
    typed = iter(["when is my appointment"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(typed))

    # When a customer the CRM knows (--known books them an appointment) asks the bot
    code = main(["chat", "--known", "--topic", "appointment", "--at", "2026-12-01T10:00"])

    # Then the real fulfillment function answers from the appointments table, and the chat ends
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Your next appointment is on Thursday, December 3, at 10:00." in out
    assert "waiting in queue" not in out
    assert out.rstrip().endswith("(the chat has ended)")


def test_asking_the_bot_for_an_agent_reaches_a_queue_with_the_intent_in_the_attributes(
    users_own_aws: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    typed = iter(["agent", "/state", "/quit"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(typed))

    code = main(["chat", "--name", "Ana", "--topic", "billing", "--at", "2026-12-01T10:00"])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert "One moment, I'm connecting you to an agent." in out
    assert "(waiting in queue 'billing'" in out
    assert "self_service_intent = TalkToAgent" in out
    assert "self_service_outcome = escalate" in out
