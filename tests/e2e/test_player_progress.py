"""The learner's player in Chromium with a real clip: completion at 2×, no completion by scrubbing, resume,
captions, the transcript, and the content notes before a film."""

import re
import time

import pytest
from playwright.sync_api import expect

from lms.models import Completion, CompletionMethod, Progress
from tests.e2e import learning_content
from tests.e2e.learning_content import CLIP_SECONDS

clip_file, learning = learning_content.clip_file, learning_content.learning  # fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_for(condition, *, timeout=20.0, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


def until(page, expression: str, *, timeout=20.0):
    """Poll a JavaScript expression until it is truthy (page.wait_for_function would eval() it, which the CSP
    forbids; page.evaluate goes through the DevTools protocol)."""
    wait_for(lambda: page.evaluate(expression), timeout=timeout, message=expression)


def open_player(page, url):
    page.goto(url)
    until(page, "document.querySelector('video').readyState >= 1")  # metadata loaded


def play(page, *, rate=1.0):
    page.evaluate(
        """rate => { const v = document.querySelector('video'); v.muted = true; v.playbackRate = rate;
                     return v.play() }""",
        rate,
    )


def test_a_module_played_at_double_speed_completes(page, live_server, sign_in, learner, learning):
    sign_in(page, "learner", next_path="")
    expect(page).to_have_url(re.compile(r"/my-learning/$"))
    open_player(page, live_server.url + learning.module.url)
    expect(page.locator("[data-status-tag]").first).to_have_text("Not started")

    play(page, rate=2)
    banner = page.locator("[data-player-completed-banner]")
    expect(banner).to_be_visible(timeout=25_000)
    expect(banner).to_contain_text("You have completed First contact")
    expect(page.locator("[data-player-announcer]")).to_contain_text("Completed")
    expect(page.locator("h1 + p [data-status-tag]")).to_have_text("Completed")

    completion = Completion.objects.get(user=learner, item_id=learning.module.pk)
    assert completion.method == CompletionMethod.WATCHED
    progress = Progress.objects.get(user=learner, item_id=learning.module.pk)
    assert progress.watched_seconds >= 0.9 * CLIP_SECONDS

    page.reload()
    expect(page.locator("h1 + p [data-status-tag]")).to_have_text("Completed")
    assert page.locator("[data-module='app-player']").get_attribute("data-completed") == "true"
    # Completed: it opens at the start, with no resume note.
    expect(page.locator("[data-player-resume]")).to_have_count(0)
    page.goto(live_server.url + learning.series.url)
    expect(page.get_by_text("1 of 2 modules complete")).to_be_visible()


def test_scrubbing_to_the_end_does_not_complete(page, live_server, sign_in, learner, learning):
    sign_in(page, "learner")
    open_player(page, live_server.url + learning.module.url)
    with page.expect_response(re.compile(r"/api/progress/$")):
        play(page)  # seq 0 at play start
    page.evaluate(f"() => {{ document.querySelector('video').currentTime = {CLIP_SECONDS - 1.5} }}")
    until(page, "document.querySelector('video').ended")

    progress = wait_for(
        lambda: Progress.objects.filter(
            user=learner, item_id=learning.module.pk, position__gte=CLIP_SECONDS - 1
        ).first(),
        message="the heartbeat sent at the end",
    )
    assert progress.watched_seconds < 3
    assert not Completion.objects.filter(user=learner).exists()
    expect(page.locator("[data-player-completed-banner]")).to_be_hidden()
    expect(page.locator("[data-player-progress]")).to_contain_text(re.compile(r"You have watched \d+%"))


def test_leaving_half_way_and_coming_back_resumes(page, live_server, sign_in, learner, learning):
    sign_in(page, "learner")
    open_player(page, live_server.url + learning.module.url)
    play(page, rate=2)
    until(page, f"document.querySelector('video').currentTime >= {CLIP_SECONDS / 2}")
    page.goto(live_server.url + "/my-learning/")  # leaving the page sends what was watched (keepalive)

    progress = wait_for(
        lambda: Progress.objects.filter(
            user=learner, item_id=learning.module.pk, position__gte=CLIP_SECONDS / 2
        ).first(),
        message="the heartbeat sent on leaving",
    )
    assert progress.position < CLIP_SECONDS - 1
    page.reload()
    expect(page.get_by_role("link", name=re.compile(r"Continue from 0:0\d"))).to_be_visible()

    page.get_by_role("link", name=re.compile(r"Continue from")).click()
    until(page, "document.querySelector('video').readyState >= 1")
    resumed = page.evaluate("document.querySelector('video').currentTime")
    assert abs(resumed - progress.position) < 0.6
    expect(page.locator("[data-player-resume]")).to_contain_text("where you stopped last time")

    page.get_by_role("link", name="Start from the beginning").click()
    assert page.evaluate("document.querySelector('video').currentTime") == 0
    expect(page.locator("[data-player-resume]")).to_be_hidden()


