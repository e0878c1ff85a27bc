"""Hooks this module registers at the core's extension points."""

from __future__ import annotations


def create_books_for_new_shop(tenant) -> None:
    """`TENANT_CREATED`: give the new shop its books (entity, chart of accounts, general ledger),
    administered by its owner. Runs inside `create_tenant`'s transaction and tenant context."""
    from .actions import ensure_books

    ensure_books(tenant)
