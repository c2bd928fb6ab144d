"""Turning errors into answers: JSON under /api/, a page elsewhere.

Client errors are logged as one line without a traceback; a server error is
logged with a reference id that the error page shows, and nothing else.

The handlers are module functions so that flask-smorest's `Api` (which
registers its own HTTPException handler) can hand every error back here: see
`afr_aid.api.base.AfrApi`.
"""
from __future__ import annotations

import logging
import traceback
import uuid

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import DomainError, json_error

log = logging.getLogger("afr_aid.errors")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
         422: "invalid", 429: "too_many_requests"}
# Headers of an HTTP error that the answer keeps.
KEPT_HEADERS = ("retry-after", "allow", "www-authenticate")


def wants_json() -> bool:
    return request.path.startswith("/api/")


def message_for(status: int) -> str:
    # Literal strings so Babel extracts each one.
    translated = {
        400: _("The request was not understood."),
        401: _("Sign in first."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This cannot be done in the case's current status."),
        413: _("The request is too large (at most 256 KiB)."),
        415: _("Send the body as JSON."),
        422: _("Some fields are not valid."),
        429: _("Too many requests. Wait a moment and try again."),
    }
    return translated.get(status, _("Something went wrong."))


def domain_error(error: DomainError):
    log.info("client error %s %s %s %s", error.status, error.code, request.method, request.path)
    if wants_json():
        return json_error(error.status, error.code, error.message, error.fields)
    return render_template("error.html", status=error.status, message=str(error.message)), error.status


def csrf_error(error):
    log.info("client error 400 csrf %s %s", request.method, request.path)
    if wants_json():
        return json_error(400, "csrf", _("The form expired. Go back, reload and send it again."))
    return render_template("error.html", status=400,
                           message=_("The form expired. Go back, reload and send it again.")), 400


def _webargs_fields(error: HTTPException) -> dict | None:
    """Field messages that webargs/flask-smorest put in `error.data` when they abort."""
    data = getattr(error, "data", None)
    messages = data.get("messages") or data.get("errors") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        return None
    from ..api.fields import flatten_messages

    # webargs keys messages by location first ({"json": {...}, "query": {...}}).
    merged: dict = {}
    for value in messages.values():
        for name, texts in flatten_messages(value).items():
            merged.setdefault(name, []).extend(texts)
    return merged


def http_error(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        return server_error(error)
    log.info("client error %s %s %s", status, request.method, request.path)
    if wants_json():
        fields = getattr(error, "afr_fields", None) or _webargs_fields(error)
        response = json_error(status, getattr(error, "afr_code", CODES.get(status, "error")),
                              getattr(error, "afr_message", None) or message_for(status), fields)
    else:
        response = current_app.make_response((render_template("error.html", status=status,
                                                              message=message_for(status)), status))
    for key, value in (error.get_headers() if hasattr(error, "get_headers") else []):
        if key.lower() in KEPT_HEADERS:
            response.headers[key] = value
    if status == 429 and "Retry-After" not in response.headers:
        from ..infra.throttle import retry_after_seconds

        response.headers["Retry-After"] = str(retry_after_seconds())
    return response


def server_error(error):
    if isinstance(error, HTTPException) and (error.code or 500) < 500:
        return http_error(error)
    reference = uuid.uuid4().hex[:12]
    # The exception's type and place only: its message could quote user input.
    log.error("server error ref=%s %s %s %s\n%s", reference, request.method, request.path,
              type(error).__name__, "".join(traceback.format_tb(error.__traceback__)))
    try:
        from ..extensions import db

        db.session.rollback()
    except Exception:  # pragma: no cover - the database itself may be what failed
        pass
    message = _("Something went wrong. Give this reference to an administrator: %(ref)s", ref=reference)
    if wants_json():
        return json_error(500, "server_error", message)
    return render_template("error.html", status=500, message=message), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, server_error)
