"""The case list: the API's filters as a GET form, newest first, keyset pages."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from .. import permissions
from ..errors import Invalid
from ..services import cases
from ..web import me
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
                           problems=problems, first_page=not request.args.get("cursor"))
