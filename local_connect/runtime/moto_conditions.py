"""moto's condition expressions lexed and parsed once per text, their names and values looked up
per request as moto looks them up.

The analytics function writes with a handful of conditions all day long (`attribute_not_exists(pk)`,
`version = :expected`, `attribute_exists(pk) AND (attribute_not_exists(last_contact_at) OR
last_contact_at < :at)`) and moto parses each one twice per request (the request handler, for the
names it uses, then the backend, for the operator tree it evaluates): a regular-expression lexer
per token and a pass over the token list per grammar rule. That was 15% of `ccaas report
--records`.

moto's parser reads the expression attribute names and values in one place only: as it splits
paths into elements (`_parse_path_element`), where it looks each `#name` and `:value` up in the
request's maps (the `KeyError` a request with a missing one gets comes from there). Every later
rule reads the tokens' kinds and texts, never what a name or value stands for, until the last
step turns the tree into operators (`_make_op_condition`). So `cached_condition_expressions()`
runs moto's own parser once per text with every name and value standing in as a placeholder,
and keeps the tree it reaches before that last step, the names and values it found (what the
request handler checks against the request's maps) and the order of its look-ups. For each
request it then looks the names and values up in that order with moto's own look-up methods (the
first missing one raises what moto raises), puts them into the tree and lets moto's last step build
the operators (which raises moto's errors that depend on a value, such as a NULL bound of
BETWEEN). A text moto cannot parse is not remembered: moto parses it itself each time and raises its
error. `tests/local_connect/runtime/test_moto_conditions.py` checks the answers, errors and writes
against moto's own path with generated conditions.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from moto.dynamodb.comparisons import ConditionExpressionParser, Func, Op

from local_connect.runtime.shared_patch import SharedPatch

Node = ConditionExpressionParser.Node
# Distinct texts a run remembers (a day has a few; a long-lived process must not grow unbounded).
_CACHE_SIZE = 4096


class _Placeholder:
    """What a `#name` or `:value` stands for while a text is parsed without a request."""


_PLACEHOLDER = _Placeholder()


@dataclass(frozen=True)
class _ParsedCondition:
    """A text's tree before moto turns it into operators, and what parsing it read."""

    tree: Node
    # Each `#name` and `:value` in the order moto first looks it up (True for a value).
    lookups: tuple[tuple[str, bool], ...]
    names_found: tuple[str, ...]
    values_found: tuple[str, ...]

    def operators(self, parser: ConditionExpressionParser) -> Op | Func:
        """What `parser.parse()` returns, for the request `parser` was made for."""
        meanings = {
            text: parser._lookup_expression_attribute_value(text)
            if is_value
            else parser._lookup_expression_attribute_name(text)
            for text, is_value in self.lookups
        }
        parser.expr_attr_names_found.extend(self.names_found)
        parser.expr_attr_values_found.extend(self.values_found)
        tree = _filled(self.tree, meanings) if meanings else self.tree
        return parser._make_op_condition(tree)


class _ParserWithoutRequest(ConditionExpressionParser):
    """moto's parser with placeholders for names and values, stopping short of the operators."""

    def __init__(self, text: str) -> None:
        super().__init__(text, None, None)
        self.lookups: dict[str, bool] = {}  # insertion-ordered: the order of first look-up

    def _lookup_expression_attribute_value(self, name: str) -> Any:
        self.lookups.setdefault(name, True)
        return _PLACEHOLDER

    def _lookup_expression_attribute_name(self, name: str) -> Any:
        self.lookups.setdefault(name, False)
        return _PLACEHOLDER

    def _make_op_condition(self, node: Node) -> Any:
        return node


@lru_cache(maxsize=_CACHE_SIZE)
def _parsed(text: str) -> _ParsedCondition:
    """A text parsed once; raises (and so is not remembered) where moto's parser refuses it."""
    parser = _ParserWithoutRequest(text)
    # moto's own `parse` (the class's is patched): its last step returns the tree, not operators
    tree = cast(Node, _ORIGINAL_PARSE(parser))
    return _ParsedCondition(
        tree=tree,
        lookups=tuple(parser.lookups.items()),
        names_found=tuple(parser.expr_attr_names_found),
        values_found=tuple(parser.expr_attr_values_found),
    )


def _filled(node: Node, meanings: dict[str, Any]) -> Node:
    """`node` with what each placeholder stands for in this request."""
    if node.value is _PLACEHOLDER:
        return node._replace(value=meanings[node.text])
    if not node.children:
        return node
    return node._replace(children=[_filled(child, meanings) for child in node.children])


def _parse(self: ConditionExpressionParser) -> Op | Func:
    """`ConditionExpressionParser.parse`, lexing and parsing each text once."""
    text = self.condition_expression
    if not text or not isinstance(text, str):
        return _ORIGINAL_PARSE(self)
    try:
        parsed = _parsed(text)
    except Exception:  # whatever moto refuses, moto raises itself, for this request
        return _ORIGINAL_PARSE(self)
    return parsed.operators(self)


_ORIGINAL_PARSE = ConditionExpressionParser.parse


_CACHED = SharedPatch.replacing((ConditionExpressionParser, "parse", _parse))


def cached_condition_expressions() -> AbstractContextManager[None]:
    """For the block, moto lexes and parses each condition expression once (see the module)."""
    return _CACHED.applied()
