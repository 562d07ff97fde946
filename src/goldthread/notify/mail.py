"""Email over SMTP with the standard library's ``smtplib``.

STARTTLS is required unless the target turns it off (and then no password
is ever sent: the config refuses a username without it). The server's
certificate is checked against the system's authorities, or the target's
``ca_file``. A 4xx answer or a lost connection is worth another try; a 5xx
answer, refused credentials or a certificate that does not verify are not.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from goldthread.config.notifying import EmailTarget
from goldthread.errors import NotifyError


def send_mail(target: EmailTarget, password: str | None, message: EmailMessage) -> None:
    """Send ``message`` through ``target``'s server; raises :class:`NotifyError`."""
    context = ssl.create_default_context(cafile=str(target.ca_file) if target.ca_file else None)
    timeout = target.timeout.total_seconds()
    try:
        with smtplib.SMTP(target.smtp_host, target.smtp_port, timeout=timeout) as smtp:
            smtp.ehlo()
            if target.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if target.username:
                smtp.login(target.username, password or "")
            smtp.send_message(message)
    except smtplib.SMTPNotSupportedError:
        raise NotifyError(f"{target.smtp_host} does not offer STARTTLS", retriable=False) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise NotifyError(
            f"the SMTP server refused the login ({exc.smtp_code})", retriable=False
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        raise NotifyError(
            f"the SMTP server refused the recipients ({', '.join(map(str, codes))})",
            retriable=all(400 <= code < 500 for code in codes),
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise NotifyError(
            f"the SMTP server answered {exc.smtp_code}", retriable=400 <= exc.smtp_code < 500
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise NotifyError(
            f"the SMTP server's certificate does not verify: {exc.verify_message}",
            retriable=False,
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise NotifyError(f"the SMTP server did not answer: {exc}", retriable=True) from None
