"""The multi-replica deployments (Kubernetes overlay, Helm with PostgreSQL,
the Compose ``postgres`` profile) pass the real validators and say what
several replicas on one PostgreSQL store need: more than one replica, rolling
updates, the store URL from a Secret, no volume, and a way out to PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from deploy_manifests import (
    COMPOSE,
    DEPLOY,
    KUBERNETES,
    KUBERNETES_POSTGRES,
    by_kind,
    helm_objects,
    known_env_name,
    kubectl_kustomize,
    kustomize_objects,
    parse_goldthread_args,
    pod_spec,
    settings_key_of,
    settings_with,
)

from goldthread.store import is_shared

KUBERNETES_VERSION = "1.33.0"
POSTGRES_VALUES = {"store": {"postgres": {"enabled": True, "existingSecret": "goldthread-pg"}}}
RENDERERS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "kustomize": lambda: kubectl_kustomize(KUBERNETES_POSTGRES),
    "helm": lambda: helm_objects(POSTGRES_VALUES),
}


@pytest.fixture(params=sorted(RENDERERS), scope="module")
def objects(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return RENDERERS[request.param]()


def _service_container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    spec = pod_spec(by_kind(objects, "Deployment"))
    assert spec is not None
    (only,) = spec["containers"]
    return dict(only)


def test_the_replica_manifests_validate_against_the_kubernetes_schemas(
    objects: list[dict[str, Any]],
) -> None:
    problems = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {error}")
    assert problems == []


def test_several_replicas_roll_one_at_a_time(objects: list[dict[str, Any]]) -> None:
    deployment = by_kind(objects, "Deployment")
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["strategy"]["type"] == "RollingUpdate"
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 1
    assert parse_goldthread_args(_service_container(objects)["args"])[0] == "run"


def test_the_store_url_comes_from_a_secret_into_the_store_url_key(
    objects: list[dict[str, Any]],
) -> None:
    env = {e["name"]: e for e in _service_container(objects)["env"]}
    url = env["GOLDTHREAD_STORE__URL"]
    assert "value" not in url
    assert set(url["valueFrom"]["secretKeyRef"]) == {"name", "key"}
    assert settings_key_of("GOLDTHREAD_STORE__URL") == ("store", "url")
    assert all(known_env_name(name) for name in env)


def test_nothing_is_kept_on_the_pods(objects: list[dict[str, Any]]) -> None:
    kinds = {obj["kind"] for obj in objects}
    assert "PersistentVolumeClaim" not in kinds
    assert "CronJob" not in kinds  # the replicas run the full resync under a lease
    spec = pod_spec(by_kind(objects, "Deployment"))
    assert spec is not None
    assert all("persistentVolumeClaim" not in volume for volume in spec["volumes"])
    assert "data" not in {m["name"] for m in _service_container(objects)["volumeMounts"]}


def test_the_network_policy_lets_the_replicas_reach_postgresql(
    objects: list[dict[str, Any]],
) -> None:
    egress = by_kind(objects, "NetworkPolicy")["spec"]["egress"]
    ports = {port["port"] for rule in egress for port in rule.get("ports", [])}
    assert {443, 5432} <= ports


def test_the_replicas_spread_over_nodes(objects: list[dict[str, Any]]) -> None:
    spec = pod_spec(by_kind(objects, "Deployment"))
    assert spec is not None
    (spread,) = spec["topologySpreadConstraints"]
    assert spread["topologyKey"] == "kubernetes.io/hostname"


def test_the_overlay_leaves_the_rest_of_the_base_as_it_is() -> None:
    base = {(o["kind"], o["metadata"]["name"]) for o in kustomize_objects(KUBERNETES)}
    overlay = {
        (o["kind"], o["metadata"]["name"].rsplit("-", 1)[0] if o["kind"] == "ConfigMap" else
         o["metadata"]["name"])
        for o in kubectl_kustomize(KUBERNETES_POSTGRES)
    }  # fmt: skip
    assert base - overlay == {
        ("PersistentVolumeClaim", "goldthread-data"),
        ("CronJob", "goldthread-backfill"),
    }
    assert overlay <= base


def test_the_chart_sets_the_replica_count_and_keeps_one_sqlite_replica_by_default() -> None:
    five = helm_objects({**POSTGRES_VALUES, "replicaCount": 5})
    assert by_kind(five, "Deployment")["spec"]["replicas"] == 5
    default = by_kind(helm_objects(), "Deployment")["spec"]
    assert (default["replicas"], default["strategy"]["type"]) == (1, "Recreate")


def test_the_chart_refuses_postgresql_without_the_secret_holding_its_url() -> None:
    with pytest.raises(Exception, match="existingSecret"):
        helm_objects({"store": {"postgres": {"enabled": True}}})


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))


def test_the_compose_postgres_profile_runs_replicas_once_postgresql_is_healthy() -> None:
    services = _compose()["services"]
    database, replica = services["postgres"], services["goldthread-replica"]
    assert database["profiles"] == replica["profiles"] == ["postgres"]
    assert replica["deploy"]["replicas"] == 3
    assert parse_goldthread_args(replica["command"])[0] == "run"
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert database["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]


def test_the_compose_replicas_reach_the_database_the_postgres_container_creates() -> None:
    services = _compose()["services"]
    database = services["postgres"]["environment"]
    env = services["goldthread-replica"]["environment"]
    url = urlsplit(env["GOLDTHREAD_STORE__URL"])
    assert is_shared(env["GOLDTHREAD_STORE__URL"])
    assert (url.hostname, url.port, url.username, url.password) == (
        "postgres",
        5432,
        database["POSTGRES_USER"],
        None,
    )
    assert url.path == f"/{database['POSTGRES_DB']}"
    assert env["PGPASSWORD"] == database["POSTGRES_PASSWORD"]


def test_the_compose_replicas_settings_load_with_the_store_on_postgresql() -> None:
    env = {
        k: v
        for k, v in _compose()["services"]["goldthread-replica"]["environment"].items()
        if k.startswith("GOLDTHREAD_")
    }
    settings = settings_with(DEPLOY / "goldthread.toml", env)
    assert is_shared(settings.store.url)
