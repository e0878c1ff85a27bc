"""Per-shop document numbers: independent per shop and key, gap-free, unique under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from zargar.core.sequences import formatted, next_value
from zargar.tenancy.context import tenant_context

from .factories import make_shop


@pytest.mark.django_db
def test_numbers_per_shop_and_key_and_rollback_gives_the_number_back():
    a, _ = make_shop("Alpha Gold")
    b, _ = make_shop("Beta Gold")
    with tenant_context(a):
        assert [next_value(a, "pos.sale") for _ in range(3)] == [1, 2, 3]
        assert next_value(a, "pos.return") == 1
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                assert next_value(a, "pos.sale") == 4
                raise RuntimeError("the document failed to save")
        assert formatted(a, "pos.sale", "S-") == "S-000004"
    with tenant_context(b):
        assert next_value(b, "pos.sale") == 1


@pytest.mark.django_db
def test_no_shop_context_cannot_take_a_number():
    a, _ = make_shop("Alpha Gold")
    with pytest.raises(DatabaseError, match="row-level security"):
        with transaction.atomic():
            next_value(a, "pos.sale")


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_get_distinct_consecutive_numbers():
    a, _ = make_shop("Alpha Gold")
    taken: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def take():
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                with tenant_context(a.pk):
                    taken.append(next_value(a, "pos.sale"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(taken) == list(range(1, 41))
