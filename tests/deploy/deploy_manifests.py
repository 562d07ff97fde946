"""Reading the deploy files the way their tools would, and the names the code defines.

Each loader returns plain data (dicts, lists, tuples) so that the tests can
compare what a manifest says with what goldthread's code accepts: its
commands and options, config keys, environment variables, port and routes.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import click
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
CHART = DEPLOY / "helm" / "goldthread"
SYSTEMD = DEPLOY / "systemd"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"

# Variables of Python, pip, the shell and PostgreSQL's client library
# (which the PostgreSQL store connects through), not goldthread's.
PLATFORM_ENV = frozenset(
    {"PATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR",
     "PIP_DISABLE_PIP_VERSION_CHECK", "PGPASSWORD", "PGPASSFILE"}
)  # fmt: skip
KUBERNETES_POSTGRES = DEPLOY / "kubernetes-postgres"


# ---------------------------------------------------------------- YAML and TOML


def yaml_documents(text: str) -> list[dict[str, Any]]:
    """Every non-empty document of a YAML stream."""
    return [doc for doc in yaml.safe_load_all(text) if doc]


def toml_file(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


# ---------------------------------------------------------------- Dockerfile


@dataclass(frozen=True)
class Instruction:
    stage: int
    keyword: str
    arguments: str


def dockerfile(path: Path = DOCKERFILE) -> list[Instruction]:
    """Instructions with continuation lines joined, numbered by build stage."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stage = -1
    result = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        result.append(Instruction(stage, keyword, arguments.strip()))
    return result


def final_stage(instructions: Sequence[Instruction]) -> list[Instruction]:
    last = max(i.stage for i in instructions)
    return [i for i in instructions if i.stage == last]


def exec_form(arguments: str) -> list[str]:
    """A JSON-array instruction argument (``ENTRYPOINT ["goldthread"]``)."""
    value = yaml.safe_load(arguments)
    assert isinstance(value, list), f"not in exec form: {arguments}"
    return [str(v) for v in value]


def env_pairs(arguments: str) -> dict[str, str]:
    """``ENV A=1 B=2`` (values may refer to earlier ones; kept as written)."""
    return dict(part.split("=", 1) for part in shlex.split(arguments))


def dockerignore_includes(path: str, ignore_file: Path = ROOT / ".dockerignore") -> bool:
    """Whether ``path`` reaches the build context (last matching rule wins)."""
    included = True
    for raw in ignore_file.read_text(encoding="utf-8").splitlines():
        rule = raw.strip()
        if not rule or rule.startswith("#"):
            continue
        negated = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/")
        candidates = [path, *(str(p) for p in Path(path).parents if str(p) != ".")]
        hit = any(
            fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, f"*/{pattern}") for c in candidates
        )
        if hit:
            included = negated
    return included


# ---------------------------------------------------------------- Kubernetes


def kustomize_objects(directory: Path = KUBERNETES) -> list[dict[str, Any]]:
    """The objects ``kubectl apply -k`` would send, for the fields this
    kustomization uses: resources, a ConfigMap generator, namespace, labels,
    images."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    objects: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        objects += yaml_documents((directory / resource).read_text(encoding="utf-8"))
    for generator in kustomization.get("configMapGenerator", []):
        data = {
            Path(f).name: (directory / f).read_text(encoding="utf-8") for f in generator["files"]
        }
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": generator["name"]},
                "data": data,
            }
        )
    if "namespace" in kustomization:
        for obj in objects:
            obj.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    for entry in kustomization.get("labels", []):
        for obj in objects:
            obj.setdefault("metadata", {}).setdefault("labels", {}).update(entry["pairs"])
    for image in kustomization.get("images", []):
        for container in all_containers(objects):
            if container["image"] == image["name"]:
                container["image"] = f"{image['name']}:{image['newTag']}"
    return objects


def kubectl_kustomize(directory: Path) -> list[dict[str, Any]]:
    """The objects ``kubectl apply -k`` would send, built by kubectl's own
    kustomize (for overlays: bases, strategic-merge patches, deletions)."""
    import shutil
    import subprocess

    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is missing: it builds the kustomize overlays"
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return yaml_documents(result.stdout)


def helm_objects(values: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """``helm template`` of the chart, rendered by Helm's own Go library."""
    import helm_python as helm

    with helm.Chart.load(str(CHART)) as chart:
        rendered = chart.render(dict(values or {}), name="goldthread", namespace="goldthread")
    objects: list[dict[str, Any]] = []
    for name, text in sorted(rendered.items()):
        if name.endswith(".yaml"):
            objects += yaml_documents(text)
    return objects


