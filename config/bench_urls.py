"""The URLconf of ``config.settings.bench`` only: every production URL plus ``/bench/bare/``, the baseline that
bench/heartbeat.py measures the progress API against. Never included by ``config.urls``.

The bare view does what any authenticated JSON API view must: the same middleware (session, CSRF, auth, CSP, …)
runs, it reads the signed-in user (the session and user queries), decodes the JSON body and answers JSON. What the
progress API adds on top – the item, the rate limit, the row-locked merge, the receipt – is what is measured.
"""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config.urls import handler403
from config.urls import urlpatterns as production_urlpatterns

__all__ = ["handler403", "urlpatterns"]


@never_cache
@require_POST
def bare_json(request):
    if not request.user.is_authenticated:
        return JsonResponse({"error": "signed out"}, status=403)
    body = json.loads(request.body)
    return JsonResponse(
        {"watched_seconds": 0.0, "percent": 0, "completed": False, "resume_at": body.get("position", 0)}
    )


urlpatterns = [path("bench/bare/", bare_json, name="bench_bare"), *production_urlpatterns]
