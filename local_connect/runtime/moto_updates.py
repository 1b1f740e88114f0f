"""moto's update expressions parsed and checked once per text, applied as moto applies them.

The analytics function adds to each interval's counters with one `Update` per aggregate row:
`SET` four attributes and `ADD` fifteen to thirty counters, the same few expression texts all
day long. For each one moto parses the text twice (the request handler and the backend), copies
the tree with `copy.deepcopy` before validating it, and runs ten tree walks; one of them
(`ActionCountValidator`) lists the clauses below every node, so its cost grows with the square of
the actions. A day's few hundred updates took most of the analytics phase.

`cached_update_expressions()` keeps moto's parser, validators and executor and removes only the
repetition:
- a text is parsed once (moto never changes a parsed tree: the validator works on a copy);
- the validator's copy of a cached tree is unpickled from the bytes pickled when it was parsed
  (pickle rebuilds the same objects as `deepcopy`, without walking them in Python);
- the checks that read only the expression, its attribute names and the table's key attributes
  (the leading validators: clause counts, overlapping paths, key attributes updated) run once per
  such combination that passes them; the checks that read the item or the values run every time;
- each of those tree walks lists the node classes it processes once, not at every node.
A text that fails to parse or a combination that fails a check is not remembered, so moto raises
its error again each time. `tests/local_connect/runtime/test_moto_updates.py` checks the results
and errors against moto's own path with generated items and expressions.
"""

from __future__ import annotations

import copy
import pickle
from contextlib import AbstractContextManager
from itertools import takewhile
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.parsing import validators

# moto marks these two modules `# type: ignore` as a whole, so mypy sees none of their names.
from moto.dynamodb.parsing.ast_nodes import (  # type: ignore[attr-defined]
    DepthFirstTraverser,
    Node,
)
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.dynamodb.parsing.validators import (
    ActionCountValidator,
    OverlappingPathsValidator,
    UpdateExpressionValidator,
    UpdateHashRangeKeyValidator,
)

from local_connect.runtime.shared_patch import SharedPatch

# Validators whose verdict depends only on the tree, the attribute names and the key attributes.
_EXPRESSION_CHECKS = (ActionCountValidator, OverlappingPathsValidator, UpdateHashRangeKeyValidator)
# Distinct texts and passed combinations a run remembers (a day has a few dozen texts and a
# few thousand combinations; a long-lived process must not grow without bound).
_CACHE_SIZE = 4096


class _ParsedExpression:
    """A parsed update expression and its pickled copy."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tree: Node = _ORIGINAL_MAKE(text)
        self.pickled = pickle.dumps(self.tree, protocol=pickle.HIGHEST_PROTOCOL)


class _Memory:
    """What the block remembers; forgotten all at once when full (a cache, never a source)."""

    by_text: dict[str, _ParsedExpression] = {}
    # The same entries by the identity of their tree: a tree held here keeps its id unique.
    by_tree: dict[int, _ParsedExpression] = {}
    passed: set[tuple[str, frozenset[tuple[str, str]] | None, tuple[str, ...]]] = set()

    @classmethod
    def forget_if_full(cls) -> None:
        if len(cls.by_text) >= _CACHE_SIZE:
            cls.by_text.clear()
            cls.by_tree.clear()
        if len(cls.passed) >= _CACHE_SIZE:
            cls.passed.clear()


def _make(cls: type, text: str) -> Node:
    """`UpdateExpressionParser.make`, once per text."""
    parsed = _Memory.by_text.get(text)
    if parsed is None:
        parsed = _ParsedExpression(text)  # a text moto refuses raises here, every time
        _Memory.forget_if_full()
        _Memory.by_text[text] = parsed
        _Memory.by_tree[id(parsed.tree)] = parsed
    return parsed.tree


def _copy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """The validators' `deepcopy`: a cached tree comes back from its pickle."""
    parsed = _Memory.by_tree.get(id(value))
    if parsed is not None and parsed.tree is value:
        return pickle.loads(parsed.pickled)
    return copy.deepcopy(value, memo)


class _CheckedOnceValidator(UpdateExpressionValidator):
    """moto's update validator, skipping the leading expression-only checks when the same
    text, attribute names and key attributes have passed them before."""

    def __init__(self, expression: Node, *args: Any, **kwargs: Any) -> None:
        parsed = _Memory.by_tree.get(id(expression))
        self._text = parsed.text if parsed is not None and parsed.tree is expression else None
        super().__init__(expression, *args, **kwargs)

    def validate(self) -> Node:
        checks = list(takewhile(lambda p: isinstance(p, _EXPRESSION_CHECKS), self.processors))
        key = self._checks_key()
        node = self.node_to_validate
        if key is None or key not in _Memory.passed:
            for processor in checks:
                node = processor.traverse(node)
            if key is not None:
                _Memory.forget_if_full()
                _Memory.passed.add(key)
        for processor in self.processors[len(checks) :]:
            node = processor.traverse(node)
        return node

    def _checks_key(
        self,
    ) -> tuple[str, frozenset[tuple[str, str]] | None, tuple[str, ...]] | None:
        """What the expression-only checks read, or None when it cannot be a key."""
        names = self.expression_attribute_names
        if self._text is None or not (names is None or isinstance(names, dict)):
            return None
        try:
            names_key = None if names is None else frozenset(names.items())
            return self._text, names_key, tuple(self.table.table_key_attrs)
        except TypeError:  # unhashable names: nothing to remember them by
            return None


def _node_types(self: DepthFirstTraverser) -> tuple[type, ...]:
    """`DepthFirstTraverser.nodes_to_be_processed` ("cached accessor", its docstring says, yet
    it rebuilds the processing map at every node), once per traverser: every moto traverser's
    map has fixed classes as keys."""
    types: tuple[type, ...] | None = self.__dict__.get("_node_types")
    if types is None:
        types = self.__dict__["_node_types"] = _ORIGINAL_NODE_TYPES(self)
    return types


_ORIGINAL_MAKE = UpdateExpressionParser.make
_ORIGINAL_NODE_TYPES = DepthFirstTraverser.nodes_to_be_processed


_CACHED = SharedPatch.replacing(
    (UpdateExpressionParser, "make", classmethod(_make)),
    (validators, "deepcopy", _copy),
    # moto's module-level class name, pointed at our subclass.
    (dynamodb_models, "UpdateExpressionValidator", _CheckedOnceValidator),
    (DepthFirstTraverser, "nodes_to_be_processed", _node_types),
)


def cached_update_expressions() -> AbstractContextManager[None]:
    """For the block, moto parses and checks each update expression once (see the module)."""
    return _CACHED.applied()
