"""Sending an export (services/protection/exports.py) as a file download, for the pages
and the API alike."""
from __future__ import annotations

from flask import send_file


def send_export(export):
    """An attachment that no browser or proxy keeps (infra/security_headers.py also says
    no-store for every page; a download must not depend on that)."""
    response = send_file(export.file, mimetype=export.mimetype, as_attachment=True,
                         download_name=export.filename, conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
