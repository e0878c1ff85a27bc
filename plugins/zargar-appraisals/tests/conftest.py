"""Fixtures of the appraisals plugin tests: two shops with the plugin switched on, an item
each, built with the product's own actions."""

from __future__ import annotations

import pytest
from appraisal_helpers import Shop, make_appraisal_shop
from rest_framework.test import APIClient

from tests.factories import make_member


@pytest.fixture
def shop_a(db) -> Shop:
    return make_appraisal_shop("Appraisal Shop A", "A-1")


@pytest.fixture
def shop_b(db) -> Shop:
    return make_appraisal_shop("Appraisal Shop B", "B-1")


@pytest.fixture
def member_of():
    return lambda shop, role="member": make_member(shop.tenant, role)


@pytest.fixture
def api_as():
    def build(user, shop: Shop) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        client.credentials(HTTP_X_TENANT=shop.tenant.slug)
        return client

    return build
