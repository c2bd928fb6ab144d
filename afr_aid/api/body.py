"""Reading request bodies and query strings through the API's schemas.

Views call these after their 401/404/403/409 checks, so that a request wrong
in several ways gets the first answer of docs/domain.md's order, and the schema
that validates here is the one the OpenAPI document shows.
"""
from __future__ import annotations

import json

import marshmallow as ma
from flask import request
from flask_babel import lazy_gettext as _l

from ..errors import DomainError, Invalid
from .fields import flatten_messages


class BadBody(DomainError):
    status = 400
    code = "bad_json"
    default_message = _l("Send a JSON object as the body (UTF-8).")


def _no_constants(name: str):
    raise ValueError(name)  # NaN and Infinity are not JSON


def json_object() -> dict:
    """The body as a JSON object, or 400. Oversized bodies are refused with
    413 by Werkzeug (MAX_CONTENT_LENGTH) as they are read."""
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadBody()
    if not isinstance(data, dict):
        raise BadBody()
    return data


def load(schema: ma.Schema, data, extra_errors=None) -> dict:
    """Values checked by `schema`, or 422 naming every wrong field.

    When the shape is wrong, `extra_errors(valid)` adds what the services' checks
    of meaning find in the valid part, so the answer names every wrong field
    at once. (When the shape is right, the service itself runs those checks.)"""
    try:
        values, errors = schema.load(data), {}
    except ma.ValidationError as error:
        values = error.valid_data if isinstance(error.valid_data, dict) else {}
        errors = flatten_messages(error.messages)
    if errors and extra_errors:
        for name, messages in extra_errors(values).items():
            root = name.split(".", 1)[0]
            if name not in errors and root not in errors:
                errors[name] = list(messages)
    if errors:
        raise Invalid(fields=errors)
    return values


def query_args(schema: ma.Schema, extra_errors=None) -> dict:
    """The query string, one value per name (the first), through `schema`."""
    return load(schema, request.args.to_dict(flat=True), extra_errors)
