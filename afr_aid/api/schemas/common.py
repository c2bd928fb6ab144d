"""Schema base classes and the small shapes every part of the API shares."""
from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma
from marshmallow import fields, pre_load

from ..fields import NOT_AN_OBJECT, UNKNOWN

PLACE_CODE = r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,12}){0,4}$"
EMAIL_MAX = 254
TEXT_MAX = 10_000


class InSchema(ma.Schema):
    """A request shape. Unknown fields are refused by name. An optional field
    may be absent, null or "" (blank): all three mean empty; a required one
    given as null or blank is reported as missing."""

    error_messages = {"unknown": UNKNOWN, "type": NOT_AN_OBJECT}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        if not field_obj.required:
            field_obj.allow_none = True

    @pre_load
    def _blank_means_empty(self, data, **kwargs):
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        for name, field in self.load_fields.items():
            key = field.data_key or name
            value = data.get(key, ma.missing)
            if value is None or (isinstance(value, str) and not value.strip()):
                if field.required:
                    del data[key]
                else:
                    data[key] = None
        return data


class OutSchema(ma.Schema):
    """An answer shape: used to dump and to document, never to load."""


class ErrorDetail(OutSchema):
    code = fields.String(required=True, metadata={"description": "Stable error code, e.g. `invalid`."})
    message = fields.String(required=True, metadata={"description": "In the caller's language."})
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True,
                         metadata={"description": "Wrong fields by dotted name, e.g. `person.age`, `needs.0`."})


class Error(OutSchema):
    error = fields.Nested(ErrorDetail, required=True)


class UserRef(OutSchema):
    email = fields.String(required=True)
    name = fields.String(required=True)


class PlaceRef(OutSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
