"""A base class for management commands that work on one shop's data.

    class Command(TenantCommand):
        def handle_tenant(self, tenant, **options): ...

`--tenant <slug>` is required; the body runs inside `tenant_context(tenant)` (one
transaction with `SET LOCAL app.tenant_id`), so Row-Level Security lets it see that shop's rows
and no other's. An unknown slug ends the command with exit status 1 and one line on stderr.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class TenantCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, metavar="SLUG", help="The shop's slug.")

    def handle(self, *args, tenant: str, **options):
        from zargar.tenancy.context import tenant_context
        from zargar.tenancy.models import Tenant

        shop = Tenant.objects.filter(slug=tenant).first()
        if shop is None:
            raise CommandError(f"No shop with the slug {tenant!r}.")
        with tenant_context(shop):
            return self.handle_tenant(shop, *args, **options)

    def handle_tenant(self, tenant, *args, **options):  # pragma: no cover - abstract
        raise NotImplementedError
