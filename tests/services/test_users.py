"""Users: creation rules, password hashing, sign-in with lockout, deactivation."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

import pytest

from afr_aid import clock
from afr_aid.errors import Forbidden, Invalid
from afr_aid.extensions import db
from afr_aid.models import ApiToken, AuditEntry, User, UserSession
from afr_aid.services.accounts.passwords import hash_password, verify_password
from afr_aid.services.accounts.users import SignInRefused, authenticate, create_user, update_user

from ..conftest import PASSWORD
from .conftest import count

GOOD = "Kivu-lake-" + secrets.token_hex(4)


def new_user(**overrides):
    values = dict(email="amani@tests.afr-aid.org", name="Amani Furaha", role="volunteer", password=GOOD,
                  regions=["CD-NK-GOM"], languages=["sw"], skills=["medical"])
    values.update(overrides)
    return create_user(None, **values)


def refused_fields(**overrides) -> dict:
    with pytest.raises(Invalid) as refused:
        new_user(**overrides)
    return refused.value.fields


# ---- creation --------------------------------------------------------------------

def test_a_new_user_is_active_with_a_lower_cased_email(app):
    user = new_user(email="  Amani.Furaha@Tests.AFR-aid.org ")
    assert user.email == "amani.furaha@tests.afr-aid.org"
    assert user.active and not user.away
    assert [p.code for p in user.regions] == ["CD-NK-GOM"]
    assert (user.languages, user.skills) == (["sw"], ["medical"])
    assert count(AuditEntry, AuditEntry.action == "user.create", AuditEntry.target == user.email) == 1


def test_an_email_is_unique_whatever_its_letter_case(app):
    new_user()
    for second in ("amani@tests.afr-aid.org", "AMANI@tests.afr-aid.org", " Amani@Tests.Afr-Aid.org"):
        assert "email" in refused_fields(email=second), second
    assert count(User) == 1


def test_an_invalid_email_is_refused(app):
    for email in ("", "not-an-email", "a@", "@b.org", "a b@c.org"):
        assert "email" in refused_fields(email=email), email


def test_a_password_needs_at_least_12_characters(app):
    for password in ("", "short", "elevenchars", "Kivu-lake-1"):
        assert len(password) < 12
        assert "password" in refused_fields(password=password), password


def test_common_passwords_are_refused(app):
    for password in ("password1234", "qwertyuiop12", "PASSWORD1234", "iloveyou1234", "111111111111", "aaaaaaaaaaaa"):
        assert len(password) >= 12
        assert "password" in refused_fields(password=password), password
    assert count(User) == 0


def test_twelve_uncommon_characters_are_enough(app):
    user = new_user(password="Nyiragongo#7")
    assert verify_password(user.password_hash, "Nyiragongo#7")


def test_a_password_made_of_the_users_name_is_refused(app):
    assert "password" in refused_fields(name="Bahati Mwamba", password="Mwamba-2026!!")


def test_a_coordinator_needs_a_region(app):
    assert list(refused_fields(role="coordinator", regions=[])) == ["regions"]
    assert new_user(role="coordinator", regions=["CD-SK"]).role == "coordinator"


def test_unknown_languages_skills_and_regions_are_refused(app):
    for field, values in (("languages", ["sw", "xx"]), ("skills", ["medical", "cooking"]),
                          ("regions", ["CD-NK", "CD-ZZ"])):
        assert list(refused_fields(**{field: values})) == [field]
    assert count(User) == 0


def test_an_unknown_role_is_refused(app):
    assert "role" in refused_fields(role="superuser")


def test_every_wrong_field_is_named_at_once(app):
    fields = refused_fields(email="nope", password="short", languages=["xx"], skills=["yy"], regions=["ZZ"],
                            role="coordinator", name="")
    assert {"email", "password", "languages", "skills", "regions", "name"} <= set(fields)


def test_the_locale_is_the_first_language_else_english(app):
    for n, (languages, locale) in enumerate([(["sw", "fr"], "sw"), (["fr"], "fr"), (["ln", "en"], "ln"), ([], "en")]):
        assert new_user(email=f"user{n}@tests.afr-aid.org", languages=languages).locale == locale, languages


def test_only_admins_create_users(world):
    for actor in (world.coord_nk, world.filer, world.donor):
        with pytest.raises(Forbidden):
            create_user(actor, email="x@tests.afr-aid.org", name="X", role="volunteer", password=GOOD)
    assert create_user(world.admin, email="x@tests.afr-aid.org", name="X", role="donor", password=GOOD).role == "donor"


# ---- hashes ----------------------------------------------------------------------

def test_passwords_are_stored_as_argon2id_hashes(app):
    user = new_user()
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD not in user.password_hash
    assert verify_password(user.password_hash, GOOD)
    assert not verify_password(user.password_hash, GOOD + "x")


def test_production_hashes_use_argon2id_with_the_default_cost(app):
    app.config.pop("ARGON2_PARAMS")
    stored = hash_password(GOOD)
    assert stored.startswith("$argon2id$")
    params = dict(part.split("=") for part in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2  # at least OWASP's minimum
    assert verify_password(stored, GOOD)


# ---- sign-in ---------------------------------------------------------------------

def fail(email, times):
    for _ in range(times):
        with pytest.raises(SignInRefused):
            authenticate(email, "wrong-" + secrets.token_hex(4))


def test_sign_in_with_the_right_password_in_any_letter_case_of_the_email(make_user):
    user = make_user("volunteer")
    assert authenticate(user.email.upper(), PASSWORD).id == user.id
    with pytest.raises(SignInRefused):
        authenticate(user.email, PASSWORD + " ")
    with pytest.raises(SignInRefused):
        authenticate("nobody@tests.afr-aid.org", PASSWORD)


def test_five_failures_lock_the_account_for_15_minutes_even_for_the_right_password(make_user, time_machine):
    time_machine.move_to(datetime(2026, 12, 7, 4, 50, tzinfo=timezone.utc), tick=False)  # 06:50 in Goma
    user = make_user("volunteer")
    fail(user.email, 4)
    assert authenticate(user.email, PASSWORD).id == user.id  # four are not enough
    db.session.commit()
    fail(user.email, 5)
    with pytest.raises(SignInRefused):
        authenticate(user.email, PASSWORD)
    time_machine.shift(timedelta(minutes=14, seconds=50))
    with pytest.raises(SignInRefused):
        authenticate(user.email, PASSWORD)
    time_machine.shift(timedelta(seconds=20))  # 15 minutes and 10 seconds after the fifth failure
    assert authenticate(user.email, PASSWORD).id == user.id


def test_success_resets_the_failure_count(make_user):
    user = make_user("volunteer")
    for _ in range(3):
        fail(user.email, 4)
        assert authenticate(user.email, PASSWORD).id == user.id  # 8, 12 failures in all: never locked
        db.session.commit()


def test_the_failure_count_is_kept_in_the_database(make_user):
    """Every worker process must agree: a fresh session sees the failures."""
    user = make_user("volunteer")
    email = user.email
    fail(email, 3)
    db.session.remove()
    fail(email, 2)
    db.session.remove()
    with pytest.raises(SignInRefused):
        authenticate(email, PASSWORD)


def test_an_inactive_user_cannot_sign_in(world, make_user):
    user = make_user("volunteer")
    update_user(world.admin, user, name=user.name, role=user.role, regions=["CD-NK"], languages=user.languages,
                skills=user.skills, active=False, away=False, locale=user.locale)
    with pytest.raises(SignInRefused):
        authenticate(user.email, PASSWORD)


def test_failed_sign_ins_are_audited_without_the_password(make_user):
    user = make_user("volunteer")
    fail(user.email, 5)
    entries = list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action.like("login.%"))))
    assert {e.action for e in entries} >= {"login.failed", "login.locked"}
    assert all("wrong-" not in repr(e.detail) for e in entries)


# ---- changes -----------------------------------------------------------------------

def _sessions_and_tokens(user, n=2):
    now = clock.now()
    for _ in range(n):
        db.session.add(UserSession(token_hash=secrets.token_hex(32), user_id=user.id))
        db.session.add(ApiToken(token_hash=secrets.token_hex(32), user_id=user.id, expires_at=now + timedelta(hours=12)))
    db.session.commit()


def _open(model, user):
    return count(model, model.user_id == user.id, model.revoked_at.is_(None))


def test_deactivating_a_user_ends_all_their_sessions_and_tokens(world, make_user):
    user, bystander = make_user("volunteer"), make_user("volunteer")
    _sessions_and_tokens(user)
    _sessions_and_tokens(bystander)
    update_user(world.admin, user, name=user.name, role=user.role, regions=["CD-NK"], languages=user.languages,
                skills=user.skills, active=False, away=False, locale=user.locale)
    assert _open(UserSession, user) == 0 and _open(ApiToken, user) == 0
    assert count(UserSession, UserSession.user_id == user.id) == 2  # revoked, not forgotten
    assert _open(UserSession, bystander) == 2 and _open(ApiToken, bystander) == 2
    assert not db.session.get(User, user.id).active


def test_a_password_reset_also_ends_sessions_and_unlocks(world, make_user):
    user = make_user("volunteer")
    fail(user.email, 5)
    _sessions_and_tokens(user, 1)
    update_user(world.admin, user, name=user.name, role=user.role, regions=["CD-NK"], languages=user.languages,
                skills=user.skills, active=True, away=False, locale=user.locale, password=GOOD)
    assert _open(UserSession, user) == 0 and _open(ApiToken, user) == 0
    assert authenticate(user.email, GOOD).id == user.id


def test_other_changes_keep_sessions(world, make_user):
    user = make_user("volunteer")
    _sessions_and_tokens(user, 1)
    update_user(world.admin, user, name="Renamed", role=user.role, regions=["CD-SK"], languages=["fr"],
                skills=["legal"], active=True, away=True, locale="fr")
    user = db.session.get(User, user.id)
    assert (user.name, [p.code for p in user.regions], user.away, user.locale) == ("Renamed", ["CD-SK"], True, "fr")
    assert _open(UserSession, user) == 1
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.update")).one()
    assert "Renamed" not in repr(entry.detail)  # the audit log says the name changed, not what to


def test_only_admins_change_users_and_not_their_own_admin_access(world):
    with pytest.raises(Forbidden):
        update_user(world.coord_nk, world.filer, name="x", role="volunteer", regions=[], languages=[], skills=[],
                    active=False, away=False, locale="en")
    with pytest.raises(Invalid) as refused:
        update_user(world.admin, world.admin, name=world.admin.name, role="admin", regions=[], languages=[],
                    skills=[], active=False, away=False, locale="en")
    assert "role" in refused.value.fields
    assert db.session.get(User, world.admin.id).active
