"""Your account: who you are to the service, and the time zone pages use."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..errors import Invalid
from ..services.accounts import time_zones, users
from ..web.forms import apply_service_errors
from ..web.helpers import me
from .forms import TimeZoneForm
from .views import bp


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    user = me()
    form = TimeZoneForm(timezone=user.timezone)
    form.timezone.choices = [(zone, time_zones.label(zone)) for zone in time_zones.CHOICES]
    leftover: list[str] = []
    if form.validate_on_submit():
        try:
            users.set_own_timezone(user, form.timezone.data)
        except Invalid as error:
            leftover = apply_service_errors(form, error)
        else:
            flash(_("Saved. Times are now shown in %(zone)s.", zone=time_zones.label(user.timezone)), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", user=user, form=form, leftover=leftover)
