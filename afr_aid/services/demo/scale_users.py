"""The users of `flask demo --scale` (services/demo/scale.py): the demo
sign-ins, a coordinator per territory and per province, a few admins and
donors, volunteers for the rest, written in bulk with their audit lines
chained as audit.record would."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, insert, select, update

from ...extensions import db
from ...models import AuditChainHead, AuditEntry, User, user_regions
from ...vocab import SKILLS
from ..protection import audit
from . import names as demo_names
from . import sample as demo

USERS = 2000


def bulk_users(rng, now, people, territories) -> SimpleNamespace:
    """Up to USERS users: the demo sign-ins, one coordinator per territory and
    per province, a few admins and donors, volunteers for the rest (each
    territory has some). One password hash for all: the demo password."""
    password_hash = people["admin"].password_hash
    provinces = {p.parent_id: p.parent for p in territories}
    next_id = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    user_rows, region_rows, audit_rows = [], [], []
    by_territory: dict[str, list[tuple[int, str]]] = {t.path: [] for t in territories}
    coordinators: dict[str, int] = {}

    def add(role, local, name, regions, langs, skills=()):
        nonlocal next_id
        email = f"{local}@scale.{demo.DEMO_DOMAIN}"
        user_rows.append({"id": next_id, "email": email, "name": name, "role": role, "password_hash": password_hash,
                          "active": True, "away": False, "locale": langs[0], "timezone": "Africa/Lubumbashi",
                          "languages": list(langs), "skills": list(skills), "failed_logins": 0, "created_at": now})
        region_rows.extend({"user_id": next_id, "place_id": place.id} for place in regions)
        audit_rows.append((next_id, email, role, [place.code for place in regions]))
        next_id += 1
        return next_id - 1, email

    for place in sorted(provinces.values(), key=lambda p: p.code):
        add("coordinator", f"coord.{place.code.lower()}", demo_names.full_name(rng, "fr"), [place], ["fr", "sw"])
    for place in territories:
        coordinators[place.path] = add("coordinator", f"coord.{place.code.lower()}",
                                       demo_names.full_name(rng, "fr"), [place], ["fr", "sw", "rw"])[0]
    for n in range(3):
        add("admin", f"admin{n}", demo_names.full_name(rng, "fr"), [], ["fr", "en"])
    for n in range(15):
        add("donor", f"donor{n}", f"Partner {n + 1}", [], ["en"])
    from .scale import PLACE_WEIGHTS, PROVINCE_STYLES, _pick

    weights = [PLACE_WEIGHTS.get(p.code, 1) for p in territories]
    existing = 17  # the demo sign-ins
    n = 0
    while len(user_rows) + existing < USERS:
        home = territories[n] if n < len(territories) else rng.choices(territories, weights)[0]
        regions = [home]
        if rng.random() < 0.2:
            regions.append(rng.choice([t for t in territories if t.parent_id == home.parent_id and t is not home]))
        style = _pick(rng, PROVINCE_STYLES[provinces[home.parent_id].code])
        langs = list(dict.fromkeys([style, rng.choice(["sw", "fr"])]))
        skills = rng.sample(list(SKILLS), rng.randint(1, 3))
        user_id, email = add("volunteer", f"vol{n:04d}", demo_names.full_name(rng, style), regions, langs, skills)
        for region in dict.fromkeys(regions):
            by_territory[region.path].append((user_id, email))
        n += 1
    connection = db.session.connection()
    connection.execute(insert(User.__table__), user_rows)
    connection.execute(insert(user_regions), region_rows)
    _audit_user_creations(connection, now, audit_rows)
    demo_volunteers = [(u.id, u.email, [r.path for r in u.regions]) for u in people["volunteers"]]
    for path, members in by_territory.items():
        members.extend((uid, email) for uid, email, paths in demo_volunteers
                       if any(path == p or path.startswith(p + "/") for p in paths))
    return SimpleNamespace(all=[r["id"] for r in user_rows] + [u.id for u in people["all"]],
                           by_territory=by_territory, coordinators=coordinators,
                           emails={r["id"]: r["email"] for r in user_rows} | {u.id: u.email for u in people["all"]})


def _audit_user_creations(connection, now, rows) -> None:
    """One `user.create` line each, chained onto the head as audit.record
    would, and the head moved to the last."""
    head = db.session.scalar(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update())
    last, count = (head.last_hash, head.entries) if head else (audit.GENESIS, 0)
    entries = []
    for user_id, email, role, regions in rows:
        entry = SimpleNamespace(at=now, actor_id=None, action="user.create", target=email, ip=None,
                                detail={"role": role, "regions": regions})
        digest = audit.entry_hash(entry, last)
        entries.append({"at": now, "actor_id": None, "action": "user.create", "target": email, "ip": None,
                        "detail": entry.detail, "prev_hash": last, "hash": digest})
        last = digest
    connection.execute(insert(AuditEntry.__table__), entries)
    if head is None:
        connection.execute(insert(AuditChainHead.__table__), [{"id": 1, "last_hash": last, "entries": len(entries)}])
    else:
        connection.execute(update(AuditChainHead.__table__).where(AuditChainHead.id == 1)
                           .values(last_hash=last, entries=count + len(entries)))
