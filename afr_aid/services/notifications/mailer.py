"""Sending one email: over SMTP when MAIL_SERVER is set, else as an .eml file
under instance/mail/ (listed for admins), so a fresh machine needs no server."""
from __future__ import annotations

import logging
import re
import secrets
import smtplib
from contextlib import contextmanager
from email import policy
from email.header import Header
from email.mime.image import MIMEImage
from email.parser import BytesParser
from pathlib import Path
from typing import Callable

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from flask_mailman.message import SafeMIMEMultipart

from ... import clock
from ...extensions import mail

log = logging.getLogger("afr_aid.mailer")


class RichEmail(EmailMultiAlternatives):
    """Plain text and HTML, the HTML with its inline images, nested the way
    mail readers expect: alternative[text/plain, related[text/html, image/png]].
    A reader that blocks images still has the HTML table and the text."""

    def __init__(self, *args, inline_images=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images = list(inline_images)  # (content id, PNG bytes)

    def message(self):
        # Name each multipart's boundary here: left to the email package, it
        # compiles a fresh regular expression per part to check its random
        # boundary against the content, a large share of the cost of a message.
        msg = super().message()
        for part in msg.walk():
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(f"=_afr_{secrets.token_hex(12)}")
        if not self.subject.isascii():
            # Folded with its header's name in view: otherwise a long subject in
            # French or Kinyarwanda starts on a line of its own, which mail
            # readers may show as a leading space.
            msg.replace_header("Subject", Header(self.subject, "utf-8", header_name="Subject"))
        return msg

    def _create_mime_attachment(self, content, mimetype):
        part = super()._create_mime_attachment(content, mimetype)
        if mimetype != "text/html" or not self.inline_images:
            return part
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or "utf-8")
        related.attach(part)
        for cid, data in self.inline_images:
            image = MIMEImage(data, _subtype="png")
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header("Content-Disposition", "inline", filename=f"{cid.split('@')[0]}.png")
            related.attach(image)
        return related


def build(to: str, subject: str, text: str, html: str, message_id: str | None = None,
          headers: dict | None = None, inline_images=()) -> RichEmail:
    extra = dict(headers or {})
    if message_id:
        extra["Message-ID"] = message_id
    message = RichEmail(subject=subject, body=text, to=[to], headers=extra,
                        from_email=current_app.config["MAIL_DEFAULT_SENDER"], inline_images=inline_images)
    message.attach_alternative(html, "text/html")
    return message


@contextmanager
def connection():
    """One SMTP connection for several messages (None when mail goes to files)."""
    if not current_app.config.get("MAIL_SERVER"):
        yield None
        return
    smtp = mail.get_connection(fail_silently=False)
    smtp.open()
    try:
        yield smtp
    finally:
        try:
            smtp.close()
        except (smtplib.SMTPException, OSError) as error:
            # Every message was already accepted, or its error reported.
            log.info("SMTP QUIT failed: %s", type(error).__name__)


def send(message: RichEmail, on_accepted: Callable[[], None] | None = None, smtp=None) -> None:
    """Sends, then calls `on_accepted` as soon as the server has taken the
    message and before anything else (even QUIT), so that a crash can fall
    between the two only in the shortest possible window. `smtp`: an open
    connection from connection(); else one is opened for this message."""
    if smtp is None and current_app.config.get("MAIL_SERVER"):
        with connection() as smtp:
            return send(message, on_accepted, smtp)
    if smtp is None:
        _write_file(message)
    elif smtp.send_messages([message]) != 1:
        raise smtplib.SMTPException("message not sent")
    if on_accepted:
        on_accepted()


def _write_file(message: RichEmail) -> None:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    ident = re.sub(r"[^A-Za-z0-9]+", "-", message.extra_headers.get("Message-ID", "message"))[:60]
    (folder / f"{stamp}-{ident}.eml").write_bytes(message.message().as_bytes())


def outbox_files(limit: int = 200) -> list[Path]:
    folder = Path(current_app.config["MAIL_DIR"])
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.eml"), reverse=True)[:limit]


def read_outbox_file(name: str):
    """One .eml of the outbox as a parsed message, or None. Only a plain file
    name inside MAIL_DIR is accepted: never a path from the request."""
    if not re.fullmatch(r"[A-Za-z0-9-]+\.eml", name or ""):
        return None
    path = Path(current_app.config["MAIL_DIR"]) / name
    if not path.is_file():
        return None
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())
