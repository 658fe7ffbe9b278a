"""The service navigation, by role. Each item names the permission or data that earns it."""

from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class NavigationItem:
    key: str
    text: str
    href: str
    active: bool = False


def navigation_for(request: HttpRequest) -> list[NavigationItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items: list[tuple[str, str, str]] = []
    if user.has_perm("wagtailadmin.access_admin"):
        items.append(("admin", "Admin", "/admin/"))
    path = request.path
    return [NavigationItem(key, text, href, active=path.startswith(href)) for key, text, href in items]
