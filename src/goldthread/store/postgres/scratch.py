"""Throwaway databases on a PostgreSQL server: created, emptied and dropped
whole, for test suites and trials that must not touch a real store."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from goldthread.config.storeurl import hidden_parts
from goldthread.errors import StoreError
from goldthread.store.portable import TABLES
from goldthread.store.postgres.connection import CONNECT_TIMEOUT_S, describe, error


def _admin(server_url: str) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(server_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise error(exc, "connecting", describe(server_url), hidden_parts(server_url)) from None


def database_url(server_url: str, name: str) -> str:
    """``server_url`` pointed at the database ``name``."""
    parts = urlsplit(server_url)
    if parts.scheme not in {"postgresql", "postgres"}:
        raise StoreError("expected a postgresql:// URL for the scratch database server")
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(server_url: str, prefix: str = "goldthread_scratch") -> str:
    """A new, empty database with a unique name; returns its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    with _admin(server_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(server_url, name)


def drop_database(url: str) -> None:
    """Drop the database ``url`` names, closing anyone still connected to it."""
    name = str(conninfo_to_dict(url).get("dbname") or "")
    if not name:
        raise StoreError("no database named to drop")
    with _admin(database_url(url, "postgres")) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def empty_store(url: str) -> None:
    """Remove every row of a migrated store but its schema version, and reset its ids."""
    tables = sql.SQL(", ").join(sql.Identifier(table.name) for table in TABLES)
    with _admin(url) as conn:
        conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(tables))
