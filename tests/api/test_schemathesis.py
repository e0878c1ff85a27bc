"""Schemathesis over the whole API: every operation of `/api/schema/` is called with generated
requests (valid and invalid), authenticated with a real `sk_test_…` key of a seeded shop, and
every response must pass Schemathesis' default checks (no 5xx, documented status codes,
content types, headers and bodies matching the schema, invalid input refused, …). One check is
narrowed: `positive_data_acceptance` lets a schema-valid request be refused with a 400 that
names the fields of a rule the schema cannot state (see `schema_valid_data_accepted_or_refused_by_a_named_rule`).

Deterministic (fixed seed, derandomized) and bounded (`SCHEMATHESIS_MAX_EXAMPLES`, default 8
examples per operation) so it runs in a few minutes. A test key's writes are dry runs, so the
seeded shop stays the same from one example to the next.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from modules.customers import actions as customer_actions
from modules.rates import actions as rate_actions
from modules.rates.units import Purity
from tests.api.conftest import make_item
from tests.factories import make_shop
from zargar.api import actions as key_actions
from zargar.tenancy.actions import set_module_enabled
from zargar.tenancy.context import tenant_context

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))
SEED = 20261122


@pytest.fixture
def seeded_shop(db):
    tenant, owner = make_shop("Schema Gold")
    make_item(tenant, "S-1", karat=18)
    make_item(tenant, "S-2", karat=22)
    with tenant_context(tenant):
        customer_actions.create_customer(tenant, full_name="Sara Ahmadi", phone="", email="sara@example.com")
        for purity in Purity.values:  # a full board, so every purity can be quoted
            rate_actions.record_rate(tenant, purity=purity, unit="gram", buy=Decimal("60.00"), sell=Decimal("65.00"))
    set_module_enabled(tenant, "appraisals", True, cascade=True)  # the plugin is off by default
    _key, secret = key_actions.create_api_key(tenant, name="Schemathesis", mode="test", created_by=owner)
    return tenant, secret


def _openapi_document() -> dict:
    """The schema `/api/schema/` serves, built by drf-spectacular's generator without a request
    (collection time has no database; the schema needs none)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


# `format: phone` (customers): valid examples are numbers that exist in a numbering plan, which
# a pattern cannot say; E.164 examples from libphonenumber's metadata, and local digits (the
# seeded shop sets no phone region, so local digits are kept as typed).
schemathesis.openapi.format(
    "phone",
    st.one_of(
        st.sampled_from(["+989123456789", "+14155552671", "+442071838750", "+4915123456789", "+971501234567"]),
        st.from_regex(r"\A0[0-9]{9,10}\Z"),
    ),
)
schema = schemathesis.openapi.from_dict(_openapi_document())
schema.app = get_wsgi_application()  # calls go through Django's real WSGI handler, in process
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
schema.config.seed = SEED


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Disconnect the signal handlers that close the database connection after each WSGI
    request, so the test's transaction outlives the calls (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schemathesis.check
def schema_valid_data_accepted_or_refused_by_a_named_rule(ctx, response, case):
    """Schemathesis' `positive_data_acceptance`, with one exception: rules that span several
    fields or parameters, or need the database (a lot item has no tag; payments must add up to
    the total; a statement's first day is not after its last; an e-mail domain needs a real TLD;
    a webhook host must be a public name), cannot be stated in OpenAPI 3.0, so a schema-valid
    request may be refused with 400 — but only with Zargar's JSON error whose `fields` name what
    was refused, with a code and a message (never a 5xx, an HTML page or an empty body). Ranges
    and formats of single values are stated in the schema, so they never need this exception."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and response.status_code == 400:
        error = response.json()["error"]
        assert error["code"] and error["message"] and error.get("fields"), response.text
        return None
    return positive_data_acceptance(ctx, response, case)


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api_conforms_to_schema(case, seeded_shop):
    _tenant, secret = seeded_shop
    case.call_and_validate(
        headers={"Authorization": f"Bearer {secret}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_data_accepted_or_refused_by_a_named_rule],
    )
