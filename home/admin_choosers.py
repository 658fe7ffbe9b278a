"""Chooser "chosen" views that answer 404, not 500, for an id that is not even of the right kind.

Wagtail's chosen views look an object up by the id in the URL and turn only "does not exist" into a 404; an id
that cannot be a key at all (`/chosen/abc/` for a numeric or UUID key) raises a ValueError or ValidationError and
the request fails with a server error. Every chooser of ours uses these mixins.
"""

from django.core.exceptions import ValidationError
from wagtail.snippets.views.chooser import SnippetChooserViewSet, SnippetChosenMultipleView, SnippetChosenView


class MalformedIdNotFoundMixin:
    """For a ChosenView: an id of the wrong kind is an object that does not exist."""

    def get_object(self, pk):
        try:
            return super().get_object(pk)
        except (ValueError, ValidationError) as error:
            raise self.model_class.DoesNotExist(str(error)) from error


class MalformedIdsIgnoredMixin:
    """For a ChosenMultipleView: ids of the wrong kind are left out."""

    def get_objects(self, pks):
        field = self.model_class._meta.pk
        valid = []
        for pk in pks:
            try:
                valid.append(field.to_python(pk))
            except ValidationError:
                continue
        return super().get_objects(valid)


class SnippetChosenViewStrict(MalformedIdNotFoundMixin, SnippetChosenView):
    pass


class SnippetChosenMultipleViewStrict(MalformedIdsIgnoredMixin, SnippetChosenMultipleView):
    pass


class StrictSnippetChooserViewSet(SnippetChooserViewSet):
    chosen_view_class = SnippetChosenViewStrict
    chosen_multiple_view_class = SnippetChosenMultipleViewStrict
