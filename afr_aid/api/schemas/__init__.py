"""marshmallow schemas of /api/v1: they validate requests, shape answers and
make the OpenAPI document, so the three never disagree."""
