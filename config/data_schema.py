"""Attribute names of the Data stack's tables, without the CDK.

`infra/constructs/data.py` builds the tables with these names and the local engine creates its
moto tables from them (`local_connect.runtime.resources`), so neither can drift from the other.
The Lambdas do not import this module (they ship without `config/`); tests check their key names
against the synthesized template instead.
"""

from __future__ import annotations

# The customers and metrics tables: single-table design, string keys, expiring items.
PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"
# Powertools idempotency's table: its default key and expiry attribute names.
IDEMPOTENCY_KEY = "id"
IDEMPOTENCY_TTL = "expiration"
