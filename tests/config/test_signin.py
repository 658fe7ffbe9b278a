"""Sign-in hardening: lockout after repeated failures, a new session at sign-in, deactivation takes effect at once,
password rules, and OIDC claims mapped onto the staff record."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.config.test_settings import PRODUCTION_ENV, run_django

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def sign_in(client, username, password, *, ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_that_username_even_with_the_right_password(client, make_user, settings):
    make_user("amira", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "amira", "wrong-password").status_code == 200  # the form again, with its error
    assert sign_in(client, "amira", "wrong-password").status_code == 429  # the last allowed failure locks

    locked = sign_in(client, "amira", PASSWORD)

    assert locked.status_code == 429
    assert "You cannot sign in for now" in locked.text
    assert "Wait 15 minutes" in locked.text
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address_so_colleagues_are_not_locked_out(client, make_user, settings):
    make_user("amira", password=PASSWORD)
    make_user("ben", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "amira", "wrong-password", ip="203.0.113.7")

    # The same office address, another person; and the same person from another office.
    assert sign_in(client, "ben", PASSWORD, ip="203.0.113.7").status_code == 302
    client.logout()
    assert sign_in(client, "amira", PASSWORD, ip="198.51.100.20").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, make_user, settings):
    make_user("amira", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "amira", "wrong-password")
    assert sign_in(client, "amira", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "amira", "wrong-password")

    assert sign_in(client, "amira", PASSWORD).status_code == 302


def test_signing_in_starts_a_new_session(client, make_user):
    make_user("amira", password=PASSWORD)
    client.get(reverse("login"))
    client.session["planted"] = "by someone else"  # a session that existed before sign-in
    session = client.session
    session["planted"] = "x"
    session.save()
    before = session.session_key

    sign_in(client, "amira", PASSWORD)

    assert client.session.session_key != before


def test_a_deactivated_users_session_stops_working_at_once(client, make_user):
    user = make_user("amira", password=PASSWORD)
    sign_in(client, "amira", PASSWORD)
    assert client.get("/", REMOTE_ADDR="203.0.113.7").context["user"].is_authenticated

    user.is_active = False
    user.save()

    assert not client.get("/").context["user"].is_authenticated
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("password", ["short-pw", "password12345", "123456789012345", "amira.jones@example.gov"])
def test_weak_passwords_are_refused(make_user, password):
    user = make_user("amira", first_name="Amira", last_name="Jones", email="amira.jones@example.gov.uk")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_a_long_uncommon_passphrase_is_accepted(make_user):
    validate_password("lantern orbit meadow quarry", user=make_user("amira"))


OIDC_SETTINGS = {
    "OIDC_RP_CLIENT_ID": "jcp-learning",
    "OIDC_RP_CLIENT_SECRET": "not-a-secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://sso.example/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://sso.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://sso.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://sso.example/jwks",
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_JOBCENTRE_CLAIM": "jobcentre_code",
    "OIDC_JOB_ROLE_CLAIM": "job_role",
}


def test_oidc_sign_in_creates_a_learner_at_the_jobcentre_in_the_claims(settings, organisation):
    from lms import roles
    from lms.auth import StaffOIDCBackend
    from lms.models import Jobcentre

    for name, value in OIDC_SETTINGS.items():
        setattr(settings, name, value)
    first, second = Jobcentre.objects.filter(is_active=True)[:2]
    backend = StaffOIDCBackend()
    claims = {
        "email": "sam.okafor@example.gov.uk",
        "given_name": "Sam",
        "family_name": "Okafor",
        "jobcentre_code": first.code,
        "job_role": "dea",
    }

    user = backend.create_user(claims)
    assert user.groups.filter(name=roles.LEARNER).exists()
    assert (user.staff_profile.jobcentre, user.staff_profile.job_role) == (first, "dea")

    # They move; the next sign-in moves them. An unknown code keeps the last known jobcentre.
    backend.update_user(user, {**claims, "jobcentre_code": second.code})
    user.staff_profile.refresh_from_db()
    assert user.staff_profile.jobcentre == second
    backend.update_user(user, {**claims, "jobcentre_code": "NO-SUCH-CODE", "job_role": "astronaut"})
    user.staff_profile.refresh_from_db()
    assert (user.staff_profile.jobcentre, user.staff_profile.job_role) == (second, "dea")


def test_oidc_is_off_by_default_and_refuses_half_a_configuration():
    assert run_django(["check"], PRODUCTION_ENV).returncode == 0
    result = run_django(["check"], {**PRODUCTION_ENV, "OIDC_RP_CLIENT_ID": "jcp-learning"})

    assert result.returncode != 0
    assert "OIDC_OP_TOKEN_ENDPOINT" in result.stderr
