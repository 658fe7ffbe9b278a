"""Privacy: every model is declared as personal data or not; a learner's export, erasure and heartbeat retention."""

import datetime
import json
import uuid

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.utils import timezone

from lms.models import Completion, CompletionMethod, HeartbeatReceipt, Jobcentre, Progress, WatchSession
from lms.privacy import NOT_PERSONAL_DATA, PERSONAL_DATA
from lms.services.completions import completion_record
from lms.services.privacy import heartbeat_detail_prune, learner_data_export, learner_erase
from tests.lms import factories


def test_every_model_is_declared_once_as_personal_data_or_not():
    labels = {model._meta.label for model in apps.get_models()}

    undeclared = labels - PERSONAL_DATA.keys() - NOT_PERSONAL_DATA.keys()
    # Wagtail defines its SQLite full-text index model only when the database is SQLite.
    backend_specific = {"wagtailsearch.SQLiteFTSIndexEntry"}
    stale = (PERSONAL_DATA.keys() | NOT_PERSONAL_DATA.keys()) - labels - backend_specific

    assert not undeclared, f"declare these in lms/privacy.py: {sorted(undeclared)}"
    assert not stale, f"these declarations name no model: {sorted(stale)}"
    assert not PERSONAL_DATA.keys() & NOT_PERSONAL_DATA.keys()


@pytest.mark.parametrize("label", sorted(PERSONAL_DATA))
def test_each_declared_erasure_matches_the_schema(label):
    declaration = PERSONAL_DATA[label]
    model = apps.get_model(label)
    if declaration.subject in (None, "pk") or "__" in declaration.subject:
        return
    field = model._meta.get_field(declaration.subject)
    if not isinstance(field, models.ForeignKey | models.OneToOneField) or field.related_model is not get_user_model():
        assert declaration.on_erasure in {"delete", "retain"}
        return
    on_delete = field.remote_field.on_delete
    if declaration.on_erasure == "cascade":
        assert on_delete is models.CASCADE, f"{label}.{field.name} does not cascade"
    else:
        assert on_delete is not models.CASCADE, f"{label}.{field.name} would be deleted, not retained"


@pytest.fixture
def watched(organisation, home_page, make_user):
    """Two learners at one jobcentre, each with progress, a completion and heartbeat detail."""
    jobcentre = Jobcentre.objects.filter(is_active=True).first()
    item = factories.module(factories.series(factories.learning_index(home_page)))
    learners = [make_user(name, jobcentre=jobcentre) for name in ("amira", "ben")]
    now = timezone.now()
    for learner in learners:
        Progress.objects.create(
            user=learner,
            item=item,
            ranges=[[0, 110]],
            watched_seconds=110,
            duration=120,
            started_at=now,
            updated_at=now,
        )
        session = WatchSession.objects.create(user=learner, item=item, session=uuid.uuid4(), first_seen_at=now)
        HeartbeatReceipt.objects.create(watch_session=session, seq=0, received_at=now, ranges=[[0, 110]])
        completion_record(user=learner, item=item, method=CompletionMethod.WATCHED)
    return item, jobcentre, learners


@pytest.mark.django_db
def test_a_learners_export_holds_their_data_and_nobody_elses(watched):
    item, jobcentre, (amira, _ben) = watched

    export = learner_data_export(user=amira)

    assert export["account"]["username"] == "amira"
    assert export["staff_profile"]["jobcentre_code"] == jobcentre.code
    assert [row["item"] for row in export["progress"]] == [item.pk]
    series = item.get_parent()
    assert [(row["item"], row["method"]) for row in export["completions"]] == [
        (item.pk, "Watched"),
        (series.pk, "Completed every required module"),
    ]
    assert [len(session["heartbeats"]) for session in export["watch_sessions"]] == [1]
    assert "ben" not in json.dumps(export)


@pytest.mark.django_db
def test_erasing_a_learner_removes_everything_about_them_and_their_counts(watched, client):
    from lms.models import SiteItemRollup

    item, jobcentre, (amira, ben) = watched
    client.post("/accounts/login/", {"username": "amira", "password": "wrong"})
    before = SiteItemRollup.objects.get(jobcentre=jobcentre, item=item)

    result = learner_erase(user=amira)

    assert (result["progress"], result["completions"], result["watch_sessions"]) == (1, 2, 1)
    assert result["sign_in_records"] >= 1
    assert not get_user_model().objects.filter(username="amira").exists()
    for label, declaration in PERSONAL_DATA.items():
        if declaration.on_erasure == "cascade" and declaration.subject:
            assert not apps.get_model(label).objects.filter(**{f"{declaration.subject}_id": amira.pk}).exists(), label
    from axes.models import AccessAttempt, AccessLog

    assert not AccessAttempt.objects.filter(username="amira").exists()
    assert not AccessLog.objects.filter(username="amira").exists()
    assert Completion.objects.filter(user=ben).count() == 2
    after = SiteItemRollup.objects.get(jobcentre=jobcentre, item=item)
    assert after.completed == before.completed - 1


@pytest.mark.django_db
def test_the_command_exports_and_refuses_to_erase_without_confirmation(watched, capsys):
    call_command("learner_data", "amira")
    assert json.loads(capsys.readouterr().out)["account"]["username"] == "amira"

    with pytest.raises(CommandError, match="--erase --yes"):
        call_command("learner_data", "amira", "--erase")
    assert get_user_model().objects.filter(username="amira").exists()

    call_command("learner_data", "amira", "--erase", "--yes")
    assert json.loads(capsys.readouterr().out)["completions"] == 2
    with pytest.raises(CommandError, match="no user"):
        call_command("learner_data", "amira")


@pytest.mark.django_db
def test_retention_prunes_old_heartbeat_detail_and_keeps_progress_and_completions(watched, capsys):
    item, _jobcentre, (amira, ben) = watched
    old = timezone.now() - datetime.timedelta(days=91)
    WatchSession.objects.filter(user=amira).update(first_seen_at=old)
    HeartbeatReceipt.objects.filter(watch_session__user=amira).update(received_at=old)
    # Started long ago but with a heartbeat accepted recently: kept.
    WatchSession.objects.filter(user=ben).update(first_seen_at=old)

    call_command("prune_heartbeats", "--days", "90")

    result = json.loads(capsys.readouterr().out)
    assert (result["sessions_deleted"], result["heartbeats_deleted"]) == (1, 1)
    assert not WatchSession.objects.filter(user=amira).exists()
    assert WatchSession.objects.filter(user=ben).exists()
    assert Progress.objects.filter(item=item).count() == 2
    assert Completion.objects.filter(item=item).count() == 2  # one per learner
    assert heartbeat_detail_prune(older_than=datetime.timedelta(days=90))["sessions_deleted"] == 0


@pytest.mark.django_db
def test_retention_refuses_to_prune_live_sessions():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_heartbeats", "--days", "0")
