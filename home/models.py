from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from home.blocks import HomeStreamBlock


class HomePage(Page):
    """The site's front page: what JCP Learning is and where to start."""

    introduction = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="One or two sentences shown under the page title. Say who this learning is for.",
    )
    body = StreamField(HomeStreamBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["lms.LearningIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = "home page"
