"""Exit statuses (docs/behaviour.md#commands), the same for every command."""

EXIT_OK = 0
"""Done."""
EXIT_ERRORS = 1
"""Done with errors: a source failed (the others were still processed)."""
EXIT_USAGE = 2
"""Usage or config error; nothing was touched."""
EXIT_UNTRACED = 3
"""With ``--fail-on-untraced``: some item is orphan or broken (a CI gate)."""
