"""Administration: users here; places, auto-routing and the audit log in the
modules imported at the bottom."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import permissions
from ..errors import Invalid
from ..services.accounts import two_factor
from ..services.accounts import users as users_service
from ..web.forms import apply_service_errors
from ..web.helpers import me
from .forms import ButtonForm, EditUserForm, NewUserForm

bp = Blueprint("admin", __name__, template_folder="templates")


def _admin():
    user = me()
    if not permissions.can_manage_users(user):
        abort(403)
    return user


@bp.route("/admin/users")
@login_required
def users():
    actor = _admin()
    q = request.args.get("q", "")[:100]
    after = request.args.get("after", type=int)
    if after is not None and not 0 < after < 2**31:
        after = None  # not an id: the first page rather than a database error
    page, next_after = users_service.list_users(actor, q, after=after)
    return render_template("admin/users.html", users=page, q=q, next_after=next_after, first_page=after is None)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    actor = _admin()
    form = NewUserForm()
    leftover = []
    if form.validate_on_submit():
        try:
            user = users_service.create_user(
                actor, email=form.email.data, name=form.name.data, role=form.role.data,
                password=form.password.data, regions=form.regions.data, languages=form.languages.data,
                skills=form.skills.data, locale=form.locale.data or None)
        except Invalid as error:
            leftover = apply_service_errors(form, error)
        else:
            flash(_("The user is created."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None, leftover=leftover)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id):
    actor = _admin()
    user = users_service.get_user(actor, user_id)
    form = EditUserForm(data=None if request.method == "POST" else {
        "name": user.name, "role": user.role, "regions": [p.code for p in user.regions],
        "languages": user.languages, "skills": user.skills, "locale": user.locale,
        "active": user.active, "away": user.away})
    leftover = []
    if form.validate_on_submit():
        try:
            users_service.update_user(
                actor, user, name=form.name.data, role=form.role.data, regions=form.regions.data,
                languages=form.languages.data, skills=form.skills.data, active=form.active.data,
                away=form.away.data, locale=form.locale.data, password=form.password.data or None)
        except Invalid as error:
            leftover = apply_service_errors(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user, leftover=leftover,
                           revoke_form=ButtonForm(formdata=None), reset_form=ButtonForm(formdata=None))


@bp.route("/admin/users/<int:user_id>/revoke-sessions", methods=["POST"])
@login_required
def revoke_sessions(user_id):
    actor = _admin()
    user = users_service.get_user(actor, user_id)
    if ButtonForm().validate_on_submit():
        users_service.admin_revoke_sessions(actor, user)
        flash(_("Every session and API token of this user is ended."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/reset-two-factor", methods=["POST"])
@login_required
def reset_two_factor(user_id):
    actor = _admin()
    user = users_service.get_user(actor, user_id)
    if ButtonForm().validate_on_submit():
        two_factor.admin_reset(actor, user)
        flash(_("Two-step sign-in of this user is reset, and all their sessions and API tokens are ended."),
              "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


from . import audit_log, places  # noqa: E402,F401  (they register their routes on bp)
