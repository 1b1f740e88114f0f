"""The names of a stage's CloudFormation stacks, without the CDK.

`infra/stacks.py` gives the stacks these names, and the commands that read a deployed stage
(`ccaas report`, `ccaas outage`, `ccaas smoke`) find its resources by them.
"""

from __future__ import annotations

DATA = "Data"
CONTACT_CENTER = "ContactCenter"
PEOPLE = "People"


def stack_name(stage: str, part: str) -> str:
    return f"ContactCenter-{stage}-{part}"
