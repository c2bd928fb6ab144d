"""Filing an assistance request or a security incident from a plain form.

A hidden client_uuid, made when the form is first shown, travels with every
submission: a second tap or a resend on a bad connection finds the case
already filed instead of filing it twice.

The same form answers the phone's offline queue (static/js/offline.js) in
JSON when asked (`Accept: application/json`): 201 or 200 with the case's
reference, 422 with every field's messages (the queue keeps what was typed
as a draft to fix), 409 when the client_uuid is someone else's.
"""
from __future__ import annotations

import uuid

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import permissions
from ..errors import Conflict, Invalid
from ..services.cases import records as cases
from ..web.forms import apply_service_errors
from ..web.helpers import me
from .forms import FORMS
from .views import bp


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _json_errors(form, leftover: list[str]):
    fields = {name: [str(m) for m in messages] for name, messages in form.errors.items() if messages}
    return jsonify({"errors": fields, "leftover": [str(m) for m in leftover]}), 422


def _valid_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None


@bp.route("/cases/new/<any(assistance, incident):kind>", methods=["GET", "POST"])
@login_required
def new_case(kind):
    user = me()
    if not permissions.can_file(user):
        abort(403)
    form_class, to_data = FORMS[kind]
    form = form_class()
    if request.method == "GET":
        form.client_uuid.data = str(uuid.uuid4())
        if len(user.regions) == 1:
            form.location.data = user.regions[0].code
    elif _valid_uuid(form.client_uuid.data) is None:
        # Only a damaged page lacks one; a fresh id keeps the form usable.
        form.client_uuid.data = str(uuid.uuid4())
    leftover: list[str] = []
    if form.validate_on_submit():
        try:
            case, created = cases.file_case(user, kind, _valid_uuid(form.client_uuid.data), to_data(form))
        except Invalid as error:
            leftover = apply_service_errors(form, error)
        except Conflict as error:
            if _wants_json():
                return jsonify({"error": str(error.message)}), 409
            leftover = [str(error.message)]
            form.client_uuid.data = str(uuid.uuid4())
        else:
            if _wants_json():
                return jsonify({"ref": case.ref, "url": url_for("cases.detail", ref=case.ref),
                                "created": created}), 201 if created else 200
            if created:
                flash(_("Filed as %(ref)s.", ref=case.ref), "success")
            else:
                flash(_("This was already filed as %(ref)s.", ref=case.ref), "info")
            return redirect(url_for("cases.detail", ref=case.ref))
    if request.method == "POST" and _wants_json():
        return _json_errors(form, leftover)
    return render_template("cases/new.html", form=form, kind=kind, leftover=leftover)
