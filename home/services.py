"""The page tree's fixed top: Wagtail's root → the one HomePage, served by the default Site."""

from django.db import transaction
from wagtail.models import Page, Site

from home.models import HomePage

HOME_DEFAULTS = {
    "title": "Learn to work well with people facing multiple complex needs",
    "slug": "home",
    "introduction": (
        "<p>Short films and training made with people who have lived experience of homelessness, addiction, "
        "mental ill-health, offending and trauma. For everyone who works in a jobcentre.</p>"
    ),
}


@transaction.atomic
def site_ensure_home_page() -> HomePage:
    """Return the HomePage, creating it (and pointing the default Site at it) on first run. Idempotent."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's install creates a plain "Welcome" page in the slot the HomePage takes.
        for page in root.get_children().filter(slug="home").exact_type(Page):
            page.delete()
        home = root.add_child(instance=HomePage(**HOME_DEFAULTS))
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname, site.port, site.site_name, site.root_page = "localhost", 80, "JCP Learning", home
    site.save()
    return home
