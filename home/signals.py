"""Audit sign-in events. Connected in HomeConfig.ready()."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from home.audit import audit_log


@receiver(user_login_failed)
def _signin_failed(sender, credentials, request=None, **kwargs):
    # The credentials dict is already cleansed of the password by Django; log only the username tried.
    audit_log("signin.failed", request=request, username=(credentials or {}).get("username", ""))


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    audit_log("signin.succeeded", request=request, user_id=user.pk)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    audit_log("signout", request=request, user_id=getattr(user, "pk", None))
