"""The pure heart of goldthread: layers, references, verdicts. No I/O here."""
