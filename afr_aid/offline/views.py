"""Routes of the offline app shell (see __init__)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, send_from_directory
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from .. import permissions
from ..cases.action_forms import ACTION_BUTTONS
from ..cases.detail import now_is
from ..services.cases import records as cases
from ..services.cases import workflow
from ..vocab import KINDS, OPEN_STATUSES, URGENCIES, label
from ..web.helpers import me

bp = Blueprint("offline", __name__, template_folder="templates")
MINE_LIMIT = 50
# What a volunteer may do to a case without a connection; the rest needs the case page.
OFFLINE_ACTIONS = ("accept", "start", "resolve")


@bp.route("/sw.js")
def service_worker():
    # Served from the root so that its scope is the whole site.
    response = send_from_directory(current_app.static_folder, "js/sw.js", mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    return send_from_directory(current_app.static_folder, "manifest.webmanifest",
                               mimetype="application/manifest+json")


def _filer():
    user = me()
    if not permissions.can_file(user):
        abort(403)
    return user


@bp.route("/offline")
@login_required
def shell():
    _filer()
    return render_template("offline/shell.html")


@bp.route("/offline/token")
@login_required
def token():
    """A CSRF token for the queue to send with, asked just before sending (the
    one in a page cached hours ago has expired)."""
    _filer()
    return jsonify({"csrf_token": generate_csrf()})


@bp.route("/offline/mine")
@login_required
def mine():
    """The volunteer's open cases, for the phone to show offline: no name, no
    phone, no description, only what a list row shows."""
    user = _filer()
    items, _ = cases.list_cases(user, {"status": list(OPEN_STATUSES)}, limit=MINE_LIMIT)
    return jsonify({"items": [{**now_is(c), "kind": c.kind, "kind_label": str(label(KINDS, c.kind)),
                               "urgency_label": str(label(URGENCIES, c.urgency)), "location": c.location.name,
                               "actions": [a for a in workflow.available_actions(user, c) if a in OFFLINE_ACTIONS]}
                              for c in items],
                    "labels": {a: str(ACTION_BUTTONS[a]) for a in OFFLINE_ACTIONS}})
