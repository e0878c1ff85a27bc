"""Showing a newly made secret (an API key, a webhook signing secret) once, in the panel.

The secret is put only in the response to the POST that made it: never stored in clear, never in
the session, so neither reloading nor going back shows it again.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


def render_secret_once(request: HttpRequest, template_name: str, context: dict) -> HttpResponse:
    """Render `template_name` (a page extending "panel/secret_once.html") with `context`, the
    response marked `Cache-Control: no-store` (with no-cache, must-revalidate, private,
    max-age=0) so that no browser or proxy cache keeps the secret."""
    response = render(request, template_name, context)
    add_never_cache_headers(response)
    return response
