from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired

from ..web.forms import Choice, max_length, options
from ..web.templating import LOCALE_NAMES


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), [DataRequired(_l("Enter your email.")), max_length(254)],
                       render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), [DataRequired(_l("Enter your password.")), max_length(256)],
                             render_kw={"autocomplete": "current-password"})


class LogoutForm(FlaskForm):
    pass


class LocaleForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=options(LOCALE_NAMES.items()))
    next = HiddenField(validators=[max_length(2000)])


class CodeForm(FlaskForm):
    """The second step: a code from the authenticator app (or a recovery code)."""
    code = StringField(_l("Code"), [DataRequired(_l("Enter the code.")), max_length(32)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "none",
                                  "spellcheck": "false", "inputmode": "text"})


class EnrolForm(FlaskForm):
    code = StringField(_l("Code from the app"), [DataRequired(_l("Enter the code.")), max_length(32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class TimeZoneForm(FlaskForm):
    # Choices are set by the view (labels carry today's UTC offset).
    timezone = Choice(_l("Time zone"), choices=[], required=True)
