"""GET /api/v1/openapi.json: a valid OpenAPI 3 document of every call."""
import pytest

from tests.api.conftest import API

PATHS = {
    "/api/v1/tokens": {"post"},
    "/api/v1/tokens/current": {"delete"},
    "/api/v1/me": {"get"},
    "/api/v1/locations": {"get"},
    "/api/v1/stats": {"get"},
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/export": {"get"},
    "/api/v1/cases/{ref}": {"get"},
    "/api/v1/cases/{ref}/events": {"get"},
    "/api/v1/cases/{ref}/transitions": {"post"},
    "/api/v1/cases/{ref}/notes": {"post"},
    "/api/v1/cases/{ref}/suggestions": {"get"},
}


@pytest.fixture
def document(client):
    response = client.get(f"{API}/openapi.json")  # no token needed
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3(document):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)
    assert document["openapi"].startswith("3.")


def test_every_call_is_documented_with_its_answers(document):
    assert {path: set(ops) - {"parameters"} for path, ops in document["paths"].items()} == PATHS
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert codes & {"200", "201", "204"}, (path, method)
            if path != "/api/v1/tokens":
                assert "401" in codes, (path, method)
            if method == "post" and path != "/api/v1/tokens/current":
                assert {"400", "413", "422"} <= codes and "requestBody" in operation, (path, method)


def test_bearer_tokens_are_declared_and_only_signing_in_needs_none(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/api/v1/tokens"]["post"]["security"] == []


def test_errors_are_documented_in_the_format_they_have(document):
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetail"}
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) == {"code", "message", "fields"}
    response = document["components"]["responses"]["UNPROCESSABLE_ENTITY"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_request_bodies_come_from_the_validating_schemas(document):
    from afr_aid.api.schemas.cases import AssistanceIn, IncidentIn
    from afr_aid.api.schemas.workflow import TRANSITION_IN

    schemas = document["components"]["schemas"]
    assert set(schemas["AssistanceIn"]["properties"]) == set(AssistanceIn().fields)
    assert set(schemas["IncidentIn"]["properties"]) == set(IncidentIn().fields)
    assert schemas["PersonIn"]["properties"]["age"]["maximum"] == 130
    assert schemas["IncidentIn"]["properties"]["severity"]["minimum"] == 1
    assert "gbv" in schemas["AssistanceIn"]["properties"]["needs"]["items"]["enum"]
    assert set(schemas["AssistanceIn"]["required"]) == {"client_uuid", "location", "urgency", "consent",
                                                        "kind", "needs"}
    body = document["paths"]["/api/v1/cases/{ref}/transitions"]["post"]["requestBody"]
    one_of = body["content"]["application/json"]["schema"]["oneOf"]
    assert len(one_of) == len(TRANSITION_IN) == 8
    parameters = {p["name"] for p in document["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert parameters == {"kind", "status", "urgency", "location", "assignee", "overdue", "q", "limit", "cursor"}


def test_the_export_is_documented_with_the_list_filters_and_its_file_types(document):
    operation = document["paths"]["/api/v1/cases/export"]["get"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert parameters == {"kind", "status", "urgency", "location", "assignee", "overdue", "q", "format"}
    assert set(operation["responses"]["200"]["content"]) == {
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert {"401", "403", "422"} <= set(operation["responses"])
