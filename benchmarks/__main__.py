"""Run goldthread's benchmarks: ``python -m benchmarks [NAME ...]``.

Every ``benchmarks/bench_*.py`` module's ``main()`` runs in turn and prints
its figures. Names (``core`` or ``bench_core``) pick a subset.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def _wanted(names: list[str]) -> list[str]:
    found = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    if not names:
        return found
    picked = []
    for name in names:
        stem = name if name.startswith("bench_") else f"bench_{name}"
        if stem not in found:
            raise SystemExit(f"no benchmark {name!r}; there are: {', '.join(found)}")
        picked.append(stem)
    return picked


def main(argv: list[str]) -> None:
    for stem in _wanted(argv):
        print(f"== {stem}")
        module = importlib.import_module(f"benchmarks.{stem}")
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
