"""GET/POST /cases and GET /cases/<ref>."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from .. import clock
from ..errors import Invalid
from ..services.cases import places
from ..services.cases import records as cases
from ..services.protection import exports
from ..web.downloads import send_export
from . import serialize
from .answers import answer
from .auth import current_user
from .body import json_object, load, query_args
from .docs import body, errors, query
from .fields import UUID
from .schemas.cases import CASE_IN, CASE_IN_DOC, CaseExportArgs, CaseListArgs, CaseOut, CasePage

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1", description="Assistance requests and security incidents.")


@blp.route("/cases", methods=["GET"])
@blp.doc(parameters=query(CaseListArgs))
@blp.response(200, CasePage)
@errors(blp, 401, 403, 422)
def list_cases():
    """Cases the caller may see, newest first

    Keyset pagination: pass `next_cursor` as `cursor` for the next page.
    Volunteers see the cases they filed or hold; donors get 403.
    """
    user = current_user()
    cases.check_listing(user)
    args = query_args(CaseListArgs(), extra_errors=_list_arg_errors)
    limit, cursor = args.pop("limit", None) or 50, args.pop("cursor", None)
    items, next_cursor = cases.list_cases(user, args, limit=limit, cursor=cursor)
    now = clock.now()
    return answer({"items": [serialize.case(user, case, now, detail=False) for case in items],
                   "next_cursor": next_cursor})


EXPORT_DOC = {"200": {"description": "The file, as an attachment.", "content": {
    mimetype.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
    for mimetype in exports.FORMATS.values()}}}


@blp.route("/cases/export", methods=["GET"])
@blp.doc(parameters=query(CaseExportArgs), responses=EXPORT_DOC)
@errors(blp, 401, 403, 422)
def export_cases():
    """The cases of the list, as a spreadsheet

    Same filters as `GET /cases`, every page at once, newest first; `format`
    is `csv` or `xlsx`. Columns carry what the caller may see on each case.
    Audited. Donors get 403.
    """
    user = current_user()
    exports.check_export(user)
    args = query_args(CaseExportArgs(), extra_errors=_list_arg_errors)
    fmt = args.pop("format", None) or "csv"
    return send_export(exports.export_cases(user, args, fmt))


def _list_arg_errors(values: dict) -> dict:
    """The service's checks on filters, so that every wrong filter is named at once."""
    errors = {}
    if values.get("location") and places.get_place(values["location"]) is None:
        errors["location"] = [_l("Choose a known place.")]
    if values.get("cursor"):
        try:
            cases.decode_cursor(values["cursor"])
        except Invalid as error:
            errors.update(error.fields)
    return errors


@blp.route("/cases", methods=["POST"])
@blp.doc(requestBody=body(CASE_IN_DOC))
@blp.response(201, CaseOut, description="Filed.")
@blp.alt_response(200, schema=CaseOut, success=True,
                  description="Already filed by the caller with this `client_uuid`: nothing new stored.")
@errors(blp, 400, 401, 403, 409, 413, 422)
def file_case():
    """File a case

    `kind` is `assistance` or `incident`; `client_uuid` is made once by the
    phone, so a retry answers 200 with the first case. The same `client_uuid`
    from another user answers 409.
    """
    user = current_user()
    cases.check_filing(user)
    data = json_object()
    client_uuid = _uuid_or_none(data.get("client_uuid"))
    if client_uuid is not None:
        existing = cases.replayed(user, client_uuid)
        if existing is not None:
            return answer(serialize.case(user, existing), 200)
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in CASE_IN:
        fields = {"kind": [_l("Choose one of: %(codes)s.", codes=", ".join(CASE_IN))]}
        if client_uuid is None:
            fields["client_uuid"] = [_l("Enter a UUID such as 0b5c8f52-3c1e-4f0e-9f39-7a9f1c2d4e6b.")]
        raise Invalid(fields=fields)
    values = load(CASE_IN[kind](), data, extra_errors=lambda valid: _meaning_errors(kind, valid))
    values.pop("kind")
    # The client_uuid was asked above; the unique constraint guards the rest.
    case, created = cases.file_case(user, kind, values.pop("client_uuid"), values, replay_checked=True)
    return answer(serialize.case(user, case), 201 if created else 200)


def _uuid_or_none(value):
    try:
        return UUID().deserialize(value)
    except ma.ValidationError:
        return None


def _meaning_errors(kind: str, valid: dict) -> dict:
    """The service's checks on the valid part of a wrong body, so that every
    wrong field is named at once. The consent rule only when consent was valid."""
    errors = cases.check_fields(kind, valid)
    if "consent" not in valid:
        errors = {name: texts for name, texts in errors.items()
                  if not name.startswith(("person.", "reporter."))}
    if "location" not in valid:
        errors.pop("location", None)
    return errors


@blp.route("/cases/<ref>", methods=["GET"])
@blp.response(200, CaseOut)
@errors(blp, 401, 404)
def get_case(ref):
    """One case

    404 for a case out of the caller's reach, exactly as for one that does not exist.
    """
    user = current_user()
    case = cases.get_case(user, ref)
    shown = serialize.case(user, case)
    # Audited before anything is sent (a failure here answers 500, not the case),
    # after reading: the audit commit expires the loaded rows.
    cases.record_view(user, case)
    return answer(shown)
