"""The Dockerfile and the Compose file say only what goldthread's code accepts:
its console script, commands and options, port, routes, config keys and
environment variables. A rename in the code breaks one of these tests."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from deploy_manifests import (
    COMPOSE,
    DEPLOY,
    DOCKERFILE,
    ROOT,
    URL_IN_TEXT,
    SecretFileKeys,
    default_admin_port,
    default_port,
    dockerfile,
    dockerignore_includes,
    env_pairs,
    exec_form,
    final_stage,
    known_env_name,
    parse_goldthread_args,
    parser_directives,
    sandbox_env_names,
    service_routes,
    settings_with,
    toml_file,
    undeclared_variables,
)

from goldthread.config import CONFIG_ENV, StoreSettings
from goldthread.sandbox.__main__ import parse_args as parse_sandbox_args
from goldthread.store import sqlite_path

INSTRUCTIONS = dockerfile()
FINAL = final_stage(INSTRUCTIONS)


def one(keyword: str) -> str:
    found = [i.arguments for i in FINAL if i.keyword == keyword]
    assert len(found) == 1, f"expected one {keyword} in the final stage, found {found}"
    return found[0]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in FINAL:
        if instruction.keyword == "ENV":
            env.update(env_pairs(instruction.arguments))
    return env


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))


def service(name: str) -> dict[str, Any]:
    return dict(compose()["services"][name])


def test_the_entry_point_is_the_console_script_and_the_default_command_is_run() -> None:
    scripts = toml_file(ROOT / "pyproject.toml")["project"]["scripts"]
    assert exec_form(one("ENTRYPOINT")) == ["goldthread"]
    assert "goldthread" in scripts
    assert parse_goldthread_args(exec_form(one("CMD")))[0] == "run"


def test_the_image_exposes_and_probes_the_port_goldthread_listens_on_by_default() -> None:
    assert one("EXPOSE") == f"{default_port()} {default_admin_port()}"
    urls = URL_IN_TEXT.findall(one("HEALTHCHECK"))
    assert len(urls) == 1
    url = urls[0]
    assert url.startswith(f"http://127.0.0.1:{default_port()}/")
    assert "/" + url.split("/", 3)[3] == "/healthz"
    assert "/healthz" in service_routes()


def test_every_variable_the_image_sets_is_one_goldthread_or_python_reads() -> None:
    for stage_env in (env_pairs(i.arguments) for i in INSTRUCTIONS if i.keyword == "ENV"):
        for name in stage_env:
            assert known_env_name(name), name


def test_the_image_keeps_state_in_the_data_volume_and_the_default_store_lands_there() -> None:
    workdir = one("WORKDIR")
    assert exec_form(one("VOLUME")) == [workdir]
    store = PurePosixPath(workdir) / sqlite_path(StoreSettings().url)
    assert store.parent == PurePosixPath(workdir)


def test_the_image_runs_as_a_numeric_non_root_user() -> None:
    user, _, group = one("USER").partition(":")
    assert user.isdigit()
    assert int(user) != 0
    assert group.isdigit()
    assert int(group) != 0


def test_the_image_reads_its_config_from_the_path_compose_mounts_it_at() -> None:
    config = image_env()[CONFIG_ENV]
    mounts = {m.split(":")[1]: m.split(":") for m in service("goldthread")["volumes"]}
    source, _, mode = mounts[config]
    assert (DEPLOY / source).resolve() == DEPLOY / "goldthread.toml"
    assert mode == "ro"


def test_the_build_copies_only_files_that_exist_and_reach_the_build_context() -> None:
    copies = [i.arguments.split() for i in INSTRUCTIONS if i.keyword == "COPY" and i.stage == 0]
    sources = [src for parts in copies for src in parts[:-1]]
    assert "constraints.txt" in sources
    assert "pyproject.toml" in sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert dockerignore_includes(source), source
    assert not dockerignore_includes(".venv")
    assert not dockerignore_includes("tests/deploy/test_deploy_validation.py")


def test_the_final_image_gets_only_the_virtualenv_that_its_path_points_at() -> None:
    build = " ".join(i.arguments for i in INSTRUCTIONS if i.keyword == "RUN" and i.stage == 0)
    venv = build.split()[2]  # install-venv SOURCE VENV WHEELS
    copied = [i.arguments.split() for i in FINAL if i.keyword == "COPY"]
    assert copied == [["--from=build", venv, venv]]
    assert image_env()["PATH"].startswith(f"{venv}/bin:")
    assert not [i for i in FINAL if "pip" in i.arguments and i.keyword == "RUN"]


def test_both_stages_start_from_one_base_pinned_by_exact_tag() -> None:
    args = [i.arguments for i in INSTRUCTIONS if i.keyword == "ARG" and i.stage == -1]
    base = dict(a.split("=", 1) for a in args)["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", base)
    assert {i.arguments.split()[0] for i in INSTRUCTIONS if i.keyword == "FROM"} == {
        "${PYTHON_IMAGE}"
    }


def test_every_label_is_filled_from_a_variable_its_stage_declares(tmp_path: Path) -> None:
    assert undeclared_variables(INSTRUCTIONS, "LABEL") == []
    assert "org.opencontainers.image.base.name" in one("LABEL")
    without = tmp_path / "Dockerfile"
    text = DOCKERFILE.read_text(encoding="utf-8")
    without.write_text(re.sub(r"(?m)^ARG PYTHON_IMAGE\n", "", text), encoding="utf-8")
    assert undeclared_variables(dockerfile(without), "LABEL") == ["PYTHON_IMAGE"]


def test_the_dockerfile_asks_the_builder_for_no_frontend_image() -> None:
    assert "syntax" not in parser_directives()


def test_the_image_labels_carry_the_package_version_and_licence() -> None:
    project = toml_file(ROOT / "pyproject.toml")["project"]
    declared = (i.arguments.partition("=") for i in FINAL if i.keyword == "ARG")
    args = {name: default for name, _, default in declared}
    labels = one("LABEL")
    assert args["VERSION"] == project["version"]
    assert 'org.opencontainers.image.version="${VERSION}"' in labels
    assert f'org.opencontainers.image.licenses="{project["license"]}"' in labels


# ---------------------------------------------------------------- Compose


@pytest.mark.parametrize("name", ["goldthread", "goldthread-sandbox"])
def test_compose_runs_the_service_command(name: str) -> None:
    assert parse_goldthread_args(service(name)["command"])[0] == "run"


def test_every_compose_service_is_read_only_and_not_root() -> None:
    user = one("USER")
    for name, spec in compose()["services"].items():
        assert spec["read_only"] is True, name
        assert spec["user"] == user, name
        assert spec["cap_drop"] == ["ALL"], name


def test_compose_publishes_the_webhooks_and_the_dashboard_on_loopback_only() -> None:
    webhooks, admin = service("goldthread")["ports"]
    assert webhooks.rsplit(":", 1)[1] == str(default_port())
    assert admin == f"127.0.0.1:{default_admin_port()}:{default_admin_port()}"
    (dashboard,) = service("sandbox")["ports"]
    assert dashboard.startswith("127.0.0.1:")
    assert dashboard.rsplit(":", 1)[1] == str(default_admin_port())
    settings = settings_with(DEPLOY / "goldthread.toml", service("goldthread")["environment"])
    assert (settings.server.admin_host, settings.server.admin_port) == (
        "0.0.0.0",
        default_admin_port(),
    )


def test_the_compose_environments_name_only_keys_goldthread_accepts() -> None:
    for name, spec in compose()["services"].items():
        if not str(spec["image"]).startswith("goldthread:"):
            continue  # PostgreSQL's own container
        for variable in spec.get("environment", {}):
            assert known_env_name(variable), f"{name}: {variable}"
    settings = settings_with(DEPLOY / "goldthread.toml", service("goldthread")["environment"])
    assert settings.server.port == default_port()


def test_the_compose_secrets_are_the_files_the_compose_config_reads() -> None:
    spec = compose()
    declared = set(spec["secrets"])
    mounted = set(service("goldthread")["secrets"])
    config = toml_file(DEPLOY / "goldthread.toml")
    paths = SecretFileKeys.of(config).paths
    assert paths
    assert {PurePosixPath(p).parent for p in paths} == {PurePosixPath("/run/secrets")}
    assert {PurePosixPath(p).name for p in paths} == mounted == declared


def test_the_sandbox_profile_writes_the_config_the_service_then_reads() -> None:
    sandbox = service("sandbox")
    tryout = service("goldthread-sandbox")
    assert sandbox["profiles"] == tryout["profiles"] == ["sandbox"]
    assert sandbox["entrypoint"] == ["python", "-m", "goldthread.sandbox"]
    args = parse_sandbox_args(sandbox["command"])
    assert tryout["environment"][CONFIG_ENV] == str(args.write_config)
    assert str(args.ready_file) in " ".join(sandbox["healthcheck"]["test"])
    shared = {v.split(":")[1] for v in sandbox["volumes"]} & {
        v.split(":")[1] for v in tryout["volumes"]
    }
    assert str(PurePosixPath(str(args.write_config)).parent) in shared
    assert tryout["network_mode"] == "service:sandbox"
    assert tryout["depends_on"]["sandbox"]["condition"] == "service_healthy"


def test_the_sandbox_try_out_gets_the_sandbox_tokens_and_valid_overrides(tmp_path: Path) -> None:
    from goldthread.sandbox.control import DEFAULT_JIRA_EMAIL, sandbox_config

    args = parse_sandbox_args(service("sandbox")["command"])
    tryout = service("goldthread-sandbox")
    env = {k: str(v) for k, v in tryout["environment"].items()}
    for name, value in sandbox_env_names().items():
        assert env[name] == value
    config = tmp_path / "goldthread.toml"
    text = sandbox_config(
        store_url="sqlite:///goldthread-sandbox.db",
        github_url=f"http://{args.host}:{args.github_port}",
        jira_url=f"http://{args.host}:{args.jira_port}",
        jira_mode=args.jira_mode,
        jira_email=DEFAULT_JIRA_EMAIL,
        repos=["acme/web"],
        projects=["PLAT"],
    )
    config.write_text(text, encoding="utf-8")
    settings = settings_with(config, env)
    assert settings.server.host == "0.0.0.0"
    assert settings.server.port == default_port()
    assert settings.server.admin_host == "0.0.0.0"  # published on the host's loopback only


def grace_seconds() -> float:
    """How long ``goldthread run`` takes at most to stop after SIGTERM."""
    return float(parse_goldthread_args(["run"])[1]["grace_period"])


def seconds(duration: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(s|m)", duration).groups()  # type: ignore[union-attr]
    return float(number) * (60 if unit == "m" else 1)


def test_compose_waits_longer_than_the_grace_period_for_every_service_it_runs() -> None:
    running = [
        name
        for name, spec in compose()["services"].items()
        if str(spec["image"]).startswith("goldthread:") and spec.get("command") == ["run"]
    ]
    assert sorted(running) == ["goldthread", "goldthread-replica", "goldthread-sandbox"]
    for name in running:
        assert seconds(service(name)["stop_grace_period"]) > grace_seconds(), name


def test_the_sandbox_try_out_starts_goldthread_only_once_the_sandbox_serves() -> None:
    args = parse_sandbox_args(service("sandbox")["command"])
    entrypoint = service("goldthread-sandbox")["entrypoint"]
    assert entrypoint[:2] == ["python", "-c"]
    script = entrypoint[2]
    assert f'os.path.exists("{args.ready_file}")' in script
    assert 'os.execvp("goldthread", ["goldthread", *sys.argv[1:]])' in script
    compile(script, "entrypoint", "exec")
