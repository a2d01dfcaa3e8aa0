"""The API fuzzed against its own OpenAPI schema: no server errors, and every answer matches what it documents.

Every operation is fuzzed as four personas (admin, lead, department officer, institution). Each generated request is
sent as every one of them in turn: within a run schemathesis draws the same requests for an operation whatever the
persona (its seed is derived from the run's seed and the operation), so generating them once and sending them four
times checks the requests four separate tests would, without generating everything four times (a quarter of the
file's time).
"""

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

PERSONAS = ("admin", "lead", "edu_officer", "institution")


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    # Called as a WSGI app (not through Django's test client), each request would end by closing the database
    # connection, and with it the test's transaction; the test client disconnects these signals the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# A parameter (one value) rather than a plain fixture: schemathesis names a test after its operation only when pytest
# parametrizes it too; without one, every operation's test would have the same id.
@pytest.fixture(params=[PERSONAS], ids=lambda names: "+".join(names))
def persona_headers(request, personas, settings) -> dict[str, dict[str, str]]:
    """Each persona's API token, as request headers."""
    settings.JIANGUAN_INSTITUTION_API_TOKENS = True  # the institution persona: a deployment that enables its tokens
    headers = {}
    for name in request.param:
        _token, raw = api_token_create(actor=personas[name], name="schema")
        headers[name] = {"Authorization": f"Bearer {raw}"}
    return headers


def _as_every_persona(case, persona_headers: dict[str, dict[str, str]]) -> None:
    for name, headers in persona_headers.items():
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis's FailureGroup is a BaseExceptionGroup
            failure.add_note(f"(sent as the {name} persona)")
            raise


# A penalty case's actions are one handler over the action's form (enforcement/api.py): fuzzed with fewer examples
# each, so the two dozen of them together cost what a few hand-written endpoints do.
CASE_ACTIONS = r"^/api/v1/cases/\{case_id\}/[a-z-]+$"


@schema.exclude(path_regex=CASE_ACTIONS).parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_schema(case, persona_headers):
    _as_every_persona(case, persona_headers)


@schema.include(path_regex=CASE_ACTIONS).parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_case_actions_match_their_schema(case, persona_headers):
    _as_every_persona(case, persona_headers)
