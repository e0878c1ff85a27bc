"""Outbound webhooks in the panel (`/app/webhooks/`): endpoints, secret, test send, delivery log.

Thin views: `EndpointForm` validates, `services` write, `selectors` read. Every view needs
`tenancy.manage_api_keys` (admins and owners: the shop's developer settings). A new or rotated
signing secret is shown once, in the response to the POST that made it (`Cache-Control: no-store`);
lists show only a hint (`whsec_…abcd`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zargar.panel.decorators import permission_required
from zargar.panel.secrets import render_secret_once

from . import selectors, services
from .events import event_types
from .forms import EndpointForm
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

PERMISSION = "tenancy.manage_api_keys"


def _endpoint_or_404(request, pk: int) -> WebhookEndpoint:
    try:
        return selectors.get_endpoint(request.tenant, pk)
    except WebhookEndpoint.DoesNotExist as exc:
        raise Http404("No such webhook endpoint in this shop.") from exc


def _delivery_or_404(request, pk: int) -> WebhookDelivery:
    try:
        return selectors.get_delivery(request.tenant, pk)
    except WebhookDelivery.DoesNotExist as exc:
        raise Http404("No such delivery in this shop.") from exc


@permission_required(PERMISSION)
@require_GET
def endpoint_list(request):
    return render(request, "webhooks/endpoint_list.html", {"endpoints": selectors.endpoints_of(request.tenant)})


@never_cache
@permission_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def endpoint_create(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.create_endpoint(
                request.tenant, url=form.cleaned_data["url"], events=form.selected_events(),
                description=form.cleaned_data["description"], enabled=form.cleaned_data["enabled"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render_secret_once(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": endpoint.secret})
    return render(request, "webhooks/endpoint_form.html", {"form": form}, status=400 if form.errors else 200)


@permission_required(PERMISSION)
@require_GET
def endpoint_detail(request, pk: int):
    endpoint = _endpoint_or_404(request, pk)
    deliveries = selectors.deliveries_of(request.tenant, endpoint=endpoint)[:20]
    labels = event_types()
    return render(request, "webhooks/endpoint_detail.html", {
        "endpoint": endpoint, "deliveries": deliveries,
        "event_labels": [(e, labels.get(e, "")) for e in endpoint.events],
    })


@permission_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, pk: int):
    endpoint = _endpoint_or_404(request, pk)
    form = EndpointForm(request.POST or None, initial=EndpointForm.initial_for(endpoint))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(
                request.tenant, endpoint, url=form.cleaned_data["url"], events=form.selected_events(),
                description=form.cleaned_data["description"], enabled=form.cleaned_data["enabled"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Webhook endpoint saved."))
            return redirect("webhooks:detail", endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint}, status=400 if form.errors else 200)


@permission_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def endpoint_delete(request, pk: int):
    endpoint = _endpoint_or_404(request, pk)
    if request.method == "POST":
        services.delete_endpoint(request.tenant, endpoint)
        messages.success(request, _("Webhook endpoint %(url)s deleted.") % {"url": endpoint.url})
        return redirect("webhooks:list")
    return render(request, "webhooks/confirm.html", {"endpoint": endpoint, "action": "delete"})


@never_cache
@permission_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def endpoint_rotate(request, pk: int):
    endpoint = _endpoint_or_404(request, pk)
    if request.method == "POST":
        secret = services.rotate_secret(request.tenant, endpoint)
        return render_secret_once(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "rotated": True})
    return render(request, "webhooks/confirm.html", {"endpoint": endpoint, "action": "rotate"})


@permission_required(PERMISSION)
@require_POST
def endpoint_test(request, pk: int):
    endpoint = _endpoint_or_404(request, pk)
    delivery = services.send_test(request.tenant, endpoint)
    messages.success(request, _("Test event queued. Its result appears below in a few seconds."))
    return redirect("webhooks:delivery", delivery.pk)


@permission_required(PERMISSION)
@require_GET
def delivery_list(request):
    endpoint = None
    if request.GET.get("endpoint", "").isdigit():
        endpoint = _endpoint_or_404(request, int(request.GET["endpoint"]))
    status = request.GET.get("status", "")
    if status not in DeliveryStatus.values:
        status = ""
    page = Paginator(selectors.deliveries_of(request.tenant, endpoint=endpoint, status=status), 50).get_page(request.GET.get("page"))
    return render(request, "webhooks/delivery_list.html", {
        "page_obj": page, "deliveries": page.object_list, "endpoint": endpoint, "status": status,
        "statuses": DeliveryStatus.choices, "endpoints": selectors.endpoints_of(request.tenant),
    })


@permission_required(PERMISSION)
@require_GET
def delivery_detail(request, pk: int):
    delivery = _delivery_or_404(request, pk)
    return render(request, "webhooks/delivery_detail.html", {
        "delivery": delivery, "attempts": delivery.attempts.order_by("-number"),
        "waiting": delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING),
    })


@permission_required(PERMISSION)
@require_POST
def delivery_redeliver(request, pk: int):
    delivery = _delivery_or_404(request, pk)
    services.redeliver(request.tenant, delivery)
    messages.success(request, _("Delivery queued again."))
    return redirect("webhooks:delivery", delivery.pk)
