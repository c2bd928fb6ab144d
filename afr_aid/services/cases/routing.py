"""Who should take a case: ranked suggestions and auto-routing."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ... import permissions
from ...errors import Forbidden, NotFound
from ...extensions import db
from ...models import Case, CaseEvent, Place, RegionSetting, User, user_regions
from ...vocab import LANGUAGES, NEED_SKILLS, OPEN_STATUSES, SKILLS, label
from ..protection import audit
from .places import all_places

SKILL_WEIGHT = 10
LANGUAGE_WEIGHT = SKILL_WEIGHT * (len(SKILLS) + 1)
REGION_WEIGHT = 10 * LANGUAGE_WEIGHT


@dataclass
class Suggestion:
    user: User
    score: int
    open_cases: int
    reasons: list = field(default_factory=list)


def _ancestor_paths(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def needed_skills(case: Case) -> set[str]:
    if case.kind != "assistance":
        return {"documentation", "protection"}
    return {skill for need in case.needs or () for skill in NEED_SKILLS.get(need, ())}


def rank(case: Case, exclude_ids: set[int] = frozenset()) -> list[Suggestion]:
    """Active volunteers whose regions cover the case's place: the nearest region
    first, then the person's language, then matching skills, then the fewest
    open cases. Two queries whatever the number of volunteers."""
    ancestors = _ancestor_paths(case.place_path)
    rows = db.session.execute(
        select(User, func.max(func.length(Place.path)))
        .join(user_regions, user_regions.c.user_id == User.id)
        .join(Place, Place.id == user_regions.c.place_id)
        .where(User.role == "volunteer", User.active.is_(True), User.away.is_(False),
               Place.path.in_(ancestors))
        .group_by(User.id)
    ).all()
    if not rows:
        return []
    ids = [user.id for user, _ in rows]
    open_counts = dict(db.session.execute(
        select(Case.assignee_id, func.count()).where(Case.assignee_id.in_(ids),
                                                     Case.status.in_(OPEN_STATUSES))
        .group_by(Case.assignee_id)).all())
    wanted = needed_skills(case)
    suggestions = []
    for user, region_len in rows:
        if user.id in exclude_ids:
            continue
        # Longest covering path = nearest region (a territory beats its province).
        depth = next(i for i, p in enumerate(ancestors) if len(p) == region_len)
        region = ancestors[depth].rsplit("/", 1)[-1]
        reasons = [_l("Covers %(region)s", region=region)]
        language = 1 if case.person_language and case.person_language in (user.languages or []) else 0
        if language:
            reasons.append(_l("Speaks %(language)s", language=label(LANGUAGES, case.person_language)))
        skills = sorted(wanted & set(user.skills or []))
        if skills:
            reasons.append(_l("Skills: %(skills)s", skills=", ".join(label(SKILLS, s) for s in skills)))
        count = open_counts.get(user.id, 0)
        reasons.append(_l("%(n)d open cases", n=count))
        # Strict order: region, then language, then skills, then load. The language
        # must outweigh every skill together (up to len(SKILLS) of them), or a volunteer
        # with many skills would jump ahead of one who speaks the person's language.
        score = (depth * REGION_WEIGHT + language * LANGUAGE_WEIGHT + len(skills) * SKILL_WEIGHT
                 + max(0, SKILL_WEIGHT - 1 - count))
        suggestions.append(Suggestion(user, score, count, reasons))
    suggestions.sort(key=lambda s: (-s.score, s.open_cases, s.user.name))
    return suggestions


def suggestions_for(actor: User, case: Case) -> list[Suggestion]:
    if not permissions.can_view(actor, case):
        raise NotFound()
    if not permissions.can_see_suggestions(actor, case):
        raise Forbidden()
    return rank(case)


def declined_by(case: Case) -> set[int]:
    return set(db.session.scalars(select(CaseEvent.actor_id).where(
        CaseEvent.case_id == case.id, CaseEvent.action == "decline", CaseEvent.actor_id.is_not(None))))


def auto_routing_on(case: Case) -> bool:
    ancestors = _ancestor_paths(case.place_path)
    return bool(db.session.scalar(
        select(func.count()).select_from(RegionSetting).join(Place)
        .where(Place.path.in_(ancestors), RegionSetting.auto_routing.is_(True))))


def set_auto_routing(actor: User, place: Place, enabled: bool) -> None:
    if not permissions.can_set_auto_routing(actor, place):
        raise Forbidden()
    setting = db.session.get(RegionSetting, place.id) or RegionSetting(place_id=place.id)
    setting.auto_routing = enabled
    db.session.add(setting)
    audit.record(actor, "region.auto_routing", place.code, enabled=enabled)
    db.session.commit()


def auto_routed_regions() -> list[str]:
    return list(db.session.scalars(select(Place.code).join(RegionSetting)
                                   .where(RegionSetting.auto_routing.is_(True))))


def switchable_regions(actor: User) -> list[dict]:
    """The places down to territories whose auto-routing this user may switch,
    in tree order, each with its own switch and the ancestor it inherits
    auto-routing from (auto-routing on a province covers its territories)."""
    if not permissions.can_manage_auto_routing(actor):
        raise Forbidden()
    on = set(auto_routed_regions())
    rows = []
    for place in all_places("territory"):
        if not permissions.can_set_auto_routing(actor, place):
            continue
        ancestors = place.path.split("/")[:-1]
        inherited = next((code for code in reversed(ancestors) if code in on), None)
        rows.append({"place": place, "on": place.code in on, "inherited_from": inherited})
    return rows
