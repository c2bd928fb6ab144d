"""GET /me, /locations and /stats."""
from __future__ import annotations

from flask_smorest import Blueprint

from .. import permissions
from ..services.cases import places
from ..services.protection import stats
from . import serialize
from .auth import current_user
from .body import query_args
from .docs import errors, query
from .schemas.meta import LocationList, MeOut, StatsArgs, StatsOut

blp = Blueprint("api_meta", __name__, url_prefix="/api/v1", description="The caller, places and figures.")


@blp.route("/me")
@blp.response(200, MeOut)
@errors(blp, 401)
def me():
    """The caller's profile"""
    return serialize.me(current_user())


@blp.route("/locations")
@blp.response(200, LocationList)
@errors(blp, 401)
def locations():
    """The place tree, root first

    Donors get the country and its provinces only.
    """
    user = current_user()
    deepest = "province" if permissions.donor_view(user) else None
    return {"items": [serialize.location(place) for place in places.all_places(deepest)]}


@blp.route("/stats")
@blp.doc(parameters=query(StatsArgs))
@blp.response(200, StatsOut)
@errors(blp, 401, 403, 422)
def figures():
    """Aggregate figures the caller may see

    Counts from 1 to 4 read "<5". Volunteers get 403.
    """
    user = current_user()
    stats.check_figures(user)
    args = query_args(StatsArgs())
    return stats.figures(user, args.get("start"), args.get("end"))
