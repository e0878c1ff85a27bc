"""The active tenant of this request, task or command — in Python and in PostgreSQL.

`tenant_context(tenant, user=...)` opens (or joins) a transaction and sets `app.tenant_id` and
`app.user_id` with `set_config(..., true)`, i.e. `SET LOCAL`: the values live only until that
transaction ends, so a pooled or persistent connection carries nothing into the next request.
On a normal exit from a nested block the previous values are restored; on an exception the
savepoint rollback restores them (PostgreSQL undoes `SET LOCAL` inside a rolled-back savepoint).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Iterator

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .rls import TENANT_SETTING, USER_SETTING

if TYPE_CHECKING:
    from .models import Tenant

_current_tenant: ContextVar["Tenant | None"] = ContextVar("zargar_tenant", default=None)


class TenancyError(RuntimeError):
    """Tenant context used wrongly (e.g. set outside a transaction)."""


def current_tenant() -> "Tenant | None":
    """The tenant active in this context, or None."""
    return _current_tenant.get()


def _pk(obj) -> str:
    if obj is None:
        return ""
    return str(getattr(obj, "pk", obj))


def set_local(tenant=None, user=None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """`SET LOCAL app.tenant_id / app.user_id` in the current transaction.

    `tenant` and `user` are model instances, primary keys, or None (unset). Raises
    `TenancyError` outside `transaction.atomic()`, where `SET LOCAL` would be lost at once.
    """
    conn = connections[using]
    if not conn.in_atomic_block:
        raise TenancyError("tenant settings must be set inside transaction.atomic()")
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [TENANT_SETTING, _pk(tenant), USER_SETTING, _pk(user)],
        )


def read_settings(*, using: str = DEFAULT_DB_ALIAS) -> tuple[str, str]:
    """The raw (`app.tenant_id`, `app.user_id`) values of this connection ('' when unset)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting(%s, true), ''), coalesce(current_setting(%s, true), '')",
            [TENANT_SETTING, USER_SETTING],
        )
        return cursor.fetchone()


@contextmanager
def tenant_context(tenant, *, user=None, using: str = DEFAULT_DB_ALIAS, savepoint: bool = True) -> Iterator["Tenant | None"]:
    """Run the block as `tenant` (a `Tenant`, its pk, or None for "no tenant").

    Yields the `Tenant` instance. Raises `Tenant.DoesNotExist` for an unknown pk. Nested inside
    the same shop's context (and with no `user` given) it only opens a savepoint and keeps the
    outer settings — the common case of one action calling another.

    `savepoint=False` skips even that savepoint in the nested case (two round trips fewer): for
    a step of a larger action that never catches its own database errors, so any error it raises
    rolls back with its caller's block. An exception leaving such a block marks the enclosing
    atomic block for rollback (Django's `atomic(savepoint=False)`): the caller must let it
    propagate to a block with a savepoint, as every action's own `tenant_context` is.
    """
    from .models import Tenant

    if tenant is not None and not isinstance(tenant, Tenant):
        tenant = Tenant.objects.using(using).get(pk=tenant)
    conn = connections[using]
    nested = conn.in_atomic_block
    active = _current_tenant.get()
    if nested and user is None and tenant is not None and active is not None and active.pk == tenant.pk:
        # Already this shop's context in this transaction: keep its settings (no round trips).
        with transaction.atomic(using=using, savepoint=savepoint):
            yield tenant
        return
    with transaction.atomic(using=using):
        previous = read_settings(using=using) if nested else None
        set_local(tenant, user, using=using)
        token = _current_tenant.set(tenant)
        try:
            yield tenant
        finally:
            _current_tenant.reset(token)
        # Reached only on a normal exit; an exception rolls the savepoint back instead.
        if previous is not None:
            set_local(previous[0] or None, previous[1] or None, using=using)


def activate_in_request(request, tenant, user=None) -> None:
    """Switch the current request's transaction to `tenant` (used by API views after they
    authenticate a credential). The request must run inside `TenancyMiddleware`'s transaction."""
    set_local(tenant, user if user is not None else getattr(request, "_tenancy_user_id", None))
    request.tenant = tenant
    _current_tenant.set(tenant)
