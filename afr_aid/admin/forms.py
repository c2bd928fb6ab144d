from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Optional

from .. import vocab
from ..services.accounts.passwords import MAX_LENGTH as PASSWORD_MAX
from ..services.cases import places
from ..web.forms import REQUIRED, Choice, Date, MultiCheckbox, max_length, options, place_choices, vocab_choices
from ..web.templating import LOCALE_NAMES


class _Profile(FlaskForm):
    name = StringField(_l("Name"), [DataRequired(REQUIRED), max_length(120)])
    role = Choice(_l("Role"), required=True, choices=vocab_choices(vocab.ROLES, blank="—"))
    regions = MultiCheckbox(_l("Regions"))
    languages = MultiCheckbox(_l("Languages"), choices=vocab_choices(vocab.LANGUAGES))
    skills = MultiCheckbox(_l("Skills"), choices=vocab_choices(vocab.SKILLS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions.choices = place_choices(places.regions_choices())


class NewUserForm(_Profile):
    email = EmailField(_l("Email"), [DataRequired(REQUIRED), max_length(254)],
                       render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"})
    password = PasswordField(_l("Password"), [DataRequired(REQUIRED), max_length(PASSWORD_MAX)],
                             render_kw={"autocomplete": "new-password"})
    locale = Choice(_l("Language of the pages"),
                    choices=options([("", _l("First of their languages"))] + list(LOCALE_NAMES.items())))


class EditUserForm(_Profile):
    locale = Choice(_l("Language of the pages"), required=True, choices=options(LOCALE_NAMES.items()))
    active = BooleanField(_l("Active (may sign in)"))
    away = BooleanField(_l("Away (not offered new cases)"))
    password = PasswordField(_l("New password"), [Optional(), max_length(PASSWORD_MAX)],
                             render_kw={"autocomplete": "new-password"})


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""


class AutoRoutingForm(FlaskForm):
    enabled = HiddenField(validators=[max_length(1)])
    next = HiddenField(validators=[max_length(2000)])


class PlacesUploadForm(FlaskForm):
    file = FileField(_l("CSV file (code, name, level, parent)"),
                     [FileRequired(_l("Choose a file.")), FileAllowed(["csv", "txt"], _l("Choose a .csv file."))])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Who (email)"), [Optional(), max_length(254)],
                        render_kw={"autocapitalize": "none", "spellcheck": "false"})
    action = StringField(_l("Action"), [Optional(), max_length(40)],
                         render_kw={"placeholder": "login, case.view, user…", "autocapitalize": "none"})
    target = StringField(_l("Target (reference, email, place)"), [Optional(), max_length(254)],
                         render_kw={"autocapitalize": "none"})
    start = Date(_l("From"), [Optional()], name="from")
    end = Date(_l("To"), [Optional()], name="to")
