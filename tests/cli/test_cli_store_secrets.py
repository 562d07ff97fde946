"""The store's password is never printed, a bad store URL is a config error
naming its key, and the store's files are readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from goldthread.cli import EXIT_ERRORS, EXIT_USAGE, cli
from goldthread.config.storeurl import redact_store_url
from goldthread.store import open_store

PASSWORD = "pa55-w0rd-secret"


def run(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def everything(result: Result) -> str:
    return result.stdout + result.stderr


def test_check_hides_a_password_given_as_a_query_parameter(
    config_path: Path, secret_env: dict[str, str]
) -> None:
    url = f"postgresql://gt@db:5432/gt?sslmode=require&password={PASSWORD}"
    result = run(["--config", str(config_path), "check"], env={**secret_env, **_url(url)})

    assert result.exit_code == 0, result.stderr
    assert "postgresql://gt@db:5432/gt?sslmode=require&password=[redacted]" in result.stdout
    assert PASSWORD not in everything(result)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://gt:{PASSWORD}@db:port/gt",
        f"postgresql://gt:{PASSWORD}@db:99999/gt",
        f"postgresql://gt:{PASSWORD}@db1:5432,db2:x/gt",
        f"postgresql://gt@db/gt?port=abc&password={PASSWORD}",
    ],
)
def test_a_bad_port_is_a_config_error_naming_the_key_not_a_traceback(
    config_path: Path, secret_env: dict[str, str], url: str
) -> None:
    result = run(["--config", str(config_path), "check"], env={**secret_env, **_url(url)})

    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines() == [
        "goldthread: config error: store.url: the port is not a number from 1 to 65535"
    ]
    assert PASSWORD not in everything(result)


def test_a_broken_percent_escape_is_a_config_error_that_does_not_echo_the_password(
    config_path: Path, secret_env: dict[str, str]
) -> None:
    url = "postgresql://gt:pa%zz55@db:5432/gt"
    result = run(["--config", str(config_path), "check"], env={**secret_env, **_url(url)})

    assert result.exit_code == EXIT_USAGE
    assert "store.url: has a '%' that is not followed by two hex digits" in result.stderr
    assert "pa%zz55" not in everything(result)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://gt:{PASSWORD}%zz@127.0.0.1:5432/gt",
        f"postgresql://gt:{PASSWORD}@127.0.0.1:5432/gt?bogus_option=1",
        f"postgresql://gt@127.0.0.1:port/gt?password={PASSWORD}",
    ],
)
def test_a_url_libpq_cannot_parse_is_refused_without_libpqs_words(url: str) -> None:
    result = run(["migrate", "--url", url])

    assert result.exit_code == EXIT_ERRORS
    assert result.stderr.startswith("goldthread: store error: store url postgresql://gt")
    assert PASSWORD not in everything(result)
    assert "Traceback" not in everything(result)


def test_store_copy_never_prints_a_password_of_either_url(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'from.db'}"
    open_store(source).close()
    target = f"postgresql://gt:{PASSWORD}@127.0.0.1:1/gt?connect_timeout=1"

    result = run(["store", "copy", source, target])

    assert result.exit_code == EXIT_ERRORS
    assert "postgresql://gt@127.0.0.1:1/gt" in result.stderr
    assert PASSWORD not in everything(result)


def test_redaction_covers_userinfo_and_every_password_parameter() -> None:
    url = f"postgres://u:{PASSWORD}@h/db?password={PASSWORD}x&PASSWORD={PASSWORD}y"

    shown = redact_store_url(url)

    assert PASSWORD not in shown
    assert shown == "postgres://u:[redacted]@h/db?password=[redacted]&PASSWORD=[redacted]"


def test_a_new_sqlite_store_its_wal_shm_and_lock_are_private_to_their_owner(
    tmp_path: Path,
) -> None:
    db = tmp_path / "goldthread.db"
    previous = os.umask(0o022)
    try:
        with open_store(f"sqlite:///{db}") as store:
            store.upsert_items([])
            names = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}.lock")]
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in names}
    finally:
        os.umask(previous)

    assert modes == dict.fromkeys(modes, 0o600)


def _url(url: str) -> dict[str, str]:
    return {"GOLDTHREAD_STORE__URL": url}
