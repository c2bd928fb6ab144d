from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from ..services.notifications import preferences
from ..services.notifications.delivery_log import MESSAGE_KINDS, STATUSES
from ..web.forms import Choice, Radio, max_length, options, vocab_choices


class DeliveryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = Choice(_l("Status"), choices=vocab_choices(STATUSES, blank=_l("Any")))
    kind = Choice(_l("Kind"), choices=vocab_choices(MESSAGE_KINDS, blank=_l("Any")))
    recipient = StringField(_l("Recipient (email)"), [max_length(254)])
    ref = StringField(_l("Case reference"), [max_length(20)])


class PreviewForm(FlaskForm):
    class Meta:
        csrf = False

    week = StringField(_l("Week (YYYY-Www)"), [max_length(8)])
    scope = Choice(_l("Recipients"))


def preferences_form(kinds, data=None):
    """One radio group per kind this user has, offering only the modes that
    kind allows (no "off" for assignment and critical alerts)."""

    class PreferencesForm(FlaskForm):
        pass

    for kind in kinds:
        choices = options((mode, preferences.MODES[mode]) for mode in preferences.modes_for(kind))
        setattr(PreferencesForm, kind, Radio(preferences.KINDS[kind], required=True, choices=choices))
    return PreferencesForm(data=data)


class ButtonForm(FlaskForm):
    """Only a button and its CSRF token."""
