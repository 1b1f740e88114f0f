"""The templates a new synthesis is compared with, and where they come from.

With credentials, the baseline is what CloudFormation holds (`GetTemplate` of each stack): the
truth, whatever folder the last deploy ran from. Without, it is a cloud assembly on disk (by
default `cdk.out`, where `cdk deploy` and `ccaas synth` write): the last synthesis from this
clone, which is what was deployed when the team deploys from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scripts.preflight.replacement import Template

MANIFEST = "manifest.json"
STACK_ARTIFACT = "aws:cloudformation:stack"


def stack_template_files(assembly: Path) -> dict[str, Path]:
    """Stack name -> template file of a cloud assembly folder, read from its manifest (the
    CDK's cloud assembly schema); empty when the folder holds no assembly."""
    manifest_file = assembly / MANIFEST
    if not manifest_file.is_file():
        return {}
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    files = {}
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") != STACK_ARTIFACT:
            continue
        properties = artifact.get("properties", {})
        name = properties.get("stackName", artifact_id)
        files[name] = assembly / properties["templateFile"]
    return files


def assembly_templates(assembly: Path) -> dict[str, Template]:
    return {
        name: json.loads(path.read_text(encoding="utf-8"))
        for name, path in stack_template_files(assembly).items()
        if path.is_file()
    }


def deployed_templates(cloudformation: Any, stack_names: Iterable[str]) -> dict[str, Template]:
    """Each stack's template as CloudFormation last deployed it (the original, before
    transforms); a stack that does not exist yet is left out."""
    from botocore.exceptions import ClientError

    templates = {}
    for name in stack_names:
        try:
            body = cloudformation.get_template(StackName=name, TemplateStage="Original")[
                "TemplateBody"
            ]
        except ClientError as error:
            if "does not exist" in error.response.get("Error", {}).get("Message", ""):
                continue
            raise
        # boto3 decodes a JSON body into a dict; a string is a body it could not decode.
        templates[name] = body if isinstance(body, dict) else json.loads(body)
    return templates
