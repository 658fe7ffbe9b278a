"""Admin forms: the learning pages' editor form, and the consent withdrawal confirmation.

The page form does three things the panels alone cannot:
- withdrawn contributors are never offered (and a forged choice of one is refused);
- short lists (topics, content notes, contributors) are tick boxes, not a multi-select needing Ctrl-click;
- publishing, scheduling or approving is refused with the publish gate's words on the video field, so the
  editor sees what is missing and loses nothing they typed. Saving a draft or submitting for review is never
  refused for that: volunteers build pages while their video is still processing.
"""

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm

CHECKBOX_FIELDS = ("topics", "content_notes", "contributors", "presenters")
PEOPLE_FIELDS = ("storyteller", "contributors", "presenters")
APPROVE_ACTION = "approve"


def _is_going_live(data) -> bool:
    """True when the submitted button publishes (or schedules) the page, or approves it (which publishes)."""
    if data.get("action-publish"):
        return True
    return bool(data.get("action-workflow-action")) and data.get("workflow-action-name") == APPROVE_ACTION


class TopicsAsCheckboxesMixin:
    def _use_checkboxes(self):
        for name in CHECKBOX_FIELDS:
            field = self.fields.get(name)
            if field is not None:
                field.widget = forms.CheckboxSelectMultiple()
                field.widget.choices = field.choices


class SeriesPageForm(TopicsAsCheckboxesMixin, WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._use_checkboxes()


class LearningItemPageForm(TopicsAsCheckboxesMixin, WagtailAdminPageForm):
    """The editor form of modules, human library films and webinars."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from lms.models import Contributor, ContributorStatus

        active = Contributor.objects.filter(status=ContributorStatus.ACTIVE)
        for name in PEOPLE_FIELDS:
            if name in self.fields:
                self.fields[name].queryset = active
        self._use_checkboxes()

    def clean(self):
        cleaned_data = super().clean()
        if _is_going_live(self.data):
            self._check_publish_gate(cleaned_data)
        return cleaned_data

    def _check_publish_gate(self, cleaned_data):
        from lms.selectors.publishing import people_of, publish_problems

        if any(name in self.errors for name in ("video", *PEOPLE_FIELDS)):
            return  # the field's own error says what to fix first
        people = people_of(cleaned_data.get(name) for name in PEOPLE_FIELDS)
        problems = publish_problems(item_type=type(self.instance), video=cleaned_data.get("video"), people=people)
        target = "video" if "video" in self.fields else None
        for problem in problems:
            self.add_error(target, problem)
