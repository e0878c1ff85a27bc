"""Template tags of feature flags, evaluated with the request's shop, user and role.

    {% load feature_flags %}
    {% ifflag "beta_team_card" %}…{% else %}…{% endifflag %}
    {% flag_active "beta_team_card" as beta %}

The template needs `request` in its context (the `request` context processor). Waffle's own
`{% flag %}` tag gives the same answer (it calls `Flag.is_active(request)`).
"""

from __future__ import annotations

from django import template
from waffle.templatetags.waffle_tags import WaffleNode

from zargar.flags.services import is_active

register = template.Library()


def _condition(request, name) -> bool:
    return request is not None and is_active(name, request)


@register.tag
def ifflag(parser, token):
    return WaffleNode.handle_token(parser, token, "ifflag", _condition)


@register.simple_tag(takes_context=True)
def flag_active(context, name: str) -> bool:
    return _condition(context.get("request"), name)
