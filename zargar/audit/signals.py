"""Sign-in, sign-out, failed sign-in, password and impersonation events (`PlatformEvent`)."""

from __future__ import annotations

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from hijack.signals import hijack_ended, hijack_started

from .actions import record
from .context import client_ip

_HIJACK_PATHS = ("/hijack/",)


def _request_fields(request) -> dict:
    if request is None:
        return {}
    return {"ip": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]}


def _is_hijack(request) -> bool:
    return request is not None and request.path.startswith(_HIJACK_PATHS)


@receiver(user_logged_in, dispatch_uid="zargar.audit.logged_in")
def _logged_in(sender, request, user, **kwargs):
    if _is_hijack(request):
        return  # recorded as impersonation started/ended instead
    record("auth.login", actor=user, impersonator=None, obj=user, **_request_fields(request))


@receiver(user_logged_out, dispatch_uid="zargar.audit.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if _is_hijack(request):
        return
    impersonating = request.session.get("hijack_history") if request is not None else None
    record(
        "auth.logout",
        actor=user,
        impersonator=None,
        obj=user,
        changes={"while_impersonated": True} if impersonating else None,
        **_request_fields(request),
    )


@receiver(user_login_failed, dispatch_uid="zargar.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django already replaced secrets in `credentials` with stars; keep only the identifier.
    identifier = str(credentials.get("email") or credentials.get("username") or credentials.get("login") or "")[:254]
    from django.contrib.auth import get_user_model

    user = get_user_model()._default_manager.filter(email__iexact=identifier).first() if identifier else None
    record(
        "auth.login_failed",
        actor=user,
        actor_label=identifier,
        impersonator=None,
        changes={"identifier": identifier},
        **_request_fields(request),
    )


@receiver(password_changed, dispatch_uid="zargar.audit.password_changed")
def _password_changed(sender, request, user, **kwargs):
    record("auth.password_changed", actor=user, obj=user, **_request_fields(request))


@receiver(password_set, dispatch_uid="zargar.audit.password_set")
def _password_set(sender, request, user, **kwargs):
    record("auth.password_set", actor=user, obj=user, **_request_fields(request))


@receiver(password_reset, dispatch_uid="zargar.audit.password_reset")
def _password_reset(sender, request, user, **kwargs):
    record("auth.password_reset", actor=user, impersonator=None, obj=user, **_request_fields(request))


@receiver(hijack_started, dispatch_uid="zargar.audit.hijack_started")
def _hijack_started(sender, hijacker, hijacked, request, **kwargs):
    record("audit.impersonation.started", actor=hijacker, impersonator=None, obj=hijacked, **_request_fields(request))


@receiver(hijack_ended, dispatch_uid="zargar.audit.hijack_ended")
def _hijack_ended(sender, hijacker, hijacked, request, **kwargs):
    record("audit.impersonation.ended", actor=hijacker, impersonator=None, obj=hijacked, **_request_fields(request))
