"""Fetch the pinned official API descriptions: ``python fetch_descriptions.py LOCK DIR``.

Each line of the lock names an npm package at an exact version, its sha512
integrity and the files to take from it. The package is fetched with the
ordinary npm client (``npm pack``), its integrity checked against the lock,
and only the listed files are kept in DIR. A line starting ``pypi:`` names a
wheel instead (``pip download``), pinned by its sha256. Nothing is fetched twice.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path


def fetch(spec: str, integrity: str, files: list[str], into: Path) -> None:
    wanted = {f"package/{name}": into / Path(name).name for name in files}
    if all(path.is_file() for path in wanted.values()):
        return
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            ["npm", "pack", "--silent", "--pack-destination", scratch, spec],
            check=True,
            capture_output=True,
            text=True,
        )
        tarball = Path(scratch) / done.stdout.strip().splitlines()[-1]
        digest = hashlib.sha512(tarball.read_bytes()).digest()
        if "sha512-" + base64.b64encode(digest).decode() != integrity:
            raise SystemExit(f"{spec}: the tarball does not match the pinned integrity")
        with tarfile.open(tarball) as archive:
            for member in archive.getmembers():
                target = wanted.get(member.name)
                source = archive.extractfile(member) if target is not None else None
                if target is not None and source is not None:
                    target.write_bytes(source.read())
    missing = [str(path) for path in wanted.values() if not path.is_file()]
    if missing:
        raise SystemExit(f"{spec}: not in the package: {', '.join(missing)}")


def fetch_wheel(spec: str, digest: str, files: list[str], into: Path) -> None:
    """``pypi:NAME==VERSION``: the wheel from PyPI with pip, checked by its sha256."""
    wanted = {name: into / Path(name).name for name in files}
    if all(path.is_file() for path in wanted.values()):
        return
    requirement = spec.removeprefix("pypi:")
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "--dest", scratch, requirement],
            check=True,
        )  # fmt: skip
        [wheel] = Path(scratch).glob("*.whl")
        if "sha256:" + hashlib.sha256(wheel.read_bytes()).hexdigest() != digest:
            raise SystemExit(f"{spec}: the wheel does not match the pinned sha256")
        with zipfile.ZipFile(wheel) as archive:
            for name, target in wanted.items():
                target.write_bytes(archive.read(name))


def main(lock: Path, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    for line in lock.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            spec, integrity, *files = line.split()
            if spec.startswith("pypi:"):
                fetch_wheel(spec, integrity, files, into)
            else:
                fetch(spec, integrity, files, into)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