def helm_lint() -> dict[str, Any]:
    import helm_python as helm

    return cast(dict[str, Any], helm.lint(str(CHART)))


def pod_spec(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = obj.get("kind")
    if kind == "Deployment":
        return cast(dict[str, Any], obj["spec"]["template"]["spec"])
    if kind == "CronJob":
        return cast(dict[str, Any], obj["spec"]["jobTemplate"]["spec"]["template"]["spec"])
    return None


def all_containers(objects: Sequence[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    for obj in objects:
        spec = pod_spec(obj)
        if spec is not None:
            yield from spec["containers"]


def by_kind(objects: Sequence[Mapping[str, Any]], kind: str) -> dict[str, Any]:
    found = [obj for obj in objects if obj["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return dict(found[0])


# ---------------------------------------------------------------- systemd


def systemd_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file; a key may repeat (``LoadCredential=``)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections.setdefault(current, [])
            continue
        key, _, value = line.partition("=")
        sections[current].append((key.strip(), value.strip()))
    return sections


def unit_values(unit: Mapping[str, list[tuple[str, str]]], key: str) -> list[str]:
    return [value for pairs in unit.values() for k, value in pairs if k == key]


def unit_environment(unit: Mapping[str, list[tuple[str, str]]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for value in unit_values(unit, "Environment"):
        env.update(part.split("=", 1) for part in shlex.split(value))
    return env


# ---------------------------------------------------------------- the code's names


def cli_group() -> click.Group:
    from goldthread.cli import cli

    return cli


def parse_goldthread_args(args: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """Parse a ``goldthread ...`` command line as the CLI would, without running it.

    Returns the subcommand's name and its parsed parameters; raises
    ``click.UsageError`` for an unknown command or option.
    """
    group = cli_group()
    ctx = click.Context(group, info_name="goldthread")
    rest = click.Command.parse_args(group, ctx, list(args))
    name, command, sub_args = group.resolve_command(ctx, rest)
    assert name is not None
    assert command is not None
    sub = command.make_context(name, list(sub_args), parent=ctx)
    return name, dict(sub.params)


def cli_env_names() -> set[str]:
    """Variables the root command reads (``--log-format``, ``--log-level``)."""
    names: set[str] = set()
    for param in cli_group().params:
        envvar = param.envvar
        if isinstance(envvar, str):
            names.add(envvar)
        elif envvar:
            names.update(envvar)
    return names


def settings_key_of(env_name: str) -> tuple[str, ...] | None:
    """``GOLDTHREAD_DAEMON__POLL_INTERVAL`` -> ``("daemon", "poll_interval")``
    when the settings have that key, else ``None``."""
    from pydantic import BaseModel

    from goldthread.config import Settings

    prefix = str(Settings.model_config.get("env_prefix", ""))
    delimiter = str(Settings.model_config.get("env_nested_delimiter", ""))
    if not env_name.startswith(prefix):
        return None
    path = tuple(env_name.removeprefix(prefix).lower().split(delimiter))
    model: Any = Settings
    for key in path:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(key)
        if info is None:
            return None
        model = info.annotation
    return path


def sandbox_env_names() -> dict[str, str]:
    """The sandbox's token variables and their well-known values (the chat
    receiver's URL as the compose sandbox serves it: control port 9003)."""
    from goldthread.sandbox import control

    return {
        control.GITHUB_TOKEN_ENV: control.DEFAULT_GITHUB_TOKEN,
        control.JIRA_TOKEN_ENV: control.DEFAULT_JIRA_TOKEN,
        control.CHAT_WEBHOOK_ENV: (
            f"http://127.0.0.1:9003/control/chat/{control.DEFAULT_CHAT_TOKEN}"
        ),
    }


def known_env_name(name: str) -> bool:
    from goldthread.config import CONFIG_ENV

    return (
        name in PLATFORM_ENV
        or name == CONFIG_ENV
        or name in cli_env_names()
        or name in sandbox_env_names()
        or settings_key_of(name) is not None
    )


def service_routes() -> set[str]:
    """The paths ``goldthread run`` serves, read off its application."""
    from goldthread.service.app import build_app

    app = build_app(cast(Any, SimpleNamespace(max_concurrent=1)))
    return {route.path for route in app.routes}  # type: ignore[attr-defined]


def default_port() -> int:
    from goldthread.config import ServerSettings

    return ServerSettings().port


def default_admin_port() -> int:
    from goldthread.config import ServerSettings

    return ServerSettings().admin_port


def admin_routes() -> set[str]:
    """The paths the admin listener serves, read off its application."""
    from goldthread.service.admin import build_admin_app

    app = build_admin_app(cast(Any, SimpleNamespace()), cast(Any, SimpleNamespace()))
    return {route.path for route in app.routes}  # type: ignore[attr-defined]


@dataclass
class SecretFileKeys:
    """Every ``*_file`` value of a config: the paths its secrets are read from."""

    paths: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> SecretFileKeys:
        found = cls()
        found.walk(config)
        return found

    def walk(self, node: Any) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if str(key).endswith("_file"):
                    self.paths += [value] if isinstance(value, str) else list(value)
                else:
                    self.walk(value)
        elif isinstance(node, list):
            for item in node:
                self.walk(item)


URL_IN_TEXT = re.compile(r"https?://[^\s'\"]+")


def settings_with(config: Path, env: Mapping[str, str]) -> Any:
    """The settings goldthread would load from ``config`` with ``env`` set
    (``GOLDTHREAD_CONFIG`` aside: ``config`` is the local copy of that file).
    Raises ``ConfigError`` for a bad key or value, as at start-up."""
    import os
    from unittest import mock

    from goldthread.config import CONFIG_ENV, load_settings

    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOLDTHREAD_")}
    clean.update({k: v for k, v in env.items() if k != CONFIG_ENV})
    with mock.patch.dict(os.environ, clean, clear=True):
        return load_settings(config)


# ---------------------------------------------------------------- build variables

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def undeclared_variables(instructions: Sequence[Instruction], keyword: str) -> list[str]:
    """Variables that ``keyword`` instructions of the final stage use but that
    stage never declared (by ``ARG`` or ``ENV``) before them.

    Docker's rule: an ``ARG`` before the first ``FROM`` is seen by ``FROM``
    lines only, so a stage that wants its value declares it again; an
    undeclared variable expands to nothing.
    """
    declared: set[str] = set()
    missing: list[str] = []
    for instruction in final_stage(instructions):
        if instruction.keyword == "ARG":
            declared.add(instruction.arguments.split("=", 1)[0].strip())
        elif instruction.keyword == "ENV":
            declared.update(env_pairs(instruction.arguments))
        elif instruction.keyword == keyword:
            missing += [v for v in _VARIABLE.findall(instruction.arguments) if v not in declared]
    return missing


def parser_directives(path: Path = DOCKERFILE) -> dict[str, str]:
    """The ``# name=value`` lines at the top of a Dockerfile (``syntax``,
    ``escape``, ``check``), which the builder reads before anything else."""
    found: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*", raw)
        if match is None:
            break
        found[match.group(1).lower()] = match.group(2)
    return found


# ---------------------------------------------------------------- docs


def console_commands(path: Path) -> list[str]:
    """Each ``$ command`` of the ``console`` blocks of a Markdown file, with
    its continuation lines joined (as a shell reads it)."""
    commands: list[str] = []
    in_block = False
    pending: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("```"):
            in_block = raw.strip() == "```console"
            continue
        if not in_block:
            continue
        line = raw.rstrip()
        if pending is not None:
            pending += " " + line.strip()
        elif line.startswith("$ "):
            pending = line[2:]
        else:
            continue
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        commands.append(pending)
        pending = None
    return commands
