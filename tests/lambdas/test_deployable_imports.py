"""What deployed code may import, checked on the source so nothing passes here and then fails in
Lambda with `Runtime.ImportModuleError`.

A deployed function gets our `lambdas` package and nothing else of this repository
(infra/constructs/python_function.py), the Powertools layer, and the Python 3.14 runtime with its
boto3. The suite's virtualenv has far more (PyYAML, CDK, moto, our own config package), so an
import of any of those works in every test and only breaks in the cloud. Every module under
lambdas/ is parsed, and every `import x` / `from x import y` in it (inside functions too) must
name one of the modules below.

Type-only imports: the boto3 type stubs (`mypy_boto3_*`, a dev dependency) may be imported under
`if TYPE_CHECKING:`, which never runs in Lambda, and nowhere else. None is today.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import lambdas

LAMBDAS_DIR = Path(lambdas.__file__).parent
REPOSITORY = LAMBDAS_DIR.parent

# Gone from the standard library by 3.14 (the functions' runtime), though the interpreter
# running the tests may still have them: the 3.12 removals and PEP 594's in 3.13. Tk too: a GUI
# toolkit has nothing to draw on in Lambda.
NOT_IN_THE_RUNTIME = frozenset(
    {
        *("asynchat", "asyncore", "distutils", "imp", "smtpd"),
        *("aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3", "mailcap"),
        *("msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau"),
        *("telnetlib", "uu", "xdrlib"),
        *("tkinter", "_tkinter", "turtle", "turtledemo", "idlelib"),
    }
)
STANDARD_LIBRARY = frozenset(sys.stdlib_module_names) - NOT_IN_THE_RUNTIME
# The runtime's AWS SDK and its jmespath (Powertools' layer build deletes its own copies of them).
RUNTIME_SDK = frozenset({"boto3", "botocore", "jmespath"})
# The layer (AWSLambdaPowertoolsPythonV3-python314-arm64) is built with every Powertools extra,
# but only the extras pyproject.toml installs for the tests ([tracer,parser]) may be relied on:
# tracer brings aws-xray-sdk and wrapt; parser pydantic and its own dependencies.
# https://docs.aws.amazon.com/powertools/python/latest/getting-started/install/
POWERTOOLS_LAYER = frozenset(
    {
        "aws_lambda_powertools",
        "aws_xray_sdk",
        "wrapt",
        "pydantic",
        "pydantic_core",
        "typing_extensions",
        "annotated_types",
        "typing_inspection",
    }
)
DEPLOYED = STANDARD_LIBRARY | RUNTIME_SDK | POWERTOOLS_LAYER | {"lambdas"}
TYPE_ONLY_PREFIX = "mypy_boto3_"
# Our other packages: never in the asset, and above the functions in the layering (style.md).
NOT_DEPLOYED_PROJECT_PACKAGES = frozenset(
    {"infra", "local_connect", "config", "flowlang", "scripts", "tests", "app"}
)
DYNAMIC_IMPORTERS = frozenset({"__import__", "import_module"})


@dataclass(frozen=True)
class Import:
    line: int
    module: str  # the top-level name, which is what must be installed
    type_only: bool = False


class _Imports(ast.NodeVisitor):
    """Every import in a module, wherever it sits, and calls that import by name."""

    def __init__(self) -> None:
        self.found: list[Import] = []
        self.dynamic: list[int] = []
        self._type_only = False

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            outer, self._type_only = self._type_only, True
            for statement in node.body:
                self.visit(statement)
            self._type_only = outer
            for statement in node.orelse:
                self.visit(statement)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append(Import(node.lineno, alias.name.partition(".")[0], self._type_only))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        # A relative import stays inside the package it is written in: ours.
        module = "lambdas" if node.level else (node.module or "").partition(".")[0]
        self.found.append(Import(node.lineno, module, self._type_only))

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        if name in DYNAMIC_IMPORTERS:
            self.dynamic.append(node.lineno)
        self.generic_visit(node)


def problems_in(label: str, source: str) -> Iterator[str]:
    """Why `source` (shown as `label`) could not be imported by a deployed function."""
    imports = _Imports()
    imports.visit(ast.parse(source, filename=label))
    for found in imports.found:
        where = f"{label}:{found.line}"
        if found.module in NOT_DEPLOYED_PROJECT_PACKAGES:
            yield (
                f"{where} imports `{found.module}`: deployed functions get only the lambdas "
                "package of this repository, and lambdas never import the layers above them"
            )
        elif found.module in DEPLOYED or (
            found.type_only and found.module.startswith(TYPE_ONLY_PREFIX)
        ):
            continue
        else:
            yield (
                f"{where} imports `{found.module}`, which is neither in Python 3.14's standard "
                "library, the runtime's boto3 nor the Powertools layer: Lambda would fail "
                "with ImportModuleError"
            )
    for line in imports.dynamic:
        yield f"{label}:{line} imports a module by name at run time, which this check cannot see"


MODULES = sorted(path for path in LAMBDAS_DIR.rglob("*.py") if "__pycache__" not in path.parts)


def test_every_module_under_lambdas_imports_only_what_a_deployed_function_has() -> None:
    assert LAMBDAS_DIR / "common" / "settings.py" in MODULES
    problems = [
        problem
        for path in MODULES
        for problem in problems_in(str(path.relative_to(REPOSITORY)), path.read_text())
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def load():\n    import yaml\n", ["lambdas/x.py:2 imports `yaml`, which is neither"]),
        ("from config import load_stage\n", ["lambdas/x.py:1 imports `config`: deployed"]),
        ("import infra.stacks\n", ["lambdas/x.py:1 imports `infra`: deployed"]),
        ("from scripts.commands import smoke\n", ["lambdas/x.py:1 imports `scripts`: deployed"]),
        ("import flowlang\n", ["lambdas/x.py:1 imports `flowlang`: deployed"]),
        ("import local_connect\n", ["lambdas/x.py:1 imports `local_connect`: deployed"]),
        ("import distutils\n", ["lambdas/x.py:1 imports `distutils`, which is neither"]),
        ("from mypy_boto3_sqs import SQSClient\n", ["lambdas/x.py:1 imports `mypy_boto3_sqs`"]),
        (
            "import importlib\nimportlib.import_module('yaml')\n",
            ["lambdas/x.py:2 imports a module by name at run time"],
        ),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from mypy_boto3_sqs import SQSClient\n",
            [],
        ),
        ("import boto3, json\nfrom pydantic import BaseModel\nfrom . import logic\n", []),
        ("from lambdas.common.settings import EnvironmentSettings\n", []),
    ],
)
def test_the_check_sees_what_lambda_would_fail_to_import(source: str, expected: list[str]) -> None:
    problems = list(problems_in("lambdas/x.py", source))
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), problem
