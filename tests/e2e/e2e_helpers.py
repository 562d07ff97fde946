"""Driving the real ``goldthread`` CLI, as a process, against an in-process sandbox."""

from __future__ import annotations

from support_sandbox import Workspace as SandboxWorkspace
from support_sandbox import expected_flags, flag_state

from goldthread.sandbox.http import is_mutating

__all__ = ["Workspace", "expected_flags", "flag_state"]


class Workspace(SandboxWorkspace):
    """A sandbox workspace that also lists the writes the trackers received."""

    def mutating_requests(self) -> list[str]:
        return [
            f"{tracker} {r.method} {r.path}"
            for tracker, log in self.sandbox.request_log().items()
            for r in log
            if is_mutating(r)
        ]