def test_captions_show_and_the_transcript_seeks_and_searches(page, live_server, sign_in, learner, learning):
    sign_in(page, "learner")
    open_player(page, live_server.url + learning.module.url)
    until(page, "document.querySelector('video').textTracks[0].cues?.length === 3")
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "showing"
    assert page.evaluate("document.querySelector('video').textTracks[0].language") == "en-GB"

    line = page.locator(".app-transcript__cue", has_text="The jobcentre was the first place")
    line.click()
    until(page, "Math.abs(document.querySelector('video').currentTime - 3) < 0.8")
    expect(line).to_have_attribute("aria-current", "true")
    # The caption on screen includes the line selected (the seek plays on from there). Chromium may keep the
    # cue from before the seek among the active cues for a moment, so this checks inclusion.
    until(
        page,
        "Array.from(document.querySelector('video').textTracks[0].activeCues || []).map(c => c.text)"
        ".includes('The jobcentre was the first place anyone asked how I was.')",
    )

    search = page.get_by_label("Search the transcript")
    search.fill("name")
    expect(page.locator(".app-transcript__cue:visible")).to_have_count(1)
    expect(page.locator("[data-transcript-result]")).to_have_text("1 line contains “name”.")
    search.fill("")
    expect(page.locator(".app-transcript__cue:visible")).to_have_count(3)


def test_data_saver_is_remembered_and_speed_can_be_chosen(page, live_server, sign_in, learner, learning):
    sign_in(page, "learner")
    open_player(page, live_server.url + learning.module.url)
    assert "/720p/" in page.evaluate("document.querySelector('video').currentSrc")
    page.get_by_label("Data saver").check()
    until(page, "document.querySelector('video').currentSrc.includes('/360p/')")
    page.get_by_label("Playback speed").select_option("1.5")
    assert page.evaluate("document.querySelector('video').playbackRate") == 1.5
    # Still 1.5 once the 360p rendition has loaded (loading a new source resets the speed to the default).
    until(page, "document.querySelector('video').readyState >= 1")
    assert page.evaluate("document.querySelector('video').playbackRate") == 1.5

    page.reload()
    until(page, "document.querySelector('video').currentSrc.includes('/360p/')")
    expect(page.get_by_label("Data saver")).to_be_checked()


def test_content_notes_come_before_the_film(page, live_server, sign_in, learner, learning):
    sign_in(page, "learner")
    page.goto(live_server.url + learning.film.url)
    expect(page.get_by_text("Demonstration content")).to_be_visible()
    expect(page.get_by_text("This film talks about:")).to_be_visible()
    expect(page.get_by_text("Sleeping rough is described.")).to_be_visible()
    expect(page.get_by_text("Told by Sam.")).to_be_visible()
    expect(page.locator("video")).to_have_count(0)

    page.get_by_role("button", name="Continue to the film").click()
    expect(page.locator("video")).to_have_count(1)
    expect(page.get_by_role("heading", name="Transcript")).to_be_visible()
    page.reload()  # remembered for the rest of the session
    expect(page.locator("video")).to_have_count(1)


def test_without_javascript_the_video_captions_and_transcript_are_there(browser, live_server, learning, learner):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username").fill("learner")
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Sign in").click()
        page.goto(live_server.url + learning.module.url)
        video = page.locator("video[controls]")
        expect(video).to_have_count(1)
        expect(video.locator("track[kind=captions][default]")).to_have_count(1)
        expect(page.locator(".app-transcript__cue")).to_have_count(3)
        expect(page.locator("[data-player-controls]")).to_be_hidden()  # the JavaScript-only controls
        page.locator(".app-transcript__cue", has_text="Small things").click()
        assert "?t=6.000" in page.url
        assert page.locator("video source").first.get_attribute("src").endswith("#t=6.00")
    finally:
        context.close()


def test_watched_time_survives_a_short_network_loss(page, live_server, sign_in, learner, learning):
    sign_in(page, "learner")
    open_player(page, live_server.url + learning.module.url)
    with page.expect_response(re.compile(r"/api/progress/$")):
        play(page)  # seq 0 reaches the server; then the network drops
    failed = []

    def drop(route):
        failed.append(route.request.post_data_json)
        route.abort("internetdisconnected")

    page.route("**/api/progress/", drop)
    until(page, "document.querySelector('video').currentTime >= 6")
    page.unroute("**/api/progress/")
    assert failed, "heartbeats were sent while the network was down"

    completion = wait_for(
        lambda: Completion.objects.filter(user=learner, item_id=learning.module.pk).first(),
        message="completion once the network is back",
    )
    assert completion.method == CompletionMethod.WATCHED
    progress = Progress.objects.get(user=learner, item_id=learning.module.pk)
    assert progress.ranges[0][0] == 0 and progress.watched_seconds >= 0.9 * CLIP_SECONDS
    expect(page.locator("[data-player-completed-banner]")).to_be_visible()
    expect(page.locator("[data-player-error]")).to_be_hidden()
