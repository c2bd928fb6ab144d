"""Small helpers shared by the page blueprints (never by the API or services)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, request
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import DomainError


def me():
    """The signed-in user as the real object: services attach it to rows,
    which a LocalProxy cannot be."""
    return current_user._get_current_object()


def safe_next(target: str | None, default: str) -> str:
    """A path on this site to go back to, never another origin."""
    if not target:
        return default
    parts = urlsplit(target)
    if (parts.scheme and parts.scheme not in ("http", "https")) or (parts.netloc and parts.netloc != request.host):
        return default
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in target:
        return default
    return path + ("?" + parts.query if parts.query else "")


def flash_domain_error(error: DomainError, labels: dict) -> None:
    """One flash per wrong field, naming the field by its label; the error's
    general message when it names none. Messages never quote user input."""
    if not error.fields:
        flash(str(error.message), "error")
        return
    for name, messages in error.fields.items():
        field = labels.get(name)
        for message in messages:
            if field:
                flash(_("%(field)s: %(message)s", field=str(field), message=str(message)), "error")
            else:
                flash(str(message), "error")
