"""The JSON API, /api/v1 (docs/domain.md, "JSON API").

Bearer tokens only, JSON in and out, errors as {"error": {"code", "message",
"fields"}}. The OpenAPI document at /api/v1/openapi.json is generated from the
schemas in schemas/ that also validate the requests.

Nothing is imported at module level: create_app imports `base.api` and
`init_api` from here before the blueprints.
"""
from __future__ import annotations

API_PREFIX = "/api/"

SPEC_OPTIONS = {
    "info": {"description": "Case tracker of the All For Rwanda movement. Send "
                            "`Authorization: Bearer <token>` (POST /api/v1/tokens) with every call. "
                            "Errors: {\"error\": {\"code\", \"message\", \"fields\"}}; when a request "
                            "is wrong in several ways the answer is the first of 401, 404, 403, 409, 422."},
    "security": [{"bearerAuth": []}],
}


def _blank_query_values(converter, field, ret=None, **kwargs) -> dict:
    """Documents that an optional query value may be blank (`?kind=&q=`: no filter)."""
    return {"allowEmptyValue": True} if (ret or {}).get("in") == "query" and not field.required else {}


def init_api(app, api):
    from flask import request
    from flask_babel import refresh

    from ..extensions import csrf
    from . import cases, meta, tokens, workflow

    # Config's JSON_SORT_KEYS=False means this since Flask 2.3: keys in schema order.
    app.json.sort_keys = False
    api.init_app(app, spec_kwargs=SPEC_OPTIONS)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.ma_plugin.converter.add_parameter_attribute_function(_blank_query_values)
    for blueprint in (tokens.blp, meta.blp, cases.blp, workflow.blp):
        api.register_blueprint(blueprint)
        # Bearer tokens only (api/auth.py): no cookie, so nothing for CSRF to protect.
        csrf.exempt(blueprint)

    @app.before_request
    def _api_locale_per_request():
        # Flask-Babel keeps the locale on `g`, which outlives a request when an
        # application context is shared (tests, CLI); the API decides per request.
        if request.path.startswith(API_PREFIX):
            refresh()

    @app.after_request
    def _api_challenge(response):
        if response.status_code == 401 and request.path.startswith(API_PREFIX):
            response.headers.setdefault("WWW-Authenticate", 'Bearer realm="afr_aid"')
        return response
