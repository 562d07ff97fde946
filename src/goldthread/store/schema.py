"""How a store's schema version is judged against the migrations goldthread
ships, the same on every backend (each applies the migrations its own way)."""

from __future__ import annotations

from collections.abc import Sequence

from goldthread.errors import StoreError


def latest_version(migrations: Sequence[tuple[int, str, str]]) -> int:
    """The version the last migration brings a store to (0 when there is none)."""
    return max((version for version, _, _ in migrations), default=0)


def too_new(where: str, current: int, known: int) -> StoreError:
    """Why a store written by a newer goldthread is not migrated."""
    return StoreError(
        f"store {where}: its schema is version {current}, newer than this"
        f" goldthread knows ({known}); upgrade goldthread"
    )


def not_current(where: str, current: int, known: int) -> StoreError:
    """Why a store opened without migrating is refused: it must be at exactly
    the schema this goldthread knows."""
    newer = "newer than this goldthread knows; upgrade goldthread"
    older = "older than this goldthread's; run `goldthread migrate` first"
    return StoreError(
        f"store {where}: its schema is version {current},"
        f" {newer if current > known else older} ({known})"
    )
