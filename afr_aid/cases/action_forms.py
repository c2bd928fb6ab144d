"""Forms of the case list (filters, a GET form) and of the case page
(a note, one small form per workflow action)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from .. import vocab
from ..services.cases import places
from ..services.cases.workflow import NOTE_MAX, VERIFY_VALUES
from ..web.forms import REQUIRED, Choice, MultiCheckbox, max_length, options, place_choices, vocab_choices

# What a flash message calls each field a service may name.
FIELD_LABELS = {
    "assignee": _l("Assignee"), "reason": _l("Reason"), "note": _l("Note"), "outcome": _l("Outcome"),
    "duplicate_of": _l("Duplicate of"), "verification": _l("Verification"), "action": _l("Action"),
    "body": _l("Note"),
}
ACTION_BUTTONS = {
    "assign": _l("Assign"), "accept": _l("Accept"), "decline": _l("Decline"), "start": _l("Start work"),
    "resolve": _l("Mark as resolved"), "close": _l("Close the case"), "reopen": _l("Reopen"),
    "verify": _l("Save verification"),
}

ACTION_TITLES = {
    "decline": _l("Decline the case"), "resolve": _l("Resolve"), "close": _l("Close the case"),
    "reopen": _l("Reopen the case"), "verify": _l("Verify the report"),
}


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Add a note"), [DataRequired(REQUIRED), max_length(NOTE_MAX)], render_kw={"rows": 3})


class TransitionForm(FlaskForm):
    """All the fields any action may take; each action's form shows its own.
    Services check what is required (reason to decline, outcome to close...)."""

    assignee = StringField(_l("Assign to (email)"), [Optional(), max_length(254)],
                           render_kw={"autocapitalize": "none", "spellcheck": "false", "inputmode": "email"})
    reason = TextAreaField(_l("Reason"), [Optional(), max_length(NOTE_MAX)], render_kw={"rows": 2})
    note = TextAreaField(_l("Note"), [Optional(), max_length(NOTE_MAX)], render_kw={"rows": 2})
    outcome = Choice(_l("Outcome"))
    duplicate_of = StringField(_l("Duplicate of (reference)"), [Optional(), max_length(20)],
                               render_kw={"placeholder": "AR-2026-000123", "autocapitalize": "characters"})
    verification = Choice(_l("Verification"))

    def __init__(self, kind: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = vocab_choices(vocab.OUTCOMES[kind], blank="—")
        self.verification.choices = options([("", "—")] + [(code, vocab.VERIFICATIONS[code]) for code in VERIFY_VALUES])

    def fields_for_service(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("assignee", "reason", "note", "outcome", "duplicate_of", "verification")
                if getattr(self, name).data}


class FilterForm(FlaskForm):
    """The list filters of the API, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Reference or name"), [Optional(), max_length(100)])
    kind = Choice(_l("Kind"), choices=vocab_choices(vocab.KINDS, blank=_l("Any")))
    status = MultiCheckbox(_l("Status"), choices=vocab_choices(vocab.STATUSES))
    urgency = Choice(_l("Urgency"), choices=vocab_choices(vocab.URGENCIES, blank=_l("Any")))
    location = Choice(_l("Place (and below)"))
    assignee = Choice(_l("Assigned to"), choices=options([("", _l("Anyone")), ("me", _l("Me")), ("none", _l("Nobody"))]))
    assignee_email = StringField(_l("… or to this email"), [Optional(), max_length(254)],
                                 render_kw={"autocapitalize": "none", "spellcheck": "false"})
    overdue = Choice(_l("Overdue"), choices=options([("", _l("Any")), ("true", _l("Only overdue")),
                                                     ("false", _l("Not overdue"))]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.location.choices = place_choices(places.all_places("territory"), blank=_l("Anywhere"))

    def filters(self) -> dict:
        return {
            "kind": self.kind.data or None, "status": self.status.data or None,
            "urgency": self.urgency.data or None, "location": self.location.data or None,
            "assignee": (self.assignee_email.data or "").strip() or self.assignee.data or None,
            "overdue": {"true": True, "false": False}.get(self.overdue.data),
            "q": (self.q.data or "").strip() or None,
        }

    def active_count(self) -> int:
        """How many filters besides the search box are set (shown on the folded panel)."""
        filters = self.filters()
        filters.pop("q")
        return sum(1 for value in filters.values() if value not in (None, [], ""))
