"""Checking requests and answers against an official OpenAPI 3.0 description.

A request is checked for its path and method (an operation of the
description), every query parameter's name (documented for that operation)
and value (against the parameter's schema), and its JSON body (against the
request body schema). An answer's JSON body is checked against the schema of
its status. OpenAPI 3.0 schemas become JSON Schema draft 4 (``nullable``
turned into a null alternative); ``$ref`` resolves within the description.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DESCRIPTIONS = Path(__file__).resolve().parents[2] / ".venv" / "share" / "api-descriptions"
JIRA_V3 = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "jira-cloud-platform-v3.openapi.json"
)
BASE = "urn:description"


def _convert(node: Any) -> Any:
    """An OpenAPI 3.0 schema (tree) as JSON Schema draft 4."""
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _convert(value) for key, value in node.items() if key != "nullable"}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        out["$ref"] = BASE + ref
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str) and "$ref" not in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


@dataclass
class Operation:
    method: str
    template: str
    spec: Mapping[str, Any]
    parameters: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # query ones


class Description:
    """One OpenAPI description, ready to check traffic against."""

    def __init__(self, document: Mapping[str, Any], *, prefix: str = "") -> None:
        self.document = document
        self.prefix = prefix
        converted = {"components": _convert(document.get("components", {}))}
        resource = Resource.from_contents(converted, default_specification=DRAFT4)
        self._registry = Registry().with_resource(BASE, resource)
        self._operations: list[tuple[re.Pattern[str], Operation]] = []
        for template, item in document["paths"].items():
            pattern = re.compile(
                "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            )
            shared = item.get("parameters", [])
            for method, spec in item.items():
                if method == "parameters":
                    continue
                operation = Operation(method.upper(), template, spec)
                for parameter in [*shared, *spec.get("parameters", [])]:
                    resolved = self._resolve(parameter)
                    if resolved.get("in") == "query":
                        operation.parameters[resolved["name"]] = resolved
                self._operations.append((pattern, operation))

    def _resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            found: Any = self.document
            for part in str(node["$ref"]).lstrip("#/").split("/"):
                found = found[part]
            node = found
        return node

    def operation(self, method: str, path: str) -> Operation | None:
        path = path[len(self.prefix) :] if self.prefix and path.startswith(self.prefix) else path
        matches = [op for pattern, op in self._operations if pattern.match(path)]
        # A literal segment beats a template one (/issues/comments/{id} vs /issues/{n}/...).
        matches.sort(key=lambda op: op.template.count("{"))
        for op in matches:
            if op.method == method:
                return op
        return None

    def _errors(self, schema: Any, value: Any) -> list[str]:
        validator = Draft4Validator(_convert(schema), registry=self._registry)
        return [
            f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message[:300]}"
            for error in validator.iter_errors(value)
        ]

    # ---------------------------------------------------------------- requests

    def check_request(self, method: str, path: str, query: str, body: bytes) -> list[str]:
        op = self.operation(method, path)
        if op is None:
            return [f"{method} {path}: no such operation in the description"]
        problems: list[str] = []
        for name, values in parse_qs(query, keep_blank_values=True).items():
            documented = op.parameters.get(name)
            if documented is None:
                problems.append(f"{method} {op.template}: undocumented parameter {name!r}")
                continue
            problems += [
                f"{method} {op.template} ?{name}={value}: {error}"
                for value in values
                for error in self._errors(_query_schema(documented), _typed(documented, value))
            ]
            if name == "expand":
                problems += _expansions(method, op.template, documented, values)
        schema = _json_schema(op.spec.get("requestBody", {}))
        if body and schema is not None:
            problems += [
                f"{method} {op.template} body: {error}"
                for error in self._errors(schema, json.loads(body))
            ]
        return problems

    # ---------------------------------------------------------------- answers

    def check_answer(self, method: str, path: str, status: int, answer: bytes) -> list[str]:
        op = self.operation(method, path)
        if op is None:
            return [f"{method} {path}: no such operation in the description"]
        responses = op.spec.get("responses", {})
        documented = responses.get(str(status)) or responses.get("default")
        if documented is None:
            return [f"{method} {op.template}: status {status} is not documented"]
        documented = self._resolve(documented)
        schema = _json_schema(documented)
        if schema is None or not answer:
            return []
        return [
            f"{method} {op.template} -> {status}: {error}"
            for error in self._errors(schema, json.loads(answer))
        ]


def _expansions(
    method: str, template: str, parameter: Mapping[str, Any], values: list[str]
) -> list[str]:
    """``expand`` values the parameter's documentation does not list (Jira lists the
    options it accepts, each in backticks, in the parameter's description)."""
    options = set(re.findall(r"`([A-Za-z]+)`", str(parameter.get("description") or "")))
    if not options:
        return []
    asked = {part.strip() for value in values for part in value.split(",") if part.strip()}
    return [
        f"{method} {template}: expand={value!r} is not documented there"
        for value in sorted(asked - options)
    ]


def _json_schema(holder: Mapping[str, Any]) -> Any:
    content = holder.get("content") or {}
    for media, spec in content.items():
        if "json" in media and "schema" in spec:
            return spec["schema"]
    return None


def _query_schema(parameter: Mapping[str, Any]) -> Any:
    schema = parameter.get("schema") or {}
    return schema.get("items", {}) if schema.get("type") == "array" else schema


def _typed(parameter: Mapping[str, Any], value: str) -> Any:
    """A query value as the type its schema names (query strings are text)."""
    schema = _query_schema(parameter)
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


@cache
def github(name: str) -> Description:
    """``api.github.com``, ``ghes-3.13``, ``ghes-3.17`` or ``ghes-3.19``."""
    document = json.loads((DESCRIPTIONS / f"{name}.json").read_text())
    return Description(document, prefix="" if name == "api.github.com" else "/api/v3")


@cache
def jira() -> Description:
    return Description(json.loads(JIRA_V3.read_text()))
