"""The notification centre in the panel (`/app/notifications/`). Thin views: reads in
`selectors`, writes in `services`. A member only ever sees and changes their own notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zargar.panel.decorators import tenant_required

from . import selectors, services
from .forms import PreferencesForm
from .models import Notification
from .registry import CHANNELS


def _own(request, pk: int) -> Notification:
    notification = selectors.notifications_of(request.tenant, request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


@tenant_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("filter") == "unread"
    qs = selectors.notifications_of(request.tenant, request.user, unread_only=unread_only)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page_obj": page, "notifications": page.object_list, "unread_only": unread_only,
        "unread": selectors.unread_count(request.tenant, request.user),
    })


@never_cache
@require_GET
def badge(request):
    """The header bell with its unread count (an HTMX fragment polled every N seconds).
    Signed out or without a shop: HTTP 286, which tells HTMX to stop polling."""
    if not request.user.is_authenticated or getattr(request, "tenant", None) is None:
        return HttpResponse(status=286)
    return render(request, "notifications/_badge.html", {
        "unread_notifications": selectors.unread_count(request.tenant, request.user),
        "poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS,
    })


@tenant_required
@require_POST
def mark_one_read(request, pk: int):
    services.mark_read(request.tenant, request.user, [_own(request, pk).pk])
    if request.htmx:
        return badge(request)
    return redirect("notifications:list")


@tenant_required
@require_POST
def open_notification(request, pk: int):
    """Mark read and go to the notification's page (a panel path only)."""
    notification = _own(request, pk)
    services.mark_read(request.tenant, request.user, [notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notifications:list")
    return redirect(target)


@tenant_required
@require_POST
def read_all(request):
    count = services.mark_all_read(request.tenant, request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("notifications:list")


@tenant_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    rows = selectors.preference_rows(request.tenant, request.user, request.membership.role)
    sms_available = services.sms_configured()
    form = PreferencesForm(
        request.POST or None, rows=rows, sms_available=sms_available,
        initial={"sms_number": selectors.sms_number_of(request.tenant, request.user)},
    )
    if request.method == "POST" and form.is_valid():
        services.save_preferences(
            request.tenant, request.user, form.choices(),
            sms_number=form.cleaned_data["sms_number"] if sms_available else None,
        )
        messages.success(request, _("Notification preferences saved."))
        return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html",
        {"form": form, "channels": CHANNELS, "sms_available": sms_available},
        status=400 if form.errors else 200,
    )
