"""chat_start as the chat engines run it: sized as infra deploys it."""

from __future__ import annotations

from local_connect.chat import chat_start


def test_chat_start_runs_with_the_timeout_infra_gives_it() -> None:
    from infra.constructs.chat import FUNCTION_TIMEOUT_SECONDS

    assert chat_start.TIMEOUT_SECONDS == FUNCTION_TIMEOUT_SECONDS
