"""Demo data for trying the service: users of every role and ~200 cases in
every state. Goes through the same services as real use, so the data obeys
every rule. The shared demo password is random, made on first run and kept in
instance/demo_password (mode 0600)."""
from __future__ import annotations

import random
import uuid
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from ... import clock
from ...config import _instance_secret
from ...extensions import db
from ...models import Case, CaseEvent, User
from ...vocab import INCIDENT_TYPES, NEEDS, URGENCY_DELAY, VULNERABILITIES
from ..accounts.users import create_user
from ..cases import records as cases
from ..cases import workflow

DEMO_DOMAIN = "demo.afr-aid.org"
COORDINATORS = [("coord.nk", "Coordinator North Kivu", ["CD-NK"], ["rw", "sw", "fr"]),
                ("coord.sk", "Coordinator South Kivu", ["CD-SK"], ["rw", "sw", "fr"]),
                ("coord.east", "Coordinator Ituri Tanganyika Maniema", ["CD-IT", "CD-TA", "CD-MA"],
                 ["sw", "fr", "ln"])]
VOLUNTEERS = [
    ("vol.goma1", "Volunteer Goma A", ["CD-NK-GOM"], ["rw", "sw"], ["medical", "psychosocial"]),
    ("vol.goma2", "Volunteer Goma B", ["CD-NK-GOM", "CD-NK-NYI"], ["rw", "fr"], ["legal", "documentation"]),
    ("vol.rutshuru", "Volunteer Rutshuru", ["CD-NK-RUT"], ["rw", "sw"], ["food", "shelter"]),
    ("vol.masisi", "Volunteer Masisi", ["CD-NK-MAS"], ["rw"], ["protection", "child_protection"]),
    ("vol.beni", "Volunteer Beni", ["CD-NK-BEN", "CD-NK-BUT"], ["sw", "fr"], ["medical", "wash"]),
    ("vol.nk", "Volunteer North Kivu", ["CD-NK"], ["sw", "fr", "en"], ["transport", "livelihood"]),
    ("vol.bukavu1", "Volunteer Bukavu A", ["CD-SK-BUK"], ["rw", "sw"], ["psychosocial", "protection"]),
    ("vol.bukavu2", "Volunteer Bukavu B", ["CD-SK-BUK", "CD-SK-KAB"], ["sw", "fr"], ["legal"]),
    ("vol.uvira", "Volunteer Uvira", ["CD-SK-UVI", "CD-SK-FIZ"], ["rw", "sw"], ["food", "shelter", "wash"]),
    ("vol.kalehe", "Volunteer Kalehe", ["CD-SK-KAL", "CD-SK-IDJ"], ["rw"], ["education", "child_protection"]),
    ("vol.bunia", "Volunteer Bunia", ["CD-IT-BUN", "CD-IT-DJU"], ["sw", "fr", "ln"], ["medical", "documentation"]),
    ("vol.kalemie", "Volunteer Kalemie", ["CD-TA-KAL"], ["sw", "fr"], ["livelihood", "interpretation"]),
]
DEMO_LOGINS = ([(f"admin@{DEMO_DOMAIN}", "admin"), (f"donor@{DEMO_DOMAIN}", "donor")]
               + [(f"{local}@{DEMO_DOMAIN}", "coordinator") for local, *_ in COORDINATORS]
               + [(f"{local}@{DEMO_DOMAIN}", "volunteer") for local, *_ in VOLUNTEERS])
# Invented names for demo persons only.
GIVEN = ["Aline", "Jean", "Claudine", "Emmanuel", "Divine", "Eric", "Grace", "Patrick", "Esther", "Innocent",
         "Josiane", "Olivier", "Solange", "Theogene", "Vestine", "Zawadi", "Baraka", "Neema", "Amani", "Furaha"]
FAMILY = ["Uwimana", "Niyonsaba", "Mukamana", "Habimana", "Nsengiyumva", "Uwase", "Hakizimana", "Ingabire",
          "Mugisha", "Nyiraneza", "Bahati", "Kabila", "Mwamba", "Kasongo", "Mutombo", "Ilunga"]


def demo_password() -> str:
    return _instance_secret(Path(current_app.instance_path), "demo_password", 12)


def load_demo(case_count: int = 200, seed: int = 7) -> dict | None:
    if db.session.scalar(select(User).where(User.email == f"admin@{DEMO_DOMAIN}")):
        return None
    rng = random.Random(seed)
    people = create_demo_users(demo_password())
    users, coordinators, volunteers = people, people["coordinators"], people["volunteers"]
    # Region paths read once: every commit below expires the users, and asking
    # each of them `covers()` again would reload them all for every case.
    reach = {user: [region.path for region in user.regions] for user in coordinators + volunteers}
    for i in range(case_count):
        _demo_case(rng, i, volunteers, coordinators, users["admin"], reach)
    return {"users": 2 + len(coordinators) + len(volunteers), "cases": case_count}


