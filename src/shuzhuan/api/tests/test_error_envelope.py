"""Issue 10 item 9: every 4xx is documented with the envelope; body-parse errors in Chinese with a code."""

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_openapi_documents_every_4xx_with_the_envelope(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "ErrorEnvelope" in schema["components"]["schemas"]
    for url, path in schema["paths"].items():
        for method, operation in path.items():
            for status in ("400", "401", "403", "404", "409", "422"):
                content = operation["responses"][status]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorEnvelope"}, (method, url, status)


def test_a_body_that_does_not_parse_is_a_422_bad_body_in_chinese(world, login):
    c = login(world.users["city"])
    response = c.post("/api/v1/programs/subsidy-quote", "{not json", content_type="application/json")
    body = response.json()
    assert response.status_code == 422 and body["code"] == "bad_body" and "无法解析" in body["message"]
    assert set(body) == {"code", "message", "errors"}


def test_the_body_parse_message_is_translatable():
    from shuzhuan.core.api_errors import http_error

    with translation.override("en"):
        code, message = http_error(400, "Cannot parse request body")
    assert code == "bad_body" and message == "The request body cannot be parsed: send a UTF-8 JSON object"
