"""The Kubernetes manifests and the Helm chart say only what goldthread's code
accepts, and both describe the same deployment: commands, port, probe paths,
config keys, environment variables, and where config, secrets and state are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import pytest
import yaml
from deploy_manifests import (
    CHART,
    DOCKERFILE,
    KUBERNETES,
    SecretFileKeys,
    admin_routes,
    by_kind,
    default_admin_port,
    default_port,
    dockerfile,
    final_stage,
    helm_objects,
    known_env_name,
    kustomize_objects,
    parse_goldthread_args,
    pod_spec,
    service_routes,
    settings_with,
    toml_file,
)

from goldthread.config import CONFIG_ENV
from goldthread.store import sqlite_path

CONFIG = KUBERNETES / "goldthread.toml"
RENDERERS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "kustomize": kustomize_objects,
    "helm": helm_objects,
}


@pytest.fixture(params=sorted(RENDERERS), scope="module")
def objects(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return RENDERERS[request.param]()


def container(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    spec = pod_spec(by_kind(objects, kind))
    assert spec is not None
    (only,) = spec["containers"]
    return dict(only)


def env_of(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container["env"]}


def volumes_of(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    spec = pod_spec(obj)
    assert spec is not None
    return {v["name"]: v for v in spec["volumes"]}


def mounts_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in container["volumeMounts"]}


def image_user() -> int:
    (user,) = [i.arguments for i in final_stage(dockerfile(DOCKERFILE)) if i.keyword == "USER"]
    return int(user.split(":")[0])


def test_the_deployment_runs_the_service_and_the_cronjob_the_backfill(
    objects: list[dict[str, Any]],
) -> None:
    assert parse_goldthread_args(container(objects, "Deployment")["args"])[0] == "run"
    assert parse_goldthread_args(container(objects, "CronJob")["args"])[0] == "backfill"


def test_the_probes_ask_the_routes_the_service_serves_on_its_port(
    objects: list[dict[str, Any]],
) -> None:
    main = container(objects, "Deployment")
    http, admin = main["ports"]
    assert (http["name"], http["containerPort"]) == ("http", default_port())
    routes = service_routes()
    assert main["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert main[probe]["httpGet"]["path"] in routes
        assert main[probe]["httpGet"]["port"] == http["name"]
    service = by_kind(objects, "Service")
    assert [p["targetPort"] for p in service["spec"]["ports"]] == [http["name"], admin["name"]]


def test_prometheus_scrapes_metrics_on_the_admin_port_the_config_listens_on(
    objects: list[dict[str, Any]],
) -> None:
    deployment = by_kind(objects, "Deployment")
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    _http, admin = container(objects, "Deployment")["ports"]
    settings = settings_with(CONFIG, env_of(container(objects, "Deployment")))
    assert settings.server.admin_port == admin["containerPort"] == default_admin_port()
    assert settings.server.admin_host == "0.0.0.0"  # reachable from the pod's address
    assert annotations["prometheus.io/port"] == str(admin["containerPort"])
    assert annotations["prometheus.io/path"] in admin_routes()
    assert "/" in admin_routes()
    assert not {"/", "/metrics"} & service_routes()  # not beside the webhooks


def test_the_network_policy_lets_in_the_webhooks_and_only_monitoring_to_the_admin_port(
    objects: list[dict[str, Any]],
) -> None:
    policy = by_kind(objects, "NetworkPolicy")
    rules = {p["port"]: rule for rule in policy["spec"]["ingress"] for p in rule["ports"]}
    assert sorted(rules) == sorted([default_port(), default_admin_port()])
    assert "from" not in rules[default_port()]  # the trackers, through the ingress
    assert rules[default_admin_port()]["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    ]


def test_the_sqlite_deployment_is_one_replica_recreated_on_a_persistent_volume(
    objects: list[dict[str, Any]],
) -> None:
    deployment = by_kind(objects, "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    claim = by_kind(objects, "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    volumes = volumes_of(deployment)
    assert volumes["data"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    settings = settings_with(CONFIG, env_of(container(objects, "Deployment")))
    store = PurePosixPath(sqlite_path(settings.store.url))
    assert store.is_absolute()
    assert store.parent == PurePosixPath(
        mounts_of(container(objects, "Deployment"))["data"]["mountPath"]
    )


def test_every_variable_set_is_one_goldthread_reads_with_a_value_it_accepts(
    objects: list[dict[str, Any]],
) -> None:
    for kind in ("Deployment", "CronJob"):
        env = env_of(container(objects, kind))
        for name in env:
            assert known_env_name(name), f"{kind}: {name}"
        settings_with(CONFIG, env)


def test_the_config_is_mounted_where_goldthread_config_points(
    objects: list[dict[str, Any]],
) -> None:
    configmap = by_kind(objects, "ConfigMap")
    for kind in ("Deployment", "CronJob"):
        main = container(objects, kind)
        path = PurePosixPath(env_of(main)[CONFIG_ENV])
        mount = mounts_of(main)["config"]
        assert mount["readOnly"] is True
        assert PurePosixPath(mount["mountPath"]) == path.parent
        assert path.name in configmap["data"]
        volumes = volumes_of(by_kind(objects, kind))
        assert volumes["config"]["configMap"]["name"] == configmap["metadata"]["name"]
    assert configmap["data"][path.name] == CONFIG.read_text(encoding="utf-8")


def test_the_secrets_the_config_reads_are_in_the_mounted_secret_volume(
    objects: list[dict[str, Any]],
) -> None:
    paths = SecretFileKeys.of(toml_file(CONFIG)).paths
    assert paths
    for kind in ("Deployment", "CronJob"):
        mount = mounts_of(container(objects, kind))["secrets"]
        assert mount["readOnly"] is True
        for path in paths:
            assert PurePosixPath(path).parent == PurePosixPath(mount["mountPath"]), path
        volumes = volumes_of(by_kind(objects, kind))
        assert "secretName" in volumes["secrets"]["secret"]


def test_the_backfill_keeps_off_the_service_store(objects: list[dict[str, Any]]) -> None:
    backfill = container(objects, "CronJob")
    settings = settings_with(CONFIG, env_of(backfill))
    assert sqlite_path(settings.store.url) == ":memory:"
    assert "data" not in mounts_of(backfill)
    assert by_kind(objects, "CronJob")["spec"]["concurrencyPolicy"] == "Forbid"


def test_every_pod_runs_as_the_image_user_with_a_read_only_root(
    objects: list[dict[str, Any]],
) -> None:
    for kind in ("Deployment", "CronJob"):
        spec = pod_spec(by_kind(objects, kind))
        assert spec is not None
        assert spec["securityContext"]["runAsUser"] == image_user()
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        main = spec["containers"][0]
        assert main["securityContext"]["readOnlyRootFilesystem"] is True
        assert main["securityContext"]["allowPrivilegeEscalation"] is False
        assert main["resources"]["requests"]
        assert main["resources"]["limits"]
        assert "/tmp" in {m["mountPath"] for m in main["volumeMounts"]}


def test_the_chart_ships_the_kubernetes_config_as_its_default() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    assert values["config"] == CONFIG.read_text(encoding="utf-8")


def test_the_chart_takes_its_config_from_values() -> None:
    mine = CONFIG.read_text(encoding="utf-8").replace('"acme/web", ', "")
    rendered = helm_objects({"config": mine})
    assert by_kind(rendered, "ConfigMap")["data"]["goldthread.toml"] == mine


def policy_skips(obj: dict[str, Any]) -> dict[str, str]:
    """``checkov.io/skipN: CHECK=reason`` annotations, as check -> reason."""
    annotations = obj["metadata"].get("annotations", {})
    skips = (v for k, v in annotations.items() if k.startswith("checkov.io/skip"))
    return {check: reason for check, _, reason in (v.partition("=") for v in skips)}


def test_every_object_names_its_namespace(objects: list[dict[str, Any]]) -> None:
    assert {obj["metadata"].get("namespace") for obj in objects} == {"goldthread"}


def test_the_chart_and_the_kustomization_skip_the_same_policy_checks_for_the_same_reasons() -> None:
    for kind in ("Deployment", "CronJob"):
        plain = policy_skips(by_kind(kustomize_objects(), kind))
        assert plain, kind
        assert all(len(reason) > 20 for reason in plain.values())
        assert policy_skips(by_kind(helm_objects(), kind)) == plain


def test_the_chart_pulls_by_digest_when_given_one() -> None:
    digest = "sha256:" + "0" * 64
    rendered = helm_objects(
        {"image": {"repository": "registry.example.com/goldthread", "digest": digest}}
    )
    assert container(rendered, "Deployment")["image"] == f"registry.example.com/goldthread@{digest}"
