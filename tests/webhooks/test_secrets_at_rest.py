"""Webhook signing secrets are encrypted at rest (Fernet, key derived from SECRET_KEY): the
column never holds the plaintext, the model and signing see the plaintext, SECRET_KEY can be
rotated through SECRET_KEY_FALLBACKS, and an undecryptable secret never signs anything."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zargar.tenancy.context import tenant_context
from zargar.webhooks import crypto, services
from zargar.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .conftest import T0
from .test_delivery import endpoint_for, load_snippet, make_item

pytestmark = pytest.mark.django_db

OLD_KEY = "old-secret-key-" + "x" * 40
NEW_KEY = "new-secret-key-" + "y" * 40


def stored(tenant, endpoint) -> tuple[str, str]:
    """The raw column values (secret, previous_secret) of an endpoint."""
    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute("SELECT secret, previous_secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        return cursor.fetchone()


def reloaded(tenant, endpoint) -> WebhookEndpoint:
    with tenant_context(tenant):
        return WebhookEndpoint.objects.get(pk=endpoint.pk)


def test_the_column_holds_a_token_and_the_model_the_plaintext(shop, receiver):
    tenant, _ = shop
    endpoint = endpoint_for(tenant, receiver.url)
    plaintext = endpoint.secret
    assert plaintext.startswith("whsec_") and len(plaintext) == 49
    column, previous = stored(tenant, endpoint)
    assert column.startswith(crypto.TOKEN_PREFIX) and plaintext not in column and previous == ""
    assert reloaded(tenant, endpoint).secret == plaintext
    assert reloaded(tenant, endpoint).secret_hint == f"whsec_…{plaintext[-4:]}"


def test_rotation_encrypts_both_secrets(shop, receiver):
    tenant, _ = shop
    endpoint = endpoint_for(tenant, receiver.url)
    old = endpoint.secret
    new = services.rotate_secret(tenant, endpoint)
    column, previous = stored(tenant, endpoint)
    assert old not in column + previous and new not in column + previous
    assert all(v.startswith(crypto.TOKEN_PREFIX) for v in (column, previous))
    fresh = reloaded(tenant, endpoint)
    assert (fresh.secret, fresh.previous_secret) == (new, old)


def test_a_delivery_is_signed_with_the_decrypted_secret(shop, receiver, django_capture_on_commit_callbacks, clock):
    tenant, _ = shop
    plaintext = endpoint_for(tenant, receiver.url).secret
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant)
    (request,) = receiver.requests
    verified = load_snippet().verify(request.body, request.headers["Zargar-Signature"], plaintext, now=T0.timestamp())
    assert verified["type"] == "item.created"


def test_secret_key_rotation_with_fallbacks_and_reencryption(shop, receiver, settings):
    tenant, _ = shop
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    endpoint = endpoint_for(tenant, receiver.url)
    plaintext = endpoint.secret
    old_column, _ = stored(tenant, endpoint)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert reloaded(tenant, endpoint).secret == plaintext  # the fallback still decrypts
    call_command("reencrypt_webhook_secrets", stdout=open("/dev/null", "w"))
    new_column, _ = stored(tenant, endpoint)
    assert new_column != old_column

    settings.SECRET_KEY_FALLBACKS = []
    assert reloaded(tenant, endpoint).secret == plaintext  # now under the new key alone


def test_reencrypt_command_names_secrets_no_key_opens(shop, receiver, settings):
    tenant, _ = shop
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    endpoint = endpoint_for(tenant, receiver.url)
    before = stored(tenant, endpoint)
    settings.SECRET_KEY = NEW_KEY
    with pytest.raises(CommandError, match="1 secrets could not be decrypted"):
        call_command("reencrypt_webhook_secrets", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert stored(tenant, endpoint) == before  # left as it was


def test_an_undecryptable_secret_never_sends_an_unsigned_request(shop, receiver, settings, django_capture_on_commit_callbacks, clock):
    tenant, _ = shop
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    endpoint_for(tenant, receiver.url)
    settings.SECRET_KEY = NEW_KEY  # lost the old key: nothing decrypts the secret any more
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant)
    assert receiver.requests == []
    with tenant_context(tenant):
        delivery = WebhookDelivery.objects.get()
        attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert delivery.status == DeliveryStatus.RETRYING and attempt.response_status is None
    assert attempt.error == services.UNREADABLE_SECRET


def test_the_data_migration_encrypts_plaintext_rows_once_and_reverses(shop, receiver):
    tenant, _ = shop
    endpoint = endpoint_for(tenant, receiver.url)
    plain, old = "whsec_" + "p" * 43, "whsec_" + "o" * 43
    with tenant_context(tenant), connection.cursor() as cursor:  # a row as 0002 left it
        cursor.execute("UPDATE webhooks_webhookendpoint SET secret = %s, previous_secret = %s WHERE id = %s", [plain, old, endpoint.pk])
    migration = importlib.import_module("zargar.webhooks.migrations.0003_encrypt_signing_secrets")
    editor = connection.schema_editor(atomic=False)

    migration.encrypt_existing(django_apps, editor)
    once = stored(tenant, endpoint)
    assert all(v.startswith(crypto.TOKEN_PREFIX) for v in once)
    fresh = reloaded(tenant, endpoint)
    assert (fresh.secret, fresh.previous_secret) == (plain, old)
    migration.encrypt_existing(django_apps, editor)
    assert stored(tenant, endpoint) == once  # tokens are not encrypted twice

    migration.decrypt_existing(django_apps, editor)
    assert stored(tenant, endpoint) == (plain, old)


def test_publishing_an_event_decrypts_no_secret(shop, receiver, monkeypatch):
    """`publish` runs inside every sale: it reads the endpoints' event types only (a Fernet
    decryption costs ~0.1 ms per secret); the secret is decrypted by the delivery task."""
    tenant, _ = shop
    for n in range(3):
        services.rotate_secret(tenant, endpoint_for(tenant, f"{receiver.url}/{n}"))  # secret and previous_secret
    calls = []
    real = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda token: calls.append(token) or real(token))
    make_item(tenant)  # publishes item.created; its deliveries' tasks wait for the commit
    with tenant_context(tenant):
        assert WebhookDelivery.objects.count() == 3
    assert calls == []


def test_the_audit_log_records_a_secret_change_but_nothing_of_the_secret(shop, receiver):
    """django-auditlog's default mask keeps the second half of a masked value: the endpoint's
    secrets are fully redacted instead."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from zargar.audit.apps import REDACTED

    tenant, _ = shop
    endpoint = endpoint_for(tenant, receiver.url)
    old = endpoint.secret
    new = services.rotate_secret(tenant, endpoint)
    with tenant_context(tenant):
        entries = list(LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(WebhookEndpoint), object_pk=str(endpoint.pk)).order_by("pk"))
    assert len(entries) == 2  # created, rotated
    logged = " ".join(str(e.changes) for e in entries)
    for secret in (old, new):
        assert secret[len("whsec_"):][-8:] not in logged and secret[-20:] not in logged
    assert entries[1].changes["secret"] == [REDACTED, REDACTED]
    assert entries[1].changes["previous_secret"] == ["", REDACTED]
