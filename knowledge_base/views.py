"""Help and announcement pages of the tenant panel. The knowledge-base pages themselves are
served by Wagtail at /help/ (see `knowledge_base.models`)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zargar.panel.decorators import tenant_required

from . import actions, selectors


# --- Help -----------------------------------------------------------------------------------------
def help_for(request, slug: str):
    """`/help/for/<slug>/`: the help page with this slug in the user's language (English when
    not translated yet); with no such page, the knowledge-base search for the slug."""
    page = selectors.help_page_for(slug)
    if page is None:
        return redirect(f"{reverse('help:search')}?{urlencode({'q': slug.replace('-', ' ')})}")
    return redirect(page.get_url(request) or "/help/")


def search(request):
    """`/help/search/?q=`: search the knowledge base in the user's language."""
    query = request.GET.get("q", "").strip()[:200]
    results = selectors.search_pages(query) if query else []
    return render(request, "knowledge_base/search.html", {"query": query, "results": results})


# --- Announcements --------------------------------------------------------------------------------
@tenant_required
def announcement_centre(request):
    """Every current announcement for this user and shop, with its read/acknowledged state."""
    rows = selectors.visible_announcements(request.user, request.tenant)
    return render(request, "knowledge_base/announcement_centre.html", {"rows": rows})


def _back(request):
    target = request.POST.get("next") or request.headers.get("Referer") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("announcements:centre")
    return redirect(target)


def _receipt(request, key: uuid.UUID, *, acknowledge: bool):
    try:
        if acknowledge:
            actions.acknowledge(request.user, request.tenant, key)
        else:
            actions.mark_read(request.user, request.tenant, key)
    except actions.AnnouncementNotVisible:
        raise Http404(_("No such announcement.")) from None
    if request.htmx:
        rows = selectors.banner_announcements(request.user, request.tenant)
        return render(request, "knowledge_base/_banner.html", {"banner_rows": rows})
    if acknowledge:
        messages.success(request, _("Thank you, the announcement is acknowledged."))
    return _back(request)


@require_POST
@tenant_required
def dismiss(request, key: uuid.UUID):
    """Mark an announcement read: it leaves the banner unless it needs acknowledging."""
    return _receipt(request, key, acknowledge=False)


@require_POST
@tenant_required
def acknowledge(request, key: uuid.UUID):
    """Acknowledge an announcement (also marks it read)."""
    return _receipt(request, key, acknowledge=True)
