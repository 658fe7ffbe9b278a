"""The strict framing policy (frame-ancestors 'none' everywhere) still lets the admin's preview panel show the page,
and a learning page cannot be framed, even by this site's own pages."""

import pytest
from playwright.sync_api import expect

from tests.lms import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_preview_panel_renders_and_learning_pages_refuse_frames(page, live_server, sign_in, editor, home_page):
    series = factories.series(factories.learning_index(home_page), title="Working together")
    module = factories.module(series, title="Housing first")
    sign_in(page, "editor", next_path=f"/admin/pages/{module.pk}/edit/")

    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", name="Housing first")).to_be_visible(timeout=15_000)

    # A same-origin page trying to frame a learning page is refused by the browser.
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(f"{live_server.url}/healthz")
    page.evaluate(
        "url => { const f = document.createElement('iframe'); f.src = url; document.body.appendChild(f); }",
        f"{live_server.url}{module.url}",
    )
    page.wait_for_timeout(1500)
    assert any("frame-ancestors 'none'" in text for text in blocked), blocked