def create_demo_users(password: str) -> dict:
    """The demo sign-ins of every role (DEMO_LOGINS), through the user service."""
    users = {"admin": create_user(None, email=f"admin@{DEMO_DOMAIN}", name="Demo Admin", role="admin",
                                  password=password, regions=["CD"], languages=["en", "fr"]),
             "donor": create_user(None, email=f"donor@{DEMO_DOMAIN}", name="Demo Donor", role="donor",
                                  password=password, languages=["en"])}
    users["coordinators"] = [create_user(None, email=f"{local}@{DEMO_DOMAIN}", name=name, role="coordinator",
                                         password=password, regions=regions, languages=langs)
                             for local, name, regions, langs in COORDINATORS]
    users["volunteers"] = [create_user(None, email=f"{local}@{DEMO_DOMAIN}", name=name, role="volunteer",
                                       password=password, regions=regions, languages=langs, skills=skills)
                           for local, name, regions, langs, skills in VOLUNTEERS]
    users["all"] = [users["admin"], users["donor"], *users["coordinators"], *users["volunteers"]]
    return users


def _covers(paths: list[str], place_path: str) -> bool:
    return any(place_path == path or place_path.startswith(path + "/") for path in paths)


def _demo_case(rng, i, volunteers, coordinators, admin, reach) -> None:
    filer = rng.choice(volunteers)
    place = rng.choice(filer.regions)
    if place.level == "province":
        place = rng.choice([p for p in _territories() if p.path.startswith(place.path + "/")])
    kind = "incident" if rng.random() < 0.3 else "assistance"
    urgency = rng.choices(["low", "medium", "high", "critical"], [3, 4, 2, 1])[0]
    consent = rng.random() > 0.15
    data = {"location": place.code, "urgency": urgency, "place": f"Site {rng.randint(1, 40)}",
            "description": "Demo case, invented for testing.",
            "consent": {"record": consent, "share": consent and rng.random() > 0.3, "statistics": rng.random() > 0.1}}
    if kind == "assistance":
        data["needs"] = rng.sample(list(NEEDS), rng.randint(1, 3))
        data["vulnerabilities"] = rng.sample(list(VULNERABILITIES), rng.randint(0, 2))
        data["person"] = {"sex": rng.choice(["female", "male", "unknown"]), "age": rng.randint(1, 80),
                          "displacement": rng.choice(["refugee", "asylum_seeker", "idp"]),
                          "household_size": rng.randint(1, 9), "language": rng.choice(["rw", "sw", "fr"])}
        if consent:
            data["person"]["name"] = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
    else:
        data["types"] = rng.sample(list(INCIDENT_TYPES), rng.randint(1, 2))
        data["occurred_on"] = clock.today(current_app.config["BABEL_DEFAULT_TIMEZONE"]) - timedelta(days=rng.randint(0, 60))
        data["perpetrator"] = rng.choice(["state_forces", "armed_group", "criminal", "unknown"])
        data["severity"] = rng.randint(1, 5)
        data["victims"] = {"killed": rng.choice([0, 0, 0, 1, 2]), "injured": rng.randint(0, 5),
                           "abducted": rng.choice([0, 0, 1]), "arrested": 0,
                           "displaced_households": rng.randint(0, 30)}
        data["source"] = rng.choice(["victim", "witness", "third_party"])
        data["reliability"] = rng.choice(["confirmed", "probable", "unconfirmed"])
    case, _ = cases.file_case(filer, kind, uuid.UUID(int=rng.getrandbits(128)), data)
    _backdate(case, rng.randint(0, 90 * 24))
    coordinator = next((c for c in coordinators if _covers(reach[c], case.place_path)), admin)
    stage = rng.choices(["new", "assigned", "accepted", "in_progress", "resolved", "closed"], [3, 2, 2, 2, 1, 4])[0]
    if stage == "new":
        return
    candidates = [v for v in volunteers if _covers(reach[v], case.place_path)] or [filer]
    assignee = rng.choice(candidates)
    workflow.transition(coordinator, case, "assign", {"assignee": assignee.email})
    for action, who in (("accept", assignee), ("start", assignee), ("resolve", assignee),
                        ("close", coordinator)):
        if case.status == stage:
            break
        fields = {}
        if action == "close":
            fields["outcome"] = "assisted" if kind == "assistance" else "documented"
        if action == "resolve":
            fields["note"] = "Done."
        workflow.transition(who, case, action, fields)
    if kind == "incident" and rng.random() < 0.5 and case.status != "closed":
        workflow.transition(coordinator, case, "verify", {"verification": rng.choice(["verified", "unverified"])})


def _territories():
    from ...models import Place

    return list(db.session.scalars(select(Place).where(Place.level == "territory")))


def _backdate(case: Case, hours: int) -> None:
    """Spread demo cases over the past three months."""
    if not hours:
        return
    shift = timedelta(hours=hours)
    created = case.created_at - shift
    db.session.execute(update(Case).where(Case.id == case.id).values(
        created_at=created, updated_at=created, due_at=created + URGENCY_DELAY[case.urgency]))
    db.session.execute(update(CaseEvent).where(CaseEvent.case_id == case.id).values(at=created))
    db.session.commit()
    db.session.refresh(case)
