"""`inventory.lock_items`: the POS's one read of the pieces it sells (raw SQL, row locks, stones)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction

from modules.inventory import actions
from modules.inventory.models import StoneLine
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

from .conftest import lot_item, piece

DIAMONDS = [{"stone_type": "diamond", "count": 2, "carat_weight": D("0.100"), "value": D("40.00")},
            {"stone_type": "ruby", "count": 1, "carat_weight": D("0.050"), "value": D("15.00")}]


def test_locks_the_shops_own_items_in_pk_order_with_their_stones(shop, django_assert_num_queries):
    tenant, _ = shop
    ring, chain = piece(tenant, "P-1", stones=DIAMONDS), lot_item(tenant, "L-1")
    other, _owner = make_shop("Other Shop")
    foreign = piece(other, "P-9")
    with transaction.atomic(), tenant_context(tenant):
        with django_assert_num_queries(2) as queries:  # the items, then their stones
            locked = actions.lock_items(tenant, [chain.pk, str(ring.pk), foreign.pk, 999_999], with_stones=True)
        assert list(locked) == sorted([ring.pk, chain.pk])  # other shops' and unknown ids are absent
        assert locked[ring.pk].sku == "P-1" and locked[ring.pk].net_weight == D("4.500") and locked[chain.pk].tracking == "lot"
        with django_assert_num_queries(0):  # as after prefetch_related("stones")
            stones = {pk: [(s.stone_type, s.count, s.value) for s in item.stones.all()] for pk, item in locked.items()}
        assert stones == {ring.pk: [("diamond", 2, D("40.00")), ("ruby", 1, D("15.00"))], chain.pk: []}
        assert stones[ring.pk] == [(s.stone_type, s.count, s.value) for s in StoneLine.objects.filter(item=ring).order_by("id")]
        # Row locks in primary-key order (test_concurrency's 50 buyers prove what they hold back).
        assert queries.captured_queries[0]["sql"].rstrip().endswith("ORDER BY id FOR UPDATE")


def test_without_stones_and_with_nothing_to_lock(shop, django_assert_num_queries):
    tenant, _ = shop
    ring = piece(tenant, "P-1", stones=DIAMONDS)
    with transaction.atomic(), tenant_context(tenant):
        with django_assert_num_queries(1):
            locked = actions.lock_items(tenant, [ring.pk])
        assert "_prefetched_objects_cache" not in locked[ring.pk].__dict__
        with django_assert_num_queries(0):
            assert actions.lock_items(tenant, [], with_stones=True) == {}
        with pytest.raises(ValueError):
            actions.lock_items(tenant, ["not-a-number"])
