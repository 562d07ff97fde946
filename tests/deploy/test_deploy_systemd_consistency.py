"""The systemd units say only what goldthread's code accepts, and give the
service the credentials and state directory its config names."""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath

import pytest
from deploy_manifests import (
    DEPLOY,
    DOCKERFILE,
    SYSTEMD,
    SecretFileKeys,
    dockerfile,
    known_env_name,
    parse_goldthread_args,
    settings_with,
    systemd_unit,
    toml_file,
    unit_environment,
    unit_values,
)

from goldthread.config import CONFIG_ENV
from goldthread.store import sqlite_path

SERVICE = systemd_unit(SYSTEMD / "goldthread.service")
BACKFILL = systemd_unit(SYSTEMD / "goldthread-backfill.service")
CONFIG = SYSTEMD / "goldthread.toml"


def command(line: str) -> tuple[str, list[str]]:
    executable, *args = shlex.split(line)
    return executable, args


def venv_of_the_image() -> str:
    (run,) = [i.arguments for i in dockerfile(DOCKERFILE) if i.keyword == "RUN" and i.stage == 0]
    return run.split()[2]  # install-venv SOURCE VENV WHEELS


@pytest.mark.parametrize(
    ("unit", "key", "expected"),
    [
        (SERVICE, "ExecStartPre", "check"),
        (SERVICE, "ExecStart", "run"),
        (BACKFILL, "ExecStart", "backfill"),
    ],
)
def test_each_unit_runs_a_goldthread_command_from_the_installed_virtualenv(
    unit: dict[str, list[tuple[str, str]]], key: str, expected: str
) -> None:
    (line,) = unit_values(unit, key)
    executable, args = command(line)
    assert executable == f"{venv_of_the_image()}/bin/goldthread"
    assert parse_goldthread_args(args)[0] == expected


@pytest.mark.parametrize("unit", [SERVICE, BACKFILL], ids=["service", "backfill"])
def test_the_unit_environment_names_keys_goldthread_accepts(
    unit: dict[str, list[tuple[str, str]]],
) -> None:
    env = unit_environment(unit)
    for name in env:
        assert known_env_name(name), name
    assert env[CONFIG_ENV] == "/etc/goldthread/goldthread.toml"
    settings_with(CONFIG, env)


def test_the_service_is_hardened_with_a_dynamic_user_and_its_own_state_directory() -> None:
    service = dict(SERVICE["Service"])
    assert service["DynamicUser"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["NoNewPrivileges"] == "yes"
    state = f"/var/lib/{service['StateDirectory']}"
    assert service["WorkingDirectory"] == state
    store = sqlite_path(settings_with(CONFIG, unit_environment(SERVICE)).store.url)
    assert not PurePosixPath(store).is_absolute()  # so: inside the working directory


def test_every_secret_the_config_reads_is_a_credential_of_the_service() -> None:
    credentials = {v.split(":", 1)[0] for v in unit_values(SERVICE, "LoadCredential")}
    paths = [PurePosixPath(p) for p in SecretFileKeys.of(toml_file(CONFIG)).paths]
    assert paths
    assert {p.parent for p in paths} == {PurePosixPath("/run/credentials/goldthread.service")}
    assert {p.name for p in paths} == credentials


def test_the_backfill_gets_the_source_tokens_where_the_config_looks_and_its_own_store() -> None:
    config = toml_file(CONFIG)
    token_files = [PurePosixPath(s["token_file"]) for s in config["sources"]]
    credentials = {v.split(":", 1)[0] for v in unit_values(BACKFILL, "LoadCredential")}
    assert {p.name for p in token_files} == credentials
    (bind,) = unit_values(BACKFILL, "BindReadOnlyPaths")
    assert bind == f"%d:{token_files[0].parent}"
    store = settings_with(CONFIG, unit_environment(BACKFILL)).store.url
    assert sqlite_path(store) == ":memory:"


def test_the_timer_starts_the_backfill_service() -> None:
    timer = systemd_unit(SYSTEMD / "goldthread-backfill.timer")
    assert unit_values(timer, "OnCalendar")
    assert unit_values(timer, "Unit") in ([], ["goldthread-backfill.service"])
    assert (DEPLOY / "systemd" / "goldthread-backfill.service").exists()
