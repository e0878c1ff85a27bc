"""Builders of the appraisals plugin tests (a module with a unique name: the tests folder is not
a package, and `conftest` is a name every test folder uses)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from modules.inventory import actions as inventory_actions
from tests.factories import make_shop
from zargar.tenancy.actions import set_module_enabled
from zargar.tenancy.context import tenant_context
from zargar_appraisals import actions


@dataclass
class Shop:
    tenant: object
    owner: object
    item: object


def make_item(tenant, sku: str):
    with tenant_context(tenant):
        return inventory_actions.create_item(
            tenant, sku=sku, name=f"Bangle {sku}", karat=22, gross_weight=Decimal("12.500"), net_weight=Decimal("12.100"), price=Decimal("1450.00")
        )


def issue(shop: Shop, value: str = "1500.00", **extra):
    fields = {"item": shop.item, "appraised_value": Decimal(value), "appraiser_name": "Parisa Zar", "karat_verified": 22}
    fields.update(extra)
    with tenant_context(shop.tenant):
        return actions.issue_certificate(shop.tenant, **fields)


def make_appraisal_shop(name: str, sku: str) -> Shop:
    tenant, owner = make_shop(name)
    set_module_enabled(tenant, "appraisals", True)
    return Shop(tenant=tenant, owner=owner, item=make_item(tenant, sku))
