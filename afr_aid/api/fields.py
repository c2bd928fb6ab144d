"""marshmallow fields whose messages are translated, and the error naming of
the API: every wrong field by its dotted name (`person.age`, `needs.0`).

marshmallow's own messages are English literals; each field here replaces
them with `lazy_gettext` strings (translated when the answer is written, in
the caller's language) and rejects what JSON allows but the database or a
reader would not take: NUL and other control characters, lone surrogates,
booleans posing as numbers.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

# C0 controls except tab, newline and carriage return; DEL; lone UTF-16 surrogates.
BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

REQUIRED = _l("This field is required.")
UNKNOWN = _l("Unknown field.")
NOT_AN_OBJECT = _l("Enter an object ({...}).")


class Translated:
    """Mixin: messages are looked up in the field's (lazy) table and turned
    into text in the request's language."""

    base_messages = {"required": REQUIRED, "null": REQUIRED, "validator_failed": _l("Enter a valid value.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {**self.error_messages, **self.base_messages, **self.messages}

    messages: dict = {}

    def make_error(self, key: str, **kwargs) -> ma.ValidationError:
        message = str(self.error_messages[key])
        return ma.ValidationError(message.format(**kwargs) if kwargs else message)


def length(maximum: int, minimum: int | None = None) -> validate.Length:
    if minimum:
        return validate.Length(min=minimum, max=maximum,
                               error=_l("Use from {min} to {max} characters."))
    return validate.Length(max=maximum, error=_l("Use at most {max} characters."))


class Text(Translated, ma.fields.String):
    """A string, stripped, at most `max_length` characters."""

    messages = {"invalid": _l("Enter text."), "bad_chars": _l("Remove the control characters from this text.")}

    def __init__(self, max_length: int, min_length: int | None = None, validate=(), **kwargs):
        validators = [length(max_length, min_length), *([validate] if callable(validate) else validate)]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if BAD_CHARS.search(text):
            raise self.make_error("bad_chars")
        return text.strip()


class Secret(Translated, ma.fields.String):
    """A password: kept as typed (no stripping), at most `max_length` characters."""

    messages = {"invalid": _l("Enter text."), "bad_chars": _l("Remove the control characters from this text.")}

    def __init__(self, max_length: int, **kwargs):
        super().__init__(validate=length(max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if BAD_CHARS.search(text):
            raise self.make_error("bad_chars")
        return text


class Code(Translated, ma.fields.String):
    """One code of a vocabulary (vocab.py)."""

    messages = {"invalid": _l("Enter text.")}

    def __init__(self, codes, **kwargs):
        self.codes = list(codes)
        super().__init__(validate=validate.OneOf(self.codes, error=_l("Choose one of: {choices}.")), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class CodeList(Translated, ma.fields.String):
    """Comma-separated codes of a vocabulary, in a query string."""

    messages = {"invalid": _l("Enter text."), "choice": _l("Choose among: {choices}.")}

    def __init__(self, codes, **kwargs):
        self.codes = list(codes)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        items = [item.strip() for item in text.split(",") if item.strip()]
        if len(text) > 500 or any(item not in self.codes for item in items):
            raise self.make_error("choice", choices=", ".join(self.codes))
        return list(dict.fromkeys(items)) or None  # "," alone: no filter, as a blank value


class Int(Translated, ma.fields.Integer):
    """A JSON integer (not "5", not 5.0, not true) from `minimum` to `maximum`."""

    messages = {"invalid": _l("Enter a whole number."), "too_large": _l("This number is too large.")}

    def __init__(self, minimum: int, maximum: int, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=validate.Range(
            min=minimum, max=maximum, error=_l("Enter a number from {min} to {max}.")), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and (len(value) > 30 or BAD_CHARS.search(value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Bool(Translated, ma.fields.Boolean):
    """JSON true or false, nothing else ("no" is not false)."""

    messages = {"invalid": _l("Enter true or false.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid")


class QueryBool(Translated, ma.fields.Boolean):
    """`true` or `false` in a query string."""

    messages = {"invalid": _l("Enter true or false.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise self.make_error("invalid")


class Date(Translated, ma.fields.Date):
    messages = {"invalid": _l("Enter a date as YYYY-MM-DD.")}

    def _deserialize(self, value, attr, data, **kwargs):
        # fromisoformat also takes "20260105" and week dates; the API says YYYY-MM-DD.
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise self.make_error("invalid")
        return super()._deserialize(value.strip(), attr, data, **kwargs)


class UUID(Translated, ma.fields.UUID):
    messages = {"invalid_uuid": _l("Enter a UUID such as 0b5c8f52-3c1e-4f0e-9f39-7a9f1c2d4e6b.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 45:
            raise self.make_error("invalid_uuid")
        return super()._deserialize(value, attr, data, **kwargs)


class ListOf(Translated, ma.fields.List):
    messages = {"invalid": _l("Enter a list ([...]).")}

    def __init__(self, inner, max_items: int, min_items: int = 0, **kwargs):
        error = (_l("Give from {min} to {max} items.") if min_items else _l("Give at most {max} items."))
        super().__init__(inner, validate=validate.Length(min=min_items or None, max=max_items, error=error),
                         **kwargs)


class Object(Translated, ma.fields.Nested):
    messages = {"type": NOT_AN_OBJECT}


def flatten_messages(messages, prefix: str = "") -> dict[str, list]:
    """marshmallow's nested messages as {"dotted.name": [messages]}."""
    out: dict[str, list] = {}

    def add(name: str, items) -> None:
        out.setdefault(name or "body", []).extend(items)

    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            for sub, items in flatten_messages(value, name).items():
                add(sub, items)
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            if isinstance(item, (Mapping, list, tuple)):
                for sub, items in flatten_messages(item, prefix).items():
                    add(sub, items)
            else:
                add(prefix, [item])
    else:
        add(prefix, [messages])
    return out
