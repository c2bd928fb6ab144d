"""flask-smorest's Api, answering errors in afr_aid's one format.

flask-smorest registers its own handler for every HTTPException (its payload
is {"code", "status", "message", "errors"}); this subclass hands them back to
errors_web, which answers {"error": {"code", "message", "fields"}} under /api/
and an HTML page elsewhere. The OpenAPI document describes that format.
"""
from __future__ import annotations

from flask_smorest import Api

from .schemas.common import Error


class AfrApi(Api):
    ERROR_SCHEMA = Error

    def handle_http_exception(self, error):
        from ..errors_web import http_error

        return http_error(error)
