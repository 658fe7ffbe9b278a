"""From sign-in to a completed module with the keyboard alone (Tab, Shift+Tab, Enter, Space; no mouse)."""

import re
import time

import pytest
from playwright.sync_api import expect

from lms.models import Completion, CompletionMethod
from tests.e2e import learning_content

clip_file, learning = learning_content.clip_file, learning_content.learning  # fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def tab_to(page, predicate: str, *, key="Tab", limit=80) -> None:
    """Press Tab until the focused element matches ``predicate`` (JavaScript over ``el``), and check that it shows
    a visible focus indicator (an outline or GOV.UK's yellow focus box)."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({predicate}) }})()"):
            focus = page.evaluate(
                """(() => { const s = getComputedStyle(document.activeElement);
                    return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                            shadow: s.boxShadow !== 'none', background: s.backgroundColor} })()"""
            )
            assert focus["outline"] or focus["shadow"] or focus["background"] == "rgb(255, 221, 0)", (predicate, focus)
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def link(text: str) -> str:
    return f"el.tagName === 'A' && el.textContent.replace(/\\s+/g, ' ').trim().startsWith({text!r})"


def test_sign_in_to_completion_by_keyboard(page, live_server, learner, learning):
    page.goto(live_server.url + "/accounts/login/")
    tab_to(page, "el.id === 'id_username'")
    page.keyboard.type("learner")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/my-learning/$"))

    tab_to(page, link("Browse"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(learning.index.title)

    tab_to(page, link(learning.series.title))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(learning.series.title)

    tab_to(page, link("Start the series"))
    page.keyboard.press("Space")  # a GOV.UK link styled as a button also answers to Space
    expect(page.get_by_role("heading", level=1)).to_have_text(learning.module.title)

    # Into the video's own controls: the first is play.
    tab_to(page, "el.tagName === 'VIDEO'")
    page.keyboard.press("Space")
    deadline = time.monotonic() + 5
    while page.evaluate("document.querySelector('video').paused") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not page.evaluate("document.querySelector('video').paused"), "Space on the play control plays the video"

    tab_to(page, "el.id === 'player-speed'")
    page.keyboard.type("2")  # the select's type-ahead: "2 times"
    assert page.evaluate("document.querySelector('video').playbackRate") == 2

    expect(page.locator("[data-player-completed-banner]")).to_be_visible(timeout=25_000)
    completion = Completion.objects.get(user=learner, item_id=learning.module.pk)
    assert completion.method == CompletionMethod.WATCHED

    # On to the next module, still by keyboard.
    tab_to(page, link("Next"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(learning.second_module.title)
