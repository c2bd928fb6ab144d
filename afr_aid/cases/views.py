"""The case pages: start page per role, filing, the list, one case.

The routes live in the modules imported at the bottom; this module only
holds the blueprint so they can share it.
"""
from flask import Blueprint

bp = Blueprint("cases", __name__, template_folder="templates")

from . import detail, export, filing, home, listing  # noqa: E402,F401  (they register their routes on bp)
