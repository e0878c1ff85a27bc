"""Operator panel: platform operators only (Django superusers with 2FA passed)."""

from __future__ import annotations

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zargar.audit.selectors import EventFilter, events
from zargar.billing.models import SubscriptionStatus
from zargar.panel.templatetags.zargar_format import format_number, localdate
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership, Tenant

from . import actions, charts, metrics
from .forms import AuditFilterForm, LifecycleForm, RoleForm, ShopCreateForm, ShopSettingsForm, TenantFilterForm


def operator_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_operator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@operator_required
def dashboard(request):
    """The operator panel's home: shops by status, signups per day, MRR and churn, live
    subscriptions by plan, as server-drawn SVG charts (`?days=30` or `90`)."""
    days = 90 if request.GET.get("days") == "90" else 30
    figures = metrics.dashboard(days)
    return render(request, "operator/dashboard.html", {"m": figures, "charts": dashboard_charts(figures), "newest": Tenant.objects.order_by("-created_at")[:8]})


def dashboard_charts(m: metrics.Dashboard) -> dict:
    """The dashboard's SVG charts (safe strings), from the figures of `metrics.dashboard`."""
    no_data = _("No data for this period yet.")
    status_labels = dict(SubscriptionStatus.choices)
    return {
        "signups": mark_safe(charts.columns(
            [(localdate(day), n, f"{localdate(day)}: {format_number(n)}") for day, n in m.signups],
            title=_("Signups per day"), empty=_("No signups in this period."))),
        "status": mark_safe(charts.stacked_bars(
            [(label, [(value, label, n)]) for value, label, n in m.by_status], title=_("Shops by status"), empty=no_data)),
        "mrr": {cur: mark_safe(charts.line([(localdate(month), v) for month, v in points], title=_("MRR in %(currency)s") % {"currency": cur}, empty=no_data))
                for cur, points in m.mrr_trend.items()},
        "churn": mark_safe(charts.columns(
            [(localdate(month), c.rate or 0, f"{localdate(month)}: {format_number(c.churned)} / {format_number(c.paying_at_start)}")
             for month, c in m.churn_trend],
            title=_("Churn per month"), empty=_("No churn in the last twelve months."), places=1, suffix="%")),
        "plans": mark_safe(charts.stacked_bars(
            [(name, [(s, str(status_labels[s]), counts.get(s, 0)) for s in metrics.LIVE]) for name, counts in m.by_plan],
            title=_("Live subscriptions by plan"), empty=_("No live subscriptions yet."))),
    }


SHOPS_PER_PAGE = 50


