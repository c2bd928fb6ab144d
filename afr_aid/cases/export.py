"""The case list as a spreadsheet: the list's filters, CSV or XLSX."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import login_required

from .. import permissions
from ..errors import Invalid
from ..services.protection import exports
from ..web.downloads import send_export
from ..web.helpers import me
from .action_forms import FilterForm
from .listing import _query_args
from .views import bp


@bp.route("/cases/export")
@login_required
def export_cases():
    user = me()
    if not permissions.can_export_cases(user):
        abort(403)
    fmt = request.args.get("format", "csv")
    if fmt not in exports.FORMATS:
        abort(404)
    form = FilterForm(formdata=_query_args())
    if form.validate():
        try:
            return send_export(exports.export_cases(user, form.filters(), fmt))
        except Invalid:
            pass
    # Wrong filters: the list names them.
    args = request.args.to_dict(flat=False)
    args.pop("format", None)
    return redirect(url_for("cases.list_cases", **args))
