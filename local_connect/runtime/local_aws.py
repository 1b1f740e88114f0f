"""The one AWS environment every offline run uses, whatever the user's own AWS settings say.

The local engine's tables, streams and emulated services all live in moto's `LOCAL_REGION` with
dummy credentials. A user's `AWS_PROFILE` naming a profile this machine lacks, a region of
their own, or an endpoint override would otherwise reach boto3 and make offline work fail or
look in the wrong place.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager

from local_connect.runtime.environment import isolated_environment

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account, so local ARNs agree with moto's

LOCAL_BOT_ALIAS = "live"


def lex_bot_alias(
    bot_name: str,
    alias_name: str = LOCAL_BOT_ALIAS,
    *,
    account_id: str = LOCAL_ACCOUNT_ID,
    region: str = LOCAL_REGION,
) -> tuple[str, str, str]:
    """(bot id, alias id, alias ARN) of a bot the local Lex serves: stable 10-character ids
    like Lex's, so the flows' `${bot:self_service}` and the emulated runtime agree."""

    def lex_id(*parts: str) -> str:
        return hashlib.sha256("/".join((account_id, *parts)).encode()).hexdigest().upper()[:10]

    bot_id, alias_id = lex_id("bot", bot_name), lex_id("alias", bot_name, alias_name)
    return bot_id, alias_id, f"arn:aws:lex:{region}:{account_id}:bot-alias/{bot_id}/{alias_id}"


_SET = {
    "AWS_DEFAULT_REGION": LOCAL_REGION,
    "AWS_REGION": LOCAL_REGION,
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
}
_DROP_PREFIXES = ("AWS_ENDPOINT_URL",)
_DROP = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


@contextmanager
def offline_aws() -> Iterator[None]:
    """Points this process (and the workers it starts) at the local engine's fixed region and
    dummy credentials for as long as the block runs; the environment is restored after."""
    drop = [key for key in os.environ if key in _DROP or key.startswith(_DROP_PREFIXES)]
    with isolated_environment(_SET, drop=drop):
        yield
