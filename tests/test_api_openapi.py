"""Every public API route is in the OpenAPI document (/api/v1/openapi.json), the contributions route
with its request and answer schemas, and documenting it changed none of its guards."""
# ruff: noqa: F811  (the desk fixtures are imported by name)

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select

from crawler.store import tokens
from crawler.store.schema import SubmissionRow
from crawler.submissions import MAX_BODY_BYTES
from tests.desklab import SQLITE_ONLY, Session, app, client_for, engine  # noqa: F401

DOC = "/api/v1/openapi.json"


def _api_routes(application: Any) -> set[tuple[str, str]]:
    """(path, method) of every route the app answers under /api/ (the document itself aside)."""
    found = set()
    for route in iter_route_contexts(application.routes):
        path = route.path or ""
        if path.startswith("/api/") and path != DOC:
            found.update((path, method.lower()) for method in (route.methods or ()) if method != "HEAD")
    return found


@SQLITE_ONLY
def test_every_public_api_route_is_in_the_openapi_document(app) -> None:
    doc = client_for(app).get(DOC).json()
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routes = _api_routes(app)
    assert ("/api/v1/submissions", "post") in routes and ("/api/v1/items", "get") in routes
    assert routes - documented == set()
    assert documented - routes == set()


def _schema(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else node


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("status", "properties"),
    [
        ("201", {"id", "item_id", "outcome"}),
        ("422", {"error", "errors"}),
        ("401", {"error", "message"}),
        ("403", {"error", "message"}),
        ("413", {"error", "message"}),
        ("429", {"error", "message"}),
    ],
)
def test_submissions_answers_are_documented(app, status: str, properties: set[str]) -> None:
    doc = client_for(app).get(DOC).json()
    answer = doc["paths"]["/api/v1/submissions"]["post"]["responses"][status]
    schema = _schema(doc, answer["content"]["application/json"]["schema"])
    assert properties <= set(schema["properties"])


@SQLITE_ONLY
def test_submissions_request_body_is_documented(app) -> None:
    op = client_for(app).get(DOC).json()["paths"]["/api/v1/submissions"]["post"]
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"kind", "fields", "contributor"}
    assert body["properties"]["kind"]["enum"] == ["news", "event", "funding", "good_practice", "document"]
    assert set(body["properties"]["contributor"]["required"]) == {"name", "email"}
    assert "$defs" not in str(body)  # references resolve inside the document
    assert "parameters" not in op  # the body is read by the route, after its guards


@pytest.fixture
def submit_token(Session) -> dict[str, str]:
    with Session() as s:
        good, _ = tokens.add_token(s, "portal", scopes=("submit",))
        other, _ = tokens.add_token(s, "reader", scopes=())
        s.commit()
    return {"submit": good, "none": other}


BODY = {
    "kind": "news",
    "fields": {"title": "New law", "summary": "Parliament passed a law on integration."},
    "contributor": {"name": "Ana", "email": "ana@example.org"},
}


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("token", "headers", "content", "status"),
    [
        (None, {}, None, 401),  # no token
        ("bogus", {}, None, 401),  # unknown token
        ("none", {}, None, 403),  # a token without the submit scope
        ("submit", {"Content-Length": str(MAX_BODY_BYTES + 1)}, b"{}", 413),  # refused before reading
        ("submit", {}, b"[1, 2]", 422),  # read and validated by the route itself
    ],
)
def test_documenting_the_route_kept_its_guards(
    app, Session, submit_token, token: str | None, headers: dict, content: bytes | None, status: int
) -> None:
    app.state.intake = lambda *a, **k: pytest.fail("nothing may be stored")
    sent = dict(headers)
    if token:
        sent["Authorization"] = f"Bearer {submit_token.get(token, token)}"
    client = client_for(app)
    if content is None:
        answer = client.post("/api/v1/submissions", json=BODY, headers=sent)
    else:
        answer = client.post("/api/v1/submissions", content=content, headers=sent)
    assert answer.status_code == status
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(SubmissionRow)) == 0
