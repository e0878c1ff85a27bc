"""Accounting panel views: journal, manual entry, chart of accounts, balance sheet, income
statement. Thin: forms validate, `actions` write, `selectors` read; statements come from
django-ledger's digest API rendered by our own templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ledger.models import JournalEntryModel

from zargar.panel.decorators import permission_required

from . import actions, selectors
from .chart import SPECS_BY_CODE
from .forms import BalanceSheetForm, IncomeStatementForm, JournalEntryForm, JournalLineFormSet, default_period


def _source(je) -> dict | None:
    link = getattr(je, "zargar_source", None)
    if link is None:
        return None
    ct = link.content_type
    url = obj = None
    try:
        obj = link.source
        url = obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else None
    except Exception:  # a deleted document, or a model without a URL: show the reference only
        url = None
    # For people: the document's kind in their language and its number ("Sale S-000002"), not
    # the model's internal name; the database id only when the document has no number.
    model = ct.model_class()
    kind = capfirst(model._meta.verbose_name) if model is not None else f"{ct.app_label}.{ct.model}"
    number = getattr(obj, "number", "") if obj is not None else ""
    return {"label": f"{kind} {number or '#' + str(link.object_id)}", "url": url}


def _entry(je, zone=None) -> dict:
    lines = []
    for tx in getattr(je, "lines", None) or je.transactionmodel_set.select_related("account").all():
        spec = SPECS_BY_CODE.get(tx.account.code)
        lines.append({
            "code": tx.account.code,
            "label": spec.label if spec and spec.name == tx.account.name else tx.account.name,
            "debit": tx.amount if tx.tx_type == "debit" else None,
            "credit": tx.amount if tx.tx_type == "credit" else None,
            "memo": tx.description or "",
        })
    date = je.timestamp.astimezone(zone).date() if zone else je.timestamp.date()
    return {"je": je, "date": date, "lines": lines, "source": _source(je)}


def _label_accounts(accounts) -> None:
    """Show our chart's accounts in the reader's language (the ledger stores English names)."""
    for acc in accounts:
        spec = SPECS_BY_CODE.get(acc.get("code"))
        if spec and spec.name == acc.get("name"):
            acc["name"] = spec.label


@permission_required("accounting.view_books")
def journal(request):
    page = Paginator(selectors.journal_entries(request.tenant), 20).get_page(request.GET.get("page"))
    zone = actions.shop_zone(request.tenant)
    entries = [_entry(je, zone) for je in page]
    can_post = request.membership.has_perm("accounting.post_entry")
    return render(request, "accounting/journal.html", {"page": page, "entries": entries, "can_post": can_post})


@permission_required("accounting.view_books")
def journal_detail(request, uuid):
    try:
        je = selectors.get_journal_entry(request.tenant, uuid)
    except JournalEntryModel.DoesNotExist as exc:
        raise Http404("No such journal entry in this shop.") from exc
    return render(request, "accounting/journal_detail.html", {"entry": _entry(je, actions.shop_zone(request.tenant))})


@permission_required("accounting.post_entry")
@require_http_methods(["GET", "POST"])
def journal_new(request):
    form = JournalEntryForm(request.POST or None, initial={"date": actions.shop_today(request.tenant)})
    formset = JournalLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            je = actions.post_journal_entry(
                request.tenant, date=form.cleaned_data["date"], description=form.cleaned_data["description"], lines=formset.lines
            )
        except actions.PostingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Journal entry %(number)s posted.") % {"number": je.je_number})
            return redirect("accounting:journal-detail", uuid=je.uuid)
    has_errors = bool(form.errors or formset.total_error_count())
    return render(request, "accounting/journal_form.html", {"form": form, "formset": formset}, status=400 if has_errors else 200)


@permission_required("accounting.view_books")
def chart(request):
    return render(request, "accounting/chart.html", {"accounts": selectors.chart_of_accounts(request.tenant), "currency": request.tenant.currency})


@permission_required("accounting.view_books")
def balance_sheet(request):
    form = BalanceSheetForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "accounting/balance_sheet.html", {"form": form, "statement": None}, status=400)
    to_date = (form.cleaned_data.get("to") if form.is_bound else None) or actions.shop_today(request.tenant)
    statement = selectors.balance_sheet(request.tenant, to_date=to_date)
    sections = []
    if statement:
        for key in ("assets", "liabilities", "equity"):
            block = statement.get(key)
            if block:
                for role in block["roles"].values():
                    _label_accounts(role["accounts"])
                sections.append({"key": key, "roles": list(block["roles"].values()), "total": block["total_balance"]})
    return render(
        request,
        "accounting/balance_sheet.html",
        {"form": form, "statement": statement, "sections": sections, "to_date": to_date, "currency": request.tenant.currency},
    )


@permission_required("accounting.view_books")
def income_statement(request):
    form = IncomeStatementForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "accounting/income_statement.html", {"form": form, "statement": None}, status=400)
    start, end = default_period(actions.shop_today(request.tenant))
    if form.is_bound:
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    statement = selectors.income_statement(request.tenant, from_date=start, to_date=end)
    if statement:
        for section in ("operating", "other"):
            for part in ("revenues", "cogs", "expenses"):
                _label_accounts(statement[section].get(part, []))
    return render(
        request,
        "accounting/income_statement.html",
        {"form": form, "statement": statement, "start": start, "end": end, "currency": request.tenant.currency},
    )
