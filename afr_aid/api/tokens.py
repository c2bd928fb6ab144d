"""POST /tokens (sign in) and DELETE /tokens/current (sign out)."""
from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from ..infra.throttle import sign_in_step
from ..services.accounts import api_tokens
from .auth import current_token
from .body import json_object, load
from .docs import body, errors
from .schemas.meta import TokenIn, TokenOut

blp = Blueprint("api_tokens", __name__, url_prefix="/api/v1", description="Bearer tokens.")


@blp.route("/tokens", methods=["POST"])
@blp.doc(security=[], requestBody=body(TokenIn))
@blp.response(201, TokenOut)
@errors(blp, 400, 401, 413, 422, 429)
@sign_in_step
def create_token():
    """Sign in

    Wrong credentials, an unknown email and a locked account all answer 401
    with error code `unauthorized`. Admins and coordinators (and anyone who
    turned it on) also send `otp`: without it, or with a wrong or already used
    code, the answer is 401 with error code `otp_required`; a user who must use
    two-step sign-in but has not set it up yet (on the website) gets 401 with
    `otp_setup_required`. Each 30-second code works once. Too many failed
    sign-ins for one account or from one address answer 429 with Retry-After.
    """
    values = load(TokenIn(), json_object())
    token, expires_at = api_tokens.sign_in(values["email"], values["password"], values.get("otp"))
    return {"token": token, "expires_at": expires_at}


@blp.route("/tokens/current", methods=["DELETE"])
@blp.response(204)
@errors(blp, 401)
def delete_token():
    """Sign out: this token stops working at once"""
    api_tokens.sign_out(current_token())
    return current_app.response_class(status=204)
