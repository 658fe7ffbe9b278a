from django.conf import settings

from home.navigation import navigation_for


def navigation(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "navigation_items": navigation_for(request),
        "show_sign_in": not request.path.startswith("/accounts/login"),
    }
