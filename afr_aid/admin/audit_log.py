"""The audit log browser: newest first, filtered, paged by id."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import login_required

from .. import permissions
from ..services.protection import audit as audit_service
from ..web.helpers import me
from .forms import AuditFilterForm
from .views import bp

PAGE_SIZE = 50


@bp.route("/admin/audit")
@login_required
def audit():
    actor = me()
    if not permissions.can_read_audit(actor):
        abort(403)
    form = AuditFilterForm(formdata=request.args)
    entries, next_before = [], None
    before = request.args.get("before", type=int)
    if form.validate():
        filters = {"actor": form.actor.data, "action": form.action.data, "target": form.target.data,
                   "start": form.start.data, "end": form.end.data}
        entries, next_before = audit_service.list_entries(actor, filters, before_id=before, limit=PAGE_SIZE)
    return render_template("admin/audit.html", form=form, entries=entries, next_before=next_before,
                           first_page=not before)
