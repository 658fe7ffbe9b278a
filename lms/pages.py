"""How learning pages serve learners: signed-in staff only, and a context built by selectors.

``LearnerPageMixin`` is a base of every learning page (the index, series, modules, films and webinars). Kept out
of ``lms/models`` so that the page models stay declarations; selectors are imported when a page is served, which
also keeps ``lms.models`` free of import cycles.
"""

import math

from django.http import HttpResponseRedirect
from django.utils import timezone

#: The session key holding the films whose content notes the learner has read and continued past.
FILM_NOTES_SEEN_SESSION_KEY = "lms_film_notes_seen"


class LearnerPageMixin:
    """Learning is for signed-in staff: anyone else is sent to sign in first.

    Playback (``media_pipeline.selectors.video_viewable_by``) and the progress API
    (``lms.selectors.learning.page_viewable_by``) also require a signed-in user who passes the page's view
    restrictions, so the page, its media and its progress agree.
    """

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if request.GET.get("continue") and self._has_content_notes_step():
            # The content notes come first; "Continue to the film" is a plain link, so this works without JavaScript.
            seen = set(request.session.get(FILM_NOTES_SEEN_SESSION_KEY, []))
            seen.add(self.pk)
            request.session[FILM_NOTES_SEEN_SESSION_KEY] = sorted(seen)
            return HttpResponseRedirect(self.get_url(request) + "#player")
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(learner_page_context(page=self, request=request))
        return context

    def _has_content_notes_step(self) -> bool:
        from lms.models import HumanLibraryFilmPage

        return isinstance(self, HumanLibraryFilmPage)


def learner_page_context(*, page, request) -> dict:
    """The template context for a learning page, by page type. Calls selectors only."""
    from lms.models import HumanLibraryFilmPage, LearningIndexPage, ModulePage, SeriesPage, WebinarPage
    from lms.selectors.browse import learning_breadcrumbs, learning_browse, module_in_series, series_overview
    from lms.selectors.learning import item_people, learner_progress, learning_item_player

    user = request.user
    if isinstance(page, LearningIndexPage):
        topics, page_number = request.GET.getlist("topic"), request.GET.get("page")
        return {"browse": learning_browse(index=page, user=user, topic_slugs=topics, page_number=page_number)}
    context = {"breadcrumbs": learning_breadcrumbs(page=page)}
    if isinstance(page, SeriesPage):
        context["overview"] = series_overview(series=page, user=user)
        return context

    context.update(item_people(item=page))
    # A film's content notes come first: its player is shown once the learner has continued past them.
    show_player = not isinstance(page, HumanLibraryFilmPage) or page.pk in request.session.get(
        FILM_NOTES_SEEN_SESSION_KEY, []
    )
    context["notes_step"] = not show_player
    if isinstance(page, ModulePage):
        context["position"] = module_in_series(module=page)
    if isinstance(page, WebinarPage):
        context["webinar_upcoming"] = page.ends_at > timezone.now()
    player = None
    if show_player:
        start_at = _seconds(request.GET.get("t"))
        player = learning_item_player(item=page, user=user, start_at=start_at, restart="restart" in request.GET)
    context["player"] = player
    context["item_progress"] = player.progress if player else learner_progress(user=user, item_ids=[page.pk])[page.pk]
    return context


def _seconds(value: str | None) -> float | None:
    """A ``?t=`` start time in seconds, or None when it is missing or not a finite, non-negative number."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
