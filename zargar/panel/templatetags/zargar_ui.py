"""Small UI helpers of the panel templates: icons, role checks, form-field markup.

    {% load zargar_ui %}
    {% icon "cube" "size-5" %}                  inline Heroicons outline SVG (any Heroicons v2 name)
    {% if current_membership|has_perm:"inventory.change_item" %}…{% endif %}
    {{ form.name|add_class:"w-full" }}          render a bound field with extra CSS classes
"""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ._heroicons import ICONS

register = template.Library()

FALLBACK_ICON = "squares-2x2"


@register.simple_tag
def icon(name: str, css: str = "size-5") -> str:
    """An inline 24×24 outline SVG of Heroicons icon `name` (unknown names show squares-2x2)."""
    inner = ICONS.get(str(name)) or ICONS[FALLBACK_ICON]
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" fill="none" viewBox="0 0 24 24" stroke-width="1.5" '
        f'stroke="currentColor" aria-hidden="true" class="{escape(css)}">{inner}</svg>'
    )


@register.filter
def has_perm(membership, codename: str) -> bool:
    """True when `membership` (a tenancy Membership, or None) holds permission `codename`."""
    return bool(membership is not None and membership.has_perm(codename))


@register.filter
def add_class(bound_field, css: str):
    """Render `bound_field` with `css` added to its widget's class attribute."""
    if not hasattr(bound_field, "as_widget"):
        return bound_field
    existing = bound_field.field.widget.attrs.get("class", "")
    attrs = {"class": f"{existing} {css}".strip()}
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)
