"""Notification pages. Admins: the delivery log, the .eml outbox, a preview
of a week's summary. Everyone signed in: their notification settings.
Nobody signed in: the unsubscribe link of a summary email."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import permissions
from ..errors import Invalid
from ..extensions import csrf
from ..services.notifications import delivery_log, preferences, summaries
from ..services.notifications.summary_email import preview_html
from ..web.forms import apply_service_errors, options
from ..web.helpers import me
from .forms import ButtonForm, DeliveryFilterForm, PreviewForm, preferences_form

bp = Blueprint("notifications", __name__, template_folder="templates")
PAGE_SIZE = 50


@bp.route("/admin/notifications")
@login_required
def delivery():
    actor = me()
    form = DeliveryFilterForm(formdata=request.args)
    rows, next_before = [], None
    before = request.args.get("before", type=int)
    if form.validate():
        rows, next_before = delivery_log.list_notifications(actor, form.data, before_id=before, limit=PAGE_SIZE)
    return render_template("notifications/delivery.html", form=form, rows=rows, next_before=next_before,
                           first_page=not before, counts=delivery_log.status_counts(actor),
                           statuses=delivery_log.STATUSES, kinds=delivery_log.MESSAGE_KINDS)


@bp.route("/admin/mail")
@login_required
def outbox():
    return render_template("notifications/outbox.html", items=delivery_log.outbox_list(me()))


@bp.route("/admin/mail/<name>")
@login_required
def outbox_message(name):
    return render_template("notifications/message.html", message=delivery_log.outbox_message(me(), name))


@bp.route("/admin/summaries")
@login_required
def summary_preview():
    actor = me()
    if not permissions.can_preview_summaries(actor):
        abort(403)
    scopes = summaries.scopes_for_preview(actor)
    form = PreviewForm(formdata=request.args, data={"week": summaries.last_complete_week(), "scope": scopes[0]})
    form.scope.choices = options((scope, _scope_label(scope)) for scope in scopes)
    summary, kept, body = None, False, None
    if form.validate():
        try:
            summary, kept = summaries.preview(actor, (form.week.data or "").strip(), form.scope.data or scopes[0])
        except Invalid as error:
            apply_service_errors(form, error)
        else:
            body = preview_html(summary)
    # The email's own body template is included as is: it reads its values at the top level.
    values = dict(body or {}, form=form, summary=summary, kept=kept)
    return render_template("notifications/preview.html", **values)


def _scope_label(scope: str) -> str:
    if scope == summaries.MOVEMENT:
        return _("Donors (movement-wide)")
    return _("Coordinators of %(regions)s", regions=scope.split(":", 1)[1].replace(",", ", "))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def settings():
    user = me()
    current = preferences.preferences_of(user, user)
    form = preferences_form(list(current), data=current)
    leftover = []
    if form.validate_on_submit():
        try:
            preferences.set_preferences(user, user, {kind: form[kind].data for kind in current})
        except Invalid as error:
            leftover = apply_service_errors(form, error)
        else:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, kinds=list(current),
                           mandatory=preferences.MANDATORY, leftover=leftover)


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the credential; mail readers' one-click POST carries no CSRF token
def unsubscribe(token):
    if request.method == "POST":
        user, kind = preferences.unsubscribe(token)
        return render_template("notifications/unsubscribed.html", kind=preferences.KINDS[kind])
    # A GET only asks: mail scanners open links, and must not unsubscribe anyone.
    user, kind = preferences.read_unsubscribe_token(token)
    return render_template("notifications/unsubscribe.html", kind=preferences.KINDS[kind],
                           form=ButtonForm())
