"""Panel-layout tags: the "?" help link of the current module and the announcement banner."""

from __future__ import annotations

import logging

from django import template
from django.db import DatabaseError, transaction
from django.urls import reverse

from knowledge_base import selectors

logger = logging.getLogger(__name__)
register = template.Library()


@register.simple_tag(takes_context=True)
def help_url(context) -> str:
    """URL of the current module's help page (`/help/for/<slug>/`, resolved in the user's
    language when clicked), or the knowledge-base home outside a module."""
    request = context.get("request")
    slug = selectors.module_help_slug(request) if request is not None else None
    return reverse("help:for", args=[slug]) if slug else "/help/"


@register.inclusion_tag("knowledge_base/_banner.html", takes_context=True)
def announcement_banner(context) -> dict:
    """The banner of unread and not yet acknowledged announcements (signed in, with a shop)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    rows = []
    match = getattr(request, "resolver_match", None)
    on_centre = match is not None and match.view_name == "announcements:centre"  # it lists them already
    if user is not None and user.is_authenticated and tenant is not None and not on_centre:
        try:
            with transaction.atomic():
                rows = selectors.banner_announcements(user, tenant)
        except DatabaseError:
            # The banner must never take a page down (e.g. one rendered after a failed query).
            logger.exception("Announcement banner skipped")
    return {"banner_rows": rows, "request": request, "csrf_token": context.get("csrf_token")}
