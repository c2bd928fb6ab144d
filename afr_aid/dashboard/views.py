"""Aggregate figures for donors, coordinators and admins: no case, no name,
nothing below province level. Counts from 1 to 4 arrive as "<5"."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from .. import permissions
from ..services.protection import stats
from ..web.helpers import me
from .forms import PeriodForm

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.route("/dashboard")
@login_required
def index():
    user = me()
    if not permissions.can_view_dashboard(user):
        abort(403)
    form = PeriodForm(formdata=request.args)
    figures = None
    if form.validate():
        figures = stats.figures(user, form.start.data, form.end.data)
    return render_template("dashboard/index.html", form=form, f=figures)
