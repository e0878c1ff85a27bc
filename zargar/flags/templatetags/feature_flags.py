"""Template tags of feature flags, evaluated with the request's shop, user and role.

    {% load feature_flags %}
    {% ifflag "beta_team_card" %}…{% else %}…{% endifflag %}
    {% flag_active "beta_team_card" as beta %}

The template needs `request` in its context (the `request` context processor). Waffle's own
`{% flag %}` tag gives the same answer (it calls `Flag.is_active(request)`).
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language_bidi, gettext, gettext_lazy as _
from waffle.templatetags.waffle_tags import WaffleNode

from zargar.flags.services import is_active
from zargar.panel.templatetags.zargar_format import format_number
from zargar.tenancy.roles import Role

register = template.Library()


def _condition(request, name) -> bool:
    return request is not None and is_active(name, request)


@register.tag
def ifflag(parser, token):
    return WaffleNode.handle_token(parser, token, "ifflag", _condition)


@register.simple_tag(takes_context=True)
def flag_active(context, name: str) -> bool:
    return _condition(context.get("request"), name)


#: Labels of the keys of a history snapshot (`services.snapshot`).
FIELD_LABELS = {
    "everyone": _("for everyone"),
    "killed": _("kill switch"),
    "shop_percent": _("percentage of shops"),
    "roles": _("roles"),
    "shops": _("shops"),
    "users": _("users"),
    "superusers": _("superusers"),
    "note": _("note"),
}


@register.filter
def flag_field_label(name: str) -> str:
    """The label of a key of a history snapshot (the key itself if unknown)."""
    return str(FIELD_LABELS.get(name, name))


@register.filter
def flag_value(value) -> str:
    """A snapshot value for people: yes / no, lists joined, "—" for nothing."""
    if value is None or value == [] or value == "":
        return "—"
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, list):
        return list_separator().join(str(Role(v).label) if v in Role.values else str(v) for v in value)
    return str(value)


@register.simple_tag
def list_separator() -> str:
    """", " — or the Persian comma "، " in a right-to-left language."""
    return "، " if get_language_bidi() else ", "
