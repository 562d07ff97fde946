"""goldthread's Jira source (Cloud and Data Center), built on the ``jira`` library.

The only package that imports ``jira``; everything it hands upward is
goldthread's own :class:`~goldthread.core.model.WorkItem`.
"""

from goldthread.connectors.jira.connector import JiraConnector
from goldthread.connectors.jira.options import JiraOptions
from goldthread.connectors.jira.reading import cursor_since

__all__ = ["JiraConnector", "JiraOptions", "cursor_since"]
