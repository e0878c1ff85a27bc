"""The shop's module settings page (`/app/modules/`), for roles holding
`tenancy.manage_modules`. Thin: `zargar.tenancy.actions.set_module_enabled` and
`actions.save_module_settings` write; the registry reads."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zargar.panel.decorators import permission_required
from zargar.tenancy.actions import ModuleDependencyError, set_module_enabled
from zargar.tenancy.middleware import enabled_modules

from . import actions
from .forms import settings_form_class
from .registry import dependents_of, get_manifest, manifests, module_settings

PERMISSION = "tenancy.manage_modules"


def _manifest_or_404(key: str):
    manifest = get_manifest(key)
    if manifest is None:
        raise Http404("No such module.")
    return manifest


def _names(keys) -> str:
    found = manifests()
    return ", ".join(str(found[k].name) for k in keys if k in found)


@permission_required(PERMISSION)
def module_list(request):
    enabled = enabled_modules(request)
    found = manifests()
    rows = []
    for key, m in found.items():
        rows.append(
            {
                "manifest": m,
                "enabled": key in enabled,
                "depends": [found[d] for d in m.depends if d in found],
                "missing": [found[d] for d in m.depends if d in found and d not in enabled],
                "required_by": [found[d] for d in dependents_of(key) if key in found[d].depends],
            }
        )
    return render(request, "contract/module_list.html", {"rows": rows})


@permission_required(PERMISSION)
@require_POST
def module_switch(request, key: str):
    """POST `enabled=1|0`, optional `cascade=1`. When the switch would break a dependency and
    `cascade` is not given, answers a confirmation page (409) naming the other modules."""
    manifest = _manifest_or_404(key)
    enabled = request.POST.get("enabled") in {"1", "on", "true"}
    cascade = request.POST.get("cascade") == "1"
    try:
        keys = set_module_enabled(request.tenant, key, enabled, cascade=cascade)
    except ModuleDependencyError as exc:
        context = {"manifest": manifest, "enabled": enabled, "others": [get_manifest(k) for k in exc.modules]}
        return render(request, "contract/module_confirm.html", context, status=409)
    others = [k for k in keys if k != key]
    if enabled:
        text = _("%(module)s is on.") % {"module": manifest.name}
        if others:
            text += " " + _("Also switched on: %(modules)s.") % {"modules": _names(others)}
    else:
        text = _("%(module)s is off.") % {"module": manifest.name}
        if others:
            text += " " + _("Also switched off: %(modules)s.") % {"modules": _names(others)}
    messages.success(request, text)
    return redirect("modules:list")


@permission_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def module_settings_view(request, key: str):
    manifest = _manifest_or_404(key)
    if not manifest.default_settings:
        raise Http404("This module has no settings.")
    form_class = settings_form_class(manifest)
    form = form_class(request.POST or None, initial=module_settings(request.tenant, key))
    if request.method == "POST" and form.is_valid():
        actions.save_module_settings(request.tenant, key, form.cleaned_data)
        messages.success(request, _("Settings of %(module)s saved.") % {"module": manifest.name})
        return redirect("modules:list")
    return render(request, "contract/module_settings.html", {"manifest": manifest, "form": form}, status=400 if form.errors else 200)
