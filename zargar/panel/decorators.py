"""View decorators of the tenant panel."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def tenant_required(view):
    """Signed in, with an active shop; otherwise to login or the dashboard."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(request, "tenant", None) is None:
            return redirect("panel:dashboard")
        return view(request, *args, **kwargs)

    return wrapped


def permission_required(codename: str):
    """Signed in, with an active shop, and a role that holds `codename` (else 403)."""

    def decorate(view):
        @tenant_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.membership.has_perm(codename):
                raise PermissionDenied(codename)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
