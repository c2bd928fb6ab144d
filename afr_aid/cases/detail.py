"""One case: its fields, its timeline, a note form and the actions the user
may take now. Domain errors from the services come back as messages naming
the field, on the same page, with what was typed still there.

The phone's offline queue (static/js/offline.js) sends notes and actions here
too, asking for JSON. An action carries `seen`, the case's version when the
phone last saw it: if the case moved on since (reassigned, closed...), the
answer is 409 with the case as it is now, and nothing is done. The phone shows
both to the volunteer; it never forces the action through. Notes only append,
so they never conflict."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import permissions
from ..errors import Conflict, Forbidden, Invalid
from ..services.cases import records as cases
from ..services.cases import routing, workflow
from ..services.protection import retention
from ..vocab import ACTIONS, STATUSES, TRANSITIONS, label
from ..web.forms import apply_service_errors
from ..web.helpers import flash_domain_error, me
from .action_forms import ACTION_BUTTONS, ACTION_TITLES, FIELD_LABELS, NoteForm, TransitionForm
from .views import bp

MAX_SUGGESTIONS = 8


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def version(case) -> str:
    """What the phone keeps to tell whether a case moved on while it was offline."""
    return case.updated_at.isoformat()


def now_is(case) -> dict:
    return {"ref": case.ref, "status": case.status, "status_label": str(label(STATUSES, case.status)),
            "assignee": case.assignee.name if case.assignee else None, "version": version(case)}


def _render(user, case, failed_action=None, failed_form=None, note_form=None):
    actions = workflow.available_actions(user, case)
    forms = {action: TransitionForm(case.kind, formdata=None) for action in actions}
    if failed_action in forms and failed_form is not None:
        forms[failed_action] = failed_form
    suggestions = []
    if "assign" in actions and permissions.can_see_suggestions(user, case):
        suggestions = routing.suggestions_for(user, case)[:MAX_SUGGESTIONS]
    return render_template(
        "cases/detail.html", case=case, events=cases.events_of(user, case), actions=actions, forms=forms,
        suggestions=suggestions, buttons=ACTION_BUTTONS, titles=ACTION_TITLES,
        note_form=note_form or NoteForm(formdata=None), can_note=permissions.can_add_note(user, case),
        show_reporter=permissions.can_see_reporter(user, case),
        show_perpetrator_detail=permissions.can_see_perpetrator_detail(user, case),
        can_erase=permissions.can_erase_identifiers(user),
        page_url=url_for("cases.detail", ref=case.ref))


@bp.route("/cases/<ref>")
@login_required
def detail(ref):
    user = me()
    case = cases.get_case(user, ref, audit_view=True)
    return _render(user, case)


@bp.route("/cases/<ref>/notes", methods=["POST"])
@login_required
def add_note(ref):
    user = me()
    case = cases.get_case(user, ref)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            workflow.add_note(user, case, form.body.data)
        except Invalid as error:
            if _wants_json():
                return jsonify({"errors": {k: [str(m) for m in v] for k, v in error.fields.items()}}), 422
            flash_domain_error(error, FIELD_LABELS)
            apply_service_errors(form, error)
        except Forbidden as error:
            if _wants_json():
                return jsonify({"error": str(error.message), "now": now_is(case)}), 403
            flash(str(error.message), "error")
            return redirect(url_for("cases.detail", ref=case.ref))
        else:
            if _wants_json():
                return jsonify({"now": now_is(case)}), 201
            flash(_("Note added."), "success")
            return redirect(url_for("cases.detail", ref=case.ref, _anchor="timeline"))
    else:
        if _wants_json():
            return jsonify({"errors": {k: [str(m) for m in v] for k, v in form.errors.items()}}), 422
        _flash_form_errors(form)
    return _render(user, case, note_form=form)


@bp.route("/cases/<ref>/transitions/<action>", methods=["POST"])
@login_required
def transition(ref, action):
    user = me()
    case = cases.get_case(user, ref)
    if action not in TRANSITIONS:
        abort(404)
    form = TransitionForm(case.kind)
    wants_json = _wants_json()
    if not form.validate_on_submit():
        if wants_json:
            return jsonify({"errors": {k: [str(m) for m in v] for k, v in form.errors.items()}}), 422
        _flash_form_errors(form)
        return _render(user, case, action, form)
    seen = request.form.get("seen")
    if seen is not None and seen != version(case):
        # Taken offline on a version of the case that is no longer the case.
        return jsonify({"error": _("This case changed while you were offline: nothing was done."),
                        "now": now_is(case)}), 409
    try:
        workflow.transition(user, case, action, form.fields_for_service())
    except Invalid as error:
        if wants_json:
            return jsonify({"errors": {k: [str(m) for m in v] for k, v in error.fields.items()}}), 422
        flash_domain_error(error, FIELD_LABELS)
        apply_service_errors(form, error)
        return _render(user, case, action, form)
    except (Conflict, Forbidden) as error:
        if wants_json:
            return jsonify({"error": str(error.message), "now": now_is(case)}), 409
        flash(str(error.message), "error")
        return redirect(url_for("cases.detail", ref=case.ref))
    if wants_json:
        return jsonify({"now": now_is(case)}), 200
    flash(_("Done: %(action)s.", action=label(ACTIONS, action)), "success")
    return redirect(url_for("cases.detail", ref=case.ref))


@bp.route("/cases/<ref>/erase", methods=["POST"])
@login_required
def erase_identifiers(ref):
    """An admin erases the person's identifiers on request (403 for others)."""
    user = me()
    case = cases.get_case(user, ref)
    retention.erase_identifiers(user, case)
    flash(_("The identifiers of this case were erased."), "success")
    return redirect(url_for("cases.detail", ref=case.ref))


def _flash_form_errors(form) -> None:
    for name, messages in form.errors.items():
        if not name:
            continue
        for message in messages:
            flash(_("%(field)s: %(message)s", field=str(form[name].label.text), message=str(message)), "error")
