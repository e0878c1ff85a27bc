"""Operator screens of feature flags at /operator/flags/ (OperatorOnlyMiddleware guards
/operator/; `operator_required` checks again). Thin: changes go through `services`."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zargar.operator.views import operator_required
from zargar.tenancy.models import Tenant

from . import services
from .forms import FlagForm, SwitchForm
from .models import Flag, FlagShop


@operator_required
def flag_list(request):
    """Every flag with its state and quick switches, and the latest changes."""
    flags = list(Flag.objects.prefetch_related("users"))
    shop_counts: dict[int, int] = {}
    for flag_id in FlagShop.objects.values_list("flag_id", flat=True):
        shop_counts[flag_id] = shop_counts.get(flag_id, 0) + 1
    for flag in flags:
        flag.shop_count = shop_counts.get(flag.pk, 0)
    return render(request, "flags/operator/list.html", {"flags": flags, "changes": services.history(limit=10)})


@operator_required
def flag_create(request):
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            flag = services.create_flag(
                d["name"], actor=request.user, shops=d["shops"], users=d["users"], note=d["note"],
                everyone=d["everyone"], shop_percent=d["shop_percent"], roles=d["roles"],
            )
        except services.FlagError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Flag %(name)s created.") % {"name": flag.name})
            return redirect("operator:flags:detail", name=flag.name)
    return render(request, "flags/operator/form.html", {"form": form}, status=400 if form.errors else 200)


@operator_required
def flag_detail(request, name: str):
    """Edit a flag's targeting; its history below. Shows which shops the flag is on for."""
    flag = get_object_or_404(Flag, name=name)
    form = FlagForm(request.POST or None, editing=True, initial=FlagForm.initial_for(flag))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.update_flag(
            flag, actor=request.user, shops=d["shops"], users=d["users"], reason=d["reason"], note=d["note"],
            everyone=d["everyone"], shop_percent=d["shop_percent"], roles=d["roles"],
        )
        messages.success(request, _("Flag saved."))
        return redirect("operator:flags:detail", name=flag.name)
    shops = list(Tenant.objects.order_by("name"))
    on_for = [t for t in shops if services.evaluate(flag, tenant=t)]
    context = {"flag": flag, "form": form, "history": services.history(flag.name), "on_for": on_for, "shop_total": len(shops)}
    return render(request, "flags/operator/form.html", context, status=400 if form.errors else 200)


@operator_required
@require_POST
def flag_switch(request, name: str):
    """POST `action` = on | off | rules | kill | revive, optional `reason`."""
    flag = get_object_or_404(Flag, name=name)
    form = SwitchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("operator:flags:list")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    if action in ("kill", "revive"):
        services.set_killed(flag, action == "kill", actor=request.user, reason=reason)
        messages.success(request, _("Kill switch engaged: %(name)s is off everywhere.") % {"name": name} if action == "kill"
                         else _("Kill switch released: %(name)s follows its settings again.") % {"name": name})
    else:
        services.set_everyone(flag, {"on": True, "off": False, "rules": None}[action], actor=request.user, reason=reason)
        messages.success(request, _("Flag saved."))
    if request.POST.get("next") == "detail":
        return redirect("operator:flags:detail", name=name)
    return redirect("operator:flags:list")


@operator_required
def flag_history(request):
    """Every flag change, newest first (the last 500)."""
    return render(request, "flags/operator/history.html", {"changes": services.history(limit=500)})