@operator_required
def tenants(request):
    """All shops, searchable by name or slug, filterable by status, plan (of the shop's
    subscription, any status; `none` = no subscription) and signup date range; by name,
    `SHOPS_PER_PAGE` to a page (`?page=`; the pager keeps the filters). An HTMX request for the
    list (`#shop-list`) gets the table and its pager only."""
    qs = Tenant.objects.all()
    filters = TenantFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    q = (data.get("q") or "").strip()
    status = data.get("status") or ""
    plan = data.get("plan") or ""
    shop_plans = metrics.plans_of_shops()
    if plan == TenantFilterForm.NO_PLAN:
        qs = qs.exclude(pk__in=list(shop_plans))
    elif plan:
        qs = qs.filter(pk__in=[pk for pk, (code, _name) in shop_plans.items() if code == plan])
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    if status in Tenant.Status.values:
        qs = qs.filter(status=status)
    if data.get("created_from"):
        qs = qs.filter(created_at__date__gte=data["created_from"])
    if data.get("created_to"):
        qs = qs.filter(created_at__date__lte=data["created_to"])
    page = Paginator(qs.order_by("name", "pk"), SHOPS_PER_PAGE).get_page(request.GET.get("page"))
    for t in page:
        t.plan_name = shop_plans.get(t.pk, ("", ""))[1]
    by_status = dict(Tenant.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    counts = [(value, label, by_status.get(value, 0)) for value, label in Tenant.Status.choices]
    context = {
        "page": page,
        "q": q,
        "status": status,
        "statuses": Tenant.Status.choices,
        "plan": plan,
        "plans": filters.fields["plan"].choices,
        "filtered": bool(q or status or plan or data.get("created_from") or data.get("created_to")),
        "counts": counts,  # [(status, label, number of shops)] over all shops, unfiltered
        "total": sum(by_status.values()),
    }
    template = "operator/_tenants_table.html" if request.htmx and request.htmx.target == "shop-list" else "operator/tenants.html"
    return render(request, template, context)


@operator_required
def shop_create(request):
    """Create a shop with an owner (an existing user, or an emailed owner invitation)."""
    form = ShopCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        email = data.pop("owner_email")
        try:
            tenant, outcome = actions.create_shop(actor=request.user, owner_email=email, request=request, **data)
        except actions.LifecycleError as exc:
            form.add_error("owner_email", str(exc))
        else:
            if outcome == "invited":
                messages.success(request, _("Shop created; %(email)s was emailed a link to set their password.") % {"email": email})
            else:
                messages.success(request, _("Shop created with %(email)s as its owner.") % {"email": email})
            return redirect("operator:shop", pk=tenant.pk)
    return render(request, "operator/shop_form.html", {"form": form})


def _members(tenant):
    with tenant_context(tenant):
        return list(Membership.objects.filter(tenant=tenant).select_related("user").order_by("user__email"))


@operator_required
def shop_detail(request, pk):
    """A shop: settings (editable), status and life-cycle actions, members."""
    tenant = get_object_or_404(Tenant, pk=pk)
    initial = {f: getattr(tenant, f) for f in actions.EDITABLE_FIELDS}
    form = ShopSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.update_tenant(tenant, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Shop settings saved."))
        return redirect("operator:shop", pk=tenant.pk)
    context = {"tenant": tenant, "form": form, "members": _members(tenant), "roles": RoleForm.base_fields["role"].choices}
    return render(request, "operator/shop_detail.html", context, status=400 if form.errors else 200)


@operator_required
@require_POST
def shop_lifecycle(request, pk):
    """Suspend, reactivate, schedule deletion or restore a shop (POST `action`, optional `reason`)."""
    tenant = get_object_or_404(Tenant, pk=pk)
    form = LifecycleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("operator:shop", pk=pk)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "suspend":
            actions.suspend_tenant(tenant, actor=request.user, reason=reason)
            messages.success(request, _("The shop is suspended."))
        elif action == "reactivate":
            actions.reactivate_tenant(tenant, actor=request.user)
            messages.success(request, _("The shop is active again."))
        elif action == "schedule_deletion":
            actions.schedule_tenant_deletion(tenant, actor=request.user, reason=reason)
            messages.success(request, _("The shop is scheduled for deletion."))
        else:
            actions.restore_tenant(tenant, actor=request.user)
            messages.success(request, _("The shop is restored."))
    except actions.LifecycleError as exc:
        messages.error(request, str(exc))
    return redirect("operator:shop", pk=pk)


@operator_required
@require_POST
def member_role(request, pk, membership_id):
    tenant = get_object_or_404(Tenant, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("operator:shop", pk=pk)
    try:
        actions.change_member_role(tenant, actor=request.user, membership_id=membership_id, role=form.cleaned_data["role"])
        messages.success(request, _("Role changed."))
    except Membership.DoesNotExist:
        messages.error(request, _("This member does not belong to this shop."))
    except actions.LifecycleError as exc:
        messages.error(request, str(exc))
    return redirect("operator:shop", pk=pk)


@operator_required
@require_POST
def member_password_reset(request, pk, membership_id):
    tenant = get_object_or_404(Tenant, pk=pk)
    try:
        email = actions.send_password_reset(tenant, actor=request.user, membership_id=membership_id, request=request)
        messages.success(request, _("A password reset link was emailed to %(email)s.") % {"email": email})
    except Membership.DoesNotExist:
        messages.error(request, _("This member does not belong to this shop."))
    except actions.LifecycleError as exc:
        messages.error(request, str(exc))
    return redirect("operator:shop", pk=pk)


def _event_filter(form) -> EventFilter:
    if not form.is_valid():
        return EventFilter(action="~invalid filter~")  # an invalid filter shows nothing rather than everything
    d = form.cleaned_data
    return EventFilter(
        user=d.get("user") or "", action=d.get("action") or "", shop=d.get("shop"),
        date_from=d.get("date_from"), date_to=d.get("date_to"), ip=d.get("ip") or "",
    )


@operator_required
def audit_log(request):
    """The audit explorer: shop and platform events, filtered, 50 a page."""
    form = AuditFilterForm(request.GET)
    page = Paginator(events(_event_filter(form)), 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    shops = dict(Tenant.objects.values_list("pk", "name"))
    for row in rows:
        row["shop_name"] = shops.get(row["shop_id"], "")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "operator/audit_log.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode()})


class _Echo:
    def write(self, value):
        return value


CSV_HEADER = ["time", "action", "actor", "impersonator", "shop_id", "object_type", "object_id", "object", "changes", "ip", "user_agent"]


@operator_required
def audit_export(request):
    """The explorer's filtered events as CSV, streamed (read in chunks of 1,000)."""
    flt = _event_filter(AuditFilterForm(request.GET))
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_HEADER)
        offset, size = 0, 1000
        while True:
            chunk = list(events(flt)[offset : offset + size])
            for r in chunk:
                yield writer.writerow([
                    r["created_at"].isoformat(), r["action"], r["actor_email"] or r["actor_label"], r["impersonator_email"] or "",
                    r["shop_id"] or "", r["object_type"], r["object_id"], r["object_repr"],
                    json.dumps(r["changes"], ensure_ascii=False, sort_keys=True), r["ip"] or "", r["user_agent"],
                ])
            if len(chunk) < size:
                return
            offset += size

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="zargar-audit.csv"'
    return response
