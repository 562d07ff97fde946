"""The Kubernetes objects and the Dockerfile, scanned by checkov.

The objects are scanned as they would be applied: both kustomizations built
by ``kubectl kustomize`` (an overlay's patch files alone are partial objects,
which a scanner reads as whole ones), and the chart rendered by Helm's own
library with SQLite and with PostgreSQL. Every finding must be fixed or
skipped on the object with a reason (docs/deploy.md, "Posture").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from deploy_manifests import DOCKERFILE, KUBERNETES, KUBERNETES_POSTGRES, helm_objects

from image_check.machine import Machine
from image_check.steps import CheckError, Timings, run

POSTGRES_VALUES = {
    "store": {"postgres": {"enabled": True, "existingSecret": "goldthread-postgres"}}
}


def render(folder: Path) -> list[Path]:
    """Every deployment's objects, one YAML file each."""
    folder.mkdir(parents=True, exist_ok=True)
    rendered = {
        "kustomize-sqlite.yaml": run(["kubectl", "kustomize", str(KUBERNETES)]).stdout,
        "kustomize-postgres.yaml": run(["kubectl", "kustomize", str(KUBERNETES_POSTGRES)]).stdout,
        "helm-sqlite.yaml": yaml.safe_dump_all(helm_objects()),
        "helm-postgres.yaml": yaml.safe_dump_all(helm_objects(POSTGRES_VALUES)),
    }
    paths = []
    for name, text in rendered.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def scan(machine: Machine, *target: str) -> list[dict[str, Any]]:
    """checkov's JSON report(s) for ``target`` (offline: no download)."""
    command = ["checkov", *target, "--skip-download", "--output", "json"]
    done = run(command, env=machine.env, check=False)
    if done.returncode not in (0, 1):  # 1: findings, read below
        raise CheckError(f"checkov failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    return report if isinstance(report, list) else [report]


def problems(reports: list[dict[str, Any]]) -> tuple[list[str], int, int]:
    """Findings and reasonless skips; and how many checks passed and were skipped."""
    found: list[str] = []
    passed = skipped = 0
    for report in reports:
        results = report.get("results", {})
        found.extend(
            f"{c['check_id']} {c['check_name']}: {c['resource']} ({c['file_path']})"
            for c in results.get("failed_checks", [])
        )
        found.extend(
            f"{c['check_id']} skipped without a reason: {c['resource']}"
            for c in results.get("skipped_checks", [])
            if not c.get("check_result", {}).get("suppress_comment", "").strip()
        )
        summary = report.get("summary", {})
        passed += int(summary.get("passed", 0))
        skipped += int(summary.get("skipped", 0))
        if summary.get("parsing_errors"):
            found.append(f"checkov could not parse {report.get('check_type')}: {summary}")
    return found, passed, skipped


def check_posture(machine: Machine, workdir: Path, timings: Timings) -> None:
    folder = workdir / "rendered"
    render(folder)
    reports = scan(machine, "--directory", str(folder), "--framework", "kubernetes")
    reports += scan(machine, "--file", str(DOCKERFILE), "--framework", "dockerfile")
    found, passed, skipped = problems(reports)
    if found:
        raise CheckError("policy findings neither fixed nor explained:\n  " + "\n  ".join(found))
    timings.fact(f"checkov: {passed} checks passed, {skipped} skipped with a reason, none failed")
