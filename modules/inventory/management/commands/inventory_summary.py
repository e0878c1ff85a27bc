"""`manage.py inventory_summary --tenant <slug>`: one shop's stock in numbers.

Prints item lines, units in stock and net gold weight (grams); exits with status 1 and one
line on stderr for an unknown slug."""

from __future__ import annotations

from zargar.core.commands import TenantCommand

from ...selectors import stock_summary


class Command(TenantCommand):
    help = "Print a shop's item lines, units in stock and net weight (grams)."

    def handle_tenant(self, tenant, **options):
        summary = stock_summary(tenant)
        self.stdout.write(
            f"{tenant.name} ({tenant.slug}): {summary['items']} item lines, "
            f"{summary['units']} units, {summary['net_weight']} g net"
        )
