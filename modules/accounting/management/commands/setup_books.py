"""`manage.py setup_books --tenant <slug>`: create (or complete) a shop's books. Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zargar.tenancy.models import Tenant

from ...actions import BooksError, ensure_books
from ...chart import CHART


class Command(BaseCommand):
    help = "Create or complete the django-ledger books (entity, chart of accounts, general ledger) of a shop."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="slug of the shop")

    def handle(self, *args, tenant: str, **options):
        shop = Tenant.objects.filter(slug=tenant).first()
        if shop is None:
            raise CommandError(f"No shop with slug {tenant!r}.")
        try:
            books = ensure_books(shop)
        except BooksError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Books of {shop.slug}: entity {books.entity_id}, {len(CHART)} accounts in the chart.")
