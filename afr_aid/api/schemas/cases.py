"""Cases: what a phone sends to file one, the list filters, what comes back."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from ... import vocab
from ..fields import Bool, Code, CodeList, Date, Int, ListOf, Object, QueryBool, Text, UUID
from .common import EMAIL_MAX, PLACE_CODE, TEXT_MAX, InSchema, OutSchema, PlaceRef, UserRef

PHONE = validate.Regexp(r"^\+?[0-9][0-9 ()./-]{2,39}$", error=_l("Enter a phone number (digits, spaces, + - ( ) . /)."))
TIME = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error=_l("Enter a time as HH:MM (24 hours)."))
PLACE = validate.Regexp(PLACE_CODE, error=_l("Enter a place code such as CD-NK-GOM."))
VICTIMS_MAX = 1_000_000
EARLIEST_INCIDENT = date(1990, 1, 1)  # a typo'd year (0206 for 2026) is caught, not stored


def _place_code(**kwargs):
    return Text(40, validate=PLACE, metadata={"description": "Place code (see /locations).",
                                              "example": "CD-NK-GOM"}, **kwargs)


# ---- filing ------------------------------------------------------------------

class ConsentIn(InSchema):
    record = Bool(required=True, metadata={"description": "Consent to record who the person is."})
    share = Bool(required=True, metadata={"description": "Consent to share outside AFR."})
    statistics = Bool(required=True, metadata={"description": "Consent to count in figures shown outside AFR."})


class PersonIn(InSchema):
    name = Text(200)
    sex = Code(vocab.SEXES)
    age = Int(0, 130)
    age_estimated = Bool()
    displacement = Code(vocab.DISPLACEMENTS)
    unhcr_id = Text(40)
    phone = Text(40, validate=PHONE)
    household_size = Int(1, 100)
    language = Code(vocab.LANGUAGES)


class VictimsIn(InSchema):
    killed = Int(0, VICTIMS_MAX)
    injured = Int(0, VICTIMS_MAX)
    abducted = Int(0, VICTIMS_MAX)
    arrested = Int(0, VICTIMS_MAX)
    displaced_households = Int(0, VICTIMS_MAX)


class ReporterIn(InSchema):
    name = Text(200)
    phone = Text(40, validate=PHONE)


class CaseIn(InSchema):
    client_uuid = UUID(required=True, metadata={
        "description": "Made by the phone once per case: sending it again returns the same case."})
    location = _place_code(required=True)
    place = Text(200, metadata={"description": "Free text: village, camp, street."})
    urgency = Code(vocab.URGENCIES, required=True)
    description = Text(TEXT_MAX)
    consent = Object(ConsentIn, required=True)


class AssistanceIn(CaseIn):
    kind = Code(["assistance"], required=True)
    person = Object(PersonIn)
    needs = ListOf(Code(vocab.NEEDS), min_items=1, max_items=len(vocab.NEEDS), required=True)
    vulnerabilities = ListOf(Code(vocab.VULNERABILITIES), max_items=len(vocab.VULNERABILITIES))


class IncidentIn(CaseIn):
    kind = Code(["incident"], required=True)
    occurred_on = Date(required=True, validate=validate.Range(
        min=EARLIEST_INCIDENT, error=_l("Enter a date from {min} on.")), metadata={"description": "Not in the future."})
    occurred_time = Text(5, validate=TIME)
    types = ListOf(Code(vocab.INCIDENT_TYPES), min_items=1, max_items=len(vocab.INCIDENT_TYPES), required=True)
    perpetrator = Code(vocab.PERPETRATORS)
    perpetrator_detail = Text(2000)
    severity = Int(1, 5)
    victims = Object(VictimsIn)
    source = Code(vocab.SOURCES)
    reliability = Code(vocab.RELIABILITIES)
    reporter = Object(ReporterIn)


CASE_IN = {"assistance": AssistanceIn, "incident": IncidentIn}
# The request body as documented: one of the two kinds, told apart by `kind`.
CASE_IN_DOC = {"oneOf": [AssistanceIn, IncidentIn],
               "discriminator": {"propertyName": "kind",
                                 "mapping": {"assistance": "#/components/schemas/AssistanceIn",
                                             "incident": "#/components/schemas/IncidentIn"}}}


# ---- listing -------------------------------------------------------------------

class CaseFilterArgs(InSchema):
    """The list filters, shared by the list and the export."""

    kind = Code(vocab.KINDS)
    status = CodeList(vocab.STATUSES, metadata={
        "description": "Comma-separated list of: " + ", ".join(vocab.STATUSES) + ".", "example": "new,assigned"})
    urgency = Code(vocab.URGENCIES)
    location = _place_code()
    assignee = Text(EMAIL_MAX, metadata={"description": "An email, `me` or `none`."})
    overdue = QueryBool(metadata={"description": "`true` or `false`."})
    q = Text(200, metadata={"description": "A reference, or part of a name."})


class CaseListArgs(CaseFilterArgs):
    limit = Int(1, 200, strict=False, metadata={"description": "From 1 to 200; 50 when absent."})
    cursor = Text(500, metadata={"description": "`next_cursor` of the previous page."})


class CaseExportArgs(CaseFilterArgs):
    format = Code(["csv", "xlsx"], metadata={"description": "`csv` (UTF-8) or `xlsx`; csv when absent."})


# ---- answers ---------------------------------------------------------------------

def _code(codes, **kwargs):
    return fields.String(validate=validate.OneOf(list(codes)), **kwargs)


def _opt(field_cls, *args, **kwargs):
    return field_cls(*args, allow_none=True, **kwargs)


class ConsentOut(OutSchema):
    record = fields.Boolean(required=True)
    share = fields.Boolean(required=True)
    statistics = fields.Boolean(required=True)


class PersonOut(OutSchema):
    name = _opt(fields.String)
    sex = _code(vocab.SEXES, allow_none=True)
    age = _opt(fields.Integer)
    age_estimated = _opt(fields.Boolean)
    displacement = _code(vocab.DISPLACEMENTS, allow_none=True)
    unhcr_id = _opt(fields.String)
    phone = _opt(fields.String)
    household_size = _opt(fields.Integer)
    language = _code(vocab.LANGUAGES, allow_none=True)


class VictimsOut(OutSchema):
    killed = _opt(fields.Integer)
    injured = _opt(fields.Integer)
    abducted = _opt(fields.Integer)
    arrested = _opt(fields.Integer)
    displaced_households = _opt(fields.Integer)


class ReporterOut(OutSchema):
    name = _opt(fields.String)
    phone = _opt(fields.String)


class CaseOut(OutSchema):
    """A case as the caller may see it. Fields of the other kind are absent;
    `reporter` and `perpetrator_detail` only for those allowed to see them;
    `outcome` once closed; `verification` for incidents."""

    ref = fields.String(required=True, metadata={"example": "AR-2026-000123"})
    kind = _code(vocab.KINDS, required=True)
    status = _code(vocab.STATUSES, required=True)
    urgency = _code(vocab.URGENCIES, required=True)
    due_at = fields.DateTime(required=True)
    overdue = fields.Boolean(required=True)
    location = fields.Nested(PlaceRef, required=True)
    place = _opt(fields.String)
    created_at = fields.DateTime(required=True)
    created_by = fields.Nested(UserRef, required=True)
    assignee = fields.Nested(UserRef, required=True, allow_none=True)
    description = _opt(fields.String)
    consent = fields.Nested(ConsentOut, required=True)
    outcome = _code(vocab.ALL_OUTCOMES)
    duplicate_of = _opt(fields.String, metadata={"description": "Reference of the case this one duplicates."})
    # assistance requests
    person = fields.Nested(PersonOut)
    needs = fields.List(_code(vocab.NEEDS))
    vulnerabilities = fields.List(_code(vocab.VULNERABILITIES))
    # security incidents
    occurred_on = fields.Date()
    occurred_time = _opt(fields.String)
    types = fields.List(_code(vocab.INCIDENT_TYPES))
    perpetrator = _code(vocab.PERPETRATORS, allow_none=True)
    perpetrator_detail = _opt(fields.String)
    severity = _opt(fields.Integer)
    victims = fields.Nested(VictimsOut)
    source = _code(vocab.SOURCES, allow_none=True)
    reliability = _code(vocab.RELIABILITIES, allow_none=True)
    reporter = fields.Nested(ReporterOut)
    verification = _code(vocab.VERIFICATIONS)


class CasePage(OutSchema):
    items = fields.List(fields.Nested(CaseOut), required=True)
    next_cursor = fields.String(required=True, allow_none=True,
                                metadata={"description": "Pass as `cursor` for the next page; null on the last."})
