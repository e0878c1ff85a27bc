"""Error pages: JSON (`{"error": {"code", "message"}}`) under /api/, HTML elsewhere."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"error": {"code": "not_found", "message": "Not found."}}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"error": {"code": "server_error", "message": "Internal server error."}}, status=500)
    return render(request, "errors/500.html", status=500)
