"""Signatures of webhook requests.

Header: `Zargar-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`, where each `v1` is
HMAC-SHA256 (key: the endpoint's secret, UTF-8) of `"<t>." + body` (the raw request body bytes).
During a secret rotation's grace period a second `v1` is made with the previous secret.
Receivers verify with `docs/snippets/verify_webhook.py` (standard library only).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Zargar-Signature"


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `b"<timestamp>." + body` keyed with `secret`."""
    return hmac.new(secret.encode(), f"{int(timestamp)}.".encode() + body, hashlib.sha256).hexdigest()


def header(secrets: list[str], timestamp: int, body: bytes) -> str:
    """The `Zargar-Signature` value: `t=…` then one `v1=…` per secret (current first)."""
    return ",".join([f"t={int(timestamp)}", *(f"v1={compute(s, timestamp, body)}" for s in secrets if s)])
