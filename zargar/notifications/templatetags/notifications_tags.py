"""`{% notification_badge %}`: the header bell with the member's unread count, refreshed by
HTMX polling of `notifications:badge` every `NOTIFICATIONS_POLL_SECONDS`."""

from django import template
from django.conf import settings

from ..selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def notification_badge(context):
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    return {"unread_notifications": unread_count(tenant, user) if tenant is not None else None, "request": request, "poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS}
