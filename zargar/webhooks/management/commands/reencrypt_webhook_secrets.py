"""`manage.py reencrypt_webhook_secrets`: rewrite every webhook signing secret under the current
`SECRET_KEY`, after a rotation that moved the old key to `SECRET_KEY_FALLBACKS`.

Shop by shop (in each shop's tenant context). Prints how many secrets were rewritten; a secret
that no configured key decrypts is left as it is, named on stderr, and makes the command exit
with status 1 (its endpoint needs a new secret: rotate it in the panel or the API).
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant
from zargar.webhooks import crypto
from zargar.webhooks.models import WebhookEndpoint


class Command(BaseCommand):
    help = "Re-encrypt webhook signing secrets with the current SECRET_KEY (after moving the old key to SECRET_KEY_FALLBACKS)."

    def handle(self, *args, **options):
        table = WebhookEndpoint._meta.db_table
        rewritten, unreadable = 0, []
        for tenant in Tenant.objects.order_by("pk"):
            with tenant_context(tenant), connection.cursor() as cursor:
                cursor.execute(f"SELECT id, secret, previous_secret FROM {table} WHERE tenant_id = %s ORDER BY id", [tenant.pk])
                for pk, secret, previous in cursor.fetchall():
                    try:
                        values = [crypto.reencrypt(secret), crypto.reencrypt(previous)]
                    except InvalidToken:
                        unreadable.append(f"{tenant.slug}: endpoint {pk}")
                        continue
                    cursor.execute(f"UPDATE {table} SET secret = %s, previous_secret = %s WHERE id = %s", [*values, pk])
                    rewritten += 1
        self.stdout.write(f"{rewritten} webhook endpoint secrets re-encrypted with the current SECRET_KEY.")
        if unreadable:
            for name in unreadable:
                self.stderr.write(f"cannot decrypt the signing secret of {name}")
            raise CommandError(f"{len(unreadable)} secrets could not be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS; rotate them.")
