"""Sending one email: over SMTP when MAIL_SERVER is set, else as an .eml file
under instance/mail/ (listed for admins), so a fresh machine needs no server."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from flask_mailman import EmailMultiAlternatives


def build(to: str, subject: str, text: str, html: str, message_id: str | None = None,
          headers: dict | None = None) -> EmailMultiAlternatives:
    extra = dict(headers or {})
    if message_id:
        extra["Message-ID"] = message_id
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=extra,
                                     from_email=current_app.config["MAIL_DEFAULT_SENDER"])
    message.attach_alternative(html, "text/html")
    return message


def send(message: EmailMultiAlternatives) -> None:
    if current_app.config.get("MAIL_SERVER"):
        message.send(fail_silently=False)
        return
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    ident = re.sub(r"[^A-Za-z0-9]+", "-", message.extra_headers.get("Message-ID", "message"))[:60]
    (folder / f"{stamp}-{ident}.eml").write_bytes(message.message().as_bytes())


def outbox_files(limit: int = 200) -> list[Path]:
    folder = Path(current_app.config["MAIL_DIR"])
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.eml"), reverse=True)[:limit]
