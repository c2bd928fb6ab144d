"""The case list: the API's filters as a GET form, newest first, keyset pages."""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from .. import permissions
from ..errors import Invalid
from ..services.cases import records as cases
from ..web.helpers import me
from .action_forms import FilterForm
from .views import bp

PAGE_SIZE = 25


def _query_args() -> MultiDict:
    """The API spells an email filter `assignee=x@y`; the form has a field for it."""
    args = MultiDict(request.args)
    assignee = args.get("assignee", "")
    if "@" in assignee:
        args["assignee_email"] = assignee
        args["assignee"] = ""
    if "," in args.get("status", ""):
        args.setlist("status", args["status"].split(","))
    return args


@bp.route("/cases")
@login_required
def list_cases():
    user = me()
    if not permissions.can_list_cases(user):
        abort(403)
    form = FilterForm(formdata=_query_args())
    items, next_cursor, problems = [], None, []
    if form.validate():
        try:
            items, next_cursor = cases.list_cases(user, form.filters(), limit=PAGE_SIZE,
                                                  cursor=request.args.get("cursor") or None)
        except Invalid as error:
            problems = [str(m) for messages in error.fields.values() for m in messages]
    return render_template("cases/list.html", form=form, items=items, next_cursor=next_cursor,
                           problems=problems, first_page=not request.args.get("cursor"),
                           export_urls=_export_urls(user))


def _export_urls(user) -> dict:
    """The same filters as a download, every page of them."""
    if not permissions.can_export_cases(user):
        return {}
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in ("cursor", "format")}
    return {fmt: url_for("cases.export_cases", **args, format=fmt) for fmt in ("csv", "xlsx")}
