"""The stable codes of docs/domain.md and their translated labels.

Codes are what the API, the database and tests use; people see the labels.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l

ROLES = {
    "volunteer": _l("Volunteer"),
    "coordinator": _l("Coordinator"),
    "donor": _l("Donor"),
    "admin": _l("Administrator"),
}
LANGUAGES = {
    "rw": _l("Kinyarwanda"),
    "sw": _l("Swahili"),
    "fr": _l("French"),
    "en": _l("English"),
    "ln": _l("Lingala"),
}
SKILLS = {
    "medical": _l("Medical"),
    "psychosocial": _l("Psychosocial support"),
    "legal": _l("Legal"),
    "documentation": _l("Documentation"),
    "shelter": _l("Shelter"),
    "food": _l("Food"),
    "wash": _l("Water, sanitation and hygiene"),
    "protection": _l("Protection"),
    "child_protection": _l("Child protection"),
    "transport": _l("Transport"),
    "education": _l("Education"),
    "livelihood": _l("Livelihood"),
    "interpretation": _l("Interpretation"),
}
NEEDS = {
    "food": _l("Food"),
    "shelter": _l("Shelter"),
    "health": _l("Health"),
    "psychosocial": _l("Psychosocial support"),
    "legal": _l("Legal aid"),
    "documentation": _l("Documents"),
    "protection": _l("Protection"),
    "child_protection": _l("Child protection"),
    "gbv": _l("Gender-based violence"),
    "wash": _l("Water, sanitation and hygiene"),
    "education": _l("Education"),
    "livelihood": _l("Livelihood"),
    "transport": _l("Transport"),
    "family_tracing": _l("Family tracing"),
    "cash": _l("Cash"),
    "other": _l("Other"),
}
NEED_SKILLS: dict[str, tuple[str, ...]] = {
    "health": ("medical",),
    "psychosocial": ("psychosocial",),
    "legal": ("legal",),
    "documentation": ("documentation",),
    "protection": ("protection",),
    "child_protection": ("child_protection",),
    "gbv": ("protection", "psychosocial"),
    "shelter": ("shelter",),
    "food": ("food",),
    "wash": ("wash",),
    "transport": ("transport",),
    "education": ("education",),
    "livelihood": ("livelihood",),
    "family_tracing": ("protection",),
    "cash": ("livelihood",),
    "other": (),
}
SEXES = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other"), "unknown": _l("Unknown")}
DISPLACEMENTS = {
    "refugee": _l("Refugee"),
    "asylum_seeker": _l("Asylum seeker"),
    "idp": _l("Internally displaced"),
    "returnee": _l("Returnee"),
    "host": _l("Host community"),
    "unknown": _l("Unknown"),
}
VULNERABILITIES = {
    "child": _l("Child"),
    "unaccompanied_minor": _l("Unaccompanied minor"),
    "elderly": _l("Elderly"),
    "disability": _l("Disability"),
    "pregnant_or_lactating": _l("Pregnant or lactating"),
    "chronic_illness": _l("Chronic illness"),
    "gbv_survivor": _l("Survivor of gender-based violence"),
    "single_headed_household": _l("Single-headed household"),
}
URGENCIES = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High"), "critical": _l("Critical")}
URGENCY_DELAY = {
    "low": timedelta(days=7),
    "medium": timedelta(hours=72),
    "high": timedelta(hours=24),
    "critical": timedelta(hours=4),
}
# How long a case may wait for an assignee before its coordinators are alerted.
UNASSIGNED_ALERT_AFTER = {"critical": timedelta(hours=1), "high": timedelta(hours=3)}
URGENCY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
INCIDENT_TYPES = {
    "attack_on_civilians": _l("Attack on civilians"),
    "killing": _l("Killing"),
    "abduction": _l("Abduction"),
    "arbitrary_arrest": _l("Arbitrary arrest"),
    "sexual_violence": _l("Sexual violence"),
    "looting_or_extortion": _l("Looting or extortion"),
    "forced_recruitment": _l("Forced recruitment"),
    "forced_displacement": _l("Forced displacement"),
    "threat_or_intimidation": _l("Threat or intimidation"),
    "attack_on_site": _l("Attack on a site"),
    "denial_of_access": _l("Denial of access"),
    "hate_speech": _l("Hate speech"),
    "other": _l("Other"),
}
PERPETRATORS = {
    "state_forces": _l("State forces"),
    "armed_group": _l("Armed group"),
    "criminal": _l("Criminals"),
    "unknown": _l("Unknown"),
    "other": _l("Other"),
}
SOURCES = {
    "victim": _l("Victim"),
    "witness": _l("Witness"),
    "third_party": _l("Third party"),
    "media": _l("Media"),
    "other": _l("Other"),
}
RELIABILITIES = {"confirmed": _l("Confirmed"), "probable": _l("Probable"), "unconfirmed": _l("Unconfirmed")}
VERIFICATIONS = {
    "pending": _l("Pending"),
    "verified": _l("Verified"),
    "unverified": _l("Could not be confirmed"),
    "rejected": _l("Rejected (false report)"),
}
KINDS = {"assistance": _l("Assistance request"), "incident": _l("Security incident")}
KIND_PREFIX = {"assistance": "AR", "incident": "SI"}
STATUSES = {
    "new": _l("New"),
    "assigned": _l("Assigned"),
    "accepted": _l("Accepted"),
    "in_progress": _l("In progress"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
OPEN_STATUSES = ("new", "assigned", "accepted", "in_progress")
OUTCOMES = {
    "assistance": {
        "assisted": _l("Assisted"),
        "referred": _l("Referred"),
        "no_longer_needed": _l("No longer needed"),
        "unreachable": _l("Unreachable"),
        "duplicate": _l("Duplicate"),
        "invalid": _l("Invalid"),
    },
    "incident": {
        "documented": _l("Documented"),
        "referred": _l("Referred"),
        "advocacy": _l("Advocacy"),
        "duplicate": _l("Duplicate"),
        "invalid": _l("Invalid"),
    },
}
ALL_OUTCOMES = sorted({code for by_kind in OUTCOMES.values() for code in by_kind})
ACTIONS = {
    "create": _l("Filed"),
    "assign": _l("Assigned"),
    "accept": _l("Accepted"),
    "decline": _l("Declined"),
    "start": _l("Started"),
    "resolve": _l("Resolved"),
    "close": _l("Closed"),
    "reopen": _l("Reopened"),
    "verify": _l("Verification"),
    "note": _l("Note"),
}
TRANSITIONS = ("assign", "accept", "decline", "start", "resolve", "close", "reopen", "verify")
PLACE_LEVELS = {
    "country": _l("Country"),
    "province": _l("Province"),
    "territory": _l("Territory"),
    "locality": _l("Locality"),
}


def label(vocabulary: dict, code: str | None) -> str:
    if not code:
        return ""
    return str(vocabulary.get(code, code))
