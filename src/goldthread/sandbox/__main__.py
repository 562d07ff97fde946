"""``python -m goldthread.sandbox``: serve a seeded organisation until stopped.

Starts the GitHub and Jira stand-ins and the control API, optionally writes a
goldthread config pointing at them (``--write-config``) and a JSON file with
the URLs and credentials once everything serves (``--ready-file``, for a
parent process to wait on; removed again when it stops), then serves until
SIGINT or SIGTERM and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from goldthread.sandbox.control import Sandbox
from goldthread.sandbox.org import generate


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m goldthread.sandbox",
        description="Local GitHub and Jira stand-ins serving a seeded organisation.",
    )
    parser.add_argument("--size", type=int, default=200, help="about how many items (200)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the organisation")
    parser.add_argument("--jira-mode", choices=("cloud", "dc"), default="cloud")
    parser.add_argument(
        "--evidence",
        action="store_true",
        help="seed traces of where the orphans belong, for suggestions and fix",
    )
    parser.add_argument("--time-zone", default="Europe/Berlin", help="the Jira account's zone")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--github-port", type=int, default=0, help="0: a free port")
    parser.add_argument("--jira-port", type=int, default=0, help="0: a free port")
    parser.add_argument("--control-port", type=int, default=0, help="0: a free port")
    parser.add_argument(
        "--enterprise", action="store_true", help="serve GitHub under /api/v3 (Enterprise Server)"
    )
    parser.add_argument(
        "--enterprise-version",
        default="3.19",
        help="the Enterprise Server version to serve (what its description has)",
    )
    parser.add_argument(
        "--write-config", type=Path, metavar="PATH", help="write a goldthread config here"
    )
    parser.add_argument(
        "--ready-file", type=Path, metavar="PATH", help="write URLs and tokens here once serving"
    )
    args = parser.parse_args(argv)
    if args.size < 1:
        parser.error("--size must be positive")
    return args


def _write_atomically(path: Path, text: str) -> None:
    """Readers polling for ``path`` never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _announce(sandbox: Sandbox, config: Path | None) -> None:
    """The URLs and the variables to export, for a person at a terminal."""
    lines = [
        "goldthread sandbox serving",
        f"  GitHub API:  {sandbox.github_url}",
        f"  Jira:        {sandbox.jira_url} ({sandbox.jira.mode})",
        f"  control API: {sandbox.control_url}/control",
        "",
        "Export these in the shell that runs goldthread:",
        *(f"  export {name}={value}" for name, value in sandbox.env().items()),
    ]
    if config is not None:
        lines += [
            "",
            f"Config written to {config}; try:",
            f"  goldthread --config {config} backfill",
        ]
    lines += ["", "Stop with Ctrl-C."]
    print("\n".join(lines), flush=True)  # noqa: T201 - the entry point's own output


def serve(args: argparse.Namespace, stop: threading.Event) -> int:
    """Run the sandbox until ``stop`` is set."""
    if args.ready_file is not None:  # one left by a run that was killed says nothing now
        args.ready_file.unlink(missing_ok=True)
    org = generate(args.size, args.seed, jira_mode=args.jira_mode, evidence=args.evidence)
    sandbox = Sandbox(
        jira_mode=args.jira_mode,
        time_zone=args.time_zone,
        github_enterprise=args.enterprise,
        github_version=args.enterprise_version,
    )
    sandbox.load(org)
    sandbox.start(args.github_port, args.jira_port, args.host, args.control_port)
    try:
        config = args.write_config.resolve() if args.write_config else None
        if config is not None:
            store = "sqlite:///" + str(config.parent / "goldthread-sandbox.db")
            _write_atomically(config, sandbox.config_toml(store))
        if args.ready_file is not None:
            _write_atomically(args.ready_file, json.dumps(sandbox.ready_info(), indent=2) + "\n")
        _announce(sandbox, config)
        stop.wait()
    finally:
        if args.ready_file is not None:
            args.ready_file.unlink(missing_ok=True)
        sandbox.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        return serve(args, stop)
    except OSError as exc:
        print(f"sandbox: cannot serve: {exc}", file=sys.stderr)  # noqa: T201
        return 1


if __name__ == "__main__":
    sys.exit(main())
