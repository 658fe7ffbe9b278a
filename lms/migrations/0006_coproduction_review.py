import django.db.models.deletion
from django.db import migrations, models

from lms.roles import EDITOR, roles_sync

WORKFLOW_NAME = "Co-production review"
TASK_NAME = "Content editor review"
# Wagtail's starter workflow, made from its starter "Moderators" group (which roles_sync removes).
STARTER_WORKFLOW = "Moderators approval"


def workflow_sync(apps, schema_editor):
    """Create the co-production review and assign it to the root page, so it covers every page (idempotent).

    The root page is used rather than the learning index because the index is made later (by seed_demo or an
    editor) and the workflow must already apply to it. It replaces Wagtail's starter workflow there.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Task = apps.get_model("wagtailcore", "Task")
    ReviewTask = apps.get_model("lms", "CoProductionReviewTask")

    editors = Group.objects.get(name=EDITOR)
    content_type, _ = ContentType.objects.get_or_create(app_label="lms", model="coproductionreviewtask")
    task = ReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = ReviewTask.objects.create(name=TASK_NAME, content_type=content_type, active=True)
    task.groups.add(editors)

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task_id=task.pk, defaults={"sort_order": 0})

    root = Page.objects.filter(depth=1).first()
    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})

    starter = Workflow.objects.filter(name=STARTER_WORKFLOW, workflow_pages__isnull=True)
    for old in starter:
        if not old.workflow_states.filter(status__in=["in_progress", "needs_changes"]).exists():
            old.active = False
            old.save(update_fields=["active"])
            Task.objects.filter(workflow_tasks__workflow=old, name=STARTER_WORKFLOW).update(active=False)


class Migration(migrations.Migration):
    """The co-production review workflow; volunteers choose topics, notes and contributors, editors manage them."""

    dependencies = [
        ("lms", "0005_site_item_rollup"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="CoProductionReviewTask",
            fields=[
                (
                    "task_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.task",
                    ),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        help_text="Pages/snippets at this step in a workflow will be moderated or approved by these "
                        "groups of users",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
            ],
            options={
                "verbose_name": "co-production review task",
                "verbose_name_plural": "co-production review tasks",
            },
            bases=("wagtailcore.task",),
        ),
        migrations.RunPython(roles_sync, migrations.RunPython.noop),
        migrations.RunPython(workflow_sync, migrations.RunPython.noop),
    ]
