"""Template context for every panel page: tenant, switcher, menu, theme, direction."""

from __future__ import annotations

from django.utils import translation

from .menu import build_menu


def panel(request) -> dict:
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "current_tenant": getattr(request, "tenant", None),
        "current_membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "panel_menu": build_menu(request) if authenticated else [],
        "theme": user.theme if authenticated else request.COOKIES.get("zargar_theme", "light"),
        "text_direction": "rtl" if translation.get_language_bidi() else "ltr",
    }
