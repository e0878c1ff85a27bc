"""Verify a Zargar webhook request. Standard library only: copy this file into your receiver.

    verify(payload=request_body_bytes, header=request.headers["Zargar-Signature"], secret="whsec_…")

returns the parsed event (a dict) or raises `SignatureError`. `tolerance` (seconds) refuses
old timestamps, so a captured request cannot be replayed later.
"""

import hashlib
import hmac
import json
import time


class SignatureError(Exception):
    pass


def verify(payload: bytes, header: str, secret: str, tolerance: int = 300, now: float | None = None) -> dict:
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamp = value
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not timestamp.isdigit() or not signatures:
        raise SignatureError("malformed Zargar-Signature header")
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        raise SignatureError("timestamp outside the tolerance")
    signed = timestamp.encode() + b"." + payload
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise SignatureError("no matching signature")
    return json.loads(payload)
