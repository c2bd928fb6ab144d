"""Helpers that document views in the OpenAPI document from the same schemas
the views validate with (bodies and query strings are loaded inside the views,
after the 401/404/403/409 checks, so they cannot use @blp.arguments)."""
from __future__ import annotations

import http

from flask_smorest import Blueprint


def body(schema) -> dict:
    """A JSON request body: a schema class or a {"oneOf": [...]} of them."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def query(schema) -> list[dict]:
    return [{"in": "query", "schema": schema}]


def errors(blp: Blueprint, *codes: int):
    """Documents the error answers a view may give (all in the Error format)."""
    def decorator(func):
        for code in sorted(codes, reverse=True):
            func = blp.alt_response(code, response=http.HTTPStatus(code).name)(func)
        return func

    return decorator
