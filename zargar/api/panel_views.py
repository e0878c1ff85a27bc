"""API-key management in the tenant panel (`/app/api-keys/`): list, create (mode, full access
or per-module scopes, optional rate limit), revoke, roll (old key revoked now or after a grace
period).

Thin views: `ApiKeyForm` validates, `actions` write, `selectors` read. Every view needs the
`tenancy.manage_api_keys` permission (admins and owners); others get 403. A new secret key is
rendered once, in the response to the POST that created it — it is never stored or put in the
session, so reloading the list never shows it again.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zargar.panel.decorators import permission_required
from zargar.panel.secrets import render_secret_once

from . import actions, selectors
from .forms import ApiKeyForm, RollForm
from .models import ApiKey

PERMISSION = "tenancy.manage_api_keys"


def _key_or_404(request, pk: int) -> ApiKey:
    try:
        return selectors.get_api_key(request.tenant, pk)
    except ApiKey.DoesNotExist as exc:
        raise Http404("No such active API key in this shop.") from exc


@permission_required(PERMISSION)
@require_http_methods(["GET"])
def key_list(request):
    keys = selectors.api_keys_of(request.tenant)
    return render(request, "api/key_list.html", {"keys": keys, "form": ApiKeyForm(), "default_rate_limit": settings.ZARGAR_API_KEY_RATE_LIMIT})


@never_cache
@permission_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def key_create(request):
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key, secret = actions.create_api_key(
            request.tenant, name=form.cleaned_data["name"], mode=form.cleaned_data["mode"], created_by=request.user,
            scopes=form.scopes(), rate_limit_per_minute=form.cleaned_data.get("rate_limit_per_minute"),
        )
        return render_secret_once(request, "api/key_secret.html", {"key": key, "secret": secret})
    context = {"form": form, "default_rate_limit": settings.ZARGAR_API_KEY_RATE_LIMIT}
    return render(request, "api/key_form.html", context, status=400 if form.errors else 200)


@permission_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def key_revoke(request, pk: int):
    key = _key_or_404(request, pk)
    if request.method == "POST":
        actions.revoke_api_key(request.tenant, key)
        messages.success(request, _("API key “%(name)s” revoked.") % {"name": key.name})
        return redirect("api_keys:list")
    return render(request, "api/key_confirm.html", {"key": key, "action": "revoke"})


@never_cache
@permission_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def key_roll(request, pk: int):
    key = _key_or_404(request, pk)
    form = RollForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        new_key, secret = actions.roll_api_key(request.tenant, key, created_by=request.user, grace_seconds=form.cleaned_data["grace_seconds"])
        return render_secret_once(request, "api/key_secret.html", {"key": new_key, "secret": secret, "rolled": True, "previous": key})
    return render(request, "api/key_confirm.html", {"key": key, "action": "roll", "form": form}, status=400 if form.errors else 200)
