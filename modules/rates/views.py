"""Rates panel views: board with trend chart, rate entry, history, alerts, piece pricing and
quotes. Thin: forms validate, `actions` write, `selectors` read."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zargar.panel.decorators import permission_required

from . import actions, selectors
from .charts import trend_svg
from .forms import AlertForm, QuoteForm, RateEntryForm, SettingsForm
from .models import PriceQuote, Rate, RateAlert
from .pricing import PricingError
from .units import UNIT_NAMES, Purity, Unit

MAX_TREND_DAYS = 366


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value), low), high)
    except (TypeError, ValueError):
        return default


@permission_required("rates.view_rate")
def board(request):
    tenant = request.tenant
    unit = selectors.display_unit(tenant, request.GET.get("unit"))
    purity = request.GET.get("purity") if request.GET.get("purity") in Purity.values else Purity.GOLD_750
    days = _int(request.GET.get("days"), _int(selectors.settings_of(tenant).get("trend_days"), 30, 1, MAX_TREND_DAYS), 1, MAX_TREND_DAYS)
    now = timezone.now()
    points = selectors.trend(tenant, purity, days=days, unit=unit, now=now)
    title = _("%(purity)s per %(unit)s, last %(days)s days") % {"purity": Purity(purity).label, "unit": UNIT_NAMES[unit], "days": days}
    context = {
        "rows": selectors.board(tenant, unit=unit, now=now),
        "unit": unit,
        "unit_label": UNIT_NAMES[unit],
        "units": Unit.choices,
        "purity": purity,
        "purities": Purity.choices,
        "days": days,
        "chart": mark_safe(trend_svg(points, start=now - timedelta(days=days), end=now, title=title)),  # noqa: S308 — escaped in trend_svg
        "chart_title": title,
        "can_enter": request.membership.has_perm("rates.enter_rate"),
        "can_quote": request.membership.has_perm("rates.quote_price"),
    }
    return render(request, "rates/board.html", context)


@permission_required("rates.enter_rate")
@require_http_methods(["GET", "POST"])
def rate_create(request):
    unit = selectors.display_unit(request.tenant)
    form = RateEntryForm(request.POST or None, initial={"unit": unit, "purity": request.GET.get("purity") or Purity.GOLD_750})
    if request.method == "POST" and form.is_valid():
        try:
            rate = actions.record_rate(request.tenant, entered_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Rate for %(purity)s recorded.") % {"purity": rate.get_purity_display()})
            return redirect("rates:board")
    return render(request, "rates/rate_form.html", {"form": form}, status=400 if form.errors else 200)


@permission_required("rates.view_rate")
def history(request):
    purity = request.GET.get("purity") if request.GET.get("purity") in Purity.values else ""
    page = Paginator(selectors.rates_of(request.tenant, purity=purity or None), 50).get_page(request.GET.get("page"))
    return render(request, "rates/history.html", {"page": page, "purity": purity, "purities": Purity.choices})


@permission_required("rates.view_rate")
def rate_detail(request, pk: int):
    try:
        rate = selectors.get_rate(request.tenant, pk)
    except Rate.DoesNotExist as exc:
        raise Http404("No such rate in this shop.") from exc
    return render(request, "rates/rate_detail.html", {"rate": rate})


@permission_required("rates.manage_alerts")
@require_http_methods(["GET", "POST"])
def alert_list(request):
    form = AlertForm(request.POST or None, initial={"unit": selectors.display_unit(request.tenant)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_alert(request.tenant, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Alert added."))
            return redirect("rates:alert-list")
    context = {"form": form, "alerts": selectors.alerts_of(request.tenant), "triggers": selectors.triggers_of(request.tenant)}
    return render(request, "rates/alerts.html", context, status=400 if form.errors else 200)


def _alert_or_404(request, pk: int) -> RateAlert:
    try:
        return selectors.get_alert(request.tenant, pk)
    except RateAlert.DoesNotExist as exc:
        raise Http404("No such alert in this shop.") from exc


@permission_required("rates.manage_alerts")
@require_POST
def alert_toggle(request, pk: int):
    alert = _alert_or_404(request, pk)
    actions.set_alert_active(alert, not alert.active)
    messages.success(request, _("Alert switched on.") if alert.active else _("Alert switched off."))
    return redirect("rates:alert-list")


@permission_required("rates.manage_alerts")
@require_POST
def alert_delete(request, pk: int):
    actions.delete_alert(_alert_or_404(request, pk))
    messages.success(request, _("Alert deleted."))
    return redirect("rates:alert-list")


@permission_required("rates.quote_price")
@require_http_methods(["GET", "POST"])
def quote_new(request):
    form = QuoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quote = actions.quote_price(request.tenant, created_by=request.user, **form.quote_kwargs())
        except PricingError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("rates:quote-detail", pk=quote.pk)
    recent = selectors.quotes_of(request.tenant)[:10]
    return render(request, "rates/quote_form.html", {"form": form, "recent": recent, "now": timezone.now()}, status=400 if form.errors else 200)


@permission_required("rates.view_rate")
def quote_detail(request, pk: int):
    try:
        quote = selectors.get_quote(request.tenant, pk)
    except PriceQuote.DoesNotExist as exc:
        raise Http404("No such quote in this shop.") from exc
    return render(request, "rates/quote_detail.html", {"quote": quote, "b": quote.breakdown, "valid": quote.is_valid_at(timezone.now())})


@permission_required("rates.manage_settings")
@require_http_methods(["GET", "POST"])
def settings_view(request):
    tenant = request.tenant
    initial = SettingsForm.initial_from(selectors.settings_of(tenant), selectors.provider_settings(tenant))
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_settings(tenant, general=form.general(), provider=form.provider())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Rate settings saved."))
            return redirect("rates:settings")
    return render(request, "rates/settings.html", {"form": form}, status=400 if form.errors else 200)


@permission_required("rates.manage_settings")
@require_POST
def fetch_now(request):
    if not selectors.provider_settings(request.tenant).get("key"):
        messages.error(request, _("Turn the rate feed on first."))
    else:
        actions.queue_provider_fetch(request.tenant)
        messages.success(request, _("The feed will be fetched now; new rates appear on the board when it answers."))
    return redirect("rates:settings")
