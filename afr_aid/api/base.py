"""flask-smorest's Api, answering errors in afr_aid's one format.

flask-smorest registers its own handler for every HTTPException (its payload
is {"code", "status", "message", "errors"}); this subclass hands them back to
web/errors.py, which answers {"error": {"code", "message", "fields"}} under /api/
and an HTML page elsewhere. The OpenAPI document describes that format.
"""
from __future__ import annotations

from flask_smorest import Api

from .schemas.common import Error


class AfrApi(Api):
    ERROR_SCHEMA = Error

    def handle_http_exception(self, error):
        from ..web.errors import http_error

        return http_error(error)


api = AfrApi()  # created once, unbound; create_app binds it (init_api)
