"""Tenant panel: dashboard, tenant switcher, shop creation, theme and language. Thin views;
writes live in actions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n as django_i18n
from django.views.decorators.http import require_http_methods, require_POST

from zargar.contract import ExtensionPoint
from zargar.contract.hooks import get_hooks
from zargar.tenancy.actions import create_tenant
from zargar.tenancy.middleware import SESSION_KEY, enabled_modules

from .forms import CreateShopForm


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
            return redirect("operator:dashboard")
        return render(request, "panel/no_shop.html")
    cards = []
    for hook in get_hooks(ExtensionPoint.DASHBOARD_CARDS, enabled_modules=enabled_modules(request)):
        cards.extend(hook(request))
    return render(request, "panel/dashboard.html", {"cards": cards, "now": timezone.now()})


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


@login_required
@require_http_methods(["GET", "POST"])
def create_shop(request):
    """A form to create a new shop owned by the signed-in user; on success it becomes the
    active shop. Invalid input re-renders the form with errors (status 400), creating nothing."""
    initial = {}
    if translation.get_language() == "fa":
        initial = {"default_locale": "fa", "currency": "IRR", "time_zone": "Asia/Tehran"}
    form = CreateShopForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        tenant = create_tenant(owner=request.user, **form.cleaned_data)
        request.session[SESSION_KEY] = tenant.pk
        messages.success(request, _("Your shop %(name)s is ready.") % {"name": tenant.name})
        return redirect("panel:dashboard")
    return render(request, "panel/create_shop.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def set_language(request):
    """Switch the interface language (`language`: a code of `settings.LANGUAGES`; else 400).

    Remembered on the user when signed in (`User.language`, which `UserPreferencesMiddleware`
    activates on every request) and in Django's language cookie; then redirects to `next`
    (same host only) like Django's own `set_language` view, which does the cookie part."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponse("language must be one of: " + ", ".join(dict(settings.LANGUAGES)), status=400)
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return django_i18n.set_language(request)
