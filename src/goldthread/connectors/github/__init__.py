"""goldthread's adapter for GitHub.com and GitHub Enterprise Server.

The only package that imports PyGithub; everything above it sees
goldthread's own :class:`~goldthread.core.model.WorkItem`.
"""

from goldthread.connectors.github.connector import GitHubConnector
from goldthread.connectors.github.options import GitHubOptions

__all__ = ["GitHubConnector", "GitHubOptions"]
