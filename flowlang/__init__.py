"""The Amazon Connect flow language: load, validate and resolve placeholders in flow files.

Public entry points:
- `flowlang.loader.load_flow(path)` / `parse_flow(text_or_dict, source)` -> `Flow`
- `flowlang.placeholders.find_placeholders(flow)` / `resolve(document, resolver)`
- `flowlang.validator.validate_flow(flow, ...)` -> list of `Problem`, each an error (Connect
  refuses it) or a warning (this project's style); `flowlang.problems.failures(problems,
  strict=...)` keeps the ones that fail a check
"""

from flowlang.loader import (
    Action,
    ConditionBranch,
    ErrorBranch,
    Flow,
    Transitions,
    load_flow,
    parse_flow,
)
from flowlang.problems import ERROR, WARNING, FlowFormatError, FlowValidationError, Problem

__all__ = [
    "ERROR",
    "WARNING",
    "Action",
    "ConditionBranch",
    "ErrorBranch",
    "Flow",
    "FlowFormatError",
    "FlowValidationError",
    "Problem",
    "Transitions",
    "load_flow",
    "parse_flow",
]
