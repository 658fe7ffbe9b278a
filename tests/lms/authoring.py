"""Helpers for the authoring tests: admin form data for each learning page type, and page URLs in the admin."""

import datetime
import html

from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

# Multi-value fields (tick boxes) are added after nested_form_data, which would number a list's items.


def module_form_data(*, title="Working with trauma", slug=None, video=None, contributors=(), topics=(), **extra):
    data = {
        "title": title,
        "slug": slug or title.lower().replace(" ", "-"),
        "summary": "How trauma shapes a conversation at the work coach's desk.",
        "video": str(video.pk) if video is not None else "",
        "completion_threshold": "90",  # ignored for volunteers: the field is not on their form
        "is_required": "on",
        "learning_outcomes": streamfield([("outcome", "explain what trauma-informed means")]),
        "before_you_watch": rich_text("<p>Think of a conversation that went wrong.</p>"),
        "reflective_questions": streamfield([("question", "What would you do differently?")]),
        "resources": streamfield([]),
    }
    data = nested_form_data(data)
    data.update(contributors=[str(c.pk) for c in contributors], topics=[str(t.pk) for t in topics])
    data.update(extra)
    return data


def film_form_data(*, title="Sam's story", storyteller, video=None, notes=(), **extra):
    data = nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-").replace("'", ""),
            "summary": "Sam talks about leaving care.",
            "storyteller": str(storyteller.pk),
            "video": str(video.pk) if video is not None else "",
            "completion_threshold": "90",
            "content_note_detail": "",
            "support": rich_text(""),
            "reflective_questions": streamfield([]),
            "resources": streamfield([]),
        }
    )
    data.update(content_notes=[str(n.pk) for n in notes], contributors=[], topics=[])
    data.update(extra)
    return data


def webinar_form_data(*, title="Autumn webinar", video=None, presenters=(), **extra):
    starts = timezone.localtime() + datetime.timedelta(days=14)
    data = nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "summary": "Questions and answers with the co-production team.",
            "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
            "duration_minutes": "60",
            "joining_instructions": rich_text("<p>Join on Teams.</p>"),
            "attendance_completes": "on",
            "video": str(video.pk) if video is not None else "",
            "completion_threshold": "90",
            "resources": streamfield([]),
        }
    )
    data.update(presenters=[str(p.pk) for p in presenters], contributors=[], topics=[])
    data.update(extra)
    return data


def series_form_data(*, title="Working together", **extra):
    data = nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "summary": "Eight short modules made with people with lived experience.",
            "introduction": streamfield([("heading", "Why this matters")]),
        }
    )
    data.update(topics=[])
    data.update(extra)
    return data


def index_form_data(*, title="Browse learning", **extra):
    data = nested_form_data({"title": title, "slug": "learning", "introduction": rich_text("<p>Browse.</p>")})
    data.update(extra)
    return data


def edit_url(page) -> str:
    return f"/admin/pages/{page.pk}/edit/"


def add_url(parent, model) -> str:
    return f"/admin/pages/add/{model._meta.app_label}/{model._meta.model_name}/{parent.pk}/"


def messages_of(response) -> list[str]:
    """The messages shown on the response's page, as plain text (Wagtail renders them as HTML)."""
    if not response.context:
        return []
    return [" ".join(html.unescape(str(message)).split()) for message in response.context["messages"]]
