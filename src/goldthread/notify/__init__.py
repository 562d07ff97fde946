"""Sending digests: small senders for a Slack incoming webhook, a Microsoft
Teams workflow webhook (both JSON over HTTPS) and email over SMTP.

Each sender takes what to send, already rendered, and raises
:class:`~goldthread.errors.NotifyError` when the target does not take it,
saying whether trying again later may help. Retries and their back-off are
the caller's (:mod:`goldthread.digests.delivering`), so they never multiply.
"""

from goldthread.notify.mail import send_mail
from goldthread.notify.webhooks import post_json

__all__ = ["post_json", "send_mail"]
