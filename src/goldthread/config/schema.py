"""The JSON Schema of ``goldthread.toml``, generated from the settings model.

Editors (Taplo / Even Better TOML, Tombi) complete and check keys from it,
found through the ``#:schema`` directive at the top of a config. Taplo reads
JSON Schema draft 4, so the generated schema is turned into draft 4
(``definitions``, ``enum`` for ``const``, boolean ``exclusiveMinimum``). Every
key carries the description of :data:`DESCRIPTIONS`; a key without one is a
bug the tests catch.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from goldthread.config.durations import format_duration
from goldthread.config.schema_docs import DESCRIPTIONS
from goldthread.config.settings import Settings

DRAFT4 = "http://json-schema.org/draft-04/schema#"
SCHEMA_FILE = "goldthread.schema.json"
"""What ``goldthread init`` writes beside the config and the directive names."""
DIRECTIVE = f"#:schema ./{SCHEMA_FILE}"


class _Generator(GenerateJsonSchema):
    def encode_default(self, dft: Any) -> Any:
        """Defaults as they are written in a config (``5m``, not ``PT5M``)."""
        if isinstance(dft, timedelta):
            return format_duration(dft)
        return super().encode_default(dft)


def config_schema() -> dict[str, Any]:
    """The schema of ``goldthread.toml`` (draft 4), every key described."""
    generated = Settings.model_json_schema(
        ref_template="#/definitions/{model}", schema_generator=_Generator
    )
    definitions = generated.pop("$defs", {})
    _describe(generated, definitions)
    body = _draft4({**generated, "definitions": definitions})
    body.pop("title", None)
    return {
        "$schema": DRAFT4,
        "title": "goldthread.toml",
        "description": (
            "goldthread's configuration: the trackers to read, the layer rules, "
            "write-back and the service. `goldthread config schema` prints this schema."
        ),
        **body,
        "additionalProperties": False,
    }


def schema_text() -> str:
    """The schema as ``goldthread config schema`` prints it (stable, diff-friendly)."""
    return json.dumps(config_schema(), indent=2, sort_keys=True) + "\n"


def _describe(root: dict[str, Any], definitions: dict[str, Any]) -> None:
    """Put each key's description on it, by its dotted config path."""
    for group, spec in root["properties"].items():
        spec.pop("title", None)
        if group in DESCRIPTIONS:
            spec["description"] = DESCRIPTIONS[group]
        for name in _referenced(spec):
            definition = definitions[name]
            definition.pop("title", None)
            for key, field in definition.get("properties", {}).items():
                field.pop("title", None)
                text = DESCRIPTIONS.get(f"{group}.{key}")
                if text is not None:
                    field["description"] = text


def _referenced(spec: Any) -> list[str]:
    """Names of the definitions a property refers to (directly, as items, as one of)."""
    found: list[str] = []
    if isinstance(spec, dict):
        ref = spec.get("$ref")
        if isinstance(ref, str):
            found.append(ref.rsplit("/", 1)[-1])
        for key in ("items", "oneOf", "anyOf"):
            value = spec.get(key)
            for part in value if isinstance(value, list) else [value]:
                found += _referenced(part)
    return found


def _draft4(node: Any) -> Any:
    """A draft 2020-12 schema tree as draft 4: what Taplo understands."""
    if isinstance(node, list):
        return [_draft4(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _draft4(value) for key, value in node.items() if key != "discriminator"}
    options = out.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:  # TOML has no null
        kept = [option for option in options if option != {"type": "null"}]
        del out["anyOf"]
        if out.get("default", 0) is None:
            del out["default"]
        out = {**out, **kept[0]} if len(kept) == 1 else {**out, "anyOf": kept}
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = out.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[plain], out[bound] = value, True
    if "$ref" in out:  # draft 4 ignores a $ref's siblings: keep the description beside it
        ref = {"$ref": out.pop("$ref")}
        return {**out, "allOf": [ref]} if out else ref
    return out
