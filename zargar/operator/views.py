"""Operator panel: platform operators only (Django superusers with 2FA passed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render

from zargar.tenancy.models import Tenant


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
def tenants(request):
    """All shops, searchable by name or slug and filterable by status."""
    qs = Tenant.objects.all()
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    if status in Tenant.Status.values:
        qs = qs.filter(status=status)
    by_status = dict(Tenant.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    counts = [(value, label, by_status.get(value, 0)) for value, label in Tenant.Status.choices]
    context = {
        "tenants": qs,
        "q": q,
        "status": status,
        "statuses": Tenant.Status.choices,
        "counts": counts,  # [(status, label, number of shops)] over all shops, unfiltered
        "total": sum(by_status.values()),
    }
    return render(request, "operator/tenants.html", context)
