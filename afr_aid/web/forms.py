"""Form pieces shared by the page blueprints: checkbox lists, vocabulary and
place choices, fields whose messages go through our own catalogue, and
putting a service's field errors back on the form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, SelectMultipleField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..errors import Invalid

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


class _OneChoice:
    """A single choice that may be left empty unless `required`: one clear
    message for an empty required choice instead of WTForms' two."""

    def __init__(self, label=None, validators=None, required=False, **kwargs):
        kwargs.setdefault("invalid_choice_message", _l("Choose one of the options."))
        super().__init__(label, validators, **kwargs)
        self.required = required
        if required:
            self.flags.required = True

    def pre_validate(self, form):
        if self.data in (None, ""):
            if self.required:
                raise StopValidation(REQUIRED)
            return
        super().pre_validate(form)


class Choice(_OneChoice, SelectField):
    pass


class Radio(_OneChoice, RadioField):
    pass


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


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, text) for value, text in pairs]


def vocab_choices(vocabulary: dict, blank=None) -> list[SelectChoice]:
    return options(([("", blank)] if blank is not None else []) + list(vocabulary.items()))


def place_choices(places, blank=None) -> list[SelectChoice]:
    """Places in tree order, indented by depth so the tree reads in a plain select."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    for place in places:
        choices.append(SelectChoice(place.code, "\u2003" * max(place.depth - 1, 0) + place.name))
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
