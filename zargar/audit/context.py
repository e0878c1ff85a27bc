"""Who is acting in this request: the signed-in user, the impersonating operator, IP, user agent.

`AuditMiddleware` sets it for every request (`request_scope`); `record()` uses it as the default
actor/impersonator/ip/user agent, so actions need not pass the request down.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator


@dataclass(frozen=True)
class Origin:
    actor: object | None = None  # the effective user (the impersonated one while impersonating)
    impersonator: object | None = None  # the real operator while impersonating, else None
    ip: str | None = None
    user_agent: str = ""


_origin: ContextVar[Origin] = ContextVar("zargar_audit_origin", default=Origin())


def current_origin() -> Origin:
    return _origin.get()


@contextmanager
def origin_scope(origin: Origin) -> Iterator[Origin]:
    token = _origin.set(origin)
    try:
        yield origin
    finally:
        _origin.reset(token)


def client_ip(request) -> str | None:
    """The client address: REMOTE_ADDR (a proxy in front must set it; X-Forwarded-For is not trusted)."""
    return request.META.get("REMOTE_ADDR") or None


def impersonator_of(request):
    """The operator impersonating in this session (django-hijack's `hijack_history`), or None."""
    from django.contrib.auth import get_user_model

    session = getattr(request, "session", None)
    history = session.get("hijack_history", []) if session is not None else []
    if not history:
        return None
    return get_user_model()._default_manager.filter(pk=history[0]).first()


def origin_of(request) -> Origin:
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    return Origin(
        actor=actor,
        impersonator=impersonator_of(request) if actor is not None else None,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
