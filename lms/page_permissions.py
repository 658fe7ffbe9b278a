"""Who may delete (and so move) a learning page: Wagtail's rules, made narrower for authors who cannot publish.

Volunteers hold "change" on the whole tree so that they can co-produce any draft; in Wagtail, "change" without
"publish" also lets them delete (or move) any page that is not live – another volunteer's or an editor's draft,
work that would be lost. Here someone without "publish" deletes or moves only pages they own (their own drafts,
and only where nothing below them belongs to someone else). Editors, who publish, keep Wagtail's rules.

Every route asks `page.permissions_for_user(user)`: the delete and move views, bulk actions and the admin API.
"""

from wagtail.models import PagePermissionTester


class AuthorPagePermissionTester(PagePermissionTester):
    def can_delete(self, ignore_bulk: bool = False) -> bool:
        if not super().can_delete(ignore_bulk=ignore_bulk):
            return False
        if self.user.is_superuser or "publish" in self.permissions:
            return True
        return not self.page.get_descendants(inclusive=True).exclude(owner=self.user).exists()


class AuthorPagePermissionsMixin:
    """A base of every learning page type (see the module docstring)."""

    def permissions_for_user(self, user) -> PagePermissionTester:
        return AuthorPagePermissionTester(user, self)
