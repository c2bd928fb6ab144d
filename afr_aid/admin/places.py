"""The place tree, loading places from CSV, and the auto-routing switches
(admins for every region, coordinators for their own at /regions)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import permissions
from ..errors import Forbidden, Invalid
from ..services.cases import places as places_service
from ..services.cases import routing
from ..web.helpers import me, safe_next
from .forms import AutoRoutingForm, PlacesUploadForm
from .views import bp

CSV_MAX_BYTES = 200 * 1024  # under the request limit of 256 KiB


def _places_admin():
    user = me()
    if not permissions.can_manage_places(user):
        abort(403)
    return user


@bp.route("/admin/places")
@login_required
def places():
    actor = _places_admin()
    under = places_service.get_place(request.args.get("under", "")[:40])
    _, counts = places_service.tree_with_locality_counts()
    return render_template("admin/places.html", rows=routing.switchable_regions(actor), counts=counts,
                           under=under, below=places_service.below(under) if under else [],
                           upload_form=PlacesUploadForm(formdata=None), toggle=AutoRoutingForm(formdata=None))


@bp.route("/admin/places/import", methods=["POST"])
@login_required
def import_places():
    actor = _places_admin()
    form = PlacesUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(CSV_MAX_BYTES + 1)
        if len(data) > CSV_MAX_BYTES:
            flash(_("The file is too large (at most 200 KiB); split it."), "error")
        else:
            try:
                added, updated = places_service.import_places_csv(actor, data)
            except Invalid as error:
                for messages in error.fields.values():
                    for message in messages[:20]:
                        flash(str(message), "error")
            else:
                flash(_("Places added: %(added)d; renamed: %(updated)d.", added=added, updated=updated), "success")
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
    return redirect(url_for("admin.places"))


@bp.route("/regions")
@login_required
def regions():
    user = me()
    if not permissions.can_manage_auto_routing(user):
        abort(403)
    return render_template("admin/regions.html", rows=routing.switchable_regions(user),
                           toggle=AutoRoutingForm(formdata=None))


@bp.route("/regions/<code>/auto-routing", methods=["POST"])
@login_required
def set_auto_routing(code):
    user = me()
    place = places_service.get_place(code[:40])
    if place is None:
        abort(404)
    if not permissions.can_set_auto_routing(user, place):
        # Refused before the form is read: an empty or wrong form must not hide a 403.
        abort(403)
    form = AutoRoutingForm()
    back = safe_next(form.next.data, url_for("admin.regions"))
    if form.validate_on_submit():
        enabled = form.enabled.data == "1"
        try:
            routing.set_auto_routing(user, place, enabled)
        except Forbidden as error:
            flash(str(error.message), "error")
        else:
            flash(_("Auto-routing is on for %(place)s.", place=place.name) if enabled
                  else _("Auto-routing is off for %(place)s.", place=place.name), "success")
    return redirect(back)
