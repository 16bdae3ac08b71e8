"""Schemathesis against the portal's OpenAPI document (/api/v1/openapi.json): generated requests,
valid (positive) and invalid (negative), to every operation; no server error and every answer
conforms to the document (status code, content type, body schema). Bounded: `MAX_EXAMPLES` per
operation and mode. Both back ends, since the queries differ (full text, JSON themes)."""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from test_portal_api import make_app, shared_db  # noqa: E402, F401

MAX_EXAMPLES = 25
JSON_TYPE = "application/json; charset=utf-8"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_conforms_to_its_openapi_document(shared_db: str, mode: str) -> None:  # noqa: F811
    app = make_app(shared_db, anonymous_per_minute=1_000_000)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/v1/items",
        "/api/v1/items/{item_id}",
        "/api/v1/funding",
        "/api/v1/events",
        "/api/v1/themes",
        "/api/v1/sources",
        "/api/v1/coverage",
    }
    calls: list[int] = []
    for operation in operations:
        if mode == "negative" and not (len(operation.query) or len(operation.path_parameters)):
            continue  # nothing to make invalid in a request without parameters
        strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))

        @given(case=strategy)
        @settings(
            max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: Any) -> None:
            if mode == "positive" and case.query:
                # a cursor is opaque: no schema can say which strings are valid (see test_bad_cursor_is_400)
                case.query.pop("cursor", None)
                # nor which source ids the store holds, nor (a cross-parameter rule) that a period
                # must not end before it starts (see test_a_filter_that_cannot_match_is_refused and
                # test_api_strict: every from/to pair of every route)
                case.query.pop("source", None)
                for start, end in (("published_from", "published_to"), ("from", "to")):
                    if start in case.query and end in case.query:
                        case.query.pop(end)
                if "deadline_after" in case.query and "deadline_before" in case.query:
                    case.query.pop("deadline_before")
            response = case.call_and_validate()
            calls.append(response.status_code)
            assert response.status_code < 500
            if response.status_code == 200:
                assert response.headers.get("content-type") in (
                    JSON_TYPE,
                    [JSON_TYPE],
                )  # str or list by transport

        check()
    assert calls  # the run did call the API
    app.state.engine.dispose()
