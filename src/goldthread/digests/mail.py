"""A digest as an email: plain text and HTML alternatives of one message.

The HTML part is one small page with inline styles only, every string from a
tracker escaped and links made of ``http(s)`` URLs alone, so it reads the
same in a mail client and in a browser.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape

from goldthread.core.digest import Digest
from goldthread.digests.text import Line, coverage_line, heading, render_text, sections, subject

_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _link(line: Line) -> str:
    ref = f'<code style="font-size:13px">{escape(line.ref)}</code>'
    if line.url.startswith(("https://", "http://")):
        return f'<a href="{escape(line.url, quote=True)}" style="color:#175cd3">{ref}</a>'
    return ref


def _item(line: Line) -> str:
    title = f" {escape(line.title)}" if line.title else ""
    note = f' <span style="color:#667085">({escape(line.note)})</span>'
    return f'<li style="margin:4px 0">{_link(line)}{title}{note}</li>'


def render_html(digest: Digest) -> str:
    """The HTML part: the whole page."""
    parts = [
        f'<h1 style="font-size:20px;margin:0 0 8px">{escape(heading(digest))}</h1>',
        f'<p id="coverage" style="font-size:16px;margin:0 0 16px"><strong>'
        f"{escape(coverage_line(digest))}</strong></p>",
    ]
    for section in sections(digest):
        anchor = section.title.lower().replace(" ", "-")
        total = len(section.lines) + section.more
        items = "".join(_item(line) for line in section.lines)
        more = f'<li style="color:#667085">… and {section.more} more</li>' if section.more else ""
        parts.append(
            f'<section id="{anchor}"><h2 style="font-size:16px;margin:16px 0 4px">'
            f"{escape(section.title)} ({total})</h2>"
            f'<ul style="padding-left:20px;margin:0">{items}{more}</ul></section>'
        )
    if not sections(digest):
        parts.append("<p>Nothing untraced and nothing changed.</p>")
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<title>{escape(subject(digest))}</title>\n</head>\n"
        '<body style="font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;'
        'color:#101828;max-width:760px;margin:24px auto;padding:0 16px">\n'
        f"{body}\n</body>\n</html>\n"
    )


def email_message(digest: Digest, sender: str, recipients: list[str]) -> EmailMessage:
    """The multipart message: a plain-text part and its HTML alternative."""
    message = EmailMessage()
    message["Subject"] = subject(digest)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(digest.generated_at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_text(digest))
    message.add_alternative(render_html(digest), subtype="html")
    return message
