"""Error pages: JSON (`{"error": {"code", "message"}}`) under /api/, HTML elsewhere."""

from __future__ import annotations

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"error": {"code": "not_found", "message": "Not found."}}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"error": {"code": "server_error", "message": "Internal server error."}}, status=500)
    # Rendered without the request's context processors: they query the database, which may be
    # what just failed.
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))


def permission_denied(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"error": {"code": "permission_denied", "message": "You do not have permission to do this."}}, status=403)
    return render(request, "errors/403.html", status=403)
