"""One case: its fields, its timeline, a note form and the actions the user
may take now. Domain errors from the services come back as messages naming
the field, on the same page, with what was typed still there."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import permissions
from ..errors import Conflict, Forbidden, Invalid
from ..services.cases import records as cases
from ..services.cases import routing, workflow
from ..services.protection import retention
from ..vocab import ACTIONS, TRANSITIONS, label
from ..web.forms import apply_service_errors
from ..web.helpers import flash_domain_error, me
from .action_forms import ACTION_BUTTONS, ACTION_TITLES, FIELD_LABELS, NoteForm, TransitionForm
from .views import bp

MAX_SUGGESTIONS = 8


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
            flash_domain_error(error, FIELD_LABELS)
            apply_service_errors(form, error)
        except Forbidden as error:
            flash(str(error.message), "error")
            return redirect(url_for("cases.detail", ref=case.ref))
        else:
            flash(_("Note added."), "success")
            return redirect(url_for("cases.detail", ref=case.ref, _anchor="timeline"))
    else:
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
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _render(user, case, action, form)
    try:
        workflow.transition(user, case, action, form.fields_for_service())
    except Invalid as error:
        flash_domain_error(error, FIELD_LABELS)
        apply_service_errors(form, error)
        return _render(user, case, action, form)
    except (Conflict, Forbidden) as error:
        flash(str(error.message), "error")
        return redirect(url_for("cases.detail", ref=case.ref))
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
