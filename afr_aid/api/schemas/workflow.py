"""Transitions, notes, the timeline and routing suggestions."""
from __future__ import annotations

from marshmallow import fields, validate

from ... import vocab
from ...services.cases.workflow import NOTE_MAX, VERIFY_VALUES
from ..fields import Code, Text
from .common import EMAIL_MAX, InSchema, OutSchema, UserRef


def _note(required: bool = False):
    return Text(NOTE_MAX, required=required)


class AssignIn(InSchema):
    action = Code(["assign"], required=True)
    assignee = Text(EMAIL_MAX, required=True, metadata={
        "description": "Email of an active volunteer or coordinator whose regions cover the case's place."})
    note = _note()


class AcceptIn(InSchema):
    action = Code(["accept"], required=True)
    note = _note()


class DeclineIn(InSchema):
    action = Code(["decline"], required=True)
    reason = _note(required=True)


class StartIn(InSchema):
    action = Code(["start"], required=True)
    note = _note()


class ResolveIn(InSchema):
    action = Code(["resolve"], required=True)
    note = _note()


class CloseIn(InSchema):
    action = Code(["close"], required=True)
    outcome = Code(vocab.ALL_OUTCOMES, required=True, metadata={
        "description": "Assistance: " + ", ".join(vocab.OUTCOMES["assistance"])
                       + ". Incident: " + ", ".join(vocab.OUTCOMES["incident"]) + "."})
    note = _note()
    duplicate_of = Text(20, metadata={"description": "Reference of the original, when the outcome is `duplicate`."})


class ReopenIn(InSchema):
    action = Code(["reopen"], required=True)
    reason = _note(required=True)


class VerifyIn(InSchema):
    action = Code(["verify"], required=True)
    verification = Code(VERIFY_VALUES, required=True)
    note = _note()


TRANSITION_IN = {"assign": AssignIn, "accept": AcceptIn, "decline": DeclineIn, "start": StartIn,
                 "resolve": ResolveIn, "close": CloseIn, "reopen": ReopenIn, "verify": VerifyIn}
TRANSITION_IN_DOC = {
    "oneOf": list(TRANSITION_IN.values()),
    "discriminator": {"propertyName": "action",
                      "mapping": {action: f"#/components/schemas/{schema.__name__}"
                                  for action, schema in TRANSITION_IN.items()}},
}


class NoteIn(InSchema):
    body = Text(NOTE_MAX, min_length=1, required=True)


class EventOut(OutSchema):
    at = fields.DateTime(required=True)
    actor = fields.Nested(UserRef, required=True, allow_none=True,
                          metadata={"description": "null for the system (auto-routing)."})
    action = fields.String(required=True, validate=validate.OneOf(list(vocab.ACTIONS)))
    from_status = fields.String(required=True, allow_none=True, validate=validate.OneOf(list(vocab.STATUSES)))
    to_status = fields.String(required=True, allow_none=True, validate=validate.OneOf(list(vocab.STATUSES)))
    note = fields.String(required=True, allow_none=True)
    assignee = fields.String(metadata={"description": "`assign`: the assignee's email."})
    outcome = fields.String(validate=validate.OneOf(vocab.ALL_OUTCOMES), metadata={"description": "`close`."})
    verification = fields.String(validate=validate.OneOf(VERIFY_VALUES), metadata={"description": "`verify`."})


class EventList(OutSchema):
    items = fields.List(fields.Nested(EventOut), required=True)


class SuggestionOut(OutSchema):
    email = fields.String(required=True)
    name = fields.String(required=True)
    score = fields.Integer(required=True)
    reasons = fields.List(fields.String(), required=True)
    open_cases = fields.Integer(required=True)


class SuggestionList(OutSchema):
    items = fields.List(fields.Nested(SuggestionOut), required=True)
