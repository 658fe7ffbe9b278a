"""The service navigation, by role. Each item names the permission or data that earns it."""

from dataclasses import dataclass

from django.http import HttpRequest

from lms.selectors.browse import learning_browse_url


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
    # Every signed-in member of staff is a learner.
    items: list[tuple[str, str, str]] = [("my-learning", "My learning", "/my-learning/")]
    if browse_url := learning_browse_url(request=request):
        items.insert(0, ("browse", "Browse", browse_url))
    if user.has_perm("lms.view_completion_reports"):
        items.append(("reports", "Reports", "/reports/"))
    elif user.has_perm("lms.view_assignment"):
        items.append(("assignments", "Assignments", "/reports/assignments/"))
    if user.has_perm("wagtailadmin.access_admin"):
        items.append(("admin", "Admin", "/admin/"))
    path = request.path
    return [NavigationItem(key, text, href, active=path.startswith(href)) for key, text, href in items]
