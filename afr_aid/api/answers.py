"""JSON answers built straight from serialize.py's dicts.

The answer schemas (schemas/) document the API, and the tests hold every
answer to them (tests/api/test_answers.py compares this module's output with
the schemas' own dump; tests/api/test_schemathesis.py validates live answers
against the OpenAPI document). Dumping through marshmallow at run time walked
every field of every case again: about a fifth of the time of a 25-case page
(benchmarks/RESULTS.md). The dicts already hold exactly the schemas' fields,
in JSON's types except dates and times, which become ISO 8601 text as
marshmallow's Date and DateTime fields write them.

flask-smorest hands a Response returned by a view through unchanged, so the
views keep their @blp.response documentation.
"""
from __future__ import annotations

import json
from datetime import date, datetime

from flask import Response, current_app


def _encode(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not an API value")


def dumps(data) -> str:
    return json.dumps(data, default=_encode, ensure_ascii=False, separators=(",", ":"))


def answer(data, status: int = 200) -> Response:
    return current_app.response_class(dumps(data), status=status, mimetype="application/json")
