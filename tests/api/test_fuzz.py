"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Every documented operation gets generated requests, valid and invalid, with an API key
holding every scope and a visitor session's bearer: no response may be a 5xx, and every
response must fit the document (status code, content type, headers, body schema).
Bounded in examples (schemathesis' deterministic coverage cases plus `max_examples`
generated ones per operation, no shrinking) so that each database's pass takes about a
minute; the suite runs it on SQLite and on PostgreSQL. What it found is listed in
docs/errors.md.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi import checks

from aurion import create_app
from aurion.config import TestConfig
from aurion.services.api_keys import SCOPES, create_api_key
from aurion.services.tenants import create_tenant
from tests.support.visitors import start_session

# What a response must satisfy. Not "positive data acceptance" (a valid but made-up id is
# rightly a 404) nor "negative data rejection" (a query parameter the operation does not
# declare is ignored by design: cache busters; see aurion.schemas.fields.Query).
CHECKS = [
    schemathesis.checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def fuzzed(make_app):
    """An app with limits out of the way (the fuzzer is one client), a tenant, its key and a visitor session."""
    limits = ("AURION_LIMIT_SESSION", "AURION_LIMIT_SESSION_PER_IP", "AURION_LIMIT_MESSAGE", "AURION_LIMIT_UPLOAD")
    app = make_app(**{setting: "100000/minute" for setting in limits})
    with app.app_context():
        tenant = create_tenant("acme")
        _, key = create_api_key(tenant, list(SCOPES))
        session = start_session(app.test_client(), tenant.widgets[0])
        yield app, {"X-API-Key": key, "Authorization": f"Bearer {session['token']}"}


# The document as the app serves it (it depends on the routes only, not on the database);
# each test sends its cases to the app of its own fixture.
schema = schemathesis.openapi.from_dict(create_app(TestConfig).test_client().get("/api/v1/openapi.json").get_json())


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_5xx_and_every_answer_fits_the_document(case, fuzzed):
    app, credentials = fuzzed
    case.call_and_validate(app=app, headers=credentials, checks=CHECKS)
