"""Single sign-on (OpenID Connect) mapped onto the staff record. Used only when ``OIDC_ENABLED``.

The provider's claims say who the person is (email), where they work (the DWP register's jobcentre code) and
their job role. Each sign-in updates the staff record, so a move between jobcentres shows in reports at once.
"""

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from home.audit import audit_log
from lms import roles
from lms.models import Jobcentre, JobRole, StaffProfile


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict) -> bool:
        return bool(super().verify_claims(claims) and claims.get("email_verified", True))

    def create_user(self, claims: dict):
        with transaction.atomic():
            user = super().create_user(claims)
            user.groups.add(Group.objects.get(name=roles.LEARNER))
            return self.update_user(user, claims)

    def update_user(self, user, claims: dict):
        user.first_name = str(claims.get("given_name", user.first_name))[:150]
        user.last_name = str(claims.get("family_name", user.last_name))[:150]
        user.save(update_fields=["first_name", "last_name"])
        staff_profile_update_from_claims(user=user, claims=claims)
        return user


def staff_profile_update_from_claims(*, user, claims: dict) -> StaffProfile:
    """Set the user's jobcentre and job role from the provider's claims (names in ``OIDC_*_CLAIM`` settings).

    An unknown jobcentre code or job role keeps what the record had and is logged, rather than refusing sign-in:
    a person must still be able to learn while the register catches up.
    """
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    code = claims.get(getattr(settings, "OIDC_JOBCENTRE_CLAIM", "jobcentre_code"))
    if code:
        jobcentre = Jobcentre.objects.filter(code=str(code)).first()
        if jobcentre is None:
            audit_log("oidc.unknown_jobcentre", level=logging.WARNING, user_id=user.pk, code=code)
        else:
            profile.jobcentre = jobcentre
    job_role = claims.get(getattr(settings, "OIDC_JOB_ROLE_CLAIM", "job_role"))
    if job_role:
        if job_role in JobRole.values:
            profile.job_role = job_role
        else:
            audit_log("oidc.unknown_job_role", level=logging.WARNING, user_id=user.pk, job_role=job_role)
    profile.save()
    return profile
