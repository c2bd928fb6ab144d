"""Filing forms. Field names are the API's dotted names with `_` for `.`
(`person.name` -> `person_name`), so a service's field errors land on the
field the person typed into."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TelField, TextAreaField
from wtforms.validators import InputRequired, Optional

from .. import vocab
from ..services.cases import places
from ..web.forms import (
    REQUIRED,
    AtLeastOne,
    Choice,
    Date,
    Int,
    MultiCheckbox,
    Radio,
    Time,
    max_length,
    number_range,
    place_choices,
    vocab_choices,
)

DESCRIPTION_MAX = 5000
NO_AUTOFILL = {"autocomplete": "off"}
SEVERITIES = {str(n): str(n) for n in range(1, 6)}


class CaseForm(FlaskForm):
    client_uuid = HiddenField(validators=[max_length(36)])
    location = Choice(_l("Place"), required=True)
    place = StringField(_l("Village, site or camp"), [Optional(), max_length(200)], render_kw=NO_AUTOFILL)
    urgency = Radio(_l("Urgency"), required=True)
    description = TextAreaField(_l("Description"), [Optional(), max_length(DESCRIPTION_MAX)],
                                render_kw={"rows": 4})
    consent_record = BooleanField(_l("Consents to being recorded (name, phone, ID)"))
    consent_share = BooleanField(_l("Consents to sharing with partners"))
    consent_statistics = BooleanField(_l("Consents to being counted in statistics"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.location.choices = place_choices(places.all_places(), blank=_l("Choose a place"))
        self.urgency.choices = vocab_choices(vocab.URGENCIES)


class AssistanceForm(CaseForm):
    person_name = StringField(_l("Name"), [Optional(), max_length(200)], render_kw=NO_AUTOFILL)
    person_sex = Choice(_l("Sex"), choices=vocab_choices(vocab.SEXES, blank="—"))
    person_age = Int(_l("Age"), [Optional(), number_range(0, 120)])
    person_age_estimated = BooleanField(_l("The age is an estimate"))
    person_displacement = Choice(_l("Displacement"), choices=vocab_choices(vocab.DISPLACEMENTS, blank="—"))
    person_unhcr_id = StringField(_l("UNHCR number"), [Optional(), max_length(40)], render_kw=NO_AUTOFILL)
    person_phone = TelField(_l("Phone"), [Optional(), max_length(40)], render_kw=NO_AUTOFILL)
    person_household_size = Int(_l("People in the household"), [Optional(), number_range(1, 50)])
    person_language = Choice(_l("Language spoken"), choices=vocab_choices(vocab.LANGUAGES, blank="—"))
    needs = MultiCheckbox(_l("Needs"), [AtLeastOne(_l("Choose at least one need."))],
                          choices=vocab_choices(vocab.NEEDS))
    vulnerabilities = MultiCheckbox(_l("Vulnerabilities"), choices=vocab_choices(vocab.VULNERABILITIES))


class IncidentForm(CaseForm):
    occurred_on = Date(_l("Date of the incident"), [InputRequired(REQUIRED)])
    occurred_time = Time(_l("Time (if known)"), [Optional()])
    types = MultiCheckbox(_l("What happened"), [AtLeastOne(_l("Choose at least one type."))],
                          choices=vocab_choices(vocab.INCIDENT_TYPES))
    perpetrator = Choice(_l("Perpetrator"), choices=vocab_choices(vocab.PERPETRATORS, blank="—"))
    perpetrator_detail = TextAreaField(_l("About the perpetrators"), [Optional(), max_length(2000)],
                                       render_kw={"rows": 2})
    severity = Choice(_l("Severity (1 low – 5 very serious)"), choices=vocab_choices(SEVERITIES, blank="—"))
    victims_killed = Int(_l("Killed"), [Optional(), number_range(0, 100_000)])
    victims_injured = Int(_l("Injured"), [Optional(), number_range(0, 100_000)])
    victims_abducted = Int(_l("Abducted"), [Optional(), number_range(0, 100_000)])
    victims_arrested = Int(_l("Arrested"), [Optional(), number_range(0, 100_000)])
    victims_displaced_households = Int(_l("Households displaced"), [Optional(), number_range(0, 100_000)])
    source = Choice(_l("Source"), choices=vocab_choices(vocab.SOURCES, blank="—"))
    reliability = Choice(_l("Reliability"), choices=vocab_choices(vocab.RELIABILITIES, blank="—"))
    reporter_name = StringField(_l("Reporter's name"), [Optional(), max_length(200)], render_kw=NO_AUTOFILL)
    reporter_phone = TelField(_l("Reporter's phone"), [Optional(), max_length(40)], render_kw=NO_AUTOFILL)


def _text(value) -> str | None:
    value = (value or "").strip()
    return value or None


def _common(form: CaseForm) -> dict:
    return {"location": form.location.data, "place": _text(form.place.data), "urgency": form.urgency.data,
            "description": _text(form.description.data),
            "consent": {"record": form.consent_record.data, "share": form.consent_share.data,
                        "statistics": form.consent_statistics.data}}


def assistance_data(form: AssistanceForm) -> dict:
    """The nested dict services.cases.file_case expects (API names)."""
    data = _common(form)
    data["person"] = {
        "name": _text(form.person_name.data), "sex": form.person_sex.data or None,
        "age": form.person_age.data, "age_estimated": form.person_age_estimated.data,
        "displacement": form.person_displacement.data or None, "unhcr_id": _text(form.person_unhcr_id.data),
        "phone": _text(form.person_phone.data), "household_size": form.person_household_size.data,
        "language": form.person_language.data or None,
    }
    data["needs"] = list(form.needs.data or [])
    data["vulnerabilities"] = list(form.vulnerabilities.data or [])
    return data


def incident_data(form: IncidentForm) -> dict:
    data = _common(form)
    data.update({
        "occurred_on": form.occurred_on.data,
        "occurred_time": form.occurred_time.data.strftime("%H:%M") if form.occurred_time.data else None,
        "types": list(form.types.data or []), "perpetrator": form.perpetrator.data or None,
        "perpetrator_detail": _text(form.perpetrator_detail.data),
        "severity": int(form.severity.data) if form.severity.data else None,
        "victims": {name: getattr(form, f"victims_{name}").data
                    for name in ("killed", "injured", "abducted", "arrested", "displaced_households")},
        "source": form.source.data or None, "reliability": form.reliability.data or None,
        "reporter": {"name": _text(form.reporter_name.data), "phone": _text(form.reporter_phone.data)},
    })
    return data


FORMS = {"assistance": (AssistanceForm, assistance_data), "incident": (IncidentForm, incident_data)}
