"""The API fuzzed against its own OpenAPI schema: no server errors, and every answer matches what it documents."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from jianguan.accounts.services import api_token_create
from jianguan.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    # Called as a WSGI app (not through Django's test client), each request would end by closing the database
    # connection, and with it the test's transaction; the test client disconnects these signals the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["admin", "lead", "edu_officer", "institution"])
def token_headers(request, personas, settings):
    settings.JIANGUAN_INSTITUTION_API_TOKENS = True  # the institution persona: a deployment that enables its tokens
    _token, raw = api_token_create(actor=personas[request.param], name="schema")
    return {"Authorization": f"Bearer {raw}"}


# A penalty case's actions are one handler over the action's form (enforcement/api.py): fuzzed with fewer examples
# each, so the two dozen of them together cost what a few hand-written endpoints do.
CASE_ACTIONS = r"^/api/v1/cases/\{case_id\}/[a-z-]+$"


@schema.exclude(path_regex=CASE_ACTIONS).parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_schema(case, token_headers):
    case.call_and_validate(headers=token_headers, checks=CHECKS)


@schema.include(path_regex=CASE_ACTIONS).parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_case_actions_match_their_schema(case, token_headers):
    case.call_and_validate(headers=token_headers, checks=CHECKS)
