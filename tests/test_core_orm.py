"""zargar.core.orm: the hot-path helpers — column lists for raw reads, rows handed over as a
prefetch, and the plain INSERT of append-only event rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.utils import timezone

from tests.factories import make_shop
from zargar.audit.models import AuditEvent
from zargar.billing.models import UsageEvent
from zargar.core.orm import insert_row, select_columns, set_prefetched
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def _row(model, pk) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select_columns(model)} FROM {model._meta.db_table} WHERE id = %s", [pk])
        names = [c.name for c in cursor.description]
        return dict(zip(names, cursor.fetchone()))


def test_select_columns_names_every_concrete_column():
    assert select_columns(UsageEvent) == "id, tenant_id, metric, quantity, occurred_at"
    assert select_columns(UsageEvent, exclude=("quantity", "metric")) == "id, tenant_id, occurred_at"


def test_insert_row_writes_what_save_writes():
    tenant, owner = make_shop("Orm Gold")
    at = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.timezone.utc)
    with tenant_context(tenant):
        saved = UsageEvent.objects.create(tenant=tenant, metric="api_calls_per_month", quantity=3, occurred_at=at)
        inserted = UsageEvent(tenant=tenant, metric="api_calls_per_month", quantity=3, occurred_at=at)
        insert_row(inserted)
        assert inserted.pk and inserted.pk != saved.pk and not inserted._state.adding and inserted._state.db == "default"
        assert {**_row(UsageEvent, inserted.pk), "id": None} == {**_row(UsageEvent, saved.pk), "id": None}

        # JSON, a foreign key, an IP address and auto_now_add, as the ORM adapts them.
        fields = {"action": "api.request", "actor": owner, "actor_label": owner.email, "changes": {"status": 201, "path": "/api/v1/x/", "ms": 1.5},
                  "ip": "127.0.0.1", "user_agent": "curl/8"}
        before = timezone.now()
        saved = AuditEvent.objects.create(tenant=tenant, **fields)
        inserted = AuditEvent(tenant=tenant, **fields)
        insert_row(inserted)
        stored = AuditEvent.objects.get(pk=inserted.pk)
        assert stored.changes == saved.changes == fields["changes"] and stored.actor_id == owner.pk and stored.ip == "127.0.0.1"
        assert before <= inserted.created_at == stored.created_at <= timezone.now()
        drop = {"id": None, "created_at": None}
        assert {**_row(AuditEvent, inserted.pk), **drop} == {**_row(AuditEvent, saved.pk), **drop}


def test_insert_row_refuses_multi_table_inheritance():
    from knowledge_base.models import ArticlePage  # a Wagtail page: a row in wagtailcore_page too

    with pytest.raises(TypeError, match="multi-table inheritance"):
        insert_row(ArticlePage(title="Rates"))


def test_set_prefetched_answers_without_a_query(django_assert_num_queries):
    group = Group.objects.create(name="Cashiers")
    perms = list(Permission.objects.order_by("id")[:2])
    set_prefetched(group, "permissions", perms)
    with django_assert_num_queries(0):
        assert list(group.permissions.all()) == perms
