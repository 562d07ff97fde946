"""Adapters to the trackers. The only package that imports ``github`` or ``jira``."""
