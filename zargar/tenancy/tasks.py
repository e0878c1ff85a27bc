"""Tenant-aware Celery tasks: a task receives the tenant id and reopens the same context."""

from __future__ import annotations

import functools

from celery import shared_task

from .context import tenant_context


def tenant_task(*task_args, **task_kwargs):
    """Decorator for a Celery task whose first argument is `tenant_id` (int).

    The task body runs inside `tenant_context(tenant_id)` — one transaction with
    `SET LOCAL app.tenant_id` — and receives the `Tenant` instead of the id. Call it as
    `task.delay(tenant.pk, ...)`; never pass a model instance.
    """

    def decorate(fn):
        @shared_task(*task_args, **task_kwargs)
        @functools.wraps(fn)
        def run(tenant_id: int, *args, **kwargs):
            with tenant_context(tenant_id) as tenant:
                return fn(tenant, *args, **kwargs)

        return run

    return decorate
