"""Feature flags on django-waffle, with per-shop targeting (see `services`).

`zargar.flags.is_active(name, request_or_tenant, user=None)` is the one call code uses; the
`feature_flags` template library has `{% ifflag "name" %}…{% else %}…{% endifflag %}`.
"""


def is_active(flag_name: str, target, user=None) -> bool:
    """Shortcut for `zargar.flags.services.is_active` (imported lazily: this package loads
    before the app registry is ready)."""
    from .services import is_active as _is_active

    return _is_active(flag_name, target, user=user)
