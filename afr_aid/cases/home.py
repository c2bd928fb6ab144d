"""The start page: what each role has to do now."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import login_required

from .. import permissions
from ..services.cases import queue
from ..services.cases import records as cases
from ..vocab import OPEN_STATUSES
from ..web.helpers import me
from .views import bp


@bp.route("/")
@login_required
def home():
    user = me()
    if not permissions.can_list_cases(user):
        return redirect(url_for("dashboard.index"))
    if permissions.works_the_queue(user):
        # Coordinators and admins: the queue, overdue and critical first.
        return render_template("cases/queue.html", queue=queue.queue_for(user))
    assigned, _ = cases.list_cases(user, {"assignee": "me", "status": list(OPEN_STATUSES)}, limit=20)
    recent, more = cases.list_cases(user, {}, limit=20)
    return render_template("cases/mine.html", assigned=assigned, recent=recent, more=more)
