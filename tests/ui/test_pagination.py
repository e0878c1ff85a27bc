"""The shared pager keeps the list's filters in its links (panel/_pagination.html)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modules.inventory import actions as inventory_actions
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def test_inventory_pager_keeps_filters(client):
    tenant, owner = make_shop("Pager Gold")
    with tenant_context(tenant):
        for n in range(30):
            inventory_actions.create_item(
                tenant, sku=f"R-{n:03d}", name=f"Ring {n}", karat=18, gross_weight=Decimal("3"), net_weight=Decimal("2.5"), price=Decimal("100")
            )
    client.force_login(owner)
    body = client.get("/app/inventory/?q=Ring&karat=18").content.decode()
    assert 'href="?q=Ring&amp;karat=18&amp;page=2"' in body
    assert 'hx-get="/app/inventory/?q=Ring&amp;karat=18&amp;page=2"' in body
    second = client.get("/app/inventory/?q=Ring&karat=18&page=2").content.decode()
    assert 'href="?q=Ring&amp;karat=18&amp;page=1"' in second and "R-029" in second
