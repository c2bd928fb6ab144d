"""Tokens, the caller's profile, places and figures."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate, validates_schema

from ... import vocab
from ...models.place import LEVELS
from ..fields import Date, Secret, Text
from .common import EMAIL_MAX, InSchema, OutSchema

# Figures are asked for dates the movement has existed; also keeps date
# arithmetic far from year 1 and 9999.
STATS_FIRST_DAY, STATS_LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


class TokenIn(InSchema):
    email = Text(EMAIL_MAX, required=True)
    password = Secret(1024, required=True)
    otp = Text(32, metadata={"description": (
        "For users with two-step sign-in (admins and coordinators always): the current 6-digit "
        "TOTP code of their authenticator app, or one of their one-time recovery codes "
        "(xxxx-xxxx-xxxx-xxxx). Missing or wrong: 401 `otp_required`; not set up yet: 401 "
        "`otp_setup_required`.")})


class TokenOut(OutSchema):
    token = fields.String(required=True, metadata={"description": "Send as `Authorization: Bearer <token>`."})
    expires_at = fields.DateTime(required=True)


class MeOut(OutSchema):
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(list(vocab.ROLES)))
    regions = fields.List(fields.String(), required=True, metadata={"description": "Place codes."})
    languages = fields.List(fields.String(validate=validate.OneOf(list(vocab.LANGUAGES))), required=True)
    skills = fields.List(fields.String(validate=validate.OneOf(list(vocab.SKILLS))), required=True)
    locale = fields.String(required=True)


class LocationOut(OutSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent = fields.String(required=True, allow_none=True, metadata={"description": "Code of the parent place."})


class LocationList(OutSchema):
    items = fields.List(fields.Nested(LocationOut), required=True)


class StatsArgs(InSchema):
    start = Date(data_key="from", validate=validate.Range(
        min=STATS_FIRST_DAY, max=STATS_LAST_DAY, error=_l("Enter a date from {min} to {max}.")),
        metadata={"description": "First day (YYYY-MM-DD); 29 days before `to` when absent."})
    end = Date(data_key="to", validate=validate.Range(
        min=STATS_FIRST_DAY, max=STATS_LAST_DAY, error=_l("Enter a date from {min} to {max}.")),
        metadata={"description": "Last day (YYYY-MM-DD), included; today when absent."})

    @validates_schema
    def _in_order(self, data, **kwargs):
        from marshmallow import ValidationError

        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError(str(_l("The first day comes after the last.")), field_name="from")


class Count(fields.Raw):
    """A count, or "<5" for counts from 1 to 4."""


COUNT_DOC = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["<5"]}]}


def _count(**kwargs):
    return Count(required=True, metadata=COUNT_DOC, **kwargs)


def _breakdown():
    return fields.Dict(keys=fields.String(), values=Count(metadata=COUNT_DOC), required=True)


class AssistanceFigures(OutSchema):
    new = _count()
    closed = _count()
    by_need = _breakdown()
    by_province = _breakdown()


class IncidentFigures(OutSchema):
    reported = _count()
    verified = _count()
    by_type = _breakdown()
    by_province = _breakdown()


class StatsOut(OutSchema):
    start = fields.String(attribute="from", data_key="from", required=True, metadata={"format": "date"})
    end = fields.String(attribute="to", data_key="to", required=True, metadata={"format": "date"})
    assistance = fields.Nested(AssistanceFigures, required=True)
    incidents = fields.Nested(IncidentFigures, required=True)
    open_backlog = _count()
    median_hours_to_first_action = fields.Float(required=True, allow_none=True,
                                                metadata={"description": "null below 5 cases."})
    provinces = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                            metadata={"description": "Province names by code."})
