"""Learner pages outside the page tree: My learning."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lms.selectors.browse import learning_browse_url
from lms.selectors.my_learning import my_learning_overview


@require_safe
@login_required
def my_learning(request):
    """``/my-learning/``: assigned items with due dates, items in progress with resume links, completions."""
    context = {
        "overview": my_learning_overview(user=request.user),
        "browse_url": learning_browse_url(request=request),
    }
    return render(request, "lms/my_learning.html", context)
