"""drf-spectacular hooks."""


def only_zargar_api(endpoints, **kwargs):
    """Keep Zargar's own `/api/` routes; drop Wagtail's and anything else the scan finds."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
