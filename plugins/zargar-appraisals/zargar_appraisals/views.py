"""Appraisal panel views: list, issue, detail. Thin: the form validates, `actions` write,
`selectors` read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zargar.panel.decorators import permission_required

from . import actions, selectors
from .apps import ISSUE, VIEW
from .forms import IssueCertificateForm
from .models import AppraisalCertificate


@permission_required(VIEW)
def certificate_list(request):
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in AppraisalCertificate.Status.values:
        status = ""
    page = Paginator(selectors.certificates_of(request.tenant, search=search, status=status), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": search,
        "status": status,
        "statuses": AppraisalCertificate.Status.choices,
        "summary": selectors.summary(request.tenant),
        "can_issue": request.membership.has_perm(ISSUE),
    }
    return render(request, "appraisals/certificate_list.html", context)


@permission_required(ISSUE)
@require_http_methods(["GET", "POST"])
def certificate_issue(request):
    initial = {}
    if request.GET.get("item", "").isdigit():
        initial["item"] = int(request.GET["item"])
    form = IssueCertificateForm(request.POST or None, tenant=request.tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = actions.issue_certificate(request.tenant, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Certificate %(number)s issued.") % {"number": certificate.number})
            return redirect("appraisals:certificate-detail", pk=certificate.pk)
    return render(request, "appraisals/certificate_form.html", {"form": form}, status=400 if form.errors else 200)


@permission_required(VIEW)
def certificate_detail(request, pk: int):
    try:
        certificate = selectors.get_certificate(request.tenant, pk)
    except AppraisalCertificate.DoesNotExist as exc:
        raise Http404("No such certificate in this shop.") from exc
    return render(request, "appraisals/certificate_detail.html", {"certificate": certificate})
