"""`manage.py audit_stock --tenant <slug>`: compare one shop's cached stock with its movements.

Prints "stock of <shop> agrees with its movements" and exits 0, or one line per mismatch on
stderr (item or lot, id, field, cached value, value derived from movements) and exits 1."""

from __future__ import annotations

from django.core.management.base import CommandError

from zargar.core.commands import TenantCommand

from ...selectors import audit_stock


class Command(TenantCommand):
    help = "Check that each item's and lot's cached on-hand equals the sum of its stock movements."

    def handle_tenant(self, tenant, **options):
        mismatches = audit_stock(tenant)
        if not mismatches:
            self.stdout.write(f"Stock of {tenant.name} ({tenant.slug}) agrees with its movements.")
            return
        for mismatch in mismatches:
            self.stderr.write(str(mismatch))
        raise CommandError(f"{len(mismatches)} stock mismatch(es) in {tenant.slug}.", returncode=1)
