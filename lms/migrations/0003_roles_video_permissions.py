from django.db import migrations

from lms.roles import roles_sync


class Migration(migrations.Migration):
    """Volunteers and editors upload and edit videos; only editors delete them."""

    dependencies = [
        ("lms", "0002_roles"),
        ("media_pipeline", "0001_initial"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
