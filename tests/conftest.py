"""Puts ``tests/support`` on the import path, so every test folder can import
the builders and workspaces they share as top-level modules."""

from __future__ import annotations

import sys
from pathlib import Path

_SUPPORT = str(Path(__file__).parent / "support")
if _SUPPORT not in sys.path:
    sys.path.insert(0, _SUPPORT)
