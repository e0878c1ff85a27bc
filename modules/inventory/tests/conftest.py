from __future__ import annotations

from decimal import Decimal as D

import pytest

from modules.inventory import actions
from tests.factories import make_member, make_shop
from zargar.tenancy.context import tenant_context


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; these tests create users and never check passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def shop(db):
    """A shop (USD) with its owner, an admin, a member and a viewer."""
    tenant, owner = make_shop("Inventory Gold")
    people = {"owner": owner, "admin": make_member(tenant, "admin"), "member": make_member(tenant, "member"), "viewer": make_member(tenant, "viewer")}
    return tenant, people


@pytest.fixture
def in_shop(shop):
    tenant, _ = shop
    with tenant_context(tenant):
        yield tenant


def piece(tenant, sku="P-1", *, quantity=1, **extra):
    """A serialized piece (in stock by default)."""
    fields = {"name": f"Ring {sku}", "karat": 18, "gross_weight": D("5.000"), "net_weight": D("4.500"), "price": D("300.00")}
    fields.update(extra)
    with tenant_context(tenant):
        return actions.create_item(tenant, sku=sku, quantity=quantity, **fields)


def lot_item(tenant, sku="L-1", *, quantity=10, **extra):
    """A lot-tracked design with `quantity` units in one lot."""
    fields = {"name": f"Chain {sku}", "karat": 21, "gross_weight": D("2.000"), "net_weight": D("1.900"), "price": D("150.00"), "tracking": "lot"}
    fields.update(extra)
    with tenant_context(tenant):
        return actions.create_item(tenant, sku=sku, quantity=quantity, **fields)
