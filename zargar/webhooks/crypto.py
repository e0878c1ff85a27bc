"""Encryption at rest of webhook signing secrets.

Signing needs the plaintext secret (HMAC-SHA256 keyed with it), so it cannot be hashed like a
password; it is encrypted instead. Cipher: Fernet (`cryptography`: AES-128-CBC + HMAC-SHA256,
authenticated, random IV). Key: HKDF-SHA256 of Django's `SECRET_KEY` with the info string
`zargar.webhooks.signing-secret` (32 bytes, so never the raw `SECRET_KEY` and no other
Zargar feature shares it). Tokens are written with the current `SECRET_KEY`; every key in
`SECRET_KEY_FALLBACKS` still decrypts (`MultiFernet`), so `SECRET_KEY` can be rotated: keep
the old key in the fallbacks until `manage.py reencrypt_webhook_secrets` has rewritten every
secret with the new one.

`EncryptedSecretField` is a `CharField` whose Python value is the plaintext and whose column
holds the Fernet token (about 164 characters for a 49-character secret). Lookups by value never
match (each encryption is different); nothing in Zargar filters by a secret.
"""

from __future__ import annotations

import base64
import functools
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)

HKDF_INFO = b"zargar.webhooks.signing-secret"
#: Every Fernet token starts with this (version byte 0x80, base64url).
TOKEN_PREFIX = "gAAAAA"


def derive_key(secret_key: str) -> bytes:
    """The Fernet key (urlsafe base64 of 32 bytes) derived from one `SECRET_KEY` value."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(derive_key(k)) for k in keys])


def fernet() -> MultiFernet:
    """`SECRET_KEY` first (encrypts), then `SECRET_KEY_FALLBACKS` (decrypt only)."""
    return _fernet((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def encrypt(plaintext: str) -> str:
    """The Fernet token (ASCII) of `plaintext`; "" stays ""."""
    return fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt(token: str) -> str:
    """The plaintext of a token; "" stays "". Raises `cryptography.fernet.InvalidToken` when
    no key of `SECRET_KEY` / `SECRET_KEY_FALLBACKS` opens it (or it was tampered with)."""
    return fernet().decrypt(token.encode()).decode() if token else ""


def reencrypt(token: str) -> str:
    """The same plaintext under the current `SECRET_KEY` (after a key rotation)."""
    return fernet().rotate(token.encode()).decode() if token else ""


class EncryptedSecretField(models.CharField):
    """A secret string, plaintext in Python and Fernet-encrypted in the database.

    A column value that no configured key decrypts reads as "" (and is logged): the endpoint
    then cannot sign, and `services.attempt` records that instead of sending unsigned requests.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            logger.error(
                "a webhook signing secret (%s) cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS", self.name
            )
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
