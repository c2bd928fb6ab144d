"""Form pieces shared by the page blueprints: checkbox lists, vocabulary and
place choices, fields whose messages go through our own catalogue, and
putting a service's field errors back on the form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, TimeField
from wtforms.validators import Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .errors import Invalid

REQUIRED = _l("This field is required.")


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("Use at most %(max)d characters."))


def number_range(lo: int, hi: int) -> NumberRange:
    return NumberRange(min=lo, max=hi, message=_l("Enter a number from %(min)s to %(max)s."))


class Int(IntegerField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("Enter a whole number."))
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)


class Date(DateField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("Enter a date as YYYY-MM-DD."))
        super().__init__(label, validators, **kwargs)


class Time(TimeField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("Enter a time as HH:MM."))
        super().__init__(label, validators, **kwargs)


class Choice(SelectField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", _l("Choose one of the options."))
        super().__init__(label, validators, **kwargs)


class MultiCheckbox(SelectMultipleField):
    """A list of checkboxes: far easier on a phone than <select multiple>."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", _l("Choose among the options shown."))
        super().__init__(label, validators, **kwargs)


class AtLeastOne:
    def __init__(self, message=None):
        self.message = message or _l("Choose at least one.")

    def __call__(self, form, field):
        if not field.data:
            raise ValidationError(self.message)


def vocab_choices(vocabulary: dict, blank=None) -> list:
    choices = [(code, text) for code, text in vocabulary.items()]
    return ([("", blank)] + choices) if blank is not None else choices


def place_choices(places, blank=None) -> list:
    """Places in tree order, indented by depth so the tree reads in a plain select."""
    choices = [("", blank)] if blank is not None else []
    for place in places:
        choices.append((place.code, "\u2003" * max(place.depth - 1, 0) + place.name))
    return choices


def apply_service_errors(form, error: Invalid, field_for=None) -> list[str]:
    """Hangs a service's field errors (dotted API names like `person.name`) on
    the matching form fields; returns the messages that fit no field."""
    leftover = []
    for name, messages in error.fields.items():
        field_name = field_for(name) if field_for else name.replace(".", "_")
        field = getattr(form, field_name, None) if field_name else None
        if field is None or not hasattr(field, "errors"):
            leftover.extend(str(m) for m in messages)
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.extend(messages)
    return leftover
