"""The owner of an account hears by email, in their language, whenever its
keys change: two-step sign-in set up, turned off, reset by an admin; a
recovery code used; new recovery codes. Sent through the real worker to the
loopback SMTP server; no code or secret in any of them; never switched off."""
from __future__ import annotations

import pyotp
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Notification
from afr_aid.services.accounts import two_factor
from afr_aid.services.accounts.two_factor import STEP_SECONDS
from afr_aid.services.notifications import preferences, security_notices

from .conftest import parts_of, user, worker


class Clock:
    """Two-step codes are good once per 30-second step: each action here
    happens a minute after the last, as it would for a person (the whole
    process's clock moves, the worker's thread's too)."""

    def __init__(self, time_machine):
        self.time_machine = time_machine
        time_machine.move_to(clock.now())

    def code(self, secret: str) -> str:
        self.time_machine.shift(2 * STEP_SECONDS)
        return pyotp.TOTP(secret).generate_otp(int(clock.timestamp()) // STEP_SECONDS)


def subject(kind: str, locale: str) -> str:
    with force_locale(locale):
        return "[AFR Aid] " + str(security_notices.SUBJECTS[kind])


def test_every_change_to_a_volunteers_keys_reaches_their_inbox_in_their_language(live, smtp, time_machine):
    steps = Clock(time_machine)
    vol = user("volunteer", "vol@tests.afr-aid.org", languages=["sw"], locale="sw")
    # Never switched off: even someone who turned every choice off hears of these.
    preferences.set_preferences(vol, vol, {kind: "off" for kind in ("overdue", "closed")})
    secret = two_factor.start_enrolment(vol)
    codes = two_factor.confirm_enrolment(vol, steps.code(secret))
    assert two_factor.verify(vol, codes[0]) == "recovery"
    db.session.commit()  # the sign-in's caller commits
    renewed = two_factor.renew_recovery_codes(vol, steps.code(secret))
    two_factor.turn_off(vol, steps.code(secret))
    kinds = ["security_enrolled", "security_recovery_used", "security_codes_renewed", "security_disabled"]
    with worker(live):
        smtp.wait_for(len(kinds))
    mine = smtp.to(vol.email)
    assert sorted(m["Subject"] for m in mine) == sorted(subject(kind, "sw") for kind in kinds)
    assert subject("security_enrolled", "sw") != subject("security_enrolled", "en")  # truly in Swahili
    for message in mine:
        text, html = parts_of(message)
        with force_locale("sw"):
            from flask_babel import gettext

            advice = gettext("If it was not you, tell an administrator at once: someone else may know your password.")
        assert advice in text and advice in html
        for secret_value in [secret, *codes, *renewed]:
            assert secret_value not in text and secret_value not in html
    assert len(smtp.messages) == len(kinds)
    statuses = db.session.scalars(select(Notification.status).where(Notification.user_id == vol.id)).all()
    assert statuses == ["sent"] * len(kinds)


def test_an_admin_reset_tells_the_owner_not_the_admin(live, smtp):
    coord = user("coordinator", "coord@tests.afr-aid.org", regions=["CD-NK"], locale="fr")
    admin = user("admin", "admin@tests.afr-aid.org", locale="en")
    two_factor.admin_reset(admin, coord)
    with worker(live):
        smtp.wait_for(1)
    assert [m["Subject"] for m in smtp.to(coord.email)] == [subject("security_reset", "fr")]
    text, _ = parts_of(smtp.to(coord.email)[0])
    with force_locale("fr"):
        assert str(security_notices.NEXT_STEP["security_reset"]) in text
    assert smtp.to(admin.email) == []


def test_enrolling_from_the_command_line_tells_the_owner(app, make_user):
    coordinator = make_user("coordinator", two_factor=False)
    result = app.test_cli_runner().invoke(args=["users", "totp", "--email", coordinator.email])
    assert result.exit_code == 0, result.output
    notes = db.session.scalars(select(Notification).where(Notification.user_id == coordinator.id)).all()
    assert [(n.kind, n.status) for n in notes] == [("security_enrolled", "queued")]
    message = security_notices.render(notes[0])
    assert message.subject == subject("security_enrolled", "en")
    html = message.alternatives[0][0]
    secrets = [line.strip().removeprefix("secret=") for line in result.output.splitlines()
               if line.startswith(("secret=", "  "))]
    assert len(secrets) == 11  # the key and ten recovery codes
    for secret in secrets:
        assert secret not in message.body and secret not in html


def test_a_notice_for_a_deactivated_account_is_not_sent(app, make_user):
    gone = make_user("volunteer")
    gone.active = False
    db.session.commit()
    note = security_notices.send(gone, "security_reset")
    db.session.commit()
    assert note.status == "off"
    with pytest.raises(ValueError):
        security_notices.send(gone, "security_whatever")


@pytest.mark.parametrize("text", ["[AFR Aid] Un administrateur a réinitialisé votre connexion en deux étapes",
                                  "[AFR Aid] Kwinjira mu ntambwe ebyiri byahagaritswe kuri konti yanyu — ô",
                                  "[AFR Aid] é"])
def test_a_long_subject_in_any_language_reads_back_exactly(app, text):
    """Folded next to its header's name: no line of its own, which mail
    readers show as a leading space."""
    from email import message_from_bytes, policy

    from afr_aid.services.notifications import mailer

    raw = mailer.build("someone@tests.afr-aid.org", text, "body", "<p>body</p>").message().as_bytes()
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == text
    assert b"Subject: \n" not in raw and b"Subject: \r\n" not in raw
