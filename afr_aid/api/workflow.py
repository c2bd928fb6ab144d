"""A case's timeline, transitions, notes and routing suggestions."""
from __future__ import annotations

from flask_smorest import Blueprint

from ..services.cases import records as cases
from ..services.cases import routing, workflow
from . import serialize
from .answers import answer
from .auth import current_user
from .body import json_object, load
from .docs import body, errors
from .schemas.cases import CaseOut
from .schemas.workflow import TRANSITION_IN, TRANSITION_IN_DOC, EventList, EventOut, NoteIn, SuggestionList

blp = Blueprint("api_workflow", __name__, url_prefix="/api/v1", description="Timeline, actions, notes, routing.")


@blp.route("/cases/<ref>/events", methods=["GET"])
@blp.response(200, EventList)
@errors(blp, 401, 404)
def events(ref):
    """The case's timeline, oldest first

    `actor` is null for the system (auto-routing).
    """
    user = current_user()
    case = cases.get_case(user, ref)
    return answer({"items": [serialize.event(item) for item in cases.events_of(user, case)]})


@blp.route("/cases/<ref>/transitions", methods=["POST"])
@blp.doc(requestBody=body(TRANSITION_IN_DOC))
@blp.response(200, CaseOut)
@errors(blp, 400, 401, 403, 404, 409, 413, 422)
def transition(ref):
    """Take a workflow action

    403 when the caller sees the case but may not take the action, 409 when
    the case's status does not allow it, 422 for wrong fields (an assignee
    who may not take the case: 422 naming `assignee`).
    """
    user = current_user()
    case = cases.get_case(user, ref)
    data = json_object()
    action = data.get("action")
    action = action if isinstance(action, str) else ""
    workflow.check_transition(user, case, action)
    values = load(TRANSITION_IN[action](), data,
                  extra_errors=lambda valid: workflow.transition_errors(user, case, action, valid))
    workflow.transition(user, case, action, values)
    return answer(serialize.case(user, case))


@blp.route("/cases/<ref>/notes", methods=["POST"])
@blp.doc(requestBody=body(NoteIn))
@blp.response(201, EventOut)
@errors(blp, 400, 401, 403, 404, 413, 422)
def add_note(ref):
    """Add a note to the timeline (never edited afterwards)"""
    user = current_user()
    case = cases.get_case(user, ref)
    workflow.check_note(user, case)
    values = load(NoteIn(), json_object())
    return answer(serialize.event(workflow.add_note(user, case, values["body"])), 201)


@blp.route("/cases/<ref>/suggestions", methods=["GET"])
@blp.response(200, SuggestionList)
@errors(blp, 401, 403, 404)
def suggestions(ref):
    """Who should take the case, best first (coordinators in scope, admins)"""
    user = current_user()
    case = cases.get_case(user, ref)
    return {"items": [serialize.suggestion(item) for item in routing.suggestions_for(user, case)]}
