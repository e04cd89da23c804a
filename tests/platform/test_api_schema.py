"""The OpenAPI schema and its docs pages are served and describe the public API."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_lists_every_public_endpoint_with_bearer_auth(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    for path in ("/v1/images/generations", "/v1/images/edits", "/v1/images/variations", "/v1/moderations",
                 "/v1/models", "/v1/images/restyles", "/v1/jobs", "/v1/jobs/{job_id}", "/v1/provenance/verify"):
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    generation = schema["paths"]["/v1/images/generations"]["post"]["requestBody"]["content"]["application/json"]
    assert generation["schema"]["$ref"].endswith("/GenerationIn")


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_render(client, page):
    response = client.get(page)
    assert response.status_code == 200
    assert b"/api/schema/" in response.content
    assert b"cdn.jsdelivr" not in response.content  # served from our static files, works offline
