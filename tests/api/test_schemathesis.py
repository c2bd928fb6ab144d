"""Schemathesis fuzzes every call of /api/v1 from the OpenAPI document,
against the app itself (WSGI), with a coordinator's and a volunteer's token:
no answer may be a server error or differ from what the document says.

Bounded: a fixed number of examples per call, the same ones every run
(deterministic), no Hypothesis database. tests/api/schemathesis.sh still runs
a longer fuzz against a real server by hand.
"""
from __future__ import annotations

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.api.conftest import API
from tests.conftest import api_token

EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _fresh_globals(app):
    """Each fuzzed request starts with an empty `g`, as in production (the
    test's application context is shared: see FreshGlobalsClient)."""
    def wsgi(environ, start_response):
        vars(g._get_current_object()).clear()
        return app(environ, start_response)

    return wsgi


@pytest.fixture
def api_schema(app):
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", _fresh_globals(app))
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=EXAMPLES, deterministic=True, database="none")
    # Signing in and out is not a role's call: fuzzing them would end the tokens in use.
    return schema.exclude(path_regex=r"^/api/v1/tokens")


@pytest.fixture
def callers(client, make_user, file_case):
    """Per API call, a coordinator and a volunteer of their own (so no one
    user's calls add up across the whole run), with a few cases to find."""
    made = {}

    def for_operation(label):
        if label not in made:
            coordinator = make_user("coordinator", regions=["CD-NK"])
            volunteer = make_user("volunteer", regions=["CD-NK"])
            file_case(volunteer)
            file_case(volunteer, "incident")
            made[label] = [api_token(client, coordinator.email), api_token(client, volunteer.email)]
        return made[label]

    return for_operation


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """Schemathesis (4.32) names each call's subtest through `node._nodeid`,
    which pytest 9 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_call_keeps_to_the_document(case, callers):
    for headers in callers(case.operation.label):
        case.call_and_validate(headers=headers, checks=CHECKS)
