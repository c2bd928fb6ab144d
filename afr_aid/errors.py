"""Domain errors raised by services, and how they map to HTTP.

Services raise these; the web pages turn them into a flash message or an error
page, the API into {"error": {"code", "message", "fields"}}.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("The request could not be processed.")

    def __init__(self, message=None, fields: dict[str, list] | None = None, code: str | None = None):
        super().__init__(str(message or self.default_message))
        self.message = message or self.default_message
        self.fields = fields or {}
        if code:
            self.code = code


class NotFound(DomainError):
    """Also what a user gets for a record out of their reach."""

    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("You may not do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("This cannot be done in the case's current status.")


class Invalid(DomainError):
    status = 422
    code = "invalid"
    default_message = _l("Some fields are not valid.")


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    default_message = _l("Sign in first.")


def json_error(status: int, code: str, message, fields: dict | None = None):
    from flask import jsonify

    body = {"error": {"code": code, "message": str(message),
                      "fields": {k: [str(m) for m in v] for k, v in (fields or {}).items()}}}
    response = jsonify(body)
    response.status_code = status
    return response
