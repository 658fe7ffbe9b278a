"""The GOV.UK shell: home page, sign-in, navigation by role, error pages, and a strict CSP."""

import re

import pytest
from django.test import override_settings

from lms import roles

pytestmark = pytest.mark.django_db


def assert_no_inline_script_or_style(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> found"
    assert " style=" not in html


def test_home_page_renders_the_govuk_shell(client, home_page):
    response = client.get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'class="govuk-skip-link"' in html and 'href="#main-content"' in html
    assert 'id="main-content"' in html
    assert "govuk-service-navigation" in html and "JCP Learning" in html
    assert "govuk-phase-banner" in html and "govuk-footer" in html
    assert home_page.title in html
    assert "Sign in to start learning" in html
    assert_no_inline_script_or_style(html)


def test_csp_is_strict(client, home_page):
    policy = client.get("/")["Content-Security-Policy"]

    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy
    assert "script-src 'self'" in policy


def test_sign_in_page_is_govuk_styled(client):
    html = client.get("/accounts/login/").content.decode()

    assert '<h1 class="govuk-heading-l">Sign in to JCP Learning</h1>' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert_no_inline_script_or_style(html)


def test_wrong_password_shows_an_error_summary_and_keeps_the_username(client, learner):
    response = client.post("/accounts/login/", {"username": "learner", "password": "wrong"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert "<title>Error: Sign in" in html
    assert 'value="learner"' in html
    assert 'value="wrong"' not in html


def test_signing_in_shows_who_is_signed_in(client, learner, home_page):
    learner.first_name, learner.last_name = "Lee", "Learner"
    learner.save()

    response = client.post(
        "/accounts/login/", {"username": "learner", "password": "correct-horse-battery"}, follow=True
    )

    assert response.redirect_chain == [("/my-learning/", 302)]
    assert response.status_code == 200
    assert "Signed in as Lee Learner" in response.content.decode()


def test_navigation_follows_role(client, make_user, home_page):
    author = make_user("author", roles.VOLUNTEER)
    client.force_login(author)
    assert 'data-nav="admin"' in client.get("/").content.decode()

    staff = make_user("staff")
    client.force_login(staff)
    assert 'data-nav="admin"' not in client.get("/").content.decode()


def test_sign_out_is_a_post_form(client, learner, home_page):
    client.force_login(learner)
    html = client.get("/").content.decode()
    assert 'action="/accounts/logout/"' in html

    client.post("/accounts/logout/")
    assert "Signed in as" not in client.get("/").content.decode()


def test_unknown_page_gets_the_govuk_404(client, home_page):
    response = client.get("/no-such-learning/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@override_settings(DEBUG=False)
def test_403_and_500_templates_render(client):
    from django.template.loader import render_to_string

    assert "You do not have access to this page" in render_to_string("403.html")
    assert "Sorry, there is a problem with the service" in render_to_string("500.html")
