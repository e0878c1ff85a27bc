"""Webhook signing secrets encrypted at rest (`zargar.webhooks.crypto`): the columns grow to
hold Fernet tokens, and the plaintext secrets already stored are encrypted in place. Runs shop
by shop with `app.tenant_id` set (SET LOCAL), so it also works when the migrating role is
subject to row-level security; raw SQL, so a value is encrypted exactly once (plaintext
secrets start with `whsec_`, tokens with `gAAAAA`). Reversible: backwards decrypts them."""

from django.db import migrations

import zargar.webhooks.crypto
import zargar.webhooks.models

TABLE = "webhooks_webhookendpoint"


def _rewrite(apps, schema_editor, convert, wanted):
    from zargar.webhooks import crypto

    Tenant = apps.get_model("tenancy", "Tenant")
    connection = schema_editor.connection
    for tenant_id in Tenant.objects.using(connection.alias).order_by("pk").values_list("pk", flat=True):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            cursor.execute(f"SELECT id, secret, previous_secret FROM {TABLE} WHERE tenant_id = %s", [tenant_id])
            for pk, secret, previous in cursor.fetchall():
                values = [convert(crypto, v) if v and wanted(v) else v for v in (secret, previous)]
                if values != [secret, previous]:
                    cursor.execute(f"UPDATE {TABLE} SET secret = %s, previous_secret = %s WHERE id = %s", [*values, pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


def encrypt_existing(apps, schema_editor):
    _rewrite(apps, schema_editor, lambda crypto, v: crypto.encrypt(v), lambda v: v.startswith(zargar.webhooks.models.SECRET_PREFIX))


def decrypt_existing(apps, schema_editor):
    _rewrite(apps, schema_editor, lambda crypto, v: crypto.decrypt(v), lambda v: v.startswith(zargar.webhooks.crypto.TOKEN_PREFIX))


class Migration(migrations.Migration):

    dependencies = [
        ('webhooks', '0002_retry_due'),
        ('tenancy', '0002_tenant_deletion_scheduled_for'),
    ]

    operations = [
        migrations.AlterField(
            model_name='webhookendpoint',
            name='previous_secret',
            field=zargar.webhooks.crypto.EncryptedSecretField(blank=True, editable=False, max_length=255),
        ),
        migrations.AlterField(
            model_name='webhookendpoint',
            name='secret',
            field=zargar.webhooks.crypto.EncryptedSecretField(default=zargar.webhooks.models.new_secret, editable=False, max_length=255),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
