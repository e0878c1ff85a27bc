"""Tenant panel: dashboard, tenant switcher, theme. Thin views; writes live in actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zargar.contract import ExtensionPoint
from zargar.contract.hooks import get_hooks
from zargar.tenancy.middleware import SESSION_KEY, enabled_modules


def home(request):
    if request.user.is_authenticated:
        return redirect("panel:dashboard")
    return redirect("account_login")


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
def dashboard(request):
    if request.tenant is None:
        if request.user.is_operator:
            return redirect("operator:tenants")
        return render(request, "panel/no_shop.html")
    cards = []
    for hook in get_hooks(ExtensionPoint.DASHBOARD_CARDS, enabled_modules=enabled_modules(request)):
        cards.extend(hook(request))
    return render(request, "panel/dashboard.html", {"cards": cards})


@login_required
@require_POST
def switch_tenant(request, slug: str):
    """Make the user's membership in shop `slug` the active one; 404 if they have none."""
    membership = next((m for m in request.memberships if m.tenant.slug == slug), None)
    if membership is None:
        raise Http404("You are not a member of that shop.")
    request.session[SESSION_KEY] = membership.tenant_id
    return redirect("panel:dashboard")


@require_POST
def set_theme(request):
    """Remember light or dark: on the user when signed in, in a cookie otherwise."""
    theme = request.POST.get("theme")
    if theme not in {"light", "dark"}:
        return HttpResponse("theme must be light or dark", status=400)
    if request.user.is_authenticated:
        request.user.theme = theme
        request.user.save(update_fields=["theme"])
    response = redirect(_safe_next(request, "/"))
    response.set_cookie("zargar_theme", theme, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
