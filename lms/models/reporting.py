"""The reports' roll-up: completion counts per (jobcentre, learning item, job role), kept current as people learn.

A row counts the staff *currently* at ``jobcentre`` with ``job_role`` who have completed ``item`` and who have
started it without completing it. It is written only by ``lms.services.rollups`` (in the same transaction as the
completion, the first progress, or the staff move that changes it) and can always be rebuilt from the raw rows
with ``manage.py rollups_rebuild``. Staff counts are not rolled up: they are counted from ``StaffProfile``.
"""

from django.db import models

from .organisation import Jobcentre, JobRole


class SiteItemRollup(models.Model):
    # No index of their own: the two composite indexes below lead with them.
    jobcentre = models.ForeignKey(Jobcentre, on_delete=models.CASCADE, related_name="+", db_index=False)
    item = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+", db_index=False)
    job_role = models.CharField(max_length=32, choices=JobRole.choices)
    completed = models.IntegerField(default=0, help_text="Staff here now who have completed the item.")
    in_progress = models.IntegerField(default=0, help_text="Staff here now who have started but not completed it.")

    class Meta:
        verbose_name = "site completion roll-up"
        # On PostgreSQL, migration 0007 makes both covering (INCLUDE completed, in_progress), so that reports read
        # only the index: the site table by item, the heat map by jobcentre.
        constraints = [
            models.UniqueConstraint(fields=["item", "jobcentre", "job_role"], name="site_item_rollup_unique"),
        ]
        indexes = [models.Index(fields=["jobcentre", "item"], name="site_item_rollup_site")]

    def __str__(self) -> str:
        return f"{self.jobcentre_id}/{self.item_id}/{self.job_role}: {self.completed} completed"
